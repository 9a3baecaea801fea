//! From the event log to deliveries. A reader walks the log from a cursor kept in
//! `settings`, turns each change a subscription wants into a delivery row and moves
//! the cursor, all in one write transaction: a change is queued exactly once per
//! subscription, and one that committed before a crash is queued after the restart.
use super::EventType;
use crate::db::{Db, Script};
use crate::error::AppResult;
use crate::events::Event;
use crate::model::change::Change;
use crate::model::conversation::{AuthorKind, Visibility};
use serde_json::{json, Value};
use sqlx::AnyConnection;

const CURSOR: &str = "webhook_cursor";
const BATCH: i64 = 500;

/// What a change sends, if a webhook may send it: its type and the data. Private
/// lines never leave; a request's data is loaded in full (`None` here: see
/// [`data_of`]).
pub fn webhook_of(change: &Change) -> Option<(EventType, Option<Value>)> {
    Some(match change {
        Change::ConversationCreated(c) => {
            let mut c = c.clone();
            // The preview is whatever line came last: left out rather than checked.
            c.last_message_preview = None;
            (EventType::ConversationCreated, serde_json::to_value(&c).ok())
        }
        Change::ConversationStatus(s) => (EventType::ConversationStatusChanged, serde_json::to_value(s).ok()),
        Change::ConversationAssigned(a) => (EventType::ConversationAssigned, serde_json::to_value(a).ok()),
        Change::ConversationMoved(m) => (EventType::ConversationMoved, serde_json::to_value(m).ok()),
        Change::MessageCreated(m) if m.visibility == Visibility::Public && m.author_kind != AuthorKind::System => {
            (EventType::MessageCreated, serde_json::to_value(m).ok())
        }
        Change::ConversationRated(r) => (EventType::CsatSubmitted, serde_json::to_value(r).ok()),
        Change::RequestCreated(_) => (EventType::RequestCreated, None),
        Change::RequestStatus(_) => (EventType::RequestStatusChanged, None),
        _ => return None,
    })
}

/// The data of a change's delivery: its own, or for a request the request itself as
/// it stands (its transcript holds public lines only). `None`: nothing left to send.
async fn data_of(conn: &mut AnyConnection, change: &Change, own: Option<Value>) -> AppResult<Option<Value>> {
    let request_id = match change {
        Change::RequestCreated(r) => r.request_id,
        Change::RequestStatus(r) => r.request_id,
        _ => return Ok(own),
    };
    Ok(crate::requests::store::load_any(conn, request_id).await?.map(|r| json!(r)))
}

#[derive(sqlx::FromRow)]
struct Sub {
    id: i64,
    inbox_id: Option<i64>,
    events: String,
    start_after: i64,
}

impl Sub {
    fn wants(&self, event_id: i64, kind: EventType, inbox: Option<i64>) -> bool {
        event_id > self.start_after
            && self.inbox_id.is_none_or(|i| Some(i) == inbox)
            && self.events.split(' ').any(|e| e == kind.as_str())
    }
}

const SUBSCRIBED: &str = "SELECT id, inbox_id, events, start_after FROM webhook_subscriptions WHERE enabled = 1";

/// The id receivers see for the delivery of event `event_id` to subscription `sub`.
pub fn msg_id(event_id: i64, sub: i64) -> String {
    format!("msg_{event_id}_{sub}")
}

/// Queues deliveries for the events after the cursor (up to a batch). Returns how
/// many were queued, or `None` when there is nothing to do: the log had nothing new,
/// or nobody subscribes (then nothing is written at all: with no subscription the
/// reader costs a few reads per commit, and a new subscription moves the cursor).
pub async fn derive(db: &Db, now: i64) -> AppResult<Option<usize>> {
    let cursor = cursor(db).await?;
    let newest = crate::events::store::last_id(db).await?;
    if newest <= cursor {
        return Ok(None);
    }
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE enabled = 1 LIMIT 1").fetch_optional(db.pool()).await?;
    if any.is_none() {
        return Ok(None);
    }
    let mut tx = db.begin_write().await?;
    // Read again under the write lock: another instance may have moved it.
    let cursor: i64 = read_cursor(&mut tx).await?;
    let events: Vec<Event> = sqlx::query_as(
        "SELECT id, kind, inbox_id, conversation_id, audience, payload, created_at FROM events WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(cursor)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let Some(last) = events.last().map(|e| e.id) else { return Ok(Some(0)) };
    let subs: Vec<Sub> = sqlx::query_as(SUBSCRIBED).fetch_all(&mut *tx).await?;
    let mut rows = Vec::new();
    if !subs.is_empty() {
        for ev in &events {
            let Some(change) = ev.payload.as_deref().and_then(|p| Change::parse(&ev.kind, p).ok()) else { continue };
            let Some((kind, own)) = webhook_of(&change) else { continue };
            let wanting: Vec<&Sub> = subs.iter().filter(|s| s.wants(ev.id, kind, ev.inbox_id)).collect();
            if wanting.is_empty() {
                continue;
            }
            let Some(data) = data_of(&mut tx, &change, own).await? else { continue };
            let data = data.to_string();
            for sub in wanting {
                let conversation_id = change.conversation_id().or(ev.conversation_id);
                rows.push(Queued { sub: sub.id, event: ev.id, conversation_id, kind: kind.as_str(), data: data.clone(), created_at: ev.created_at });
            }
        }
    }
    queue(&mut tx, &rows, now, last).await?;
    tx.commit().await?;
    Ok(Some(rows.len()))
}

/// A delivery to queue: an event for one subscription.
struct Queued {
    sub: i64,
    event: i64,
    conversation_id: Option<i64>,
    kind: &'static str,
    data: String,
    created_at: i64,
}

/// The most deliveries one statement queues (9 values each).
const ROWS_A_STATEMENT: usize = 250;

/// Queues `rows`, a few hundred with each statement, and moves the cursor to `last`
/// (on SQLite with the last of them, in one call). The reader holds the writers' turn
/// meanwhile: a statement apiece (a trip to SQLite's thread each) kept the senders
/// waiting while a busy log's 500 events were queued one by one.
async fn queue(tx: &mut AnyConnection, rows: &[Queued], now: i64, last: i64) -> AppResult<()> {
    let mut script = Script::new(tx);
    for chunk in rows.chunks(ROWS_A_STATEMENT) {
        // The chunk before, if any (on PostgreSQL each statement ran as it was added).
        script.run(tx).await?;
        let values: Vec<String> = chunk
            .iter()
            .map(|r| {
                let v = [
                    script.bind(r.sub),
                    script.bind(r.event),
                    script.bind(r.conversation_id),
                    script.bind(msg_id(r.event, r.sub)),
                    script.bind(r.kind),
                    script.bind(r.data.as_str()),
                    script.bind(r.created_at),
                    script.bind(now),
                    script.bind(now),
                ];
                // Each placeholder once, in order: SQLite's `?` are bound by position.
                format!("({}, 'pending', 0, {})", v[..7].join(", "), v[7..].join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO webhook_messages (subscription_id, event_id, conversation_id, msg_id, kind, data, created_at,
               status, attempts, next_attempt_at, updated_at)
             VALUES {}
             ON CONFLICT (subscription_id, event_id) DO NOTHING",
            values.join(", ")
        );
        script.add(tx, &sql).await?;
    }
    let cursor = format!("UPDATE settings SET value = {} WHERE key = {}", script.bind(last.to_string()), script.bind(CURSOR));
    script.add(tx, &cursor).await?;
    script.run(tx).await?;
    Ok(())
}

/// A subscription starts at the log's end. With no other subscription enabled, the
/// reader's cursor (left behind while nobody subscribed) jumps there too.
pub async fn start_here(conn: &mut AnyConnection, dialect: crate::db::Dialect, id: i64) -> AppResult<()> {
    let newest: i64 = sqlx::query_scalar(match dialect {
        crate::db::Dialect::Sqlite => "SELECT COALESCE(MAX(id), 0) FROM events",
        crate::db::Dialect::Postgres => "SELECT COALESCE(MAX(id), 0)::BIGINT FROM events",
    })
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE webhook_subscriptions SET start_after = $1 WHERE id = $2").bind(newest).bind(id).execute(&mut *conn).await?;
    let others: Option<i64> = sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE enabled = 1 AND id <> $1 LIMIT 1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if others.is_none() {
        sqlx::query("UPDATE settings SET value = $1 WHERE key = $2").bind(newest.to_string()).bind(CURSOR).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn read_cursor(conn: &mut AnyConnection) -> AppResult<i64> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(CURSOR).fetch_optional(&mut *conn).await?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// How far the reader got (the log's ids up to it are queued).
pub async fn cursor(db: &Db) -> AppResult<i64> {
    let mut conn = db.pool().acquire().await?;
    read_cursor(&mut conn).await
}
