//! Inboxes (queues) and who works in them.
pub mod api;
pub mod appearance;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// What an agent does in one inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MemberRole {
    Operator,
    Supervisor,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Operator => "operator",
            MemberRole::Supervisor => "supervisor",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "operator" => Some(MemberRole::Operator),
            "supervisor" => Some(MemberRole::Supervisor),
            _ => None,
        }
    }
}

/// An inbox as the sidebar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InboxSummary {
    pub id: i64,
    pub name: String,
    /// `None` for an admin who is not a member.
    pub my_role: Option<MemberRole>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub agent_id: i64,
    pub name: String,
    pub role: MemberRole,
}

/// An inbox as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxDetail {
    pub id: i64,
    pub name: String,
    pub public_key: String,
    pub retention_days: Option<i64>,
    /// Ask visitors for their name and email before the first message.
    pub prechat_form: bool,
    /// Where a conversation's context links to, such as `https://bo.example/{type}/{id}`.
    pub context_url_template: Option<String>,
    pub members: Vec<Member>,
    /// How the inbox's widget looks.
    pub appearance: appearance::Appearance,
}
