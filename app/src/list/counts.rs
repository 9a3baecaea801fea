//! The navigation's counters and per-agent read markers.
use super::Counters;
use crate::accounts::Role;
use crate::db::Db;
use crate::error::AppResult;

/// Red: unread chats assigned to me, plus unassigned chats in inboxes I supervise
/// (all inboxes for an admin). Blue: new unassigned chats in my inboxes.
pub async fn counters(db: &Db, agent_id: i64, role: Role) -> AppResult<Counters> {
    let mine_unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversations c
         WHERE c.assignee_id = $1 AND c.status <> 'closed'
           AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.author_kind = 'customer'
                         AND m.id > COALESCE((SELECT r.last_read_message_id FROM read_markers r
                                              WHERE r.conversation_id = c.id AND r.agent_id = $1), 0))",
    )
    .bind(agent_id)
    .fetch_one(db.pool())
    .await?;
    let (supervised, member_of) = if role == Role::Admin {
        ("SELECT id FROM inboxes", "SELECT id FROM inboxes")
    } else {
        (
            "SELECT inbox_id FROM inbox_members WHERE agent_id = $1 AND role = 'supervisor'",
            "SELECT inbox_id FROM inbox_members WHERE agent_id = $1",
        )
    };
    let unassigned: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM conversations c WHERE c.assignee_id IS NULL AND c.status <> 'closed'
           AND c.inbox_id IN ({supervised}) AND $1 = $1"
    ))
    .bind(agent_id)
    .fetch_one(db.pool())
    .await?;
    let new_unassigned: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM conversations c WHERE c.assignee_id IS NULL AND c.status = 'new'
           AND c.inbox_id IN ({member_of}) AND $1 = $1"
    ))
    .bind(agent_id)
    .fetch_one(db.pool())
    .await?;
    Ok(Counters { red: mine_unread + unassigned, blue: new_unassigned })
}

pub use crate::conversations::store::mark_read;
