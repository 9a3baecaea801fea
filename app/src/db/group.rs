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
        while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
            batch(db.clone(), std::mem::take(&mut jobs)).await;
        }
    });
    tx
}
