//! The audit log: who did what and when. Entries hold ids and counts, never content.
use crate::db::Db;
use crate::error::AppResult;

pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: String,
    pub detail: serde_json::Value,
}

pub async fn record(db: &Db, at: i64, entry: Entry<'_>) -> AppResult<()> {
    let mut conn = db.pool().acquire().await?;
    record_in(&mut conn, at, entry).await
}

/// Records inside the caller's transaction, so the entry exists exactly when the change does.
pub async fn record_in(conn: &mut sqlx::AnyConnection, at: i64, entry: Entry<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(at)
    .bind(entry.actor_id)
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: String,
}

pub async fn recent(db: &Db, limit: i64) -> AppResult<Vec<AuditRow>> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor_id, action, target_type, target_id, detail
         FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}
