//! A line of a team chat.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMessage {
    pub id: i64,
    pub session_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub system: bool,
    pub body: String,
    /// Set on an off-the-record line: the one other participant who sees it.
    pub off_record_to: Option<i64>,
    pub off_record_to_name: Option<String>,
    pub client_id: Option<String>,
    pub created_at: i64,
}
