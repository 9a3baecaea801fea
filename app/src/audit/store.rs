//! Writing the audit log: one INSERT per entry, inside the caller's transaction when
//! it has one. Reading it is `crate::audit_log`.
use super::Action;
use crate::db::Db;
use crate::error::AppResult;
use serde::Serialize;

/// Who acted, and from which address. Built by the server-function layer from the
/// request (`state::audit_actor`); `system()` for the scheduled jobs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actor {
    pub agent_id: Option<i64>,
    pub token_id: Option<i64>,
    pub address: Option<String>,
}

impl Actor {
    pub fn agent(agent_id: i64, address: Option<String>) -> Self {
        Actor { agent_id: Some(agent_id), token_id: None, address }
    }
    pub fn token(token_id: i64, address: Option<String>) -> Self {
        Actor { agent_id: None, token_id: Some(token_id), address }
    }
    pub fn system() -> Self {
        Actor::default()
    }
}

/// One entry to write.
pub struct Entry {
    pub actor: Actor,
    pub action: Action,
    pub target_type: &'static str,
    pub target_id: String,
    pub detail: serde_json::Value,
}

impl Entry {
    pub fn new(actor: &Actor, action: Action, target_type: &'static str, target_id: impl ToString) -> Self {
        Entry { actor: actor.clone(), action, target_type, target_id: target_id.to_string(), detail: serde_json::json!({}) }
    }

    /// Facts about the action (ids and counts, never message text).
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// A setting's value before and after the change.
    pub fn changed<T: Serialize>(mut self, before: &T, after: &T) -> Self {
        self.detail = serde_json::json!({
            "before": serde_json::to_value(before).unwrap_or_default(),
            "after": serde_json::to_value(after).unwrap_or_default(),
        });
        self
    }
}

pub async fn record(db: &Db, at: i64, entry: Entry) -> AppResult<()> {
    let mut conn = db.pool().acquire().await?;
    record_in(&mut conn, at, entry).await
}

/// Records inside the caller's transaction, so the entry exists exactly when the change does.
pub async fn record_in(conn: &mut sqlx::AnyConnection, at: i64, entry: Entry) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, token_id, address, action, target_type, target_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(entry.actor.agent_id)
    .bind(entry.actor.token_id)
    .bind(entry.actor.address)
    .bind(entry.action.as_str())
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
