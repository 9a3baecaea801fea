//! Where SLA policies and each chat's pending target live, and the watcher's work:
//! `refresh_in` runs in the write transaction of every change that moves a chat's
//! targets; `tick` sends the 80% alerts and records breaches as events.
use super::{pending, ChatState, Policy, SlaAlert, Target};
use crate::audit;
use crate::db::Db;
use crate::error::AppResult;
use crate::events::store as events;
use crate::events::Audience;
use crate::hours::Hours;
use crate::model::change::Change;
use sqlx::{AnyConnection, FromRow};

#[derive(FromRow)]
struct PolicyRow {
    sla_first_response_ms: Option<i64>,
    sla_next_response_ms: Option<i64>,
    sla_resolution_ms: Option<i64>,
    sla_business_hours: i64,
}

impl From<PolicyRow> for Policy {
    fn from(r: PolicyRow) -> Policy {
        Policy {
            first_response_ms: r.sla_first_response_ms,
            next_response_ms: r.sla_next_response_ms,
            resolution_ms: r.sla_resolution_ms,
            business_hours: r.sla_business_hours != 0,
        }
    }
}

pub async fn policy(db: &Db, inbox_id: i64) -> AppResult<Policy> {
    let row: Option<PolicyRow> = sqlx::query_as(
        "SELECT sla_first_response_ms, sla_next_response_ms, sla_resolution_ms, sla_business_hours FROM inboxes WHERE id = $1",
    )
    .bind(inbox_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(Policy::from).ok_or(crate::error::AppError::NotFound)
}

/// Saves an inbox's targets (audited with before and after), and makes every open
/// chat of the inbox due under them, in one transaction.
pub async fn set_policy(db: &Db, by: &audit::Actor, inbox_id: i64, p: &Policy, now: i64) -> AppResult<()> {
    let before = policy(db, inbox_id).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE inboxes SET sla_first_response_ms = $1, sla_next_response_ms = $2, sla_resolution_ms = $3, sla_business_hours = $4
         WHERE id = $5",
    )
    .bind(p.first_response_ms)
    .bind(p.next_response_ms)
    .bind(p.resolution_ms)
    .bind(i64::from(p.business_hours))
    .bind(inbox_id)
    .execute(&mut *tx)
    .await?;
    let open: Vec<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE inbox_id = $1 AND status IN ('new', 'open')")
        .bind(inbox_id)
        .fetch_all(&mut *tx)
        .await?;
    for ids in open.chunks(500) {
        refresh_many(&mut tx, ids, now).await?;
    }
    audit::record_in(&mut tx, now, audit::Entry::new(by, audit::Action::InboxSla, "inbox", inbox_id).changed(&before, p)).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct ChatRow {
    id: i64,
    status: String,
    awaiting_since: Option<i64>,
    sla_target: Option<String>,
    sla_due_at: Option<i64>,
    sla_first_response_ms: Option<i64>,
    sla_next_response_ms: Option<i64>,
    sla_resolution_ms: Option<i64>,
    sla_business_hours: i64,
    hours: Option<String>,
    cycle_id: Option<i64>,
    started_at: Option<i64>,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    first_response_met: Option<i64>,
    resolution_met: Option<i64>,
}

/// Makes the chat's pending target right after a change, inside its transaction; and
/// records on the cycle whether each decided target was met. `answered` is the
/// customer's message an agent's reply just answered (a next response), if any.
pub async fn refresh_in(conn: &mut AnyConnection, conversation_id: i64, answered: Option<i64>, now: i64) -> AppResult<()> {
    let row: Option<ChatRow> =
        sqlx::query_as(&format!("{CHAT_SELECT} WHERE c.id = $1")).bind(conversation_id).fetch_optional(&mut *conn).await?;
    match row {
        Some(r) => apply(conn, r, answered, now).await,
        None => Ok(()),
    }
}

/// [`refresh_in`] for several chats at once (none of them answered by an agent's
/// reply): one read for all of them, and a write only where a target moved.
pub async fn refresh_many(conn: &mut AnyConnection, conversation_ids: &[i64], now: i64) -> AppResult<()> {
    let chats: Vec<(i64, Option<i64>, i64)> = conversation_ids.iter().map(|&id| (id, None, now)).collect();
    refresh_replied(conn, &chats).await
}

/// [`refresh_in`] for several chats at once, each as (chat, the customer line an
/// agent's reply answered, the reply's time): one read for all of them, and a write
/// only where a target moved.
pub async fn refresh_replied(conn: &mut AnyConnection, chats: &[(i64, Option<i64>, i64)]) -> AppResult<()> {
    if chats.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=chats.len()).map(crate::db::marker(conn)).collect();
    let sql = format!("{CHAT_SELECT} WHERE c.id IN ({})", marks.join(", "));
    let mut q = sqlx::query_as::<_, ChatRow>(&sql);
    for c in chats {
        q = q.bind(c.0);
    }
    let asked: std::collections::HashMap<i64, (Option<i64>, i64)> = chats.iter().map(|&(id, answered, at)| (id, (answered, at))).collect();
    for r in q.fetch_all(&mut *conn).await? {
        let Some(&(answered, at)) = asked.get(&r.id) else { continue };
        apply(conn, r, answered, at).await?;
    }
    Ok(())
}

const CHAT_SELECT: &str = "SELECT c.id, c.status, c.awaiting_since, c.sla_target, c.sla_due_at,
        i.sla_first_response_ms, i.sla_next_response_ms, i.sla_resolution_ms, i.sla_business_hours, i.hours,
        y.id AS cycle_id, y.started_at, y.first_response_at, y.resolved_at, y.first_response_met, y.resolution_met
    FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
    LEFT JOIN conversation_cycles y ON y.id = (SELECT MAX(id) FROM conversation_cycles WHERE conversation_id = c.id)";

async fn apply(conn: &mut AnyConnection, r: ChatRow, answered: Option<i64>, now: i64) -> AppResult<()> {
    let conversation_id = r.id;
    let policy = Policy {
        first_response_ms: r.sla_first_response_ms,
        next_response_ms: r.sla_next_response_ms,
        resolution_ms: r.sla_resolution_ms,
        business_hours: r.sla_business_hours != 0,
    };
    if policy.is_empty() && r.sla_due_at.is_none() {
        return Ok(());
    }
    let hours: Option<Hours> = r.hours.as_deref().and_then(|h| serde_json::from_str(h).ok()).filter(|_| policy.business_hours);
    let add = |from: i64, ms: i64| match &hours {
        Some(h) => crate::hours::clock::add_open_ms(h, from, ms),
        None => Some(from + ms),
    };
    if let (Some(cycle), Some(started)) = (r.cycle_id, r.started_at) {
        let met = |at: i64, target: Option<i64>| target.map(|ms| i64::from(add(started, ms).is_none_or(|due| at <= due)));
        let first = r.first_response_at.filter(|_| r.first_response_met.is_none()).and_then(|at| met(at, policy.first_response_ms));
        let resolved = r.resolved_at.filter(|_| r.resolution_met.is_none()).and_then(|at| met(at, policy.resolution_ms));
        // A next response: the reply answered a customer line written after the first response.
        let next = match (answered, r.first_response_at, policy.next_response_ms) {
            (Some(since), Some(first), Some(ms)) if first < since => Some(i64::from(add(since, ms).is_none_or(|due| now <= due))),
            _ => None,
        };
        if first.is_some() || resolved.is_some() || next.is_some() {
            sqlx::query(
                "UPDATE conversation_cycles SET first_response_met = COALESCE($1, first_response_met),
                    resolution_met = COALESCE($2, resolution_met),
                    next_responses = next_responses + $3, next_responses_met = next_responses_met + $4
                 WHERE id = $5",
            )
            .bind(first)
            .bind(resolved)
            .bind(i64::from(next.is_some()))
            .bind(next.unwrap_or(0))
            .bind(cycle)
            .execute(&mut *conn)
            .await?;
        }
    }
    let state = ChatState {
        started_at: r.started_at.unwrap_or(now),
        first_response_at: r.first_response_at,
        awaiting_since: r.awaiting_since,
        closed: r.status == "closed",
    };
    let due = pending(&policy, &state, add);
    let unchanged = due.map(|d| (d.target.as_str().to_string(), d.due_at)) == r.sla_target.clone().zip(r.sla_due_at);
    if unchanged {
        return Ok(());
    }
    sqlx::query(
        "UPDATE conversations SET sla_target = $1, sla_due_at = $2, sla_warn_at = $3, sla_warned_at = NULL, sla_breached_at = NULL
         WHERE id = $4",
    )
    .bind(due.map(|d| d.target.as_str()))
    .bind(due.map(|d| d.due_at))
    .bind(due.map(|d| d.warn_at))
    .bind(conversation_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct DueRow {
    id: i64,
    inbox_id: i64,
    assignee_id: Option<i64>,
    sla_target: String,
    sla_due_at: i64,
}

/// Sends the 80% alerts and records the breaches that are due at `now`, once each
/// (under the write lock, so two instances never send one twice). Returns them.
pub async fn tick(db: &Db, now: i64) -> AppResult<Vec<SlaAlert>> {
    const DUE: &str = "SELECT id, inbox_id, assignee_id, sla_target, sla_due_at FROM conversations
         WHERE sla_due_at IS NOT NULL AND sla_breached_at IS NULL
           AND (sla_due_at <= $1 OR (sla_warned_at IS NULL AND sla_warn_at <= $1))";
    // Read first: a tick with nothing due writes (and commits) nothing.
    let any: Vec<DueRow> = sqlx::query_as(DUE).bind(now).fetch_all(db.pool()).await?;
    if any.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin_write().await?;
    let rows: Vec<DueRow> = sqlx::query_as(DUE).bind(now).fetch_all(&mut *tx).await?;
    let mut sent = Vec::new();
    for r in rows {
        let breached = r.sla_due_at <= now;
        let sql = if breached {
            "UPDATE conversations SET sla_breached_at = $1, sla_warned_at = COALESCE(sla_warned_at, $1) WHERE id = $2"
        } else {
            "UPDATE conversations SET sla_warned_at = $1 WHERE id = $2"
        };
        sqlx::query(sql).bind(now).bind(r.id).execute(&mut *tx).await?;
        let alert = SlaAlert {
            conversation_id: r.id,
            inbox_id: r.inbox_id,
            assignee_id: r.assignee_id,
            target: Target::parse(&r.sla_target).unwrap_or(Target::Resolution),
            due_at: r.sla_due_at,
            breached,
        };
        let ev = Change::ConversationSla(alert.clone()).event(Audience::Agents, Some(r.inbox_id), Some(r.id));
        events::append(&mut tx, db.dialect(), ev, now).await?;
        sent.push(alert);
    }
    tx.commit().await?;
    Ok(sent)
}

/// When the watcher must next look: the earliest unsent alert or breach.
pub async fn next_wake(db: &Db) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(CASE WHEN sla_warned_at IS NULL THEN sla_warn_at ELSE sla_due_at END) FROM conversations
         WHERE sla_due_at IS NOT NULL AND sla_breached_at IS NULL",
    )
    .fetch_one(db.pool())
    .await?)
}

/// A chat's pending target, its due time and whether it was breached.
pub async fn of(db: &Db, conversation_id: i64) -> AppResult<Option<(Target, i64, bool)>> {
    let row: Option<(Option<String>, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT sla_target, sla_due_at, sla_breached_at FROM conversations WHERE id = $1")
            .bind(conversation_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(t, due, breached)| Some((Target::parse(&t?)?, due?, breached.is_some()))))
}
