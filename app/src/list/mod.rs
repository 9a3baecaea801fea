//! The whole-system inbox list: groups, filters, search, keyset pages. The query lives
//! in the URL, so reloads, the back button and shared links all work.
pub mod api;
#[cfg(feature = "ssr")]
pub mod counts;
#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
pub mod query;
#[cfg(feature = "ssr")]
mod scope;
#[cfg(feature = "ssr")]
mod search;

use crate::conversations::{CloseReason, Status};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Group {
    /// Assigned to me and not closed.
    Mine,
    /// Nobody's yet, not closed.
    Unassigned,
    Closed,
    /// Chats whose notes mention me.
    Mentions,
    /// Everything the agent may see.
    #[default]
    All,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Started {
    #[default]
    All,
    Today,
    Yesterday,
    Last7,
    Last30,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum FollowUp {
    /// The last message is the customer's.
    Awaiting,
    /// The last agent message is mine.
    ByMe,
    /// The last agent message is someone else's.
    ByOthers,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Sort {
    /// Latest activity first.
    #[default]
    Activity,
    /// Newest started first.
    Started,
    NameAsc,
    NameDesc,
    /// The SLA due soonest first (chats with no pending target last).
    SlaDue,
}

/// Chats by their SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum SlaFilter {
    /// Open chats past a target.
    Breached,
}

/// The list's query, as it stands in the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListQuery {
    pub group: Group,
    pub inbox: Option<i64>,
    pub status: Option<Status>,
    /// Closed chats by how they ended: closed, solved or cancelled.
    pub reason: Option<CloseReason>,
    pub started: Started,
    pub follow_up: Option<FollowUp>,
    pub online: bool,
    pub sla: Option<SlaFilter>,
    pub q: Option<String>,
    pub sort: Sort,
    pub size: u32,
    /// The agent's offset from UTC in minutes (east positive), for Today and Yesterday.
    pub tz: i32,
    /// Keyset cursors: the page after, or before, this opaque position.
    pub after: Option<String>,
    pub before: Option<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            group: Group::All,
            inbox: None,
            status: None,
            reason: None,
            started: Started::All,
            follow_up: None,
            online: false,
            sla: None,
            q: None,
            sort: Sort::Activity,
            size: 25,
            tz: 0,
            after: None,
            before: None,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Row {
    pub id: i64,
    pub inbox_id: i64,
    pub created_at: i64,
    pub activity_at: i64,
    pub last_message_preview: Option<String>,
    pub customer_name: Option<String>,
    pub customer_role: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_email: Option<String>,
    pub channel: String,
    pub assignee_name: Option<String>,
    pub status: Status,
    pub close_reason: Option<CloseReason>,
    pub unread: i64,
    /// The pending SLA target's due time, and whether it was breached.
    #[serde(default)]
    pub sla_due_at: Option<i64>,
    #[serde(default)]
    pub sla_breached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page {
    pub rows: Vec<Row>,
    /// Cursors for the next and previous pages, when there are such pages.
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// The navigation's badges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Unread chats assigned to me plus unassigned chats in inboxes I supervise.
    pub red: i64,
    /// New unassigned chats in my inboxes.
    pub blue: i64,
}

