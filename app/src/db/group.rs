//! Group commit. With `synchronous=FULL` every commit waits for an fsync, and a disk
//! does only so many of those a second. Writes that arrive together therefore share
//! one transaction: a single task takes every job waiting in its queue, runs each
//! inside a savepoint of one write transaction, commits once, and only then answers
//! each caller. An acknowledged write is still a committed one; a job that fails rolls
//! back to its savepoint and takes nobody else with it.
use super::Db;
use crate::error::{AppError, AppResult};
use sqlx::AnyConnection;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::mpsc;

/// The most jobs one transaction takes: bounds how long the write lock is held.
const MAX_BATCH: usize = 256;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Called once the batch is over, with whether it committed.
pub type Reply = Box<dyn FnOnce(bool) + Send>;

/// A write that may share its transaction with others.
pub trait Job: Send {
    /// Runs inside the shared transaction: `(succeeded, reply)`.
    fn run<'c>(self: Box<Self>, conn: &'c mut AnyConnection, db: &'c Db) -> BoxFuture<'c, (bool, Reply)>;
    /// The transaction could not even start.
    fn abandon(self: Box<Self>, error: AppError);
}

pub type Queue = mpsc::Sender<Box<dyn Job>>;

/// Starts the committer for `db` (a handle without a queue of its own, so the task
/// ends when the last queue handle is dropped).
pub fn start(db: Db) -> Queue {
    let (tx, rx) = mpsc::channel(4096);
    tokio::spawn(run(db, rx));
    tx
}

async fn run(db: Db, mut rx: mpsc::Receiver<Box<dyn Job>>) {
    let mut jobs: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        batch(&db, std::mem::take(&mut jobs)).await;
    }
}

/// Boxed, so callers' futures need not prove `Send` through sqlx's executor bounds.
fn batch(db: &Db, jobs: Vec<Box<dyn Job>>) -> BoxFuture<'_, ()> {
    Box::pin(batch_inner(db, jobs))
}

async fn batch_inner(db: &Db, jobs: Vec<Box<dyn Job>>) {
    let mut tx = match db.begin_write().await {
        Ok(tx) => tx,
        Err(e) => {
            tracing::warn!(error = %e, "group commit cannot begin");
            for job in jobs {
                job.abandon(AppError::Unavailable);
            }
            return;
        }
    };
    // Alone, a job needs no savepoint: its failure rolls the transaction back.
    let alone = jobs.len() == 1;
    let mut replies = Vec::with_capacity(jobs.len());
    let mut broken = false;
    for job in jobs {
        if broken {
            job.abandon(AppError::Internal);
            continue;
        }
        if !alone && sqlx::query("SAVEPOINT grp").execute(&mut *tx).await.is_err() {
            broken = true;
            job.abandon(AppError::Internal);
            continue;
        }
        let (ok, reply) = job.run(&mut tx, db).await;
        replies.push((ok, reply));
        if alone {
            continue;
        }
        if !ok && sqlx::query("ROLLBACK TO SAVEPOINT grp").execute(&mut *tx).await.is_err() {
            broken = true;
        }
        if !broken && sqlx::query("RELEASE SAVEPOINT grp").execute(&mut *tx).await.is_err() {
            broken = true;
        }
    }
    let committed = if broken || (alone && !replies.first().is_some_and(|(ok, _)| *ok)) {
        let _ = tx.rollback().await;
        false
    } else {
        match tx.commit().await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "group commit failed");
                false
            }
        }
    };
    for (_, reply) in replies {
        reply(committed);
    }
}

/// Runs `job` through `db`'s committer; without one, in a transaction of its own.
pub async fn submit<T: Send + 'static>(
    db: &Db,
    make: impl FnOnce(tokio::sync::oneshot::Sender<AppResult<T>>) -> Box<dyn Job>,
) -> AppResult<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = make(tx);
    match db.queue() {
        Some(q) => {
            if let Err(mpsc::error::SendError(job)) = q.send(job).await {
                job.abandon(AppError::Internal);
            }
        }
        None => batch(db, vec![job]).await,
    }
    rx.await.map_err(|_| AppError::Internal)?
}

/// Answers a job's caller: its own result if it failed, else the batch's outcome.
pub fn reply<T: Send + 'static>(result: AppResult<T>, to: tokio::sync::oneshot::Sender<AppResult<T>>) -> (bool, Reply) {
    let ok = result.is_ok();
    let reply: Reply = Box::new(move |committed| {
        let _ = to.send(match result {
            Ok(_) if !committed => Err(AppError::Internal),
            other => other,
        });
    });
    (ok, reply)
}
