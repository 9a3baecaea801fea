//! The purge: hourly in the background on every instance (the writer lock keeps two
//! from clashing) and on demand with `switchboard purge`. The clock is passed in,
//! never `now()` in SQL. Only counts reach the audit log.
use super::{PurgeReport, DAY_MS};
use crate::conversations::erase::erase_many;
use crate::conversations::store::load_many;
use crate::db::{Db, Dialect};
use crate::error::AppResult;
use std::path::Path;

/// Conversations due at `now`, oldest first, in batches.
const DUE: &str = "SELECT c.id FROM conversations c
    JOIN inboxes i ON i.id = c.inbox_id
    LEFT JOIN context_completions cc
      ON c.context_id IS NOT NULL AND cc.context_type = COALESCE(c.context_type, '') AND cc.context_id = c.context_id
    WHERE i.retention_days IS NOT NULL AND (
      (c.context_id IS NULL AND c.created_at < $1 - i.retention_days * $2)
      OR (cc.completed_at IS NOT NULL
          AND (CASE WHEN cc.completed_at > c.created_at THEN cc.completed_at ELSE c.created_at END) < $1 - i.retention_days * $2))
    ORDER BY c.id LIMIT 200";

/// Deletes every conversation due at `now` with its messages, files, search rows and
/// event payloads; then compacts SQLite's search index and checkpoints its WAL, so
/// no copy of the text is left in the database files.
pub async fn run(db: &Db, data_dir: &Path, now: i64) -> AppResult<PurgeReport> {
    let mut report = PurgeReport { at: now, ..Default::default() };
    loop {
        let mut tx = db.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(DUE).bind(now).bind(DAY_MS).fetch_all(&mut *tx).await?;
        if ids.is_empty() {
            tx.commit().await?;
            break;
        }
        let convs = load_many(&mut tx, &ids).await?;
        let erased = erase_many(&mut tx, db, &convs, now).await?;
        report.messages += erased.messages;
        let files = erased.storage_keys;
        tx.commit().await?;
        report.conversations += convs.len() as u64;
        report.files += files.len() as u64;
        crate::files::remove_attachments(data_dir, &files).await;
    }
    crate::telemetry::purged("conversations", report.conversations);
    crate::telemetry::purged("messages", report.messages);
    crate::telemetry::purged("files", report.files);
    if report.conversations > 0 && db.dialect() == Dialect::Sqlite {
        // FTS5 keeps deleted terms in older segments until they merge: merge them all.
        sqlx::query("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')").execute(db.pool()).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(db.pool()).await?;
    }
    let entry = crate::audit::Entry::new(&crate::audit::Actor::system(), crate::audit::Action::RetentionPurge, "retention", "").detail(serde_json::json!({
            "conversations": report.conversations, "messages": report.messages, "files": report.files,
        }));
    crate::audit::record(db, now, entry).await?;
    let value = serde_json::to_string(&report).unwrap_or_default();
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('retention.last_purge', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(value)
    .execute(db.pool())
    .await?;
    Ok(report)
}

/// The last purge's report, if any ran.
pub async fn last(db: &Db) -> AppResult<Option<PurgeReport>> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'retention.last_purge'").fetch_optional(db.pool()).await?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Records that a context was completed (a test graded); the first completion counts.
pub async fn complete_context(db: &Db, kind: &str, id: &str, now: i64) -> AppResult<()> {
    let (kind, id) = (kind.trim(), id.trim());
    if id.is_empty() || kind.chars().count() > 60 || id.chars().count() > 200 {
        return Err(crate::error::AppError::Unprocessable("a context needs a type (up to 60) and an id (up to 200 characters)".into()));
    }
    sqlx::query(
        "INSERT INTO context_completions (context_type, context_id, completed_at) VALUES ($1, $2, $3)
         ON CONFLICT (context_type, context_id) DO NOTHING",
    )
    .bind(kind)
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Every inbox's retention setting, for the admin page.
pub async fn inboxes(db: &Db) -> AppResult<Vec<super::api::InboxRetention>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        retention_days: Option<i64>,
        purge_request_transcripts: i64,
    }
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, name, retention_days, purge_request_transcripts FROM inboxes ORDER BY name, id")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| super::api::InboxRetention {
            id: r.id,
            name: r.name,
            retention_days: r.retention_days,
            purge_request_transcripts: r.purge_request_transcripts != 0,
        })
        .collect())
}

/// Sets an inbox's retention from the admin's text (empty keeps forever); returns the days.
pub async fn set_inbox(db: &Db, inbox_id: i64, days: &str, purge_transcripts: bool) -> AppResult<Option<i64>> {
    let days = match days.trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(n) if (1..=36_500).contains(&n) => Some(n),
            _ => {
                return Err(crate::error::AppError::Unprocessable(
                    "retention is a number of days from 1 to 36500, or empty to keep forever".into(),
                ))
            }
        },
    };
    let done = sqlx::query("UPDATE inboxes SET retention_days = $1, purge_request_transcripts = $2 WHERE id = $3")
        .bind(days)
        .bind(purge_transcripts as i64)
        .bind(inbox_id)
        .execute(db.pool())
        .await?;
    crate::db::found(&done)?;
    Ok(days)
}
