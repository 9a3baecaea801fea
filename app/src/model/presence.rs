//! An agent's availability.
use serde::{Deserialize, Serialize};

/// Whether an agent takes chats: chosen in the console; shown to the team and, for
/// the inbox as a whole, to visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Online,
    Away,
    Offline,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Online => "online",
            Availability::Away => "away",
            Availability::Offline => "offline",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "online" => Some(Availability::Online),
            "away" => Some(Availability::Away),
            "offline" => Some(Availability::Offline),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Availability::Online => "Online",
            Availability::Away => "Away",
            Availability::Offline => "Offline",
        }
    }
}
