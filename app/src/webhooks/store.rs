//! Subscriptions and their delivery logs: what the admin page and the API manage.
use super::{DeliveryLine, EventType, NewSubscription, Subscription, DISABLE_AFTER, TEST_TYPE};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    inbox_id: Option<i64>,
    inbox_name: Option<String>,
    url: String,
    secret: String,
    events: String,
    allow_private: i64,
    enabled: i64,
    failures: i64,
    disabled_at: Option<i64>,
    created_at: i64,
}

impl From<Row> for Subscription {
    fn from(r: Row) -> Self {
        Subscription {
            id: r.id,
            inbox_id: r.inbox_id,
            inbox_name: r.inbox_name,
            url: r.url,
            secret: r.secret,
            events: r.events.split(' ').filter(|e| !e.is_empty()).map(String::from).collect(),
            allow_private: r.allow_private != 0,
            enabled: r.enabled != 0,
            failures: r.failures,
            disabled_at: r.disabled_at,
            created_at: r.created_at,
        }
    }
}

const SELECT: &str = "SELECT s.id, s.inbox_id, i.name AS inbox_name, s.url, s.secret, s.events, s.allow_private, s.enabled,
    s.failures, s.disabled_at, s.created_at FROM webhook_subscriptions s LEFT JOIN inboxes i ON i.id = s.inbox_id";

pub async fn list(db: &Db) -> AppResult<Vec<Subscription>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY s.id")).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(Subscription::from).collect())
}

pub async fn get(db: &Db, id: i64) -> AppResult<Subscription> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE s.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(Subscription::from).ok_or(AppError::NotFound)
}

/// The event types asked for, checked and in a stable order (422 for an unknown one
/// or none at all).
pub fn parse_events(events: &[String]) -> AppResult<Vec<EventType>> {
    let mut out = Vec::new();
    for e in events {
        let t = EventType::parse(e.trim()).ok_or_else(|| AppError::Unprocessable(format!("unknown event type {:?}", e.trim())))?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() {
        return Err(AppError::Unprocessable("choose at least one event type".into()));
    }
    out.sort_by_key(|t| EventType::ALL.iter().position(|a| a == t));
    Ok(out)
}

/// Subscribes a URL; an internal target is refused unless allowed, as at delivery.
pub async fn create(db: &Db, new: &NewSubscription, now: i64) -> AppResult<Subscription> {
    let url = new.url.trim();
    if url.is_empty() || url.len() > 2000 {
        return Err(AppError::Unprocessable("a webhook needs a URL of at most 2000 characters".into()));
    }
    let events = parse_events(&new.events)?;
    super::deliver::check_target(url, new.allow_private).await.map_err(AppError::Unprocessable)?;
    if let Some(inbox) = new.inbox_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM inboxes WHERE id = $1").bind(inbox).fetch_optional(db.pool()).await?;
        found.ok_or_else(|| AppError::Unprocessable(format!("there is no inbox {inbox}")))?;
    }
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_subscriptions (inbox_id, url, secret, events, allow_private, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.inbox_id)
    .bind(url)
    .bind(super::sign::new_secret())
    .bind(names.join(" "))
    .bind(new.allow_private as i64)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    super::derive::start_here(&mut tx, db.dialect(), id).await?;
    tx.commit().await?;
    get(db, id).await
}

/// Turns a subscription on (clearing its failure count; it starts from now) or off.
pub async fn set_enabled(db: &Db, id: i64, enabled: bool, now: i64) -> AppResult<Subscription> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE webhook_subscriptions SET enabled = $1, failures = CASE WHEN $1 = 1 THEN 0 ELSE failures END,
           disabled_at = CASE WHEN $1 = 1 THEN NULL ELSE $2 END WHERE id = $3",
    )
    .bind(enabled as i64)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    crate::db::found(&done)?;
    if enabled {
        // What happened while it was off is not sent now.
        super::derive::start_here(&mut tx, db.dialect(), id).await?;
    }
    tx.commit().await?;
    get(db, id).await
}

pub async fn delete(db: &Db, id: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM webhook_messages WHERE subscription_id = $1").bind(id).execute(&mut *tx).await?;
    let done = sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1").bind(id).execute(&mut *tx).await?;
    crate::db::found(&done)?;
    tx.commit().await?;
    Ok(())
}

/// A subscription's deliveries, newest first, 50 at a time before `before` (an id).
pub async fn log(db: &Db, id: i64, before: Option<i64>) -> AppResult<Vec<DeliveryLine>> {
    get(db, id).await?;
    Ok(sqlx::query_as(
        "SELECT id, msg_id, kind, status, attempts, last_status, last_error, next_attempt_at, created_at, updated_at
         FROM webhook_messages WHERE subscription_id = $1 AND id < $2 ORDER BY id DESC LIMIT 50",
    )
    .bind(id)
    .bind(before.unwrap_or(i64::MAX))
    .fetch_all(db.pool())
    .await?)
}

/// Sends a delivery again, now, with the same id (one attempt, then the usual retries
/// while the day since its event lasts).
pub async fn redeliver(db: &Db, subscription: i64, delivery: i64, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE webhook_messages SET status = 'pending', next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND subscription_id = $3",
    )
    .bind(now)
    .bind(delivery)
    .bind(subscription)
    .execute(&mut *tx)
    .await?;
    crate::db::found(&done)?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `webhook.test` delivery for the subscription, due now.
pub async fn send_test(db: &Db, id: i64, now: i64) -> AppResult<String> {
    let sub = get(db, id).await?;
    let msg_id = format!("msg_test_{}", crate::tokens::random_id());
    let data = serde_json::json!({ "subscription_id": sub.id, "message": "A test event from Switchboard." });
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO webhook_messages (subscription_id, msg_id, kind, data, created_at, status, attempts, next_attempt_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5, $5)",
    )
    .bind(id)
    .bind(&msg_id)
    .bind(TEST_TYPE)
    .bind(data.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(msg_id)
}

/// A delivery failed for good: one more in a row for its subscription, which is
/// disabled at [`DISABLE_AFTER`] (the console's admins see it flagged).
pub async fn count_failure(conn: &mut AnyConnection, _db: &Db, id: i64, now: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE webhook_subscriptions SET failures = failures + 1,
           enabled = CASE WHEN failures + 1 >= $1 THEN 0 ELSE enabled END,
           disabled_at = CASE WHEN failures + 1 >= $1 AND enabled = 1 THEN $2 ELSE disabled_at END
         WHERE id = $3",
    )
    .bind(DISABLE_AFTER)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Subscriptions switched off by failures, for the admins' alert.
pub async fn disabled(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_subscriptions WHERE enabled = 0 AND disabled_at IS NOT NULL AND failures >= $1")
        .bind(DISABLE_AFTER)
        .fetch_one(db.pool())
        .await?)
}

/// Deliveries waiting to go (for `/readyz` and the metrics).
pub async fn backlog(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_messages WHERE status = 'pending'").fetch_one(db.pool()).await?)
}
