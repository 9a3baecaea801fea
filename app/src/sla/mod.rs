//! SLA policies: per inbox, targets for the first response, the next response (after
//! each customer message) and resolution, in business hours or wall-clock time. Each
//! open chat keeps its pending target and when it is due (in the write transaction of
//! the change that moves it); a watcher wakes at the next 80% mark or due time, alerts
//! the assignee and supervisors at 80%, and records a breach as an event.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

pub use crate::model::sla::{SlaAlert, Target};

/// An inbox's targets, in milliseconds (`None`: no target).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub first_response_ms: Option<i64>,
    pub next_response_ms: Option<i64>,
    pub resolution_ms: Option<i64>,
    /// Count only the inbox's business hours.
    pub business_hours: bool,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        self.first_response_ms.is_none() && self.next_response_ms.is_none() && self.resolution_ms.is_none()
    }
}

/// Where a chat stands, as the targets read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatState {
    /// The current cycle's start (the chat's start or its reopening).
    pub started_at: i64,
    pub first_response_at: Option<i64>,
    /// The customer's unanswered message, once the chat had its first response.
    pub awaiting_since: Option<i64>,
    pub closed: bool,
}

/// The pending target: which, when 80% of it has passed, and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub target: Target,
    pub warn_at: i64,
    pub due_at: i64,
}

/// The earliest pending target. `add(from, ms)` is the instant `ms` of counted time
/// after `from` (wall-clock, or the inbox's business hours); `None` if never.
pub fn pending(p: &Policy, s: &ChatState, add: impl Fn(i64, i64) -> Option<i64>) -> Option<Due> {
    if s.closed {
        return None;
    }
    let due = |target: Target, from: i64, ms: i64| {
        Some(Due { target, warn_at: add(from, ms * 4 / 5)?, due_at: add(from, ms)? })
    };
    let first = match (s.first_response_at, p.first_response_ms) {
        (None, Some(ms)) => due(Target::FirstResponse, s.started_at, ms),
        _ => None,
    };
    let next = match (s.first_response_at, s.awaiting_since, p.next_response_ms) {
        (Some(_), Some(since), Some(ms)) => due(Target::NextResponse, since, ms),
        _ => None,
    };
    let resolution = p.resolution_ms.and_then(|ms| due(Target::Resolution, s.started_at, ms));
    [first, next, resolution].into_iter().flatten().min_by_key(|d| d.due_at)
}

/// "due in 4 m", "breached 12 m ago", as the list and the chat show it.
pub fn state_label(now: i64, due_at: i64) -> String {
    let fmt = |ms: i64| {
        let m = ms / 60_000;
        match m {
            0 => format!("{} s", ms / 1000),
            1..=59 => format!("{m} m"),
            60..=1439 => format!("{} h {} m", m / 60, m % 60),
            _ => format!("{} d {} h", m / 1440, (m % 1440) / 60),
        }
    };
    if due_at >= now {
        format!("due in {}", fmt(due_at - now))
    } else {
        format!("breached {} ago", fmt(now - due_at))
    }
}

/// Minutes as an admin types them (empty: no target; 0.1 minute to 30 days).
pub fn parse_minutes(text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => match t.parse::<f64>() {
            Ok(m) if (0.1..=43_200.0).contains(&m) => Ok(Some((m * 60_000.0).round() as i64)),
            _ => Err(format!("{t:?} is not a target: give minutes from 0.1 to 43200, or leave it empty")),
        },
    }
}

/// A target in minutes, as the form shows it back.
pub fn minutes_text(ms: Option<i64>) -> String {
    ms.map(|ms| {
        let m = ms as f64 / 60_000.0;
        if m == m.trunc() { format!("{m:.0}") } else { format!("{m}") }
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn wall(from: i64, ms: i64) -> Option<i64> {
        Some(from + ms)
    }

    #[test]
    fn the_earliest_pending_target_is_due() {
        let p = Policy { first_response_ms: Some(10 * MIN), next_response_ms: Some(5 * MIN), resolution_ms: Some(60 * MIN), business_hours: false };
        let waiting = ChatState { started_at: 0, first_response_at: None, awaiting_since: None, closed: false };
        assert_eq!(pending(&p, &waiting, wall), Some(Due { target: Target::FirstResponse, warn_at: 8 * MIN, due_at: 10 * MIN }));
        // Answered; the customer wrote again at 50 min: the next response is due at 55.
        let asked = ChatState { first_response_at: Some(2 * MIN), awaiting_since: Some(50 * MIN), ..waiting };
        assert_eq!(pending(&p, &asked, wall), Some(Due { target: Target::NextResponse, warn_at: 54 * MIN, due_at: 55 * MIN }));
        // Answered and not waiting: resolution.
        let answered = ChatState { first_response_at: Some(2 * MIN), ..waiting };
        assert_eq!(pending(&p, &answered, wall).map(|d| (d.target, d.due_at)), Some((Target::Resolution, 60 * MIN)));
        assert_eq!(pending(&p, &ChatState { closed: true, ..waiting }, wall), None);
        assert_eq!(pending(&Policy::default(), &waiting, wall), None);
        // A schedule that never opens has nothing due.
        assert_eq!(pending(&p, &waiting, |_, _| None), None);
    }

    #[test]
    fn labels_and_minutes() {
        assert_eq!(state_label(0, 4 * MIN), "due in 4 m");
        assert_eq!(state_label(12 * MIN, 0), "breached 12 m ago");
        assert_eq!(state_label(0, 90 * MIN), "due in 1 h 30 m");
        assert_eq!(state_label(0, 30_000), "due in 30 s");
        assert_eq!(parse_minutes(" 15 "), Ok(Some(15 * MIN)));
        assert_eq!(parse_minutes(""), Ok(None));
        assert_eq!(parse_minutes("0.5"), Ok(Some(30_000)));
        assert!(parse_minutes("0").is_err() && parse_minutes("x").is_err() && parse_minutes("43201").is_err() && parse_minutes("NaN").is_err());
        assert_eq!(minutes_text(Some(15 * MIN)), "15");
        assert_eq!(minutes_text(Some(30_000)), "0.5");
        assert_eq!(minutes_text(None), "");
    }
}
