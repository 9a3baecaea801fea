//! Store round-trips, identical on SQLite and PostgreSQL.
use app::accounts::{store as agents, Role};
use app::db::Dialect;
use app::error::AppError;
use app::inboxes::{store as inboxes, MemberRole};
use crate::common::{T0};

test_both_dbs!(sqlite_pragmas_are_durable_and_strict, |db| async move {
    if db.dialect() != Dialect::Sqlite {
        let sync: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(db.pool()).await.unwrap();
        assert_eq!(sync, "on");
        return;
    }
    assert_eq!(db.pragma("journal_mode").await.unwrap(), "wal");
    assert_eq!(db.pragma("synchronous").await.unwrap(), "2", "FULL");
    assert_eq!(db.pragma("foreign_keys").await.unwrap(), "1");
    assert_eq!(db.pragma("busy_timeout").await.unwrap(), "5000");
    assert_eq!(db.pragma("secure_delete").await.unwrap(), "1");
    assert_eq!(db.pragma("wal_autocheckpoint").await.unwrap(), "0", "checkpoints run in the background");
});

// The hourly job gives the planner statistics for a table that never had any.
test_both_dbs!(optimize_analyses_tables_without_statistics, |db| async move {
    for n in 0..30 {
        let new = agents::NewAgent { email: &format!("a{n}@x.io"), name: "A", role: Role::Operator, password_hash: "h" };
        agents::insert(&db, new, T0).await.unwrap();
    }
    db.optimize().await.unwrap();
    if db.dialect() != Dialect::Sqlite {
        return; // PostgreSQL's autovacuum analyses: nothing to do, and nothing broke.
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'agents'").fetch_one(db.pool()).await.unwrap();
    assert!(rows > 0, "agents analysed");
});

test_both_dbs!(agents_round_trip, |db| async move {
    let new = agents::NewAgent { email: " Ana@Example.COM ", name: "Ana", role: Role::Supervisor, password_hash: "h" };
    let id = agents::insert(&db, new, T0).await.unwrap();
    let found = agents::find_by_email(&db, "ana@example.com").await.unwrap().unwrap();
    assert_eq!((found.id, found.email.as_str(), found.role()), (id, "ana@example.com", Role::Supervisor));
    assert!(found.is_active());

    let dup = agents::NewAgent { email: "ANA@example.com", name: "Other", role: Role::Operator, password_hash: "h" };
    match agents::insert(&db, dup, T0).await {
        Err(AppError::Conflict(msg)) => assert!(msg.contains("email"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }

    agents::set_active(&db, id, false, T0 + 5).await.unwrap();
    assert_eq!(agents::get(&db, id).await.unwrap().deactivated_at, Some(T0 + 5));
    assert_eq!(agents::set_active(&db, 9999, false, T0).await, Err(AppError::NotFound));
    assert_eq!(agents::list(&db).await.unwrap().len(), 1);
});

test_both_dbs!(sessions_expire_and_die_with_deactivation, |db| async move {
    let new = agents::NewAgent { email: "s@x.io", name: "S", role: Role::Operator, password_hash: "h" };
    let id = agents::insert(&db, new, T0).await.unwrap();
    agents::insert_session(&db, "hash-1", id, T0, T0 + 1000).await.unwrap();
    assert_eq!(agents::agent_for_session(&db, "hash-1", T0 + 999).await.unwrap().map(|a| a.id), Some(id));
    assert!(agents::agent_for_session(&db, "hash-1", T0 + 1000).await.unwrap().is_none(), "expired");
    assert!(agents::agent_for_session(&db, "nope", T0).await.unwrap().is_none());

    agents::insert_session(&db, "hash-2", id, T0, T0 + 10_000).await.unwrap();
    agents::set_active(&db, id, false, T0).await.unwrap();
    assert!(agents::agent_for_session(&db, "hash-2", T0).await.unwrap().is_none(), "sessions ended");
});

test_both_dbs!(inboxes_and_membership_round_trip, |db| async move {
    let op = agents::insert(&db, agents::NewAgent { email: "o@x.io", name: "O", role: Role::Operator, password_hash: "h" }, T0).await.unwrap();
    let sup = agents::insert(&db, agents::NewAgent { email: "p@x.io", name: "P", role: Role::Supervisor, password_hash: "h" }, T0).await.unwrap();
    let admin = agents::insert(&db, agents::NewAgent { email: "a@x.io", name: "A", role: Role::Admin, password_hash: "h" }, T0).await.unwrap();
    let support = inboxes::create(&db, "Support", T0).await.unwrap();
    let billing = inboxes::create(&db, "Billing", T0).await.unwrap();
    assert!(matches!(inboxes::create(&db, "Support", T0).await, Err(AppError::Conflict(_))));
    assert!(matches!(inboxes::create(&db, "  ", T0).await, Err(AppError::Unprocessable(_))));

    inboxes::set_member(&db, support, op, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(&db, billing, sup, Some(MemberRole::Operator)).await.unwrap();
    // Upsert changes the role in place.
    inboxes::set_member(&db, billing, sup, Some(MemberRole::Supervisor)).await.unwrap();
    assert!(matches!(
        inboxes::set_member(&db, billing, op, Some(MemberRole::Supervisor)).await,
        Err(AppError::Unprocessable(_))
    ));
    assert_eq!(inboxes::set_member(&db, 999, op, Some(MemberRole::Operator)).await, Err(AppError::NotFound));

    let seen: Vec<String> = inboxes::visible_to(&db, op, Role::Operator).await.unwrap().into_iter().map(|i| i.name).collect();
    assert_eq!(seen, ["Support"]);
    let sup_view = inboxes::visible_to(&db, sup, Role::Supervisor).await.unwrap();
    assert_eq!(sup_view.len(), 1);
    assert_eq!(sup_view[0].my_role, Some(MemberRole::Supervisor));
    assert_eq!(inboxes::visible_to(&db, admin, Role::Admin).await.unwrap().len(), 2, "admins see all");

    let detail = inboxes::list_with_members(&db).await.unwrap();
    let billing_row = detail.iter().find(|i| i.id == billing).unwrap();
    assert_eq!(billing_row.members.len(), 1);
    assert_eq!(billing_row.retention_days, Some(90), "90 days by default");

    inboxes::set_member(&db, support, op, None).await.unwrap();
    assert!(inboxes::visible_to(&db, op, Role::Operator).await.unwrap().is_empty());
});

test_both_dbs!(audit_entries_round_trip_and_foreign_keys_hold, |db| async move {
    let entry = app::audit::Entry::new(&app::audit::Actor::system(), app::audit::Action::RetentionPurge, "thing", 7)
        .detail(serde_json::json!({"n": 1}));
    app::audit::record(&db, T0, entry).await.unwrap();
    let rows = app::audit_log::store::recent(&db, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].action.as_str(), rows[0].at, rows[0].detail.as_str()), ("retention.purge", T0, r#"{"n":1}"#));

    // A membership of an agent that does not exist is refused by the foreign key.
    let bad = sqlx::query("INSERT INTO inbox_members (inbox_id, agent_id, role) VALUES (424242, 434343, 'operator')")
        .execute(db.pool())
        .await
        .unwrap_err();
    assert!(matches!(AppError::from(bad), AppError::BadRequest(_)));
});

test_both_dbs!(migrations_are_idempotent, |db| async move {
    db.migrate().await.expect("second run is a no-op");
    assert!(db.ping().await);
});

test_both_dbs!(demo_seed_runs_once, |db| async move {
    assert!(app::demo::seed(&db, T0).await.unwrap());
    assert!(!app::demo::seed(&db, T0).await.unwrap(), "no duplicates on restart");
    assert_eq!(agents::count(&db).await.unwrap(), 4);
    assert_eq!(inboxes::list_with_members(&db).await.unwrap().len(), 2);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations").fetch_one(db.pool()).await.unwrap();
    assert_eq!(n, 12, "a dozen demo conversations");
    let statuses: Vec<String> = sqlx::query_scalar("SELECT DISTINCT status FROM conversations ORDER BY status").fetch_all(db.pool()).await.unwrap();
    assert_eq!(statuses, ["closed", "new", "open"]);
});

// A write publishes itself: committing a write transaction signals the handle's commit
// notifier, which the event pump waits on; a rolled-back one does not. `timeout` with
// a zero duration polls once, so "ready" means the signal was already given.
test_both_dbs!(a_committed_write_wakes_the_event_pump, |db| async move {
    use std::time::Duration;
    let mut watch = db.commits();
    let mut signalled = move || {
        let changed = watch.has_changed().unwrap();
        watch.borrow_and_update();
        changed
    };
    let _ = Duration::ZERO;
    assert!(!signalled(), "nothing committed yet");

    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('probe', 'x')").execute(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(!signalled(), "a rollback publishes nothing");

    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('probe', 'y')").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(signalled(), "a commit wakes the pump");
    assert!(!signalled(), "once per commit");
});

// PostgreSQL: a pooled connection is pinged before use only once it has been idle for a
// while (a ping on every use would cost a round trip per query); one the server closed
// meanwhile (a restart, an administrator) is then replaced, not handed out broken.
test_both_dbs!(a_connection_closed_while_idle_is_replaced, |db| async move {
    if db.dialect() != Dialect::Postgres {
        return; // an embedded SQLite connection cannot be closed from outside
    }
    let mut a = db.pool().acquire().await.unwrap();
    let mut b = db.pool().acquire().await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *b).await.unwrap();
    drop(b);
    let gone: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)").bind(pid).fetch_one(&mut *a).await.unwrap();
    assert!(gone, "the other connection's backend was terminated");
    drop(a);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    for _ in 0..4 {
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(db.pool()).await.expect("a live connection");
        assert_eq!(one, 1);
    }
});

// A write transaction dropped before it ends (an error returned early, a cancelled
// request) is rolled back: its write is gone, it holds no lock that blocks a write
// outside the turn, and the next writer begins. On SQLite every write transaction
// runs on one connection kept by the writers' turn, so the rollback is queued there
// before anything else.
test_both_dbs!(a_dropped_write_transaction_rolls_back_and_blocks_no_one, |db| async move {
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('dropped', 'x')").execute(&mut *tx).await.unwrap();
    drop(tx);
    // A write outside the turn would wait for SQLite's lock (5 s, then fail) if the
    // dropped transaction still held it.
    let started = std::time::Instant::now();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('outside', 'y')").execute(db.pool()).await.expect("not blocked");
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "waited {:?} for the lock", started.elapsed());
    let mut tx = db.begin_write().await.expect("the next writer begins");
    sqlx::query("INSERT INTO settings (key, value) VALUES ('next', 'z')").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM settings WHERE key IN ('dropped', 'outside', 'next') ORDER BY key")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(keys, ["next", "outside"]);
});

// A writer's commit is made without waiting for the WAL's sync (SQLite's writer runs
// with `synchronous=NORMAL`, PostgreSQL's writers commit with `synchronous_commit =
// off`), which follows outside the writers' turn: `commit` returns only once a sync
// begun after it has returned, and an early commit is visible at once but counted
// synced only once it has been waited for.
test_both_dbs!(a_commit_returns_only_after_its_wal_is_synced, |db| async move {
    let (before, _) = db.wal_progress().await;
    for n in 0..4 {
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, 'x')").bind(format!("k{n}")).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        let (committed, synced) = db.wal_progress().await;
        assert_eq!((committed - before, synced), (n + 1, committed), "commit {n} returned synced");
    }
    let committed = before + 4;
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('early', 'y')").execute(&mut *tx).await.unwrap();
    let pending = tx.commit_early().await.unwrap();
    let seen: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'early'").fetch_optional(db.pool()).await.unwrap();
    assert_eq!(seen.as_deref(), Some("y"), "visible once committed");
    assert_eq!(db.wal_progress().await, (committed + 1, committed), "not synced before it is waited for");
    pending.wait().await.unwrap();
    assert_eq!(db.wal_progress().await, (committed + 1, committed + 1));
    // The writers' own setting; every other connection syncs at its commits.
    let mut tx = db.begin_write().await.unwrap();
    let (writer, pool) = match db.dialect() {
        Dialect::Sqlite => {
            let writer: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *tx).await.unwrap();
            (writer.to_string(), db.pragma("synchronous").await.unwrap())
        }
        Dialect::Postgres => {
            let show = "SHOW synchronous_commit";
            let writer: String = sqlx::query_scalar(show).fetch_one(&mut *tx).await.unwrap();
            (writer, sqlx::query_scalar(show).fetch_one(db.pool()).await.unwrap())
        }
    };
    tx.rollback().await.unwrap();
    let expected = match db.dialect() {
        Dialect::Sqlite => ("1", "2"), // NORMAL on the writer, FULL elsewhere
        Dialect::Postgres => ("off", "on"),
    };
    assert_eq!((writer.as_str(), pool.as_str()), expected);
});

// The writer keeps its statement journals in memory (`temp_store = MEMORY`; other
// connections keep the default), and they still do their work: a multi-row statement
// that fails on its last row, after far more than the 64 KiB SQLite would otherwise
// spill to a file, takes back its own rows and only those.
test_both_dbs!(a_writers_failed_statement_takes_back_only_its_own_rows, |db| async move {
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('kept', 'before')").execute(&mut *tx).await.unwrap();
    if db.dialect() == Dialect::Sqlite {
        let temp: i64 = sqlx::query_scalar("PRAGMA temp_store").fetch_one(&mut *tx).await.unwrap();
        assert_eq!((temp, db.pragma("temp_store").await.unwrap()), (2, "0".to_string()), "MEMORY on the writer only");
    }
    let padding = "x".repeat(400);
    let mut rows: Vec<String> = (0..600).map(|n| format!("('bulk{n}', '{padding}')")).collect();
    rows.push("('kept', 'again')".into()); // the key is taken: the statement fails here
    let failed = sqlx::query(&format!("INSERT INTO settings (key, value) VALUES {}", rows.join(", "))).execute(&mut *tx).await;
    assert!(failed.is_err(), "the repeated key is refused");
    if db.dialect() == Dialect::Sqlite {
        let left: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings WHERE key = 'kept' OR key LIKE 'bulk%'").fetch_all(&mut *tx).await.unwrap();
        assert_eq!(left, [("kept".to_string(), "before".to_string())], "the statement's rows are gone, the earlier one stays");
        tx.commit().await.unwrap();
        let kept: Vec<String> = sqlx::query_scalar("SELECT key FROM settings WHERE key = 'kept' OR key LIKE 'bulk%'").fetch_all(db.pool()).await.unwrap();
        assert_eq!(kept, ["kept"]);
    } else {
        tx.rollback().await.unwrap(); // PostgreSQL aborts the whole transaction
    }
});
