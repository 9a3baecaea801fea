//! What a public message does to its conversation: its latest activity and preview,
//! whether it awaits an answer, its cycle's first response and its SLA targets. One
//! send at a time, or a batch's sends with a few statements for all of their chats.
use super::write::{Author, Outgoing};
use super::{cycles, Visibility};
use crate::db::Script;
use crate::error::AppResult;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// A send as the batch touches its chat.
pub(super) struct Touch<'a> {
    pub chat: i64,
    /// The agent who wrote it; `None`: the customer.
    pub agent: Option<i64>,
    pub body: &'a str,
    pub at: i64,
    pub public: bool,
}

/// What the batch read about a chat before writing to it: since when it awaits an
/// answer, and whether it has SLA targets to keep (when not, nothing reads them).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Before {
    pub awaiting_since: Option<i64>,
    pub sla: bool,
}

/// The chats of a batch's sends, in their order: customers' sends in one statement for
/// all chats that only customers wrote to, agents' replies in two for all chats that
/// only agents answered, one read of the SLA targets of those that have any, and a
/// chat with both one send after another, in order (an answer and a new question
/// reorder its wait).
///
/// The customers' statement is added to `script` (on SQLite it goes with the batch's
/// other writes); `script` runs before anything here reads.
pub(super) async fn touch_batch(conn: &mut AnyConnection, script: &mut Script<'_>, sends: &[Touch<'_>], before: &HashMap<i64, Before>) -> AppResult<()> {
    let public: Vec<&Touch<'_>> = sends.iter().filter(|s| s.public).collect();
    // Per chat: whether a customer wrote, whether an agent did.
    let mut writers: HashMap<i64, (bool, bool)> = HashMap::new();
    for s in &public {
        let w = writers.entry(s.chat).or_default();
        if s.agent.is_some() { w.1 = true } else { w.0 = true }
    }
    let both = |chat: i64| writers.get(&chat).is_some_and(|&(c, a)| c && a);
    let (mixed, alone): (Vec<&Touch<'_>>, Vec<&Touch<'_>>) = public.into_iter().partition(|s| both(s.chat));
    let customers: Vec<(i64, &str, i64)> = alone.iter().filter(|s| s.agent.is_none()).map(|s| (s.chat, s.body, s.at)).collect();
    let agents: Vec<(i64, i64, &str, i64)> = alone.iter().filter_map(|s| s.agent.map(|agent| (s.chat, agent, s.body, s.at))).collect();
    let mut refresh = touch_for_customers(conn, script, &customers).await?;
    refresh.extend(touch_for_agents(conn, &agents, before).await?);
    // Only chats with targets to keep: for the others the read would change nothing.
    refresh.retain(|r| before.get(&r.0).is_some_and(|b| b.sla));
    if !refresh.is_empty() || !mixed.is_empty() {
        script.run(conn).await?;
    }
    crate::sla::store::refresh_replied(conn, &refresh).await?;
    for s in mixed {
        touch_one(conn, s.chat, s.agent, s.body, s.at).await?;
    }
    Ok(())
}

/// A public message is the conversation's latest activity and preview.
pub(super) async fn touch_conversation(conn: &mut AnyConnection, out: &Outgoing<'_>, now: i64) -> AppResult<()> {
    if out.visibility != Visibility::Public {
        return Ok(());
    }
    let agent = match out.author {
        Author::Agent { id, .. } => Some(id),
        Author::Customer => None,
    };
    touch_one(conn, out.conversation_id, agent, out.body, now).await
}

/// One public message of the customer (`agent`: `None`) or of an agent.
async fn touch_one(conn: &mut AnyConnection, conversation_id: i64, agent: Option<i64>, body: &str, now: i64) -> AppResult<()> {
    let preview: String = body.chars().take(140).collect();
    // The oldest customer line an agent's reply answers (for the next-response target).
    let answered: Option<i64> = match agent {
        Some(_) => sqlx::query_scalar("SELECT awaiting_since FROM conversations WHERE id = $1")
            .bind(conversation_id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten(),
        None => None,
    };
    let q = match agent {
        None => sqlx::query(
            "UPDATE conversations SET last_message_at = $1, activity_at = $1,
             last_message_preview = $2, last_customer_message_at = $1, awaiting_since = COALESCE(awaiting_since, $1)
             WHERE id = $3",
        )
        .bind(now)
        .bind(preview)
        .bind(conversation_id),
        Some(id) => sqlx::query(
            "UPDATE conversations SET last_message_at = $1, activity_at = $1,
             last_message_preview = $2, last_agent_message_at = $1, last_agent_id = $4, awaiting_since = NULL
             WHERE id = $3",
        )
        .bind(now)
        .bind(preview)
        .bind(conversation_id)
        .bind(id),
    };
    q.execute(&mut *conn).await?;
    if let Some(id) = agent {
        cycles::replied(conn, conversation_id, id, now).await?;
    }
    crate::sla::store::refresh_in(conn, conversation_id, answered, now).await?;
    Ok(())
}

/// The SLA targets a batch's touches may have moved: (chat, the customer line an
/// agent's reply answered, the time), for [`crate::sla::store::refresh_replied`].
type Refresh = Vec<(i64, Option<i64>, i64)>;

/// [`touch_conversation`] for a batch of customer sends, in order: one UPDATE for all
/// their conversations (each gets its last send's time and preview, and starts
/// awaiting an answer at its first send unless it already was).
async fn touch_for_customers(conn: &mut AnyConnection, script: &mut Script<'_>, sends: &[(i64, &str, i64)]) -> AppResult<Refresh> {
    // (chat, its last send's body and time, its first send's time)
    let mut last: Vec<(i64, &str, i64, i64)> = Vec::new();
    for &(id, body, now) in sends.iter().rev() {
        match last.iter_mut().find(|(seen, ..)| *seen == id) {
            Some(row) => row.3 = now,
            None => last.push((id, body, now, now)),
        }
    }
    let Some(&(_, _, now)) = sends.last() else { return Ok(Vec::new()) };
    let rows: Vec<String> = last
        .iter()
        .map(|&(id, body, at, first_at)| {
            let preview: String = body.chars().take(140).collect();
            format!("({}, {}, {}, {})", script.bind(id), script.bind(at), script.bind(preview), script.bind(first_at))
        })
        .collect();
    let sql = format!(
        "WITH v (id, at, preview, first_at) AS (VALUES {})
         UPDATE conversations SET last_message_at = v.at, activity_at = v.at, last_message_preview = v.preview,
           last_customer_message_at = v.at, awaiting_since = COALESCE(conversations.awaiting_since, v.first_at)
         FROM v WHERE conversations.id = v.id",
        rows.join(", ")
    );
    script.add(conn, &sql).await?;
    Ok(last.iter().map(|&(id, ..)| (id, None, now)).collect())
}

/// [`touch_conversation`] for a batch of agents' public replies, in order, to chats no
/// customer wrote to in the batch: one UPDATE of the chats (each gets its last reply's
/// time, author and preview, and no longer awaits an answer) and one of their cycles
/// (the first reply answers an open cycle). The line each chat's first reply answers
/// is the one it awaited an answer for when the batch read it.
async fn touch_for_agents(conn: &mut AnyConnection, sends: &[(i64, i64, &str, i64)], before: &HashMap<i64, Before>) -> AppResult<Refresh> {
    if sends.is_empty() {
        return Ok(Vec::new());
    }
    // (chat, its first reply's agent and time, its last reply's agent, body and time)
    let mut chats: Vec<(i64, i64, i64, i64, &str, i64)> = Vec::new();
    for &(id, agent, body, now) in sends {
        match chats.iter_mut().find(|c| c.0 == id) {
            Some(c) => (c.3, c.4, c.5) = (agent, body, now),
            None => chats.push((id, agent, now, agent, body, now)),
        }
    }
    let m = crate::db::marker(conn);
    let rows: Vec<String> = (0..chats.len()).map(|i| format!("({}, {}, {}, {})", m(i * 4 + 1), m(i * 4 + 2), m(i * 4 + 3), m(i * 4 + 4))).collect();
    let sql = format!(
        "WITH v (id, at, preview, agent) AS (VALUES {})
         UPDATE conversations SET last_message_at = v.at, activity_at = v.at, last_message_preview = v.preview,
           last_agent_message_at = v.at, last_agent_id = v.agent, awaiting_since = NULL
         FROM v WHERE conversations.id = v.id",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for &(id, _, _, agent, body, at) in &chats {
        q = q.bind(id).bind(at).bind(body.chars().take(140).collect::<String>()).bind(agent);
    }
    q.execute(&mut *conn).await?;
    let firsts: Vec<(i64, i64, i64)> = chats.iter().map(|&(id, agent, at, ..)| (id, agent, at)).collect();
    cycles::replied_many(conn, &firsts).await?;
    Ok(chats.iter().map(|&(id, _, at, ..)| (id, before.get(&id).and_then(|b| b.awaiting_since), at)).collect())
}
