//! Customer satisfaction: when a chat is solved (and, if the inbox says so, closed)
//! the widget asks for a score from 1 to 5 and, for a 1 or a 2, what went wrong. One
//! rating per chat, which the customer may change for 7 days.
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use crate::conversations::{CloseReason, Status};
use serde::{Deserialize, Serialize};

/// How long after the first rating the customer may change it.
pub const EDIT_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
/// The longest comment kept.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// When an inbox asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ask {
    Off,
    /// When an agent marks the chat solved.
    Solved,
    /// When it is solved or closed (not when support cancels it).
    Closed,
}

impl Ask {
    pub fn as_str(self) -> &'static str {
        match self {
            Ask::Off => "off",
            Ask::Solved => "solved",
            Ask::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(Ask::Off),
            "solved" => Some(Ask::Solved),
            "closed" => Some(Ask::Closed),
            _ => None,
        }
    }

    /// Whether a chat that ended this way is asked about.
    pub fn asks(self, status: Status, reason: Option<CloseReason>) -> bool {
        match (self, status, reason) {
            (_, s, _) if s != Status::Closed => false,
            (Ask::Off, _, _) => false,
            (Ask::Solved, _, r) => r == Some(CloseReason::Solved),
            (Ask::Closed, _, r) => matches!(r, Some(CloseReason::Solved) | Some(CloseReason::Closed)),
        }
    }
}

/// A rating as the widget sends it, checked: a whole score from 1 to 5; the comment
/// trimmed (empty is none) and at most [`MAX_COMMENT_CHARS`].
pub fn checked(score: i64, comment: Option<&str>) -> Result<(i64, Option<String>), String> {
    if !(1..=5).contains(&score) {
        return Err("the score is a whole number from 1 to 5".into());
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(format!("the comment is at most {MAX_COMMENT_CHARS} characters"));
    }
    Ok((score, comment.map(str::to_string)))
}

/// Whether a rating first given at `rated_at` may still change at `now`.
pub fn editable(rated_at: Option<i64>, now: i64) -> bool {
    rated_at.is_none_or(|t| now - t < EDIT_WINDOW_MS)
}

/// What the widget shows about the survey of a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub score: Option<i64>,
    pub comment: Option<String>,
    /// Whether the customer may (still) rate or change their rating.
    pub editable: bool,
}

/// The line the agents see in the chat.
pub fn line(score: i64, comment: Option<&str>, changed: bool) -> String {
    let verb = if changed { "changed their rating to" } else { "rated this chat" };
    match comment {
        Some(c) => format!("The customer {verb} {score}/5: “{c}”"),
        None => format!("The customer {verb} {score}/5"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_is_asked() {
        use CloseReason::*;
        assert!(Ask::Solved.asks(Status::Closed, Some(Solved)));
        assert!(!Ask::Solved.asks(Status::Closed, Some(Closed)));
        assert!(Ask::Closed.asks(Status::Closed, Some(Closed)));
        assert!(!Ask::Closed.asks(Status::Closed, Some(Cancelled)), "a chat support cancelled is not rated");
        assert!(!Ask::Closed.asks(Status::Open, None), "only an ended chat");
        assert!(!Ask::Off.asks(Status::Closed, Some(Solved)));
    }

    #[test]
    fn ratings_are_checked() {
        assert_eq!(checked(4, Some("  ")), Ok((4, None)));
        assert_eq!(checked(1, Some(" slow ")), Ok((1, Some("slow".into()))));
        assert!(checked(0, None).is_err());
        assert!(checked(6, None).is_err());
        assert!(checked(3, Some(&"x".repeat(MAX_COMMENT_CHARS + 1))).is_err());
    }

    #[test]
    fn a_rating_can_change_for_seven_days() {
        assert!(editable(None, 0));
        assert!(editable(Some(0), EDIT_WINDOW_MS - 1));
        assert!(!editable(Some(0), EDIT_WINDOW_MS));
    }
}
