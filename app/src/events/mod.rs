//! The append-only event log and its live fan-out. Every change appends an event in
//! the same transaction as the change; SSE streams replay from the log and then
//! follow the hub.
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// Who may receive an event.
pub const AUDIENCE_ALL: &str = "all";
pub const AUDIENCE_AGENTS: &str = "agents";
/// Every agent, whatever their inboxes (presence); never visitors.
pub const AUDIENCE_TEAM: &str = "team";

/// One row of the log, as streams send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub inbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub audience: String,
    /// JSON, already encoded once for every subscriber. `None` once purged.
    pub payload: Option<String>,
    pub created_at: i64,
}
