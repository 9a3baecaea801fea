//! Retention (GDPR): a conversation is deleted `retention_days` after it started, or,
//! when it is linked to a context (a test not yet graded), that many days after the
//! context was completed. Inboxes with no retention keep everything.
pub mod api;
#[cfg(feature = "ssr")]
pub mod purge;

use serde::{Deserialize, Serialize};

pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether a conversation is due for deletion at `now`.
///
/// `linked`: the conversation names a context; `completed_at`: when that context was
/// completed, if it was. The clock starts at the later of the start and the
/// completion, so completing an old context never deletes a young chat.
pub fn due(created_at: i64, linked: bool, completed_at: Option<i64>, retention_days: Option<i64>, now: i64) -> bool {
    let Some(days) = retention_days else { return false };
    let start = match (linked, completed_at) {
        (false, _) => created_at,
        (true, None) => return false,
        (true, Some(done)) => done.max(created_at),
    };
    now - start > days * DAY_MS
}

/// What the last purge did, for the admin page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PurgeReport {
    pub at: i64,
    pub conversations: u64,
    pub messages: u64,
    pub files: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_and_the_context_rule() {
        let n = Some(90);
        let t = 1_000_000;
        assert!(!due(t, false, None, n, t + 90 * DAY_MS - 1000), "N days - 1 s: kept");
        assert!(!due(t, false, None, n, t + 90 * DAY_MS), "exactly N days: kept");
        assert!(due(t, false, None, n, t + 90 * DAY_MS + 1000), "N days + 1 s: deleted");
        assert!(!due(t, false, None, None, i64::MAX / 2), "no retention keeps forever");
        assert!(!due(t, true, None, n, t + 900 * DAY_MS), "an open context waits");
        let done = t + 10 * DAY_MS;
        assert!(!due(t, true, Some(done), n, done + 90 * DAY_MS - 1000));
        assert!(due(t, true, Some(done), n, done + 90 * DAY_MS + 1000));
        assert!(!due(t, true, Some(t - 100 * DAY_MS), n, t + DAY_MS), "an old completion never shortens the period");
    }
}
