//! Where an inbox's hours live (a JSON column), and what the widget is told.
use super::clock::{is_open, next_open};
use super::{Hours, Presence};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An inbox's schedule (`None`: always open).
pub async fn hours(db: &Db, inbox_id: i64) -> AppResult<Option<Hours>> {
    let mut conn = db.pool().acquire().await?;
    hours_in(&mut conn, inbox_id).await
}

/// The same, on the caller's connection (inside routing's transaction).
pub async fn hours_in(conn: &mut sqlx::AnyConnection, inbox_id: i64) -> AppResult<Option<Hours>> {
    let v: Option<Option<String>> =
        sqlx::query_scalar("SELECT hours FROM inboxes WHERE id = $1").bind(inbox_id).fetch_optional(&mut *conn).await?;
    let v = v.ok_or(AppError::NotFound)?;
    Ok(v.and_then(|text| serde_json::from_str(&text).ok()))
}

pub async fn set_hours(db: &Db, inbox_id: i64, hours: Option<&Hours>) -> AppResult<()> {
    let text = hours.map(serde_json::to_string).transpose().map_err(|_| AppError::Internal)?;
    let done = sqlx::query("UPDATE inboxes SET hours = $1 WHERE id = $2").bind(text).bind(inbox_id).execute(db.pool()).await?;
    crate::db::found(&done)
}

/// Whether the inbox is within its hours at `now` (always, without a schedule).
pub async fn open_now(db: &Db, inbox_id: i64, now: i64) -> AppResult<bool> {
    Ok(hours(db, inbox_id).await?.is_none_or(|h| is_open(&h, now)))
}

/// When a closed inbox next opens (`None`: open now, or never).
pub async fn reopens_at(db: &Db, inbox_id: i64, now: i64) -> AppResult<Option<i64>> {
    Ok(match hours(db, inbox_id).await? {
        Some(h) if !is_open(&h, now) => next_open(&h, now).map(|b| b.at_ms),
        _ => None,
    })
}

/// What the widget shows: online (with the typical reply time), away, or offline
/// (with when the team is back).
pub async fn presence(db: &Db, inbox_id: i64, now: i64) -> AppResult<Presence> {
    if let Some(h) = hours(db, inbox_id).await? {
        if !is_open(&h, now) {
            return Ok(Presence::Offline { back: next_open(&h, now) });
        }
    }
    if !crate::accounts::presence::inbox_online(db, inbox_id, now).await? {
        return Ok(Presence::Away);
    }
    Ok(Presence::Online { reply_ms: typical_reply(db, inbox_id, now).await? })
}

/// How long a widget's "typically replies in" figure is kept before it is recomputed.
const REPLY_CACHE_MS: i64 = 60_000;

#[derive(Default)]
struct ReplyCache(Mutex<HashMap<i64, (i64, Option<i64>)>>);

/// The median time to the first agent reply of the inbox's chats started within its
/// business hours in the last 7 days; computed at most once a minute per inbox
/// (every widget load asks).
pub async fn typical_reply(db: &Db, inbox_id: i64, now: i64) -> AppResult<Option<i64>> {
    let cache: Arc<ReplyCache> = db.extension(|_| ReplyCache::default());
    if let Some(&(at, v)) = cache.0.lock().unwrap_or_else(|p| p.into_inner()).get(&inbox_id) {
        if now - at < REPLY_CACHE_MS && now >= at {
            return Ok(v);
        }
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT c.created_at, MIN(m.created_at) - c.created_at FROM conversations c
         JOIN messages m ON m.conversation_id = c.id AND m.author_kind = 'agent' AND m.visibility = 'public'
         WHERE c.inbox_id = $1 AND c.created_at >= $2
         GROUP BY c.id, c.created_at",
    )
    .bind(inbox_id)
    .bind(now - 7 * 24 * 3600 * 1000)
    .fetch_all(db.pool())
    .await?;
    // Only chats that started within business hours: a night's wait says nothing about
    // how fast the team answers while it is there.
    let hours = hours(db, inbox_id).await?;
    let waits = rows.into_iter().filter(|(started, _)| hours.as_ref().is_none_or(|h| is_open(h, *started))).map(|(_, w)| w).collect();
    let v = median(waits);
    cache.0.lock().unwrap_or_else(|p| p.into_inner()).insert(inbox_id, (now, v));
    Ok(v)
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2 })
}

#[cfg(test)]
mod tests {
    #[test]
    fn medians() {
        assert_eq!(super::median(vec![]), None);
        assert_eq!(super::median(vec![5, 1, 3]), Some(3));
        assert_eq!(super::median(vec![4, 1, 3, 2]), Some(2));
    }
}
