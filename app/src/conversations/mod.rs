//! Conversations between a customer (through the widget) and the agents of an inbox.
pub mod api;
#[cfg(feature = "ssr")]
pub mod batch;
#[cfg(feature = "ssr")]
pub mod cycles;
#[cfg(feature = "ssr")]
pub mod erase;
#[cfg(feature = "ssr")]
pub mod handling;
#[cfg(feature = "ssr")]
pub mod identity;
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod lines;
pub mod rules;
#[cfg(feature = "ssr")]
mod rows;
#[cfg(feature = "ssr")]
pub mod seen;
pub mod signals;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod visitor;
#[cfg(feature = "ssr")]
pub mod supervise;
#[cfg(feature = "ssr")]
mod touch;
#[cfg(feature = "ssr")]
pub mod transcript;
#[cfg(feature = "ssr")]
pub mod visitor_keys;
#[cfg(feature = "ssr")]
pub mod write;

use serde::{Deserialize, Serialize};

pub use crate::model::conversation::*;

/// The most characters one message may hold.
pub const MAX_BODY_CHARS: usize = 5000;

/// A conversation with its messages, as the console and the widget open it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// The newest event id when this was read: a stream started from here misses nothing.
    pub last_event_id: i64,
    /// The newest message the customer has had on screen (0: none).
    #[serde(default)]
    pub customer_seen: i64,
    /// The newest customer message an agent of the chat has read (0: none).
    #[serde(default)]
    pub agent_seen: i64,
}
