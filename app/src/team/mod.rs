//! Team chat: agents talking with each other about a case, live. A session starts
//! from a conversation, a service request or on its own; the originator invites
//! colleagues, who accept or decline (or let it time out). Off-the-record lines are
//! seen by their author and one chosen participant only, everywhere. When the
//! originator leaves, the session ends for everyone, and its transcript (without
//! off-the-record lines) and chat time go to the conversation or request.
pub mod api;
#[cfg(feature = "ssr")]
pub mod messages;
#[cfg(feature = "ssr")]
pub mod store;

use crate::accounts::Availability;
use serde::{Deserialize, Serialize};

/// How long an invitation waits for an answer.
pub const INVITE_TIMEOUT_MS: i64 = 2 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantState {
    Invited,
    Joined,
    Declined,
    Expired,
    Left,
}

impl ParticipantState {
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantState::Invited => "invited",
            ParticipantState::Joined => "joined",
            ParticipantState::Declined => "declined",
            ParticipantState::Expired => "expired",
            ParticipantState::Left => "left",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invited, Self::Joined, Self::Declined, Self::Expired, Self::Left].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub agent_id: i64,
    pub name: String,
    pub state: ParticipantState,
    pub presence: Availability,
}

/// The chat timer: what has accrued, and since when it runs (`None`: paused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub accrued_ms: i64,
    pub running_since: Option<i64>,
}

impl Timer {
    pub fn elapsed(self, now: i64) -> i64 {
        self.accrued_ms + self.running_since.map(|s| (now - s).max(0)).unwrap_or(0)
    }
    pub fn pause(self, now: i64) -> Timer {
        Timer { accrued_ms: self.elapsed(now), running_since: None }
    }
    pub fn resume(self, now: i64) -> Timer {
        match self.running_since {
            Some(_) => self,
            None => Timer { accrued_ms: self.accrued_ms, running_since: Some(now) },
        }
    }
    /// Set by hand; keeps running if it was.
    pub fn set(self, ms: i64, now: i64) -> Timer {
        Timer { accrued_ms: ms.max(0), running_since: self.running_since.map(|_| now) }
    }
}

/// What the window's timer controls ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimerAction {
    Pause,
    Resume,
    Set { seconds: i64 },
}

/// "1:02:03" or "02:03".
pub fn clock_text(ms: i64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m:02}:{s:02}") }
}

pub use crate::model::team::TeamMessage;

/// A fresh read of a session's lines, laid over what the window shows: the read is
/// the truth up to its newest line, and lines that arrived live after it was taken
/// stay. (A read answered after a live line would otherwise drop that line.)
/// Lines of another session (the window moved on) are dropped.
pub fn merge_lines(shown: &[TeamMessage], session: i64, read: Vec<TeamMessage>) -> Vec<TeamMessage> {
    let newest = read.iter().map(|m| m.id).max().unwrap_or(0);
    let mut out = read;
    out.extend(shown.iter().filter(|m| m.session_id == session && m.id > newest).cloned());
    out.sort_by_key(|m| m.id);
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: i64,
    pub topic: String,
    pub originator_id: i64,
    pub conversation_id: Option<i64>,
    pub request_id: Option<i64>,
    pub active: bool,
    pub timer: Timer,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub participants: Vec<Participant>,
    /// The lines this viewer may read, oldest first.
    pub messages: Vec<TeamMessage>,
}

/// A session in the viewer's lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    pub topic: String,
    pub active: bool,
    pub my_state: ParticipantState,
    pub originator_name: String,
    pub created_at: i64,
    pub standalone: bool,
}

/// What an ended session left on a conversation or request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamTranscript {
    pub session_id: i64,
    pub topic: String,
    pub chat_time_ms: i64,
    pub lines: Vec<String>,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_pauses_resumes_and_is_set_by_hand() {
        let t = Timer { accrued_ms: 0, running_since: Some(1_000) };
        assert_eq!(t.elapsed(61_000), 60_000);
        let p = t.pause(61_000);
        assert_eq!((p.elapsed(999_999), p.running_since), (60_000, None), "paused time does not count");
        let r = p.resume(100_000);
        assert_eq!(r.elapsed(110_000), 70_000);
        assert_eq!(r.resume(105_000), r, "resuming a running timer changes nothing");
        let s = r.set(5_000, 120_000);
        assert_eq!(s.elapsed(121_000), 6_000, "set by hand, still running");
        assert_eq!(p.set(-5, 0).elapsed(10), 0);
        assert_eq!(clock_text(3_723_000), "1:02:03");
        assert_eq!(clock_text(62_000), "01:02");
    }

    fn line(id: i64) -> TeamMessage {
        TeamMessage {
            id,
            session_id: 1,
            author_id: Some(1),
            author_name: Some("Sam".into()),
            system: false,
            body: format!("line {id}"),
            off_record_to: None,
            off_record_to_name: None,
            client_id: None,
            created_at: id,
        }
    }

    #[test]
    fn a_late_read_keeps_the_lines_that_arrived_live_after_it() {
        let ids = |v: Vec<TeamMessage>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
        // Shown: 1, 2 and then 4 arrived live; the read was taken when 1..3 existed.
        let shown = vec![line(1), line(2), line(4)];
        assert_eq!(ids(merge_lines(&shown, 1, vec![line(1), line(2), line(3)])), vec![1, 2, 3, 4]);
        // A newer read is the truth: nothing doubles.
        assert_eq!(ids(merge_lines(&shown, 1, vec![line(1), line(2), line(3), line(4), line(5)])), vec![1, 2, 3, 4, 5]);
        // The first read of an empty window.
        assert_eq!(ids(merge_lines(&[], 1, vec![line(1)])), vec![1]);
        // The window moved to another session: the old one's lines go.
        assert_eq!(ids(merge_lines(&shown, 2, vec![])), Vec::<i64>::new());
    }
}
