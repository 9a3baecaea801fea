//! The conversation status rules, as plain functions: New on start, Open when an agent
//! first replies, Closed by an agent; a customer message on a closed conversation
//! reopens it (Open if someone is assigned, New otherwise).
use super::{CloseReason, Status};

/// What a customer message does to the status.
pub fn after_customer_message(status: Status, has_assignee: bool) -> Status {
    match status {
        Status::Closed if has_assignee => Status::Open,
        Status::Closed => Status::New,
        other => other,
    }
}

/// What an agent's public reply does to the status.
pub fn after_agent_reply(status: Status) -> Status {
    match status {
        Status::New => Status::Open,
        other => other,
    }
}

/// Closing is allowed from New or Open; closing a closed conversation is a no-op.
pub fn close(status: Status, reason: CloseReason) -> Option<(Status, CloseReason)> {
    match status {
        Status::Closed => None,
        _ => Some((Status::Closed, reason)),
    }
}

/// The system line shown in the conversation for a status change.
pub fn status_line(to: Status, reason: Option<CloseReason>, actor: Option<&str>) -> String {
    match (to, reason, actor) {
        (Status::Closed, Some(CloseReason::Solved), Some(a)) => format!("{a} marked the conversation as solved"),
        (Status::Closed, Some(CloseReason::Cancelled), _) => "This chat was cancelled by support.".to_string(),
        (Status::Closed, _, Some(a)) => format!("{a} closed the conversation"),
        (Status::Closed, _, None) => "The conversation was closed".to_string(),
        (Status::Open, _, Some(a)) => format!("{a} opened the conversation"),
        (Status::Open, _, None) => "The conversation was reopened".to_string(),
        (Status::New, _, _) => "The conversation was reopened and is waiting for an agent".to_string(),
    }
}

/// The inbox's average wait after a chat that waited `waited_ms` was taken: the first
/// wait as it is, then A = 0.9·A′ + 0.1·W (recent waits count most).
pub fn next_wait_average(previous: Option<i64>, waited_ms: i64) -> i64 {
    match previous {
        None => waited_ms,
        Some(a) => (9 * a + waited_ms + 5) / 10,
    }
}

/// What the widget says about the wait: the average minus what this customer has
/// already waited, never below zero; `None` while the inbox has no history.
pub fn wait_estimate(average: Option<i64>, queued_at: i64, now: i64) -> Option<i64> {
    average.map(|a| (a - (now - queued_at).max(0)).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn customer_messages_reopen_closed_conversations() {
        assert_eq!(after_customer_message(Closed, true), Open);
        assert_eq!(after_customer_message(Closed, false), New);
        assert_eq!(after_customer_message(New, false), New);
        assert_eq!(after_customer_message(Open, true), Open);
        assert_eq!(after_customer_message(Open, false), Open);
    }

    #[test]
    fn the_first_agent_reply_opens() {
        assert_eq!(after_agent_reply(New), Open);
        assert_eq!(after_agent_reply(Open), Open);
        assert_eq!(after_agent_reply(Closed), Closed, "replying on a closed chat keeps it closed");
    }

    #[test]
    fn closing_records_the_reason_once() {
        assert_eq!(close(New, CloseReason::Solved), Some((Closed, CloseReason::Solved)));
        assert_eq!(close(Open, CloseReason::Closed), Some((Closed, CloseReason::Closed)));
        assert_eq!(close(Closed, CloseReason::Cancelled), None);
    }

    #[test]
    fn the_wait_average_moves_a_tenth_of_the_way() {
        assert_eq!(next_wait_average(None, 60_000), 60_000, "the first wait is the average");
        assert_eq!(next_wait_average(Some(60_000), 160_000), 70_000);
        assert_eq!(next_wait_average(Some(70_000), 0), 63_000);
    }

    #[test]
    fn the_estimate_subtracts_the_wait_so_far() {
        assert_eq!(wait_estimate(None, 0, 10_000), None, "no history: no estimate");
        assert_eq!(wait_estimate(Some(120_000), 1_000, 31_000), Some(90_000));
        assert_eq!(wait_estimate(Some(120_000), 0, 500_000), Some(0), "never below zero");
    }

    #[test]
    fn status_lines_name_the_actor() {
        assert_eq!(status_line(Closed, Some(CloseReason::Closed), Some("Alex")), "Alex closed the conversation");
        assert!(status_line(New, None, None).contains("waiting"));
    }
}
