//! Routing's reads and writes. [`settle`] is the one place chats are assigned
//! automatically: it re-reads the queue and the agents inside a write transaction,
//! so the writer lock (SQLite's, or the advisory lock on PostgreSQL) orders it
//! against every other write, on every instance.
use super::plan::{plan, Candidate};
use super::{Assignment, OfflineChats, Routing};
use crate::accounts::presence::GRACE_MS;
use crate::conversations::handling::{self, How};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct SettingsRow {
    assignment: String,
    capacity: i64,
    offline_chats: String,
    offer_seconds: Option<i64>,
}

impl From<SettingsRow> for Routing {
    fn from(r: SettingsRow) -> Self {
        Routing {
            assignment: Assignment::parse(&r.assignment).unwrap_or(Assignment::Manual),
            capacity: r.capacity,
            offline_chats: OfflineChats::parse(&r.offline_chats).unwrap_or(OfflineChats::Keep),
            offer_seconds: r.offer_seconds,
        }
    }
}

async fn settings_in(conn: &mut AnyConnection, inbox_id: i64) -> AppResult<Routing> {
    let row: Option<SettingsRow> =
        sqlx::query_as("SELECT assignment, capacity, offline_chats, offer_seconds FROM inboxes WHERE id = $1")
            .bind(inbox_id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(Routing::from).ok_or(AppError::NotFound)
}

/// An inbox's routing settings.
pub async fn settings(db: &Db, inbox_id: i64) -> AppResult<Routing> {
    let mut conn = db.pool().acquire().await?;
    settings_in(&mut conn, inbox_id).await
}

pub async fn set_settings(db: &Db, inbox_id: i64, r: &Routing) -> AppResult<()> {
    let done = sqlx::query("UPDATE inboxes SET assignment = $1, capacity = $2, offline_chats = $3, offer_seconds = $4 WHERE id = $5")
        .bind(r.assignment.as_str())
        .bind(r.capacity)
        .bind(r.offline_chats.as_str())
        .bind(r.offer_seconds)
        .bind(inbox_id)
        .execute(db.pool())
        .await?;
    crate::db::found(&done)
}

/// An agent's own capacity (`None`: each inbox's); 404 for no such agent.
pub async fn agent_capacity(db: &Db, agent_id: i64) -> AppResult<Option<i64>> {
    let row: Option<Option<i64>> =
        sqlx::query_scalar("SELECT capacity FROM agents WHERE id = $1").bind(agent_id).fetch_optional(db.pool()).await?;
    row.ok_or(crate::error::AppError::NotFound)
}

/// Sets an agent's own capacity (`None`: each inbox's).
pub async fn set_agent_capacity(db: &Db, agent_id: i64, capacity: Option<i64>) -> AppResult<()> {
    let done = sqlx::query("UPDATE agents SET capacity = $1 WHERE id = $2").bind(capacity).bind(agent_id).execute(db.pool()).await?;
    crate::db::found(&done)
}

/// A chat waiting for an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Waiting {
    pub id: i64,
    pub queued_at: i64,
}

/// The inbox's waiting chats, in the order they will be taken.
async fn waiting_in(conn: &mut AnyConnection, inbox_id: i64) -> AppResult<Vec<Waiting>> {
    Ok(sqlx::query_as(
        "SELECT id, COALESCE(queued_at, created_at) AS queued_at FROM conversations
         WHERE inbox_id = $1 AND status = 'new' AND assignee_id IS NULL ORDER BY queued_at, id",
    )
    .bind(inbox_id)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: i64,
    name: String,
    capacity: i64,
    open_chats: i64,
    last_assigned_at: Option<i64>,
}

/// The inbox's members who are Online now, with their capacity and open chats (any
/// inbox's, assigned by hand or not), in one query.
async fn candidates_in(conn: &mut AnyConnection, inbox_id: i64, now: i64) -> AppResult<Vec<Candidate>> {
    let rows: Vec<CandidateRow> = sqlx::query_as(
        "SELECT a.id, a.name, COALESCE(a.capacity, i.capacity) AS capacity, a.last_assigned_at,
            (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status <> 'closed')
            + (SELECT COUNT(*) FROM conversations o WHERE o.offer_agent_id = a.id AND o.offer_expires_at > $3) AS open_chats
         FROM inbox_members m JOIN agents a ON a.id = m.agent_id JOIN inboxes i ON i.id = m.inbox_id
         WHERE m.inbox_id = $1 AND a.deactivated_at IS NULL AND a.presence = 'online' AND a.last_seen_at >= $2
         ORDER BY a.id",
    )
    .bind(inbox_id)
    .bind(now - GRACE_MS)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate { id: r.id, name: r.name, capacity: r.capacity, open: r.open_chats, last_assigned_at: r.last_assigned_at })
        .collect())
}

/// Assigns (or, in offer mode, offers) what waits in an inbox that assigns
/// automatically, oldest first, while someone eligible has room; first lets lapsed
/// offers go. Returns `(chat, agent)` for each assignment or offer.
pub async fn settle(db: &Db, inbox_id: i64, now: i64) -> AppResult<Vec<(i64, i64)>> {
    // Most calls find nothing to do: decide that from plain reads, without the lock.
    {
        let mut conn = db.pool().acquire().await?;
        if !worth_a_write(&mut conn, inbox_id, now).await? {
            return Ok(Vec::new());
        }
    }
    let mut tx = db.begin_write().await?;
    let routing = settings_in(&mut tx, inbox_id).await?;
    super::offers::lapse_in(&mut tx, db, inbox_id, routing.offer_seconds, now).await?;
    let closed = crate::hours::store::hours_in(&mut tx, inbox_id).await?.is_some_and(|h| !crate::hours::clock::is_open(&h, now));
    if routing.assignment != Assignment::Auto || closed {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let waiting: Vec<i64> = super::offers::unoffered_in(&mut tx, inbox_id, now).await?;
    let candidates = candidates_in(&mut tx, inbox_id, now).await?;
    let mut skips = super::offers::skips_in(&mut tx, inbox_id).await?;
    // A chat everyone with room has passed over starts a new round of offers.
    let has_room: Vec<i64> = candidates.iter().filter(|c| c.open < c.capacity).map(|c| c.id).collect();
    for &chat in &waiting {
        if !has_room.is_empty() && has_room.iter().all(|a| skips.contains(&(chat, *a))) {
            super::offers::forget_skips_in(&mut tx, chat).await?;
            skips.retain(|(c, _)| *c != chat);
        }
    }
    let skipped = |chat: i64, agent: i64| skips.contains(&(chat, agent));
    let planned = plan(&waiting, &candidates, &skipped);
    let mut done = Vec::new();
    for &(chat, i) in &planned {
        let agent = &candidates[i];
        match routing.offer_seconds {
            Some(secs) => super::offers::offer_in(&mut tx, db, inbox_id, chat, (agent.id, &agent.name), secs, now).await?,
            None => {
                handling::route_in(&mut tx, db, chat, Some((agent.id, &agent.name)), How::Routed, now).await?;
            }
        }
        sqlx::query("UPDATE agents SET last_assigned_at = $1 WHERE id = $2").bind(now).bind(agent.id).execute(&mut *tx).await?;
        done.push((chat, agent.id));
    }
    tx.commit().await?;
    Ok(done)
}

async fn worth_a_write(conn: &mut AnyConnection, inbox_id: i64, now: i64) -> AppResult<bool> {
    let routing = match settings_in(conn, inbox_id).await {
        Ok(r) => r,
        Err(AppError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    if super::offers::next_lapse_in(conn, inbox_id).await?.is_some_and(|at| at <= now) {
        return Ok(true);
    }
    if routing.assignment != Assignment::Auto {
        return Ok(false);
    }
    // Outside business hours chats wait for the inbox to open.
    if let Some(h) = crate::hours::store::hours_in(conn, inbox_id).await? {
        if !crate::hours::clock::is_open(&h, now) {
            return Ok(false);
        }
    }
    let waiting: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE inbox_id = $1 AND status = 'new' AND assignee_id IS NULL
           AND (offer_agent_id IS NULL OR offer_expires_at <= $2) LIMIT 1",
    )
    .bind(inbox_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if waiting.is_none() {
        return Ok(false);
    }
    Ok(candidates_in(conn, inbox_id, now).await?.iter().any(|c| c.open < c.capacity))
}

/// The inbox's queue as its customers are told: the waiting chats in order, and the
/// inbox's average wait.
pub async fn queue(db: &Db, inbox_id: i64) -> AppResult<(Vec<Waiting>, Option<i64>)> {
    let mut conn = db.pool().acquire().await?;
    let waiting = waiting_in(&mut conn, inbox_id).await?;
    let avg: Option<Option<i64>> =
        sqlx::query_scalar("SELECT wait_avg_ms FROM inboxes WHERE id = $1").bind(inbox_id).fetch_optional(&mut *conn).await?;
    Ok((waiting, avg.flatten()))
}

/// Every inbox.
pub async fn inbox_ids(db: &Db) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM inboxes ORDER BY id").fetch_all(db.pool()).await?)
}

/// The inboxes an agent is a member of.
pub async fn inboxes_of(db: &Db, agent_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT inbox_id FROM inbox_members WHERE agent_id = $1 ORDER BY inbox_id")
        .bind(agent_id)
        .fetch_all(db.pool())
        .await?)
}

#[derive(sqlx::FromRow)]
struct HeldRow {
    id: i64,
    offline_chats: String,
}

/// An agent went offline (every tab gone past the grace period): each of their open
/// chats goes back to the queue or stays, as its inbox says, with a line either way.
/// Runs once, by the instance whose sweep turned them Offline; if they are back by
/// now, nothing happens. Returns the inboxes whose queue changed.
pub async fn went_offline(db: &Db, agent_id: i64, now: i64) -> AppResult<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let agent: Option<(String, String)> = sqlx::query_as("SELECT name, presence FROM agents WHERE id = $1")
        .bind(agent_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((name, presence)) = agent else { return Ok(Vec::new()) };
    if presence != "offline" {
        return Ok(Vec::new());
    }
    let held: Vec<HeldRow> = sqlx::query_as(
        "SELECT c.id, i.offline_chats FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
         WHERE c.assignee_id = $1 AND c.status <> 'closed' ORDER BY c.id",
    )
    .bind(agent_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut changed = Vec::new();
    for chat in held {
        if OfflineChats::parse(&chat.offline_chats) == Some(OfflineChats::Return) {
            let conv = handling::route_in(&mut tx, db, chat.id, None, How::WentOffline(&name), now).await?;
            changed.push(conv.inbox_id);
        } else {
            // Once per absence: a second call (a late one) finds the line already last.
            let line = format!("{name} went offline; the chat stays with them");
            let last: Option<String> =
                sqlx::query_scalar("SELECT body FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1")
                    .bind(chat.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if last.as_deref() != Some(line.as_str()) {
                handling::note_in(&mut tx, db, chat.id, &line, now).await?;
            }
        }
    }
    tx.commit().await?;
    changed.dedup();
    Ok(changed)
}

/// Agents shown Offline who still hold open chats in inboxes that return them: what
/// a sweep turned Offline just before an instance stopped, before it could return
/// their chats. Routing runs this once when it starts. Returns how many agents.
pub async fn return_stranded(db: &Db, now: i64) -> AppResult<usize> {
    let agents: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT c.assignee_id FROM conversations c
         JOIN inboxes i ON i.id = c.inbox_id JOIN agents a ON a.id = c.assignee_id
         WHERE c.status <> 'closed' AND i.offline_chats = 'return' AND a.presence = 'offline'",
    )
    .fetch_all(db.pool())
    .await?;
    for &agent in &agents {
        went_offline(db, agent, now).await?;
    }
    Ok(agents.len())
}
