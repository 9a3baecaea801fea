//! Storage: one sqlx `Any` pool over SQLite (the embedded default) or PostgreSQL.
//!
//! Most SQL is shared: SQLite binds `$1`-style parameters by number, just like
//! PostgreSQL. Where the dialects differ, the query is written as [`Sql`] with both
//! texts side by side, so each query still lives in exactly one place.
mod errors;
pub mod group;
mod script;

pub use errors::constraint_name;
pub use script::Script;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::any::{Any as AnyType, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// An UPDATE or DELETE that touched no row names nothing that exists: a 404.
pub fn found(done: &sqlx::any::AnyQueryResult) -> crate::error::AppResult<()> {
    if done.rows_affected() == 0 {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(())
}

/// Placeholder `n` of a statement built at run time for `conn`. SQLite reads `$N` as
/// a named parameter and looks each one up among the names before it, quadratic in
/// their number: a 512-parameter insert took 1.4 ms to prepare against 0.7 ms with
/// the numbered `?N` (and 30,000 of them 1.5 s against 5 ms).
pub fn marker(conn: &AnyConnection) -> fn(usize) -> String {
    if conn.backend_name() == "SQLite" {
        |n| format!("?{n}")
    } else {
        |n| format!("${n}")
    }
}

/// A query whose text differs per dialect.
pub struct Sql {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    /// Long-lived helpers that domains attach to the handle (the conversations domain
    /// keeps its message committer here), by type, created on first use and shared
    /// by every clone. The database layer knows nothing of what they are.
    extensions: Arc<RwLock<HashMap<TypeId, Arc<dyn AnyType + Send + Sync>>>>,
    /// Counts the write transactions committed; the event pump and the jobs that react
    /// to writes each watch it (every watcher sees every change, unlike a `Notify`,
    /// whose `notify_one` woke just one of them: the pump then waited for its safety tick).
    commits: Arc<tokio::sync::watch::Sender<u64>>,
    /// SQLite: writers of this process wait their turn here, first come first served,
    /// instead of in SQLite's busy handler, which retries with growing sleeps and lets
    /// a steady writer (the message committer) starve an occasional one.
    writers: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction from [`Db::begin_write`]. It derefs to the connection, and its
/// [`WriteTx::commit`] also wakes whoever waits on [`Db::commits`] (the event pump),
/// so a write publishes its events by committing: no caller remembers to.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    commits: Arc<tokio::sync::watch::Sender<u64>>,
    /// The writer's turn (SQLite), given back after the transaction ends: declared
    /// after `tx`, so a dropped transaction rolls back first.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Begun without PostgreSQL's writer lock, which [`WriteTx::take_turn`] takes.
    late: bool,
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commits, then wakes the event pump.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
        Ok(())
    }

    /// Takes the writers' turn (PostgreSQL's lock) if the transaction began without it
    /// ([`Db::begin_write_late`]); nothing otherwise. Waits at most 100 ms: a writer
    /// that holds the turn longer is most likely waiting for a row this transaction
    /// has locked, so the caller rolls back and begins again in turn.
    pub async fn take_turn(&mut self) -> Result<(), sqlx::Error> {
        if self.late {
            let conn: &mut AnyConnection = &mut self.tx;
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
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("dialect", &self.dialect).finish_non_exhaustive()
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Per-connection settings. These are what make an acknowledged write durable:
/// WAL with `synchronous=FULL` fsyncs the log on every commit. Automatic checkpoints
/// are off: SQLite would run one inside whichever commit crosses 1000 pages, and that
/// send would wait for the database file's fsync. The server checkpoints in the
/// background instead ([`Db::checkpoint`]); one-off commands leave it to the close.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
PRAGMA busy_timeout = 5000;
PRAGMA secure_delete = ON;
PRAGMA wal_autocheckpoint = 0;";
/// PostgreSQL's advisory lock that serialises writers, as SQL (its key is arbitrary
/// and fixed: 0x5357_4252_4400).
macro_rules! writers_lock {
    () => {
        "pg_advisory_xact_lock(91634239947776)"
    };
}
/// Begins a write transaction on PostgreSQL holding the writers' lock.
const BEGIN_LOCKED: &str = concat!("BEGIN; SELECT ", writers_lock!());
/// The same lock, taken inside a transaction begun without it, with a deadline.
const TAKE_TURN: &str = concat!("SET LOCAL lock_timeout = '100ms'; SELECT ", writers_lock!(), "; SET LOCAL lock_timeout = 0");
/// How long a PostgreSQL connection may stay idle in the pool before it is pinged again.
const IDLE_PING: Duration = Duration::from_secs(1);
/// [`TAKE_TURN`] as a `WITH` item: PostgreSQL evaluates a target list in order.
const TURN_CLAUSE: &str = concat!("turn AS MATERIALIZED (SELECT set_config('lock_timeout', '100ms', true) AS deadline, ",
    writers_lock!(), " AS taken, set_config('lock_timeout', '0', true) AS reset)");
const POSTGRES_SETTINGS: &str = "SET synchronous_commit = on";

impl Db {
    pub fn dialect_of(url: &str) -> Result<Dialect, String> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Dialect::Postgres)
        } else {
            Err(format!("unsupported DATABASE_URL {url:?}: use sqlite://PATH or postgres://…"))
        }
    }

    /// Connects, creating the SQLite file (and its folder) when missing.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let dialect = Self::dialect_of(url).map_err(|e| sqlx::Error::Configuration(e.into()))?;
        let url = match dialect {
            Dialect::Sqlite => prepare_sqlite_url(url)?,
            Dialect::Postgres => url.to_string(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 8,
                Dialect::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // A ping before each use costs a round trip on every query (to SQLite's
            // thread, or to PostgreSQL). An embedded SQLite connection cannot drop; a
            // PostgreSQL connection is pinged when it has been idle for a while, as a
            // server restarted meanwhile would have closed it.
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if dialect == Dialect::Postgres && meta.idle_for >= IDLE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    let settings = match dialect {
                        Dialect::Sqlite => SQLITE_PRAGMAS,
                        Dialect::Postgres => POSTGRES_SETTINGS,
                    };
                    conn.execute(sqlx::raw_sql(settings)).await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Db { pool, dialect, extensions: Arc::default(), commits: Arc::new(tokio::sync::watch::channel(0).0), writers: Arc::default() })
    }

    /// The helper of type `T` attached to this handle, made by `init` on first use.
    /// `init` gets a handle on the same pool without the attached helpers, so a task
    /// that owns it does not keep itself alive: it ends once every handle is gone.
    pub fn extension<T: Send + Sync + 'static>(&self, init: impl FnOnce(Db) -> T) -> Arc<T> {
        let key = TypeId::of::<T>();
        let found = self.extensions.read().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        let any = match found {
            Some(x) => x,
            None => {
                let mut map = self.extensions.write().unwrap_or_else(|p| p.into_inner());
                map.entry(key)
                    .or_insert_with(|| {
                        let detached = self.detached();
                        Arc::new(init(detached)) as Arc<dyn AnyType + Send + Sync>
                    })
                    .clone()
            }
        };
        any.downcast::<T>().expect("an extension is stored under its own type")
    }

    /// The same pool and commit signal, without the attached helpers.
    fn detached(&self) -> Db {
        Db {
            pool: self.pool.clone(),
            dialect: self.dialect,
            extensions: Arc::default(),
            commits: self.commits.clone(),
            writers: self.writers.clone(),
        }
    }

    /// A watch on the commits: `changed()` resolves once a write transaction has
    /// committed since the last look (the value is how many have).
    pub fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    /// Attaches a helper of type `T` made by `init`, replacing one made before.
    pub fn set_extension<T: Send + Sync + 'static>(&self, init: impl FnOnce(Db) -> T) {
        let detached = self.detached();
        let value = Arc::new(init(detached)) as Arc<dyn AnyType + Send + Sync>;
        self.extensions.write().unwrap_or_else(|p| p.into_inner()).insert(TypeId::of::<T>(), value);
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATOR.run(&self.pool).await,
            Dialect::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The text of a per-dialect query for this database.
    pub fn sql(&self, sql: &Sql) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => sql.sqlite,
            Dialect::Postgres => sql.postgres,
        }
    }

    /// A transaction that reads and then writes. On SQLite it takes the write lock up
    /// front (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot upgrade
    /// once another connection has committed, and would fail with SQLITE_BUSY. Writers
    /// of this process take turns first (a fair queue), so none starves; a write
    /// transaction must never begin another.
    ///
    /// On PostgreSQL it takes a transaction-scoped advisory lock for the same effect:
    /// writers then commit one at a time, in the order their event ids were drawn from
    /// the sequence, so a reader following `id > last` never skips an event whose
    /// transaction committed late.
    ///
    /// Committing the returned guard wakes the event pump: the write's events go out
    /// at once, without the caller publishing anything.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let (tx, turn) = match self.dialect {
            Dialect::Sqlite => {
                let turn = self.writers.clone().lock_owned().await;
                (self.pool.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            // One round trip: the lock is taken by the statement that begins.
            Dialect::Postgres => (self.pool.begin_with(BEGIN_LOCKED).await?, None),
        };
        Ok(WriteTx { tx, commits: self.commits.clone(), _turn: turn, late: false })
    }

    /// [`Db::begin_write`] for a writer that locks the rows it changes first, in the
    /// order of their ids, writes them, and then takes the writers' turn
    /// ([`WriteTx::take_turn`]) to append its events and commit: on PostgreSQL the lock
    /// that orders the log is then held for those last steps only. The same as
    /// `begin_write` on SQLite, whose writers take turns for whole transactions.
    pub async fn begin_write_late(&self) -> Result<WriteTx, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.begin_write().await,
            Dialect::Postgres => Ok(WriteTx { tx: self.pool.begin().await?, commits: self.commits.clone(), _turn: None, late: true }),
        }
    }

    /// Copies the WAL into the database file without blocking readers or the writer
    /// (SQLite; nothing to do on PostgreSQL). The server calls it every second.
    pub async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        if self.dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Refreshes the query planner's statistics where SQLite judges them stale (tables
    /// never analysed, or grown tenfold since), reading at most a thousand rows of each
    /// index; nothing to do on PostgreSQL, whose autovacuum analyses. The server runs
    /// it hourly, so its plans rest on the same statistics as the benchmark's, whose
    /// seed runs `ANALYZE`.
    pub async fn optimize(&self) -> Result<(), sqlx::Error> {
        if self.dialect == Dialect::Sqlite {
            // It writes the statistics: in the writers' turn, like any other write.
            let mut tx = self.begin_write().await?;
            tx.execute(sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Used by `/readyz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// Reads one PRAGMA as text (SQLite only); used by tests and diagnostics.
    pub async fn pragma(&self, name: &str) -> Result<String, sqlx::Error> {
        use sqlx::Row;
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(sqlx::Error::Protocol(format!("bad pragma name {name}")));
        }
        let mut conn = self.pool.acquire().await?;
        let row: AnyRow = sqlx::query(&format!("PRAGMA {name}")).fetch_one(&mut *conn).await?;
        Ok(row
            .try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))?)
    }

    pub async fn close(&self) {
        self.pool.close().await
    }
}

/// `sqlite://data/x.db` → creates `data/` and asks SQLite to create the file.
fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(sqlx::Error::Configuration(
            "an in-memory SQLite database cannot be shared by a pool; give a file path".into(),
        ));
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                sqlx::Error::Configuration(format!("cannot create {}: {e}", parent.display()).into())
            })?;
        }
    }
    Ok(if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    })
}
