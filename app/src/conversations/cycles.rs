//! The per-conversation figures reports read (`conversation_cycles`), kept up to date
//! inside the write transaction of the change that moves them: a chat starts a cycle,
//! a person's first public reply answers it, a close resolves it, and a customer's
//! message on a closed chat starts the next.
use super::{CloseReason, Conversation, Status};
use crate::error::AppResult;
use sqlx::AnyConnection;

/// The chat's current cycle, as a subquery on `$N`.
fn current(param: usize) -> String {
    format!("(SELECT MAX(id) FROM conversation_cycles WHERE conversation_id = ${param})")
}

/// A new chat: its first cycle.
pub(super) async fn started(conn: &mut AnyConnection, conversation_id: i64, now: i64) -> AppResult<()> {
    sqlx::query("INSERT INTO conversation_cycles (conversation_id, started_at, reopened) VALUES ($1, $2, 0)")
        .bind(conversation_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An agent's public reply: the first one answers the open cycle.
pub(super) async fn replied(conn: &mut AnyConnection, conversation_id: i64, agent_id: i64, now: i64) -> AppResult<()> {
    sqlx::query(&format!(
        "UPDATE conversation_cycles SET first_response_at = $1, first_responder_id = $2
         WHERE id = {} AND first_response_at IS NULL AND resolved_at IS NULL",
        current(3)
    ))
    .bind(now)
    .bind(agent_id)
    .bind(conversation_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// [`replied`] for several chats at once: (chat, the agent of its first reply, its time).
pub(super) async fn replied_many(conn: &mut AnyConnection, firsts: &[(i64, i64, i64)]) -> AppResult<()> {
    if firsts.is_empty() {
        return Ok(());
    }
    let m = crate::db::marker(conn);
    let rows: Vec<String> = (0..firsts.len()).map(|i| format!("({}, {}, {})", m(i * 3 + 1), m(i * 3 + 2), m(i * 3 + 3))).collect();
    let sql = format!(
        "WITH v (conversation_id, agent, at) AS (VALUES {})
         UPDATE conversation_cycles SET first_response_at = v.at, first_responder_id = v.agent
         FROM v WHERE conversation_cycles.id = (SELECT MAX(y.id) FROM conversation_cycles y WHERE y.conversation_id = v.conversation_id)
           AND conversation_cycles.first_response_at IS NULL AND conversation_cycles.resolved_at IS NULL",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for &(chat, agent, at) in firsts {
        q = q.bind(chat).bind(agent).bind(at);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// A change of status: closing resolves the open cycle; leaving Closed starts the next.
pub(super) async fn status_changed(conn: &mut AnyConnection, conv: &Conversation, to: Status, reason: Option<CloseReason>, now: i64) -> AppResult<()> {
    match (conv.status, to) {
        (from, Status::Closed) if from != Status::Closed => {
            sqlx::query(&format!(
                "UPDATE conversation_cycles SET resolved_at = $1, close_reason = $2, resolver_id = $3
                 WHERE id = {} AND resolved_at IS NULL",
                current(4)
            ))
            .bind(now)
            .bind(reason.map(|r| r.as_str()))
            .bind(conv.assignee_id)
            .bind(conv.id)
            .execute(&mut *conn)
            .await?;
        }
        (Status::Closed, to) if to != Status::Closed => {
            sqlx::query("INSERT INTO conversation_cycles (conversation_id, started_at, reopened) VALUES ($1, $2, 1)")
                .bind(conv.id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        _ => {}
    }
    Ok(())
}
