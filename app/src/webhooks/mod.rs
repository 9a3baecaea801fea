//! Webhooks for every change: subscriptions (one inbox or all, the event types they
//! want, a Standard Webhooks secret), deliveries derived from the event log — so a
//! change that committed is delivered even if the process dies right after — signed
//! the standard way, retried with backoff for a day, logged per subscription.
//! Private lines (notes, whispers, off-the-record) are never sent.
pub mod api;
#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod derive;
#[cfg(feature = "ssr")]
pub mod sign;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

macro_rules! event_types {
    ($($variant:ident => $text:literal / $label:literal),+ $(,)?) => {
        /// The event types a subscription can ask for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventType { $(#[serde(rename = $text)] $variant),+ }
        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $(EventType::$variant => $text),+ } }
            pub fn label(self) -> &'static str { match self { $(EventType::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some(EventType::$variant),)+ _ => None } }
        }
    };
}

event_types! {
    ConversationCreated => "conversation.created" / "A conversation started",
    ConversationStatusChanged => "conversation.status_changed" / "A conversation's status changed",
    ConversationAssigned => "conversation.assigned" / "A conversation was assigned or returned to the queue",
    ConversationMoved => "conversation.moved" / "A conversation moved to another inbox",
    MessageCreated => "message.created" / "A public message (never a note or whisper)",
    CsatSubmitted => "csat.submitted" / "A customer rated a conversation",
    RequestCreated => "request.created" / "A service request was filed",
    RequestStatusChanged => "request.status_changed" / "A service request's status changed",
}

/// The type of a test delivery (never derived from a change).
pub const TEST_TYPE: &str = "webhook.test";

/// After this many consecutive failed deliveries a subscription is disabled.
pub const DISABLE_AFTER: i64 = 5;

/// A subscription, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub id: i64,
    /// `None`: every inbox.
    pub inbox_id: Option<i64>,
    pub inbox_name: Option<String>,
    pub url: String,
    /// `whsec_…`: the key receivers verify signatures with.
    pub secret: String,
    pub events: Vec<String>,
    pub allow_private: bool,
    pub enabled: bool,
    /// Consecutive deliveries that failed for good.
    pub failures: i64,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

/// One delivery in a subscription's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DeliveryLine {
    pub id: i64,
    pub msg_id: String,
    pub kind: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What the admin asks for when subscribing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSubscription {
    pub inbox_id: Option<i64>,
    pub url: String,
    pub events: Vec<String>,
    pub allow_private: bool,
}
