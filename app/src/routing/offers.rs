//! Offer mode: automatic assignment offers a waiting chat to one agent, who has
//! `offer_seconds` to accept it (the ordinary Accept). An offer that lapses, or that
//! the agent declines, is noted in the chat for supervisors and the chat goes to the
//! next eligible agent; the one who passed is not offered it again in this round.
use crate::conversations::handling;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{Change, Offered};
use sqlx::AnyConnection;
use std::collections::HashSet;

/// The inbox's waiting chats that hold no live offer, oldest first.
pub(super) async fn unoffered_in(conn: &mut AnyConnection, inbox_id: i64, now: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM conversations WHERE inbox_id = $1 AND status = 'new' AND assignee_id IS NULL
           AND (offer_agent_id IS NULL OR offer_expires_at <= $2)
         ORDER BY queued_at, id",
    )
    .bind(inbox_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?)
}

/// Who passed over which of the inbox's waiting chats.
pub(super) async fn skips_in(conn: &mut AnyConnection, inbox_id: i64) -> AppResult<HashSet<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT s.conversation_id, s.agent_id FROM offer_skips s JOIN conversations c ON c.id = s.conversation_id
         WHERE c.inbox_id = $1 AND c.status = 'new' AND c.assignee_id IS NULL",
    )
    .bind(inbox_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

pub(super) async fn forget_skips_in(conn: &mut AnyConnection, chat: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM offer_skips WHERE conversation_id = $1").bind(chat).execute(&mut *conn).await?;
    Ok(())
}

/// Offers `chat` to `agent` for `seconds`.
pub(super) async fn offer_in(
    conn: &mut AnyConnection,
    db: &Db,
    inbox_id: i64,
    chat: i64,
    (agent_id, agent_name): (i64, &str),
    seconds: i64,
    now: i64,
) -> AppResult<()> {
    let expires_at = now + seconds * 1000;
    sqlx::query("UPDATE conversations SET offer_agent_id = $1, offer_expires_at = $2 WHERE id = $3")
        .bind(agent_id)
        .bind(expires_at)
        .bind(chat)
        .execute(&mut *conn)
        .await?;
    let offered = Offered { conversation_id: chat, inbox_id, agent_id, agent_name: agent_name.to_string(), expires_at, seconds };
    let ev = Change::ConversationOffered(offered).event(Audience::Agents, Some(inbox_id), Some(chat));
    events::append(conn, db.dialect(), ev, now).await?;
    Ok(())
}

/// When the inbox's next live offer lapses.
pub(crate) async fn next_lapse_in(conn: &mut AnyConnection, inbox_id: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT MIN(offer_expires_at) FROM conversations WHERE inbox_id = $1 AND offer_agent_id IS NOT NULL")
        .bind(inbox_id)
        .fetch_one(&mut *conn)
        .await?)
}

pub async fn next_lapse(db: &Db, inbox_id: i64) -> AppResult<Option<i64>> {
    let mut conn = db.pool().acquire().await?;
    next_lapse_in(&mut conn, inbox_id).await
}

#[derive(sqlx::FromRow)]
struct LapsedRow {
    id: i64,
    agent_id: i64,
    name: String,
}

/// Lets the inbox's lapsed offers go: each is noted in its chat and its agent is
/// passed over for it. Offers on chats no longer waiting are simply cleared.
pub(super) async fn lapse_in(conn: &mut AnyConnection, db: &Db, inbox_id: i64, seconds: Option<i64>, now: i64) -> AppResult<()> {
    let lapsed: Vec<LapsedRow> = sqlx::query_as(
        "SELECT c.id, c.offer_agent_id AS agent_id, a.name FROM conversations c JOIN agents a ON a.id = c.offer_agent_id
         WHERE c.inbox_id = $1 AND c.offer_expires_at <= $2 AND c.status = 'new' AND c.assignee_id IS NULL",
    )
    .bind(inbox_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    for row in lapsed {
        let within = seconds.map(|s| format!(" within {s} s")).unwrap_or_default();
        pass(conn, db, row.id, row.agent_id, &format!("Offered to {}; not accepted{within}", row.name), now).await?;
    }
    sqlx::query(
        "UPDATE conversations SET offer_agent_id = NULL, offer_expires_at = NULL
         WHERE inbox_id = $1 AND offer_agent_id IS NOT NULL AND (offer_expires_at <= $2 OR status <> 'new' OR assignee_id IS NOT NULL)",
    )
    .bind(inbox_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn pass(conn: &mut AnyConnection, db: &Db, chat: i64, agent: i64, line: &str, now: i64) -> AppResult<()> {
    let sql = match db.dialect() {
        crate::db::Dialect::Sqlite => "INSERT OR IGNORE INTO offer_skips (conversation_id, agent_id, at) VALUES ($1, $2, $3)",
        crate::db::Dialect::Postgres => {
            "INSERT INTO offer_skips (conversation_id, agent_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        }
    };
    sqlx::query(sql).bind(chat).bind(agent).bind(now).execute(&mut *conn).await?;
    sqlx::query("UPDATE conversations SET offer_agent_id = NULL, offer_expires_at = NULL WHERE id = $1").bind(chat).execute(&mut *conn).await?;
    handling::note_in(conn, db, chat, line, now).await
}

/// The agent declines the chat offered to them: noted, and it goes to the next agent.
/// Returns the chat's inbox (to settle).
pub async fn decline(db: &Db, chat: i64, agent_id: i64, now: i64) -> AppResult<i64> {
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT c.inbox_id, c.offer_agent_id, a.name FROM conversations c JOIN agents a ON a.id = $2 WHERE c.id = $1",
    )
    .bind(chat)
    .bind(agent_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((inbox_id, offered_to, name)) = row else { return Err(AppError::NotFound) };
    if offered_to != Some(agent_id) {
        return Err(AppError::Conflict("this chat is no longer offered to you".into()));
    }
    pass(&mut tx, db, chat, agent_id, &format!("{name} declined the chat"), now).await?;
    tx.commit().await?;
    Ok(inbox_id)
}
