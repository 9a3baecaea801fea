//! Write transactions: [`Db::begin_write`] and the [`WriteTx`] it returns.
//!
//! On SQLite every write transaction runs on one connection of its own, held by the
//! writers' turn and never given back to the pool. SQLite drops a connection's whole
//! page cache when it begins after another connection's commit, so writes spread over
//! the pool found the pages of the last one gone; and a pooled connection is pinged
//! on its way back (a trip to its thread), while the next writer already waits for
//! one.
//!
//! On both databases a commit gives the turn to the next writer before the WAL is
//! synced, and [`WriteTx::commit`] returns once it is ([`super::wal`]).
use super::{Db, Dialect};
use super::Script;
use super::wal::{Synced, WalSync};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, FromRow, Transaction};
use std::sync::Arc;
use tokio::sync::{watch, OwnedMappedMutexGuard, OwnedMutexGuard};

/// PostgreSQL's advisory lock that serialises writers, as SQL (its key is arbitrary
/// and fixed: 0x5357_4252_4400).
macro_rules! writers_lock {
    () => {
        "pg_advisory_xact_lock(91634239947776)"
    };
}
/// Begins a write transaction on PostgreSQL holding the writers' lock. A transaction
/// that holds it commits without waiting for the WAL's flush, so that the lock passes
/// on before the flush; [`WriteTx::commit`] waits for it after ([`super::wal`]).
const BEGIN_LOCKED: &str = concat!("BEGIN; SELECT ", writers_lock!(), "; SET LOCAL synchronous_commit = off");
/// The same lock, taken inside a transaction begun without it, with a deadline.
const TAKE_TURN: &str =
    concat!("SET LOCAL lock_timeout = '100ms'; SELECT ", writers_lock!(), "; SET LOCAL lock_timeout = 0; SET LOCAL synchronous_commit = off");
/// [`TAKE_TURN`] as a `WITH` item: PostgreSQL evaluates a target list in order.
const TURN_CLAUSE: &str = concat!("turn AS MATERIALIZED (SELECT set_config('lock_timeout', '100ms', true) AS deadline, ",
    writers_lock!(), " AS taken, set_config('lock_timeout', '0', true) AS reset, set_config('synchronous_commit', 'off', true) AS early)");

/// SQLite's writer connection, taken from the pool on the first write (so it has the
/// pool's settings) and kept; `None` before, or after it failed to begin.
#[derive(Default)]
pub struct Writer(Option<AnyConnection>);

impl Writer {
    /// Closes the connection (at shutdown: the last to close checkpoints the WAL).
    pub async fn close(&mut self) {
        if let Some(conn) = self.0.take() {
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

enum Conn {
    /// PostgreSQL: a pooled connection's transaction (`None` once it ended).
    Pooled(Option<Transaction<'static, Any>>),
    /// SQLite: the writer's connection, held with the turn, while the transaction is
    /// open (`None` once it ended). Its `BEGIN`, `COMMIT` and `ROLLBACK` are sent as
    /// plain statements, so that `BEGIN` can go with the transaction's first read.
    Writer(Option<OwnedMappedMutexGuard<Writer, AnyConnection>>),
}

/// A write transaction from [`Db::begin_write`]. It derefs to the connection, and its
/// [`WriteTx::commit`] also wakes whoever waits on [`Db::commits`] (the event pump),
/// so a write publishes its events by committing: no caller remembers to.
pub struct WriteTx {
    conn: Conn,
    commits: Arc<watch::Sender<u64>>,
    /// The WAL's sync, which makes its commits durable ([`super::wal`]).
    wal: Arc<WalSync>,
    /// Begun without PostgreSQL's writer lock, which [`WriteTx::take_turn`] takes.
    late: bool,
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.conn {
            Conn::Pooled(Some(tx)) => tx,
            Conn::Writer(Some(conn)) => conn,
            Conn::Pooled(None) | Conn::Writer(None) => unreachable!("a transaction is used only until it ends"),
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            Conn::Pooled(Some(tx)) => tx,
            Conn::Writer(Some(conn)) => conn,
            Conn::Pooled(None) | Conn::Writer(None) => unreachable!("a transaction is used only until it ends"),
        }
    }
}

impl Drop for WriteTx {
    /// A transaction dropped before it ended is rolled back: on SQLite's writer
    /// connection by a task that keeps the turn until the rollback is done (a pooled
    /// transaction queues its own).
    fn drop(&mut self) {
        if let Conn::Writer(conn) = &mut self.conn {
            if let (Some(mut conn), Ok(rt)) = (conn.take(), tokio::runtime::Handle::try_current()) {
                rt.spawn(async move {
                    let _ = conn.execute("ROLLBACK").await;
                });
            }
        }
    }
}

impl WriteTx {
    /// Commits durably, then wakes the event pump.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.commit_early().await?.wait().await
    }

    /// Commits and gives the writers' turn to the next writer; the commit is durable,
    /// and the event pump woken, once the returned [`Synced`] is awaited. On SQLite the
    /// WAL's sync then runs while the next writer writes ([`super::wal`]); on
    /// PostgreSQL the commit is durable already.
    pub async fn commit_early(mut self) -> Result<Synced, sqlx::Error> {
        let mut upto = None;
        match &mut self.conn {
            Conn::Pooled(tx) => {
                if let Some(tx) = tx.take() {
                    tx.commit().await?;
                    upto = Some((self.wal.clone(), self.wal.committed()));
                }
            }
            Conn::Writer(conn) => {
                if let Some(mut conn) = conn.take() {
                    if let Err(e) = conn.execute("COMMIT").await {
                        let _ = conn.execute("ROLLBACK").await;
                        return Err(e);
                    }
                    upto = Some((self.wal.clone(), self.wal.committed()));
                    // `conn`, the turn, is released here, before the sync.
                }
            }
        }
        Ok(Synced::new(upto, self.commits.clone()))
    }

    /// Takes the writers' turn (PostgreSQL's lock) if the transaction began without it
    /// ([`Db::begin_write_late`]); nothing otherwise. Waits at most 100 ms: a writer
    /// that holds the turn longer is most likely waiting for a row this transaction
    /// has locked, so the caller rolls back and begins again in turn.
    pub async fn take_turn(&mut self) -> Result<(), sqlx::Error> {
        if self.late {
            let conn: &mut AnyConnection = self;
            conn.execute(sqlx::raw_sql(TAKE_TURN)).await?;
            self.late = false;
        }
        Ok(())
    }

    /// When the transaction has still to take the writers' turn, the `WITH` item that
    /// takes it (`turn`, one row, with the same deadline as [`WriteTx::take_turn`]),
    /// for the caller's next statement to join, so that the turn costs no round trip
    /// of its own; `None` when the turn is held already. From then on the turn counts
    /// as taken: that statement must draw the transaction's first event ids, and if it
    /// fails the caller rolls back.
    pub fn turn_clause(&mut self) -> Option<&'static str> {
        std::mem::take(&mut self.late).then_some(TURN_CLAUSE)
    }

    /// Rolls back (dropping the guard does the same, later).
    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        match &mut self.conn {
            Conn::Pooled(tx) => match tx.take() {
                Some(tx) => tx.rollback().await,
                None => Ok(()),
            },
            Conn::Writer(conn) => match conn.take() {
                Some(mut conn) => conn.execute("ROLLBACK").await.map(|_| ()),
                None => Ok(()),
            },
        }
    }
}

impl Db {
    /// A transaction that reads and then writes. On SQLite it takes the write lock up
    /// front (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot upgrade
    /// once another connection has committed, and would fail with SQLITE_BUSY. Writers
    /// of this process take turns first (a fair queue), so none starves, and run on
    /// the writer's connection ([`Writer`]); a write transaction must never begin
    /// another.
    ///
    /// On PostgreSQL it takes a transaction-scoped advisory lock for the same effect:
    /// writers then commit one at a time, in the order their event ids were drawn from
    /// the sequence, so a reader following `id > last` never skips an event whose
    /// transaction committed late.
    ///
    /// Committing the returned guard wakes the event pump: the write's events go out
    /// at once, without the caller publishing anything.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let conn = match self.dialect {
            Dialect::Sqlite => {
                let (conn, _) = self.begin_writer(None).await?;
                Conn::Writer(Some(conn))
            }
            // One round trip: the lock is taken by the statement that begins.
            Dialect::Postgres => Conn::Pooled(Some(self.pool.begin_with(BEGIN_LOCKED).await?)),
        };
        Ok(WriteTx { conn, commits: self.commits.clone(), wal: self.wal.clone(), late: false })
    }

    /// [`Db::begin_write`] for a writer that locks the rows it changes first, in the
    /// order of their ids, writes them, and then takes the writers' turn
    /// ([`WriteTx::take_turn`]) to append its events and commit: on PostgreSQL the lock
    /// that orders the log is then held for those last steps only. The same as
    /// `begin_write` on SQLite, whose writers take turns for whole transactions.
    pub async fn begin_write_late(&self) -> Result<WriteTx, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.begin_write().await,
            Dialect::Postgres => Ok(WriteTx { conn: Conn::Pooled(Some(self.pool.begin().await?)), commits: self.commits.clone(), wal: self.wal.clone(), late: true }),
        }
    }
}

impl Db {
    /// [`Db::begin_write`] on SQLite, with the transaction's first read (`read`, its text
    /// and values) sent with its `BEGIN` in one call; that read's rows.
    pub async fn begin_write_reading<R>(&self, read: Script<'_>, statement: &str) -> Result<(WriteTx, Vec<R>), sqlx::Error>
    where
        R: for<'r> FromRow<'r, AnyRow>,
    {
        if self.dialect != Dialect::Sqlite {
            return Err(sqlx::Error::Configuration("a write transaction begins with a read on SQLite only".into()));
        }
        let (conn, rows) = self.begin_writer(Some((read, statement))).await?;
        let tx = WriteTx { conn: Conn::Writer(Some(conn)), commits: self.commits.clone(), wal: self.wal.clone(), late: false };
        // Dropping `tx` on a row that does not decode rolls back.
        let rows = rows.iter().map(R::from_row).collect::<Result<Vec<R>, _>>()?;
        Ok((tx, rows))
    }

    /// `BEGIN IMMEDIATE` in the writers' turn on the writer's connection (taken from the
    /// pool the first time), with `read` if any, and its rows. When it fails, the
    /// transaction is rolled back in case it began, and the connection is closed: the
    /// next writer takes a new one.
    async fn begin_writer(&self, read: Option<(Script<'_>, &str)>) -> Result<(WriterConn, Vec<AnyRow>), sqlx::Error> {
        let mut writer = self.writers.clone().lock_owned().await;
        if writer.0.is_none() {
            let mut conn = self.pool.acquire().await?.detach();
            // Its commits leave the WAL's sync to `Synced`, outside the turn.
            for pragma in super::wal::WRITER_PRAGMAS {
                conn.execute(pragma).await?;
            }
            writer.0 = Some(conn);
        }
        let Some(conn) = writer.0.as_mut() else { return Err(sqlx::Error::PoolClosed) };
        let began = match read {
            None => conn.execute("BEGIN IMMEDIATE").await.map(|_| Vec::new()),
            Some((mut script, statement)) => {
                script.prepend("BEGIN IMMEDIATE");
                script.fetch_rows(conn, statement).await
            }
        };
        match began {
            Ok(rows) => Ok((OwnedMutexGuard::try_map(writer, |w| w.0.as_mut()).map_err(|_| sqlx::Error::PoolClosed)?, rows)),
            Err(e) => {
                let _ = conn.execute("ROLLBACK").await;
                writer.close().await;
                Err(e)
            }
        }
    }
}

type WriterConn = OwnedMappedMutexGuard<Writer, AnyConnection>;
