//! Service requests made from a chat: a title, a description, a priority and a copy of
//! the chat's public lines (internal and off-the-record lines never go in). A request
//! lives on after the chat, with status open → in progress → done; webhooks announce
//! both (see `crate::webhooks`).
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($name:ident { $($variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some($name::$variant),)+ _ => None } }
        }
    };
}

string_enum!(Priority { Low => "low" / "Low", Normal => "normal" / "Normal", High => "high" / "High", Urgent => "urgent" / "Urgent" });
string_enum!(RequestStatus { Open => "open" / "Open", InProgress => "in_progress" / "In progress", Done => "done" / "Done" });

/// One line of a transcript: when, who, as what, and the text (with file names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TranscriptLine {
    pub at: String,
    pub author: String,
    pub role: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ServiceRequest {
    pub id: i64,
    pub inbox_id: i64,
    pub inbox_name: String,
    pub conversation_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub status: RequestStatus,
    pub created_by: Option<String>,
    pub created_at: i64,
    /// `None` once retention purged it (when the inbox asks for that).
    pub transcript: Option<Vec<TranscriptLine>>,
}
