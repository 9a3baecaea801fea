//! Group commit. With `synchronous=FULL` every commit waits for an fsync, and every
//! statement is a round trip to the database's thread. Writes that arrive together
//! therefore share one transaction: a single task takes every job waiting in its
//! queue, hands them to the batch function (which writes them in one transaction,
//! in as few statements as it can), and each caller is answered only after that
//! transaction has committed. An acknowledged write is still a committed one.
use super::Db;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};

/// The most jobs one transaction takes: bounds how long the write lock is held.
pub const MAX_BATCH: usize = 256;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Writes one batch in one transaction and answers each job.
pub type BatchFn<J> = fn(Db, Vec<J>) -> BoxFuture<'static, ()>;

/// Starts a committer over `db` (a handle without a queue of its own, so the task
/// ends when the last sender is dropped).
pub fn start<J: Send + 'static>(db: Db, batch: BatchFn<J>) -> mpsc::Sender<J> {
    let (tx, mut rx) = mpsc::channel::<J>(4096);
    tokio::spawn(async move {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        let mut last = 0;
        while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
            if last > 1 {
                gather(&mut rx, &mut jobs).await;
            }
            last = jobs.len();
            batch(db.clone(), std::mem::take(&mut jobs)).await;
        }
    });
    tx
}

/// Under load (the last batch held more than one job), the committer keeps taking jobs
/// while they still arrive, up to [`GAP`] apart and [`LINGER`] in all: the writers
/// just answered send again within a millisecond or two, and one transaction for all
/// of them costs little more than one for half. A lone write never waits.
const GAP: Duration = Duration::from_millis(1);
const LINGER: Duration = Duration::from_millis(3);

async fn gather<J>(rx: &mut mpsc::Receiver<J>, jobs: &mut Vec<J>) {
    let until = Instant::now() + LINGER;
    while jobs.len() < MAX_BATCH {
        let wait = GAP.min(until.saturating_duration_since(Instant::now()));
        if wait.is_zero() {
            break;
        }
        match tokio::time::timeout(wait, rx.recv_many(jobs, MAX_BATCH - jobs.len())).await {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}
