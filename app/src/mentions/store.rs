//! Mentions in the database.
use super::{mentioned, Mention};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{Change, Mentioned};

#[derive(sqlx::FromRow)]
struct AgentName {
    id: i64,
    name: String,
    member: i64,
}

/// The agents a note in a chat of `inbox_id` mentions, refused (naming them) when one
/// of them is not a member of that inbox.
pub async fn check(db: &Db, inbox_id: i64, body: &str) -> AppResult<Vec<i64>> {
    if !body.contains('@') {
        return Ok(Vec::new());
    }
    let agents: Vec<AgentName> = sqlx::query_as(
        "SELECT a.id, a.name, CASE WHEN m.agent_id IS NULL THEN 0 ELSE 1 END AS member
         FROM agents a LEFT JOIN inbox_members m ON m.agent_id = a.id AND m.inbox_id = $1
         WHERE a.deactivated_at IS NULL",
    )
    .bind(inbox_id)
    .fetch_all(db.pool())
    .await?;
    let pairs: Vec<(i64, String)> = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let ids = mentioned(body, &pairs);
    if let Some(outsider) = agents.iter().find(|a| ids.contains(&a.id) && a.member == 0) {
        return Err(AppError::Unprocessable(format!(
            "{} is not a member of this chat's inbox, so they cannot be mentioned here",
            outsider.name
        )));
    }
    Ok(ids)
}

/// Records the mentions of a stored note and alerts each mentioned agent, in one
/// transaction.
pub async fn record(db: &Db, note: &crate::model::conversation::Message, inbox_id: i64, by: &str, agents: &[i64], now: i64) -> AppResult<()> {
    if agents.is_empty() {
        return Ok(());
    }
    let excerpt: String = note.body.chars().take(140).collect();
    let mut tx = db.begin_write().await?;
    for agent in agents {
        sqlx::query("INSERT INTO mentions (conversation_id, message_id, agent_id, by_agent_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(note.conversation_id)
            .bind(note.id)
            .bind(agent)
            .bind(note.author_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let change = Change::MentionCreated(Mentioned {
            conversation_id: note.conversation_id,
            message_id: note.id,
            by_name: by.to_string(),
            excerpt: excerpt.clone(),
        });
        events::append(&mut tx, db.dialect(), change.event(Audience::Agent(*agent), Some(inbox_id), Some(note.conversation_id)), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    conversation_id: i64,
    customer_name: Option<String>,
    by_name: Option<String>,
    body: String,
    created_at: i64,
    read_at: Option<i64>,
}

/// The agent's newest mentions, unread first is left to the page: newest first.
pub async fn list(db: &Db, agent_id: i64, limit: i64) -> AppResult<Vec<Mention>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT m.id, m.conversation_id, cu.name AS customer_name, a.name AS by_name, msg.body, m.created_at, m.read_at
         FROM mentions m
         JOIN messages msg ON msg.id = m.message_id
         JOIN conversations c ON c.id = m.conversation_id
         JOIN customers cu ON cu.id = c.customer_id
         LEFT JOIN agents a ON a.id = m.by_agent_id
         WHERE m.agent_id = $1 ORDER BY m.id DESC LIMIT $2",
    )
    .bind(agent_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Mention {
            id: r.id,
            conversation_id: r.conversation_id,
            customer_name: r.customer_name,
            by_name: r.by_name,
            excerpt: r.body.chars().take(200).collect(),
            created_at: r.created_at,
            read: r.read_at.is_some(),
        })
        .collect())
}

/// How many chats mention the agent in notes they have not opened since.
pub async fn unread_chats(db: &Db, agent_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(DISTINCT conversation_id) FROM mentions WHERE agent_id = $1 AND read_at IS NULL")
        .bind(agent_id)
        .fetch_one(db.pool())
        .await?)
}

/// The agent opened the chat: its mentions of them are read.
pub async fn opened(db: &Db, agent_id: i64, conversation_id: i64, now: i64) -> AppResult<()> {
    sqlx::query("UPDATE mentions SET read_at = $1 WHERE agent_id = $2 AND conversation_id = $3 AND read_at IS NULL")
        .bind(now)
        .bind(agent_id)
        .bind(conversation_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
