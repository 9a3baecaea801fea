//! Ephemeral signals: who is typing in a chat and which agents have it open. Unlike a
//! [`Change`](super::change::Change) they are never stored: they go to the streams
//! that are open now (and to the other instances over PostgreSQL NOTIFY), are never
//! replayed after a reconnect, and expire on the receiving side if not renewed.
use serde::{Deserialize, Serialize};

/// How long a "typing" mark stays up unless renewed (senders renew every 2 s).
pub const TYPING_TTL_MS: i64 = 5_000;
/// How often a console tab with a chat open says so, and how long the mark lasts.
pub const VIEWING_EVERY_MS: i64 = 10_000;
pub const VIEWING_TTL_MS: i64 = 25_000;

/// Someone is typing in a chat (`typing: false`: stopped, or the text was cleared).
/// `agent_id` and `name` are set when it is an agent writing a reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Typing {
    pub conversation_id: i64,
    pub agent_id: Option<i64>,
    pub name: Option<String>,
    pub typing: bool,
}

/// An agent has the chat open in a console (`viewing: false`: they left it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewing {
    pub conversation_id: i64,
    pub agent_id: i64,
    pub name: String,
    pub viewing: bool,
}

/// Every ephemeral signal, by kind (the SSE frame's `event:`; such frames carry no id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data")]
pub enum Signal {
    #[serde(rename = "typing")]
    Typing(Typing),
    #[serde(rename = "viewing")]
    Viewing(Viewing),
}

impl Signal {
    pub const KINDS: &'static [&'static str] = &["typing", "viewing"];

    pub fn kind(&self) -> &'static str {
        match self {
            Signal::Typing(_) => "typing",
            Signal::Viewing(_) => "viewing",
        }
    }

    pub fn payload(&self) -> String {
        let value = match self {
            Signal::Typing(t) => serde_json::to_value(t),
            Signal::Viewing(v) => serde_json::to_value(v),
        };
        value.map(|v| v.to_string()).unwrap_or_else(|_| "null".into())
    }

    /// Parses one frame by its kind: the payload's own type straight from `data`
    /// (not through the tagged enum's buffering, which doubled the console's
    /// deserialising code).
    pub fn parse(kind: &str, data: &str) -> Result<Signal, serde_json::Error> {
        match kind {
            "typing" => serde_json::from_str(data).map(Signal::Typing),
            "viewing" => serde_json::from_str(data).map(Signal::Viewing),
            _ => Err(serde::de::Error::custom(format!("unknown signal kind `{kind}`"))),
        }
    }

    pub fn conversation_id(&self) -> i64 {
        match self {
            Signal::Typing(t) => t.conversation_id,
            Signal::Viewing(v) => v.conversation_id,
        }
    }

    /// The signal on its way to the streams, for `audience`, about a chat of `inbox_id`.
    #[cfg(feature = "ssr")]
    pub fn ephemeral(&self, audience: crate::events::Audience, inbox_id: i64) -> crate::events::Ephemeral {
        crate::events::Ephemeral {
            kind: self.kind().to_string(),
            inbox_id: Some(inbox_id),
            conversation_id: Some(self.conversation_id()),
            audience,
            payload: self.payload(),
            opens: self.opens(),
            watchers: Default::default(),
        }
    }

    /// Whom the signal shows to have the chat open: an agent viewing it or writing in
    /// it. (Leaving is not taken back at once: another of their tabs may still have
    /// the chat open, and a mark lapses by itself after [`VIEWING_TTL_MS`].)
    #[cfg(feature = "ssr")]
    fn opens(&self) -> Option<crate::events::Opens> {
        let agent_id = match self {
            Signal::Viewing(v) if v.viewing => v.agent_id,
            Signal::Typing(Typing { agent_id: Some(a), typing: true, .. }) => *a,
            _ => return None,
        };
        Some(crate::events::Opens { agent_id, for_ms: VIEWING_TTL_MS })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip_on_the_wire() {
        let t = Signal::Typing(Typing { conversation_id: 7, agent_id: None, name: None, typing: true });
        assert_eq!(t.payload(), r#"{"agent_id":null,"conversation_id":7,"name":null,"typing":true}"#);
        assert_eq!(Signal::parse(t.kind(), &t.payload()).unwrap(), t);
        let v = Signal::Viewing(Viewing { conversation_id: 7, agent_id: 2, name: "Sam".into(), viewing: false });
        assert_eq!(Signal::parse("viewing", &v.payload()).unwrap(), v);
    }
}
