//! Storage: one sqlx `Any` pool over SQLite (the embedded default) or PostgreSQL.
//!
//! Most SQL is shared: SQLite binds `$1`-style parameters by number, just like
//! PostgreSQL. Where the dialects differ, the query is written as [`Sql`] with both
//! texts side by side, so each query still lives in exactly one place.
mod errors;
pub mod group;
mod script;
mod wal;
mod write;

pub use errors::constraint_name;
pub use script::Script;
pub use wal::Synced;
pub use write::WriteTx;
use write::Writer;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor};
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
    /// a steady writer (the message committer) starve an occasional one; the turn
    /// holds the one connection every write transaction runs on ([`Writer`]).
    writers: Arc<tokio::sync::Mutex<Writer>>,
    /// The WAL's sync, which writers' commits await outside the turn.
    wal: Arc<wal::WalSync>,
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
/// How long a PostgreSQL connection may stay idle in the pool before it is pinged again.
const IDLE_PING: Duration = Duration::from_secs(1);
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
        let file = (dialect == Dialect::Sqlite).then(|| sqlite_path(&url).to_string());
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
        // The file exists once the pool has connected: its full path, so that a later
        // change of the working folder does not move the WAL that is synced.
        let wal = Arc::new(match file {
            Some(file) => wal::WalSync::file(&std::fs::canonicalize(&file)?),
            None => wal::WalSync::postgres(pool.clone()).await?,
        });
        Ok(Db { pool, dialect, extensions: Arc::default(), commits: Arc::new(tokio::sync::watch::channel(0).0), writers: Arc::default(), wal })
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
            wal: self.wal.clone(),
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

    /// (write transactions committed, those whose WAL sync has returned), for tests
    /// and diagnostics.
    pub async fn wal_progress(&self) -> (u64, u64) {
        self.wal.progress().await
    }

    pub async fn close(&self) {
        self.writers.lock().await.close().await;
        self.wal.close().await;
        self.pool.close().await
    }
}

/// The file path of a URL made by [`prepare_sqlite_url`].
fn sqlite_path(url: &str) -> &str {
    url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default()
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
