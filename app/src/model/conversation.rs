//! A conversation, its messages and their states, as the server stores them and the
//! console and the events carry them.
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

string_enum!(Status { New => "new", Open => "open", Closed => "closed" });
string_enum!(CloseReason { Closed => "closed", Solved => "solved", Cancelled => "cancelled" });
string_enum!(AuthorKind { Customer => "customer", Agent => "agent", System => "system" });
string_enum!(Visibility { Public => "public", Internal => "internal", OffRecord => "off_record", Whisper => "whisper" });

impl Visibility {
    /// Lines that never leave the console's people: no widget, export, transcript or
    /// webhook. A whisper is for the chat's assignee and supervisors only.
    pub fn is_private(self) -> bool {
        matches!(self, Visibility::OffRecord | Visibility::Whisper)
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::Open => "Open",
            Status::Closed => "Closed",
        }
    }
}

impl CloseReason {
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Closed => "Closed",
            CloseReason::Solved => "Solved",
            CloseReason::Cancelled => "Cancelled",
        }
    }
}

/// "Open", or for a closed chat how it ended ("Solved", "Cancelled", "Closed").
pub fn status_text(status: Status, reason: Option<CloseReason>) -> &'static str {
    match (status, reason) {
        (Status::Closed, Some(r)) => r.label(),
        (s, _) => s.label(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub author_kind: AuthorKind,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub client_id: String,
    pub visibility: Visibility,
    pub created_at: i64,
    /// Files sent with the message (its body is then the file's name).
    #[serde(default)]
    pub attachments: Vec<super::attachment::AttachmentRef>,
}

/// What a conversation is about: a transaction, a test, an order…
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Context {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub id: Option<String>,
    pub label: Option<String>,
    pub url: Option<String>,
}

impl Context {
    /// The context as it may be stored, whichever route it came by: text trimmed and
    /// capped, and a link only if [`safe_link`] passes it.
    pub fn sanitized(&self) -> Context {
        fn clean(s: &Option<String>, max: usize) -> Option<String> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(max).collect())
        }
        Context {
            kind: clean(&self.kind, 60),
            id: clean(&self.id, 200),
            label: clean(&self.label, 200),
            url: clean(&self.url, 2000).filter(|u| safe_link(u).is_some()),
        }
    }
}

/// `url` if it may go into an `href`: `http:` or `https:` only, with no whitespace or
/// control characters anywhere (browsers drop tabs and newlines inside a scheme, so
/// `java\tscript:` is `javascript:` to them). Checked when a link is stored and again
/// where it is rendered.
pub fn safe_link(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !url.chars().any(|c| c.is_control() || c.is_whitespace());
    (scheme_ok && clean).then_some(url)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub id: i64,
    pub inbox_id: i64,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub status: Status,
    pub close_reason: Option<CloseReason>,
    pub assignee_id: Option<i64>,
    pub subject: Option<String>,
    pub context: Context,
    pub channel: String,
    pub created_at: i64,
    pub last_message_at: Option<i64>,
    pub last_message_preview: Option<String>,
}

