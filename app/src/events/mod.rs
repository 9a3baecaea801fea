//! The append-only event log and its live fan-out. Every change appends an event in
//! the same transaction as the change; SSE streams replay from the log and then
//! follow the hub.
//!
//! The log is infrastructure: it stores a kind, an [`Audience`] and a JSON payload,
//! and knows nothing of what they mean. The typed changes themselves are
//! `crate::model::change::Change`.
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod mailbox;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod watchers;

use serde::{Deserialize, Serialize};

/// Who may receive an event. Stored as text: `all`, `agents`, `team`, `agent:<id>`,
/// `control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Audience {
    /// The agents of the event's inbox and the visitor of its conversation.
    All,
    /// The agents of the event's inbox only.
    Agents,
    /// Every agent, whatever their inboxes (presence); never visitors.
    Team,
    /// One agent (team chat lines name each recipient).
    Agent(i64),
    /// The chat's assignee and the supervisors and admins of its inbox: never an
    /// operator who does not hold the chat, never the visitor (whispers).
    Whisper,
    /// Never sent: it makes the named agent's open streams re-check their rights.
    Control,
}

impl Audience {
    pub fn parse(s: &str) -> Option<Audience> {
        Some(match s {
            "all" => Audience::All,
            "agents" => Audience::Agents,
            "team" => Audience::Team,
            "control" => Audience::Control,
            "whisper" => Audience::Whisper,
            other => Audience::Agent(other.strip_prefix("agent:")?.parse().ok()?),
        })
    }
}

impl std::fmt::Display for Audience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Audience::All => f.write_str("all"),
            Audience::Agents => f.write_str("agents"),
            Audience::Team => f.write_str("team"),
            Audience::Agent(id) => write!(f, "agent:{id}"),
            Audience::Control => f.write_str("control"),
            Audience::Whisper => f.write_str("whisper"),
        }
    }
}

impl From<Audience> for String {
    fn from(a: Audience) -> String {
        a.to_string()
    }
}

impl TryFrom<String> for Audience {
    type Error = String;
    fn try_from(s: String) -> Result<Audience, String> {
        Audience::parse(&s).ok_or_else(|| format!("unknown event audience {s:?}"))
    }
}

/// One row of the log, as streams send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub inbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub audience: Audience,
    /// JSON, already encoded once for every subscriber. `None` once purged.
    pub payload: Option<String>,
    pub created_at: i64,
    /// What a stream that must judge the event by its chat reads about the chat, read
    /// once for every stream (10,000 consoles on one inbox would otherwise read the
    /// same row 10,000 times).
    #[cfg(feature = "ssr")]
    #[serde(skip)]
    #[sqlx(skip)]
    pub shared: SharedRead,
}

/// A value read once, by whichever of the event's streams needs it first; the others
/// wait for that read. Never compared, never sent.
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct SharedRead(std::sync::Arc<tokio::sync::OnceCell<Option<(Option<i64>, bool)>>>);

#[cfg(feature = "ssr")]
impl SharedRead {
    /// The value, read by `read` if no stream has read it yet (`None`: unreadable).
    pub async fn get_or_read<F, Fut>(&self, read: F) -> Option<(Option<i64>, bool)>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Option<(Option<i64>, bool)>>,
    {
        *self.0.get_or_init(read).await
    }
}

#[cfg(feature = "ssr")]
impl PartialEq for SharedRead {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(feature = "ssr")]
impl std::fmt::Debug for SharedRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedRead")
    }
}

/// An event to append: what the typed change becomes on its way into the log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: &'static str,
    pub inbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub audience: Audience,
    /// The change's payload, as JSON.
    pub payload: String,
}

/// An ephemeral signal on its way to the open streams: like an event, but never
/// stored, without an id, and never replayed. A signal about a chat reaches only the
/// agents who have that chat open (see [`watchers::Watchers`]), and its visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ephemeral {
    pub kind: String,
    pub inbox_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub audience: Audience,
    pub payload: String,
    /// The agent this signal says has the chat open, and for how long from now.
    #[serde(default)]
    pub opens: Option<Opens>,
    /// The agents who have the chat open as the signal goes out; filled in by the hub
    /// on each instance, never sent between them.
    #[serde(skip)]
    pub watchers: std::sync::Arc<[i64]>,
}

/// An agent has a chat open for `for_ms` more (unless told again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opens {
    pub agent_id: i64,
    pub for_ms: i64,
}
