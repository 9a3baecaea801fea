//! What agents do to a chat: accept, assign, move, close with a reason, delete.
//! Each runs in one write transaction that checks the actor's standing, changes
//! the row, writes the lines the conversation shows and appends the events, so the
//! check and the change can never be split by a concurrent writer.
use super::lifecycle;
use super::rules::{self, Action, Standing};
use super::store::load;
use super::erase::{erase_in, Erased};
use super::write::{close_in, status_event, system_line};
use super::{CloseReason, Conversation, Status, Visibility};
use crate::audit;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{AgentOnChat, Assigned, Change, Moved};
use crate::inboxes::MemberRole;
use sqlx::AnyConnection;

/// The agent doing something.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub name: String,
    pub is_admin: bool,
    /// The client's address, for the audit log.
    pub address: Option<String>,
    /// The API token acting as this agent, if any (for the audit log).
    pub token: Option<i64>,
}

impl Actor {
    pub fn of(agent: &crate::accounts::store::AgentRow) -> Self {
        Actor { id: agent.id, name: agent.name.clone(), is_admin: agent.role() == crate::accounts::Role::Admin, address: None, token: None }
    }

    /// The same agent, acting from `address` (audited actions).
    pub fn from_address(self, address: Option<String>) -> Self {
        Actor { address, ..self }
    }
}

/// How `actor` stands in `inbox_id`.
pub async fn standing(conn: &mut AnyConnection, actor: &Actor, inbox_id: i64) -> AppResult<Standing> {
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM inbox_members WHERE inbox_id = $1 AND agent_id = $2")
        .bind(inbox_id)
        .bind(actor.id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Standing::from_membership(actor.is_admin, role.as_deref().and_then(MemberRole::parse)))
}

/// Loads the conversation and checks that `actor` may take `action` on it.
async fn checked(conn: &mut AnyConnection, actor: &Actor, id: i64, action: Action) -> AppResult<(Conversation, Standing)> {
    let conv = load(conn, id).await?;
    let standing = standing(conn, actor, conv.inbox_id).await?;
    match rules::check(action, standing, actor.id, conv.assignee_id, conv.status == Status::Closed) {
        // A chat the operator took part in through a team chat stays readable to them.
        Err(AppError::NotFound)
            if action == Action::Read && standing == Standing::Operator && took_part(conn, actor.id, conv.id).await? => {}
        other => other?,
    }
    Ok((conv, standing))
}

/// Whether `agent` took part in a team chat about conversation `id` (which keeps the
/// chat readable to an operator whose colleague holds it).
pub async fn took_part_in(db: &Db, agent: i64, id: i64) -> AppResult<bool> {
    let mut conn = db.pool().acquire().await?;
    took_part(&mut conn, agent, id).await
}

/// Whether `agent` joined a team chat about conversation `id`, or was mentioned in one
/// of its notes.
async fn took_part(conn: &mut AnyConnection, agent: i64, id: i64) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM team_sessions s JOIN team_participants p ON p.session_id = s.id
         WHERE s.conversation_id = $1 AND p.agent_id = $2 AND p.state IN ('joined', 'left')
         UNION ALL SELECT 1 FROM mentions WHERE conversation_id = $1 AND agent_id = $2
         LIMIT 1",
    )
    .bind(id)
    .bind(agent)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Reads a conversation for `actor` (404 outside their inboxes).
pub async fn visible(db: &Db, actor: &Actor, id: i64, action: Action) -> AppResult<(Conversation, Standing)> {
    let mut conn = db.pool().acquire().await?;
    checked(&mut conn, actor, id, action).await
}


async fn agent_name(conn: &mut AnyConnection, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM agents WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?)
}

/// A chat was taken from the queue: the inbox's average wait learns how long it
/// waited (see [`lifecycle::next_wait_average`]).
async fn learn_wait(conn: &mut AnyConnection, conv: &Conversation, now: i64) -> AppResult<()> {
    let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT c.queued_at, i.wait_avg_ms FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = $1",
    )
    .bind(conv.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((queued_at, avg)) = row else { return Ok(()) };
    let waited = (now - queued_at.unwrap_or(conv.created_at)).max(0);
    sqlx::query("UPDATE inboxes SET wait_avg_ms = $1 WHERE id = $2")
        .bind(lifecycle::next_wait_average(avg, waited))
        .bind(conv.inbox_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Who changed the assignee, for the lines the chat shows.
pub enum How<'a> {
    /// An agent: accepted, assigned or returned it.
    By(&'a Actor),
    /// Automatic assignment chose the agent.
    Routed,
    /// The assignee went offline (named), and the inbox returns their chats.
    WentOffline(&'a str),
}

/// The name routing's changes carry as their actor.
pub const ROUTING_ACTOR: &str = "Auto-assignment";

/// Sets the assignee, with the lines and the event. Taking a New chat opens it.
async fn set_assignee(
    conn: &mut AnyConnection,
    db: &Db,
    conv: &Conversation,
    to: Option<(i64, &str)>,
    how: How<'_>,
    now: i64,
) -> AppResult<Conversation> {
    let status = match (conv.status, to) {
        (Status::New, Some(_)) => Status::Open,
        (Status::Open, None) => Status::New,
        (s, _) => s,
    };
    sqlx::query(
        "UPDATE conversations SET assignee_id = $1, status = $2, offer_agent_id = NULL, offer_expires_at = NULL,
         queued_at = CASE WHEN $2 = 'new' THEN $4 ELSE queued_at END WHERE id = $3",
    )
    .bind(to.map(|t| t.0))
    .bind(status.as_str())
    .bind(conv.id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if conv.status == Status::New && to.is_some() {
        learn_wait(conn, conv, now).await?;
    }
    let (actor_id, actor_name) = match &how {
        How::By(a) => (a.id, a.name.clone()),
        How::Routed | How::WentOffline(_) => (0, ROUTING_ACTOR.to_string()),
    };
    // The customer sees who joined; agents also see who handed the chat over.
    let internal = match (&how, to) {
        (How::By(a), Some((id, name))) if id != a.id => Some(format!("{} assigned the chat to {name}", a.name)),
        (How::By(_), Some(_)) => None,
        (How::By(a), None) => Some(format!("{} returned the chat to the queue", a.name)),
        (How::Routed, Some((_, name))) => Some(format!("Assigned automatically to {name}")),
        (How::Routed, None) => None,
        (How::WentOffline(who), _) => Some(format!("{who} went offline; the chat went back to the queue")),
    };
    if let Some(line) = internal {
        system_line(conn, db, conv, &line, Visibility::Internal, now).await?;
    }
    if let Some((_, name)) = to {
        system_line(conn, db, conv, &format!("{name} joined the chat"), Visibility::Public, now).await?;
    }
    let assigned = Assigned {
        conversation_id: conv.id,
        inbox_id: conv.inbox_id,
        status,
        assignee_id: to.map(|t| t.0),
        assignee_name: to.map(|t| t.1.to_string()),
        actor_id,
        actor_name,
    };
    let ev = Change::ConversationAssigned(assigned).event(Audience::Agents, Some(conv.inbox_id), Some(conv.id));
    events::append(conn, db.dialect(), ev, now).await?;
    // The customer's widget shows who is answering.
    let agent = AgentOnChat { conversation_id: conv.id, name: to.map(|t| t.1.to_string()) };
    events::append(conn, db.dialect(), Change::ConversationAgent(agent).event(Audience::All, Some(conv.inbox_id), Some(conv.id)), now).await?;
    if status != conv.status {
        status_event(conn, db, conv.id, conv.inbox_id, status, None, now).await?;
    }
    load(conn, conv.id).await
}

/// Takes an unassigned chat. When two agents accept at once, the writer lock orders
/// them: the first wins, the second is told who took it (409).
pub async fn accept(db: &Db, id: i64, actor: &Actor, now: i64) -> AppResult<Conversation> {
    let mut tx = db.begin_write().await?;
    let (conv, _) = checked(&mut tx, actor, id, Action::Accept).await?;
    match conv.assignee_id {
        Some(me) if me == actor.id => return Ok(conv),
        Some(other) => {
            let who = agent_name(&mut tx, other).await?.unwrap_or_else(|| "another agent".into());
            return Err(AppError::Conflict(format!("{who} already took this chat")));
        }
        None => {}
    }
    let after = set_assignee(&mut tx, db, &conv, Some((actor.id, &actor.name)), How::By(actor), now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Assigns the chat to `to` (a member of its inbox), or returns it to the queue.
pub async fn assign(db: &Db, id: i64, actor: &Actor, to: Option<i64>, now: i64) -> AppResult<Conversation> {
    let mut tx = db.begin_write().await?;
    let action = if to.is_some() { Action::Assign } else { Action::Unassign };
    // Taking a free chat for oneself is accepting it, which operators may do.
    let action = if to == Some(actor.id) { Action::Accept } else { action };
    let (conv, standing) = checked(&mut tx, actor, id, action).await?;
    if conv.assignee_id == to {
        return Ok(conv);
    }
    if let (Some(other), false) = (conv.assignee_id, standing.supervises() || conv.assignee_id == Some(actor.id)) {
        let who = agent_name(&mut tx, other).await?.unwrap_or_else(|| "another agent".into());
        return Err(AppError::Conflict(format!("{who} already took this chat")));
    }
    let target = match to {
        None => None,
        Some(agent) => {
            let name: Option<String> = sqlx::query_scalar(
                "SELECT a.name FROM inbox_members m JOIN agents a ON a.id = m.agent_id
                 WHERE m.inbox_id = $1 AND m.agent_id = $2 AND a.deactivated_at IS NULL",
            )
            .bind(conv.inbox_id)
            .bind(agent)
            .fetch_optional(&mut *tx)
            .await?;
            Some((agent, name.ok_or_else(|| AppError::Unprocessable("that agent is not an active member of this inbox".into()))?))
        }
    };
    let after = set_assignee(&mut tx, db, &conv, target.as_ref().map(|(i, n)| (*i, n.as_str())), How::By(actor), now).await?;
    let before = serde_json::json!({ "assignee_id": conv.assignee_id });
    let entry = audit::Entry::new(&audited(actor), audit::Action::ConversationAssign, "conversation", id)
        .changed(&before, &serde_json::json!({ "assignee_id": to }));
    audit::record_in(&mut tx, now, entry).await?;
    tx.commit().await?;
    Ok(after)
}

/// The audit log's actor for an agent acting in a handling call.
fn audited(actor: &Actor) -> audit::Actor {
    audit::Actor { agent_id: Some(actor.id), token_id: actor.token, address: actor.address.clone() }
}

/// Routing's change of assignee, inside its write transaction: `to` an eligible
/// member it chose, or `None` to return the chat of an agent who went offline.
/// The router checked eligibility under the same lock, so there is no standing check.
pub async fn route_in(
    conn: &mut AnyConnection,
    db: &Db,
    id: i64,
    to: Option<(i64, &str)>,
    how: How<'_>,
    now: i64,
) -> AppResult<Conversation> {
    let conv = load(conn, id).await?;
    set_assignee(conn, db, &conv, to, how, now).await
}

/// An internal line on a chat (routing's note that an agent went offline and kept it).
pub async fn note_in(conn: &mut AnyConnection, db: &Db, id: i64, line: &str, now: i64) -> AppResult<()> {
    let conv = load(conn, id).await?;
    system_line(conn, db, &conv, line, Visibility::Internal, now).await
}

/// Moves the chat to another inbox the actor works in. It arrives unassigned and,
/// unless closed, waiting for an agent there.
pub async fn move_to(db: &Db, id: i64, actor: &Actor, inbox_id: i64, now: i64) -> AppResult<Conversation> {
    let mut tx = db.begin_write().await?;
    let (conv, _) = checked(&mut tx, actor, id, Action::Move).await?;
    if conv.inbox_id == inbox_id {
        return Err(AppError::Unprocessable("the chat is already in that inbox".into()));
    }
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM inboxes WHERE id = $1").bind(inbox_id).fetch_optional(&mut *tx).await?;
    let name = name.ok_or(AppError::NotFound)?;
    if standing(&mut tx, actor, inbox_id).await? == Standing::None {
        return Err(AppError::NotFound);
    }
    let status = if conv.status == Status::Closed { Status::Closed } else { Status::New };
    sqlx::query(
        "UPDATE conversations SET inbox_id = $1, assignee_id = NULL, status = $2, queued_at = $4,
         offer_agent_id = NULL, offer_expires_at = NULL WHERE id = $3",
    )
        .bind(inbox_id)
        .bind(status.as_str())
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let moved = load(&mut tx, id).await?;
    system_line(&mut tx, db, &moved, &format!("{} moved the chat to {name}", actor.name), Visibility::Public, now).await?;
    // Both inboxes hear of it: one loses the chat, the other gains it.
    for inbox in [conv.inbox_id, inbox_id] {
        let moved = Moved {
            conversation_id: id,
            from_inbox_id: conv.inbox_id,
            to_inbox_id: inbox_id,
            to_inbox_name: name.to_string(),
            status,
            actor_name: actor.name.clone(),
        };
        let ev = Change::ConversationMoved(moved).event(Audience::Agents, Some(inbox), Some(id));
        events::append(&mut tx, db.dialect(), ev, now).await?;
    }
    if status != conv.status {
        status_event(&mut tx, db, id, inbox_id, status, None, now).await?;
    }
    let entry = audit::Entry::new(&audited(actor), audit::Action::ConversationMove, "conversation", id)
        .changed(&serde_json::json!({ "inbox_id": conv.inbox_id }), &serde_json::json!({ "inbox_id": inbox_id }));
    audit::record_in(&mut tx, now, entry).await?;
    tx.commit().await?;
    Ok(moved)
}

/// Closes, solves or cancels the chat; a later customer message reopens it.
pub async fn close(db: &Db, id: i64, actor: &Actor, reason: CloseReason, now: i64) -> AppResult<Conversation> {
    let mut tx = db.begin_write().await?;
    checked(&mut tx, actor, id, Action::Close).await?;
    let after = close_in(&mut tx, db, id, &actor.name, reason, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes the chat for good (see `erase::erase_in`). The audit entry names who
/// deleted which chat and when, and holds no content. Returns the attachment files
/// for the caller to remove after the commit.
pub async fn delete(db: &Db, id: i64, actor: &Actor, now: i64) -> AppResult<Erased> {
    let mut tx = db.begin_write().await?;
    let (conv, _) = checked(&mut tx, actor, id, Action::Delete).await?;
    let erased = erase_in(&mut tx, db, &conv, now).await?;
    let entry = audit::Entry::new(&audited(actor), audit::Action::ConversationDelete, "conversation", id).detail(serde_json::json!({ "inbox_id": conv.inbox_id, "messages": erased.messages }));
    audit::record_in(&mut tx, now, entry).await?;
    tx.commit().await?;
    Ok(erased)
}

/// A public line on the chat, audited in the same transaction (a supervisor joined).
pub async fn announce(db: &Db, conv: &Conversation, line: &str, by: audit::Actor, action: audit::Action, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let conv = load(&mut tx, conv.id).await?;
    system_line(&mut tx, db, &conv, line, Visibility::Public, now).await?;
    audit::record_in(&mut tx, now, audit::Entry::new(&by, action, "conversation", conv.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// A supervisor takes the chat for themselves: the customer sees them join, agents
/// see whom they took it from, and the audit log has both assignees.
pub async fn take_over(db: &Db, actor: &Actor, conv: &Conversation, by: audit::Actor, now: i64) -> AppResult<Conversation> {
    let mut tx = db.begin_write().await?;
    let conv = load(&mut tx, conv.id).await?;
    let from = match conv.assignee_id {
        Some(a) => agent_name(&mut tx, a).await?,
        None => None,
    };
    if let Some(from) = &from {
        system_line(&mut tx, db, &conv, &format!("{} took over the chat from {from}", actor.name), Visibility::Internal, now).await?;
    }
    let after = set_assignee(&mut tx, db, &conv, Some((actor.id, &actor.name)), How::By(actor), now).await?;
    let entry = audit::Entry::new(&by, audit::Action::TakeOver, "conversation", conv.id)
        .changed(&serde_json::json!({ "assignee_id": conv.assignee_id }), &serde_json::json!({ "assignee_id": actor.id }));
    audit::record_in(&mut tx, now, entry).await?;
    tx.commit().await?;
    Ok(after)
}
