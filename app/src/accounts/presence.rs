//! Agent presence. `agents.availability` is what the agent chose (Online, Away,
//! Offline); `agents.presence` is what the team and the widget see: the choice while
//! a console tab holds a stream, Offline once every tab has been gone for `GRACE_MS`.
//!
//! Streams refresh `last_seen_at` when they open, every 30 s, and when they end, so
//! the grace period counts from the last tab's disconnect. Every instance sweeps, on
//! the shared database; a change of presence is an `agent.presence` event to the team.
use super::{Availability, Role, TeamMember};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{self, Change};
use sqlx::AnyConnection;

/// How long after the last tab disconnects an agent turns Offline.
pub const GRACE_MS: i64 = 90_000;
/// A touch within this long of the last one writes nothing: far inside the grace
/// period, so an agent with a tab open never looks gone.
pub const TOUCH_EVERY_MS: i64 = 20_000;

/// What the team sees, from the agent's choice and when a tab last held a stream.
pub fn effective(chosen: Availability, last_seen_at: Option<i64>, now: i64) -> Availability {
    match last_seen_at {
        Some(seen) if now - seen <= GRACE_MS => chosen,
        _ => Availability::Offline,
    }
}

async fn announce(conn: &mut AnyConnection, db: &Db, id: i64, name: &str, presence: Availability, now: i64) -> AppResult<()> {
    sqlx::query("UPDATE agents SET presence = $1 WHERE id = $2").bind(presence.as_str()).bind(id).execute(&mut *conn).await?;
    let ev = Change::AgentPresence(change::AgentPresence { agent_id: id, name: name.to_string(), presence }).event(Audience::Team, None, None);
    events::append(conn, db.dialect(), ev, now).await?;
    Ok(())
}

/// Re-derives one agent's presence; `true` when it changed (an event was appended).
async fn refresh(conn: &mut AnyConnection, db: &Db, id: i64, now: i64) -> AppResult<bool> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
        availability: String,
        presence: String,
        last_seen_at: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as("SELECT name, availability, presence, last_seen_at FROM agents WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let chosen = Availability::parse(&row.availability).unwrap_or(Availability::Offline);
    let next = effective(chosen, row.last_seen_at, now);
    if Availability::parse(&row.presence) == Some(next) {
        return Ok(false);
    }
    announce(conn, db, id, &row.name, next, now).await?;
    Ok(true)
}

/// The agent chose an availability in the console.
pub async fn choose(db: &Db, id: i64, chosen: Availability, now: i64) -> AppResult<bool> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE agents SET availability = $1 WHERE id = $2").bind(chosen.as_str()).bind(id).execute(&mut *tx).await?;
    let changed = refresh(&mut tx, db, id, now).await?;
    tx.commit().await?;
    Ok(changed)
}

/// The agent's own choice.
pub async fn chosen(db: &Db, id: i64) -> AppResult<Availability> {
    let s: Option<String> = sqlx::query_scalar("SELECT availability FROM agents WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(s.as_deref().and_then(Availability::parse).unwrap_or(Availability::Offline))
}

/// A console tab holds a stream (opened, or still there at a recheck).
pub async fn seen(db: &Db, id: i64, now: i64) -> AppResult<bool> {
    // Many tabs (and every 30 s recheck) touch the same agent: when the mark is fresh
    // and nothing would change, a read is enough, and no fsync'd write happens.
    let row: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT availability, presence, last_seen_at FROM agents WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let Some((chosen, shown, last)) = row else { return Ok(false) };
    if chosen == shown && last.is_some_and(|t| t <= now && now - t < TOUCH_EVERY_MS) {
        return Ok(false);
    }
    let shown: Option<String> = sqlx::query_scalar("UPDATE agents SET last_seen_at = $1 WHERE id = $2 RETURNING presence")
        .bind(now)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    if shown.is_none() || shown.as_deref() == Some(chosen.as_str()) {
        return Ok(false); // the common case: no write transaction at all
    }
    let mut tx = db.begin_write().await?;
    let changed = refresh(&mut tx, db, id, now).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Turns Offline every agent whose tabs have all been gone for the grace period.
/// Returns those it turned Offline (only this caller sees them: the write lock lets
/// one instance's sweep find each agent).
pub async fn sweep(db: &Db, now: i64) -> AppResult<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let stale: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM agents WHERE presence <> 'offline' AND (last_seen_at IS NULL OR last_seen_at < $1)",
    )
    .bind(now - GRACE_MS)
    .fetch_all(&mut *tx)
    .await?;
    let mut changed = Vec::new();
    for id in stale {
        if refresh(&mut tx, db, id, now).await? {
            changed.push(id);
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// A colleague, with one of their inboxes' names (the team list) or their role in
/// this inbox (the assign menu) as `label`.
#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    role: String,
    presence: String,
    last_seen_at: Option<i64>,
    label: Option<String>,
}

fn to_member(r: MemberRow) -> TeamMember {
    TeamMember {
        id: r.id,
        name: r.name,
        role: r.role.parse().unwrap_or(Role::Operator),
        presence: Availability::parse(&r.presence).unwrap_or(Availability::Offline),
        last_seen_at: r.last_seen_at,
        inboxes: r.label.into_iter().collect(),
    }
}

/// The active colleagues who share an inbox with the viewer (everyone for an admin),
/// with their presence and shared inboxes, in one query.
pub async fn team(db: &Db, viewer: i64, role: Role) -> AppResult<Vec<TeamMember>> {
    let sql = if role == Role::Admin {
        "SELECT a.id, a.name, a.role, a.presence, a.last_seen_at, i.name AS label FROM agents a
         LEFT JOIN inbox_members m ON m.agent_id = a.id LEFT JOIN inboxes i ON i.id = m.inbox_id
         WHERE a.deactivated_at IS NULL AND $1 = $1 ORDER BY a.name, a.id, i.name"
    } else {
        "SELECT a.id, a.name, a.role, a.presence, a.last_seen_at, i.name AS label FROM agents a
         JOIN inbox_members m ON m.agent_id = a.id JOIN inboxes i ON i.id = m.inbox_id
         WHERE a.deactivated_at IS NULL
           AND m.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $1)
         ORDER BY a.name, a.id, i.name"
    };
    let rows: Vec<MemberRow> = sqlx::query_as(sql).bind(viewer).fetch_all(db.pool()).await?;
    let mut out: Vec<TeamMember> = Vec::new();
    for row in rows {
        match out.last_mut() {
            Some(last) if last.id == row.id => last.inboxes.extend(row.label),
            _ => out.push(to_member(row)),
        }
    }
    Ok(out)
}

/// The active members of one inbox, for the assign menu.
pub async fn inbox_members(db: &Db, inbox_id: i64) -> AppResult<Vec<TeamMember>> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT a.id, a.name, a.role, a.presence, a.last_seen_at, m.role AS label FROM inbox_members m
         JOIN agents a ON a.id = m.agent_id
         WHERE m.inbox_id = $1 AND a.deactivated_at IS NULL ORDER BY a.name, a.id",
    )
    .bind(inbox_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(to_member).collect())
}

/// Whether anyone in the inbox is Online (the widget's "we're online").
pub async fn inbox_online(db: &Db, inbox_id: i64, now: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_members m JOIN agents a ON a.id = m.agent_id
         WHERE m.inbox_id = $1 AND a.deactivated_at IS NULL AND a.presence = 'online' AND a.last_seen_at >= $2",
    )
    .bind(inbox_id)
    .bind(now - GRACE_MS)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_follows_the_choice_within_the_grace_period() {
        assert_eq!(effective(Availability::Away, Some(1_000), 1_000 + GRACE_MS), Availability::Away);
        assert_eq!(effective(Availability::Online, Some(1_000), 1_001 + GRACE_MS), Availability::Offline);
        assert_eq!(effective(Availability::Online, None, 0), Availability::Offline);
        assert_eq!(effective(Availability::Offline, Some(5), 5), Availability::Offline);
    }
}
