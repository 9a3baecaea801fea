//! The queue board: every inbox's waiting chats in order, as this instance last
//! computed them. [`react`](super::react) refreshes an inbox's row once per change to
//! its queue; each waiting customer's stream then looks up its own spot in the
//! board (a map lookup), so a change costs one query, not one per visitor.
use super::store::Waiting;
use super::QueueSpot;
use crate::conversations::lifecycle::wait_estimate;
use crate::db::Db;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy)]
struct Entry {
    position: u32,
    queued_at: i64,
    inbox_id: i64,
}

#[derive(Debug, Default)]
struct Rows {
    /// Each inbox's waiting chats, for replacing its row.
    by_inbox: HashMap<i64, Vec<i64>>,
    averages: HashMap<i64, Option<i64>>,
    spots: HashMap<i64, Entry>,
}

#[derive(Debug)]
pub struct Board {
    rows: RwLock<Rows>,
    /// Bumped after every refresh; streams wait on it.
    version: watch::Sender<u64>,
    /// Asks routing to look at every inbox again (a schedule changed).
    reroute: tokio::sync::Notify,
}

impl Default for Board {
    fn default() -> Self {
        Board { rows: RwLock::default(), version: watch::channel(0).0, reroute: tokio::sync::Notify::new() }
    }
}

/// This instance's board (one per database handle).
pub fn of(db: &Db) -> Arc<Board> {
    db.extension(|_| Board::default())
}

impl Board {
    /// Replaces an inbox's queue.
    pub fn set(&self, inbox_id: i64, waiting: &[Waiting], average: Option<i64>) {
        {
            let mut rows = self.rows.write().unwrap_or_else(|p| p.into_inner());
            if let Some(old) = rows.by_inbox.remove(&inbox_id) {
                for id in old {
                    // A chat that moved may already stand in another inbox's row.
                    if rows.spots.get(&id).is_some_and(|e| e.inbox_id == inbox_id) {
                        rows.spots.remove(&id);
                    }
                }
            }
            for (i, w) in waiting.iter().enumerate() {
                rows.spots.insert(w.id, Entry { position: i as u32 + 1, queued_at: w.queued_at, inbox_id });
            }
            rows.by_inbox.insert(inbox_id, waiting.iter().map(|w| w.id).collect());
            rows.averages.insert(inbox_id, average);
        }
        self.version.send_modify(|v| *v += 1);
    }

    /// Where a chat stands at `now` (`None`: not waiting).
    pub fn spot(&self, conversation_id: i64, now: i64) -> Option<QueueSpot> {
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        let e = rows.spots.get(&conversation_id)?;
        let average = rows.averages.get(&e.inbox_id).copied().flatten();
        Some(QueueSpot { position: e.position, estimate_ms: wait_estimate(average, e.queued_at, now) })
    }

    /// Asks this instance's routing to settle every inbox again, and to learn when
    /// each closed one opens.
    pub fn reroute(&self) {
        self.reroute.notify_one();
    }

    /// Resolves when [`Board::reroute`] was called.
    pub async fn rerouted(&self) {
        self.reroute.notified().await
    }

    /// Changes whenever any queue was refreshed.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(id: i64, queued_at: i64) -> Waiting {
        Waiting { id, queued_at }
    }

    #[test]
    fn spots_follow_the_latest_queue() {
        let b = Board::default();
        b.set(1, &[w(10, 0), w(11, 1_000), w(12, 2_000)], Some(60_000));
        assert_eq!(b.spot(12, 2_000), Some(QueueSpot { position: 3, estimate_ms: Some(60_000) }));
        assert_eq!(b.spot(11, 31_000), Some(QueueSpot { position: 2, estimate_ms: Some(30_000) }));
        // Chat 10 was taken.
        b.set(1, &[w(11, 1_000), w(12, 2_000)], Some(60_000));
        assert_eq!(b.spot(10, 3_000), None);
        assert_eq!(b.spot(12, 3_000).map(|s| s.position), Some(2));
    }

    #[test]
    fn a_moved_chat_stands_in_its_new_inbox() {
        let b = Board::default();
        b.set(1, &[w(10, 0)], None);
        b.set(2, &[w(20, 0), w(10, 5)], None);
        b.set(1, &[], None);
        assert_eq!(b.spot(10, 5), Some(QueueSpot { position: 2, estimate_ms: None }), "no history: no estimate");
    }

    #[test]
    fn every_refresh_is_announced() {
        let b = Board::default();
        let rx = b.watch();
        b.set(1, &[], None);
        assert!(rx.has_changed().unwrap());
    }
}
