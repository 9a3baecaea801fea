//! The dashboard's reads: three statements, whatever the number of agents or chats.
use super::{AgentLoad, Dashboard, Ongoing, ONGOING_LIMIT};
use crate::accounts::{Availability, Role};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use sqlx::FromRow;

/// The inboxes `viewer` watches, as a condition on `col` (`$1` is the viewer's id):
/// every inbox for an admin, the supervised ones for anyone else.
fn scope(role: Role, col: &str) -> String {
    if role == Role::Admin {
        "$1 = $1".into()
    } else {
        format!("{col} IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $1 AND role = 'supervisor')")
    }
}

#[derive(FromRow)]
struct QueueRow {
    n: i64,
    oldest: Option<i64>,
    at_risk: i64,
    breached: i64,
}

#[derive(FromRow)]
struct AgentRow {
    id: i64,
    name: String,
    presence: String,
    open_chats: i64,
    capacity: i64,
}

#[derive(FromRow)]
struct OngoingRow {
    id: i64,
    customer: String,
    inbox: String,
    assignee: Option<String>,
    waiting_since: Option<i64>,
    last_message_at: Option<i64>,
    last_message_preview: Option<String>,
    sla_due_at: Option<i64>,
    sla_breached_at: Option<i64>,
}

/// The dashboard for a supervisor or admin; 403 for anyone who supervises no inbox.
pub async fn read(db: &Db, viewer: i64, role: Role, now: i64) -> AppResult<Dashboard> {
    if role != Role::Admin {
        let supervises: Option<i64> =
            sqlx::query_scalar("SELECT inbox_id FROM inbox_members WHERE agent_id = $1 AND role = 'supervisor' LIMIT 1")
                .bind(viewer)
                .fetch_optional(db.pool())
                .await?;
        if supervises.is_none() {
            return Err(AppError::Forbidden);
        }
    }
    let queue: QueueRow = sqlx::query_as(&format!(
        "SELECT COUNT(CASE WHEN c.status = 'new' AND c.assignee_id IS NULL THEN 1 END) AS n,
            MIN(CASE WHEN c.status = 'new' AND c.assignee_id IS NULL THEN COALESCE(c.queued_at, c.created_at) END) AS oldest,
            COUNT(CASE WHEN c.sla_warned_at IS NOT NULL AND c.sla_breached_at IS NULL THEN 1 END) AS at_risk,
            COUNT(c.sla_breached_at) AS breached
         FROM conversations c
         WHERE c.status IN ('new', 'open') AND {}",
        scope(role, "c.inbox_id")
    ))
    .bind(viewer)
    .fetch_one(db.pool())
    .await?;
    let agents: Vec<AgentRow> = sqlx::query_as(&format!(
        "SELECT a.id, a.name, a.presence,
            (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status IN ('new', 'open')) AS open_chats,
            COALESCE(a.capacity, (SELECT MAX(i.capacity) FROM inbox_members m2 JOIN inboxes i ON i.id = m2.inbox_id
                                  WHERE m2.agent_id = a.id), 3) AS capacity
         FROM agents a
         WHERE a.deactivated_at IS NULL AND a.id IN (SELECT m.agent_id FROM inbox_members m WHERE {})
         ORDER BY a.name, a.id",
        scope(role, "m.inbox_id")
    ))
    .bind(viewer)
    .fetch_all(db.pool())
    .await?;
    let ongoing: Vec<OngoingRow> = sqlx::query_as(&format!(
        "SELECT c.id, COALESCE(cu.name, cu.email, 'Visitor') AS customer, i.name AS inbox, a.name AS assignee,
            CASE WHEN c.assignee_id IS NULL THEN COALESCE(c.queued_at, c.created_at)
                 ELSE c.awaiting_since
            END AS waiting_since,
            c.last_message_at, c.last_message_preview, c.sla_due_at, c.sla_breached_at
         FROM conversations c
         JOIN customers cu ON cu.id = c.customer_id
         JOIN inboxes i ON i.id = c.inbox_id
         LEFT JOIN agents a ON a.id = c.assignee_id
         WHERE c.status IN ('new', 'open') AND {}
         ORDER BY CASE WHEN c.assignee_id IS NULL THEN 0 ELSE 1 END, COALESCE(c.queued_at, c.created_at), c.id
         LIMIT {ONGOING_LIMIT}",
        scope(role, "c.inbox_id")
    ))
    .bind(viewer)
    .fetch_all(db.pool())
    .await?;
    Ok(Dashboard {
        waiting: queue.n,
        oldest_waiting_since: queue.oldest,
        agents: agents
            .into_iter()
            .map(|r| AgentLoad {
                id: r.id,
                name: r.name,
                presence: Availability::parse(&r.presence).unwrap_or(Availability::Offline),
                open: r.open_chats,
                capacity: r.capacity,
            })
            .collect(),
        ongoing: ongoing
            .into_iter()
            .map(|r| Ongoing {
                id: r.id,
                customer: r.customer,
                inbox: r.inbox,
                assignee: r.assignee,
                waiting_since: r.waiting_since,
                last_message_at: r.last_message_at,
                last_message: r.last_message_preview,
                sla_due_at: r.sla_due_at,
                sla_breached: r.sla_breached_at.is_some(),
            })
            .collect(),
        sla_at_risk: queue.at_risk,
        sla_breached: queue.breached,
        now,
    })
}
