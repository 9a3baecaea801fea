//! Routing: who gets a waiting chat, and what the waiting customer is told.
//!
//! An inbox assigns by hand (agents Accept) or automatically. Automatically, each
//! waiting chat, oldest first, goes to an eligible agent: Online, a member of the
//! inbox, under their capacity; the fewest open chats first, then the longest since
//! their last assignment ([`plan`]). Nothing polls: [`react`] settles an inbox when a
//! change in the event log could free or need an agent, and every settle runs in one
//! write transaction, so two instances never assign a chat twice or fill an agent
//! past capacity.
pub mod api;
#[cfg(feature = "ssr")]
pub mod board;
pub mod hours_api;
#[cfg(feature = "ssr")]
pub mod offers;
pub mod plan;
#[cfg(feature = "ssr")]
pub mod react;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// The capacity an inbox starts with.
pub const DEFAULT_CAPACITY: i64 = 3;
/// The most open chats a capacity may allow.
pub const MAX_CAPACITY: i64 = 50;

/// How an inbox's waiting chats find an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assignment {
    /// Chats wait until an agent accepts one.
    Manual,
    /// Each waiting chat goes to the best eligible agent at once.
    Auto,
}

/// What happens to an agent's open chats when they go offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfflineChats {
    /// They stay with the agent (a line says so).
    Keep,
    /// They go back to the queue, to be assigned again.
    Return,
}

macro_rules! text_enum {
    ($t:ident { $($v:ident = $s:literal),+ }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $($t::$v => $s,)+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($t::$v),)+ _ => None }
            }
        }
    };
}
text_enum!(Assignment { Manual = "manual", Auto = "auto" });
text_enum!(OfflineChats { Keep = "keep", Return = "return" });

/// An inbox's routing settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routing {
    pub assignment: Assignment,
    /// Open chats per agent, unless the agent has their own.
    pub capacity: i64,
    pub offline_chats: OfflineChats,
    /// Offer mode: the chosen agent accepts within this many seconds, or the chat is
    /// offered to the next (`None`: assigned at once).
    #[serde(default)]
    pub offer_seconds: Option<i64>,
}

impl Default for Routing {
    fn default() -> Self {
        Routing { assignment: Assignment::Manual, capacity: DEFAULT_CAPACITY, offline_chats: OfflineChats::Keep, offer_seconds: None }
    }
}

/// The offer time a new offer-mode inbox suggests.
pub const DEFAULT_OFFER_SECONDS: i64 = 30;

/// An offer time as typed: empty (off), or whole seconds from 5 to 300.
pub fn parse_offer_seconds(text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => match t.parse::<i64>() {
            Ok(n) if (5..=300).contains(&n) => Ok(Some(n)),
            _ => Err("an offer lasts from 5 to 300 seconds (empty: assign at once)".into()),
        },
    }
}

/// A capacity as typed in a form: a whole number from 1 to [`MAX_CAPACITY`].
pub fn parse_capacity(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_CAPACITY).contains(&n) => Ok(n),
        _ => Err(format!("capacity is a whole number of open chats from 1 to {MAX_CAPACITY}")),
    }
}

/// The frame a waiting customer's stream gets (without an id) on every change to
/// their queue: a [`QueueSpot`], or `{"position":null,"estimate_ms":null}` once taken.
pub const QUEUE_FRAME: &str = "queue";

/// Where a waiting chat stands, as its customer is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpot {
    /// 1 for the next chat to be taken.
    pub position: u32,
    /// How much longer the wait should be (ms); `None` while the inbox has no history.
    pub estimate_ms: Option<i64>,
}
