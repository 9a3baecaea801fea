//! Commits made durable outside the writers' turn.
//!
//! With `synchronous=FULL` SQLite syncs the WAL inside `COMMIT`, while the transaction
//! still holds the write lock: every writer waits for the last one's fsync before it
//! can begin, and at 32 messages a batch that sync was 1.6 of the 4.1 ms a batch took.
//! The writer's connection runs with `synchronous=NORMAL` instead, which writes the
//! same WAL frames at `COMMIT` (and still syncs the WAL before each checkpoint, the
//! database after it, and the WAL's header when the log begins again after a
//! checkpoint), and this module syncs the WAL file (`fdatasync`, what `FULL` calls)
//! after the turn has passed to the next writer.
//!
//! PostgreSQL's writers hold their advisory lock until their commit has been flushed
//! too. They commit with `synchronous_commit = off` (the commit record is in the WAL,
//! not yet flushed), and the sync is a transaction of its own with
//! `synchronous_commit = on` whose commit PostgreSQL flushes, and with it all the WAL
//! before (`SELECT txid_current()`, which gives it a transaction id and so a commit
//! record to flush).
//!
//! Nothing is acknowledged before that sync returns: [`super::WriteTx::commit`] waits
//! for it, and a caller that commits early ([`super::WriteTx::commit_early`]) holds a
//! [`Synced`] to await before it answers. So an acknowledged write is exactly as
//! durable as with `synchronous=FULL` or `synchronous_commit = on`; what changes is
//! that the next transaction's writes overlap this one's sync.
//!
//! Syncs are shared: a commit whose WAL an earlier sync already covered (it began
//! after the commit) waits for nothing more.
//!
//! Other connections keep syncing at their commits. A reader may see a commit a
//! millisecond or two before its sync returns, as it may see a PostgreSQL commit before
//! a replica has it; nothing it answers acknowledges a write.
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{watch, Mutex};

/// What the writer's connection runs when it is opened: its commits leave the sync to
/// [`Synced`]; and its statement journals stay in memory. A multi-row write inside a
/// transaction (a batch's messages, their events, their chats) keeps a copy of every
/// page it changes until it completes, and past 64 KiB SQLite spills that copy to a
/// temporary file: in a profile of the ingest a fifth of the writer thread's time went
/// to those copies, two thirds of it to writing the file. The writer's statements are
/// small; other connections keep their temporary files on disk.
pub const WRITER_PRAGMAS: [&str; 2] = ["PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY"];

/// What a sync makes durable.
enum Log {
    /// SQLite's WAL file.
    File(PathBuf),
    /// PostgreSQL's WAL, through a connection of its own that commits synchronously,
    /// taken from the pool and detached from it: a sync never waits in the pool's
    /// queue behind writers that wait for the lock (`None` after it failed, until the
    /// next sync takes another).
    Postgres(sqlx::AnyPool, Mutex<Option<sqlx::AnyConnection>>),
}

/// The WAL of one database, and how far its writers' commits are synced.
pub struct WalSync {
    log: Log,
    /// Commits made on the writer's connection, counted after each `COMMIT` returns.
    committed: AtomicU64,
    /// How many of those commits the last completed sync covered; held during a sync,
    /// so that the commits waiting behind it share the next one.
    synced: Mutex<u64>,
    /// Whether the folder holding the WAL was synced (once, for the file's entry).
    folder_synced: AtomicBool,
}

impl WalSync {
    /// For the SQLite database file at `db` (its WAL is `db` with `-wal` appended).
    pub fn file(db: &Path) -> WalSync {
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        WalSync::new(Log::File(wal.into()))
    }

    /// For a PostgreSQL database, synced through a connection taken from `pool` now.
    pub async fn postgres(pool: sqlx::AnyPool) -> Result<WalSync, sqlx::Error> {
        let conn = pool.acquire().await?.detach();
        Ok(WalSync::new(Log::Postgres(pool, Mutex::new(Some(conn)))))
    }

    fn new(log: Log) -> WalSync {
        WalSync { log, committed: AtomicU64::new(0), synced: Mutex::new(0), folder_synced: AtomicBool::new(false) }
    }

    /// Counts a commit whose `COMMIT` has returned: its frames are in the WAL file
    /// (not yet synced). Returns its number, for [`WalSync::sync`].
    pub fn committed(&self) -> u64 {
        self.committed.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Returns once commit number `upto` is on disk: at once if a sync begun after it
    /// was written has completed, else after a sync of the WAL file.
    pub async fn sync(&self, upto: u64) -> Result<(), sqlx::Error> {
        let mut synced = self.synced.lock().await;
        if *synced >= upto {
            return Ok(());
        }
        // Every commit counted by now has its frames written: this sync covers them.
        let covers = self.committed.load(Ordering::SeqCst);
        match &self.log {
            Log::File(wal) => {
                let (wal, folder) = (wal.clone(), !self.folder_synced.load(Ordering::Relaxed));
                tokio::task::spawn_blocking(move || sync_file(&wal, folder)).await.map_err(io::Error::other)??;
                self.folder_synced.store(true, Ordering::Relaxed);
            }
            Log::Postgres(pool, conn) => {
                let mut conn = conn.lock().await;
                let mut taken = match conn.take() {
                    Some(c) => c,
                    None => pool.acquire().await?.detach(),
                };
                sqlx::query("SELECT txid_current()").execute(&mut taken).await?;
                *conn = Some(taken);
            }
        }
        *synced = covers;
        Ok(())
    }

    /// Closes PostgreSQL's sync connection (at shutdown; a later sync takes another).
    pub async fn close(&self) {
        if let Log::Postgres(_, conn) = &self.log {
            if let Some(conn) = conn.lock().await.take() {
                let _ = sqlx::Connection::close(conn).await;
            }
        }
    }

    /// (commits counted, commits synced), for tests and diagnostics.
    pub async fn progress(&self) -> (u64, u64) {
        let synced = *self.synced.lock().await;
        (self.committed.load(Ordering::SeqCst), synced)
    }
}

/// `fdatasync` of the file at `path` (opened anew each time, so a WAL file SQLite
/// removed and made again is the one synced), and of its folder if `folder`.
fn sync_file(path: &Path, folder: bool) -> io::Result<()> {
    std::fs::File::open(path)?.sync_data()?;
    if folder {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)?.sync_all()?;
        }
    }
    Ok(())
}

/// A commit that is made and visible, durable once [`Synced::wait`] returns.
#[must_use = "a commit is durable, and its events go out, once this is awaited"]
pub struct Synced {
    upto: Option<(Arc<WalSync>, u64)>,
    commits: Arc<watch::Sender<u64>>,
}

impl Synced {
    pub(super) fn new(upto: Option<(Arc<WalSync>, u64)>, commits: Arc<watch::Sender<u64>>) -> Synced {
        Synced { upto, commits }
    }

    /// Waits until the commit is durable, then wakes the event pump (also when the
    /// sync failed: the commit is visible all the same).
    pub async fn wait(self) -> Result<(), sqlx::Error> {
        let synced = match &self.upto {
            Some((wal, upto)) => wal.sync(*upto).await,
            None => Ok(()),
        };
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
        synced
    }
}
