//! Event rows. Appends happen inside the writer's transaction, so an event exists
//! exactly when its change does.
use super::{Event, NewEvent};
use crate::db::{Dialect, Script, Sql};
use crate::error::AppResult;
use sqlx::AnyConnection;

/// The channel instances LISTEN on; a notification carries only the event id.
pub const CHANNEL: &str = "switchboard_events";

const INSERT: &str = "INSERT INTO events (kind, inbox_id, conversation_id, audience, payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

/// PostgreSQL: `insert` (of events) and, in the same statement, a NOTIFY carrying the
/// last id it added, which PostgreSQL delivers only if and when the transaction
/// commits. The statement returns that id.
fn notifying(insert: &str, turn: Option<&str>) -> String {
    let turn = turn.map(|t| format!("{t}, ")).unwrap_or_default();
    format!(
        "WITH {turn}added AS ({insert} RETURNING id), last AS (SELECT MAX(id) AS id FROM added)
         SELECT last.id FROM last, LATERAL (SELECT pg_notify('{CHANNEL}', last.id::TEXT)) AS n"
    )
}

/// Appends an event inside the caller's transaction. On PostgreSQL it also queues a
/// NOTIFY, which PostgreSQL delivers only if and when the transaction commits.
pub async fn append(conn: &mut AnyConnection, dialect: Dialect, ev: NewEvent, now: i64) -> AppResult<i64> {
    let sql = match dialect {
        Dialect::Sqlite => INSERT.to_string(),
        Dialect::Postgres => notifying(INSERT.trim_end_matches(" RETURNING id"), None),
    };
    let id: i64 = sqlx::query_scalar(&sql)
        .bind(ev.kind)
        .bind(ev.inbox_id)
        .bind(ev.conversation_id)
        .bind(ev.audience.to_string())
        .bind(ev.payload)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    Ok(id)
}

const TARGET: &str = "INSERT INTO events (kind, inbox_id, conversation_id, audience, payload, created_at)";

/// The events' rows for a `VALUES` list, bound in `script`; with `ord`, each row
/// starts with its place.
fn rows<'q>(script: &mut Script<'q>, evs: &'q [NewEvent], now: i64, ord: bool) -> String {
    let rows: Vec<String> = evs
        .iter()
        .enumerate()
        .map(|(i, ev)| {
            let values = [
                script.bind(ev.kind),
                script.bind(ev.inbox_id),
                script.bind(ev.conversation_id),
                script.bind(ev.audience.to_string()),
                script.bind(ev.payload.as_str()),
                script.bind(now),
            ]
            .join(", ");
            if ord { format!("({i}, {values})") } else { format!("({values})") }
        })
        .collect();
    rows.join(", ")
}

/// Appends several events with one statement, in order, and one NOTIFY.
///
/// `turn` (PostgreSQL): the writers' turn as a `WITH` item ([`crate::db::WriteTx::turn_clause`]),
/// taken by this statement before it draws the events' ids, in their order.
pub async fn append_many(conn: &mut AnyConnection, dialect: Dialect, evs: Vec<NewEvent>, now: i64, turn: Option<&str>) -> AppResult<()> {
    if evs.is_empty() {
        return Ok(());
    }
    let mut script = Script::new(conn);
    match turn {
        None => add_many(&mut script, conn, dialect, &evs, now).await?,
        Some(turn) => {
            // The sort holds every row back until the turn is taken, and gives out the
            // ids in the events' order.
            let sql = notifying(
                &format!(
                    "{TARGET} SELECT v.kind, v.inbox_id, v.conversation_id, v.audience, v.payload, v.created_at
                     FROM turn, (VALUES {}) AS v (ord, kind, inbox_id, conversation_id, audience, payload, created_at) ORDER BY v.ord",
                    rows(&mut script, &evs, now, true)
                ),
                Some(turn),
            );
            script.add(conn, &sql).await?;
        }
    }
    script.run(conn).await?;
    Ok(())
}

/// [`append_many`] in the writers' turn already held, as a statement of `script`
/// (on SQLite it goes with the statements around it).
pub async fn add_many<'q>(script: &mut Script<'q>, conn: &mut AnyConnection, dialect: Dialect, evs: &'q [NewEvent], now: i64) -> AppResult<()> {
    if evs.is_empty() {
        return Ok(());
    }
    let insert = format!("{TARGET} VALUES {}", rows(script, evs, now, false));
    // On PostgreSQL, listeners read the log after the last id they published: one
    // wake-up is enough, queued by the statement that inserts.
    let sql = match dialect {
        Dialect::Sqlite => insert,
        Dialect::Postgres => notifying(&insert, None),
    };
    script.add(conn, &sql).await?;
    Ok(())
}

const COLUMNS: &str = "id, kind, inbox_id, conversation_id, audience, payload, created_at";

/// Events after `last_id`, oldest first.
pub async fn after(db: &crate::db::Db, last_id: i64, limit: i64) -> AppResult<Vec<Event>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM events WHERE id > $1 ORDER BY id LIMIT $2"))
        .bind(last_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Events after `last_id` of one conversation, oldest first (a visitor's replay).
pub async fn after_in_conversation(db: &crate::db::Db, conversation_id: i64, last_id: i64, limit: i64) -> AppResult<Vec<Event>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM events WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3"))
        .bind(conversation_id)
        .bind(last_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// The newest event id (0 for an empty log).
pub async fn last_id(db: &crate::db::Db) -> AppResult<i64> {
    const MAX: Sql = Sql {
        sqlite: "SELECT COALESCE(MAX(id), 0) FROM events",
        postgres: "SELECT COALESCE(MAX(id), 0)::BIGINT FROM events",
    };
    Ok(sqlx::query_scalar(db.sql(&MAX)).fetch_one(db.pool()).await?)
}

/// Whether `id` is an event this log holds (or held): a client that presents any
/// other id as its Last-Event-ID must resynchronise.
pub async fn is_known(db: &crate::db::Db, id: i64) -> AppResult<bool> {
    if id == 0 {
        return Ok(true);
    }
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM events WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(found.is_some())
}

/// Appends one event in a transaction of its own (a control event about an agent:
/// logout, deactivation, a membership change).
pub async fn append_alone(db: &crate::db::Db, ev: NewEvent, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    append(&mut tx, db.dialect(), ev, now).await?;
    tx.commit().await?;
    Ok(())
}
