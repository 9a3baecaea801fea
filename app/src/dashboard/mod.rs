//! The supervisor's live dashboard (`/dashboard`): the queue now, the longest current
//! wait, each agent's open chats against their capacity, who is Online, Away or
//! Offline, and the ongoing chats. Read in a few queries, scoped to the inboxes the
//! reader supervises (every inbox for an admin); the page reads it again when an event
//! about those inboxes arrives, never on a timer.
use crate::accounts::Availability;
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

/// One agent's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentLoad {
    pub id: i64,
    pub name: String,
    pub presence: Availability,
    /// Open chats assigned to them.
    pub open: i64,
    /// Their own capacity, or the largest of their inboxes'.
    pub capacity: i64,
}

/// A chat that is not closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ongoing {
    pub id: i64,
    pub customer: String,
    pub inbox: String,
    pub assignee: Option<String>,
    /// Since when the customer waits: for an agent (queued), or for a reply to their
    /// last message; `None` when the last word was the team's.
    pub waiting_since: Option<i64>,
    pub last_message_at: Option<i64>,
    pub last_message: Option<String>,
    /// The pending SLA target's due time, and whether it was breached.
    #[serde(default)]
    pub sla_due_at: Option<i64>,
    #[serde(default)]
    pub sla_breached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Chats in the queue: new and unassigned.
    pub waiting: i64,
    /// When the longest-waiting of them began waiting.
    pub oldest_waiting_since: Option<i64>,
    pub agents: Vec<AgentLoad>,
    pub ongoing: Vec<Ongoing>,
    /// Open chats past 80% of an SLA target, and those past it.
    #[serde(default)]
    pub sla_at_risk: i64,
    #[serde(default)]
    pub sla_breached: i64,
    /// The server's clock when read, so waits count from the same instant.
    pub now: i64,
}

/// The most ongoing chats the table lists (the oldest waits first).
pub const ONGOING_LIMIT: i64 = 200;

impl Dashboard {
    /// Agents by availability: (Online, Away, Offline).
    pub fn presence_counts(&self) -> (usize, usize, usize) {
        let n = |a: Availability| self.agents.iter().filter(|x| x.presence == a).count();
        (n(Availability::Online), n(Availability::Away), n(Availability::Offline))
    }

    /// Open chats against the capacity of the agents who are Online.
    pub fn online_load(&self) -> (i64, i64) {
        self.agents.iter().filter(|a| a.presence == Availability::Online).fold((0, 0), |(o, c), a| (o + a.open, c + a.capacity))
    }
}

/// "4 m 05 s", "1 h 02 m", "12 s": a wait as people read it.
pub fn wait_label(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} m {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(presence: Availability, open: i64, capacity: i64) -> AgentLoad {
        AgentLoad { id: 1, name: "A".into(), presence, open, capacity }
    }

    #[test]
    fn counts_and_load_follow_availability() {
        let d = Dashboard {
            waiting: 0,
            oldest_waiting_since: None,
            agents: vec![agent(Availability::Online, 2, 3), agent(Availability::Online, 1, 5), agent(Availability::Away, 4, 4), agent(Availability::Offline, 0, 3)],
            ongoing: vec![],
            sla_at_risk: 0,
            sla_breached: 0,
            now: 0,
        };
        assert_eq!(d.presence_counts(), (2, 1, 1));
        assert_eq!(d.online_load(), (3, 8));
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_label(12_400), "12 s");
        assert_eq!(wait_label(245_000), "4 m 05 s");
        assert_eq!(wait_label(3_720_000), "1 h 02 m");
        assert_eq!(wait_label(-5), "0 s");
    }
}
