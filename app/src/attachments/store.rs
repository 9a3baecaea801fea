//! Attachment files and rows.
use super::AttachmentRef;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use std::path::Path;

/// A file written to disk, waiting for its message.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub key: String,
    pub name: String,
    pub content_type: &'static str,
    pub size: i64,
}

/// Writes `bytes` under a generated key and flushes it to disk, so a message that is
/// acknowledged never points to a file that a crash lost.
pub async fn write_file(data_dir: &Path, name: String, content_type: &'static str, bytes: &[u8]) -> AppResult<NewFile> {
    use tokio::io::AsyncWriteExt;
    let key = format!("{}{}", crate::tokens::random_id(), crate::tokens::random_id());
    let path = crate::files::attachment_path(data_dir, &key).ok_or(AppError::Internal)?;
    let dir = path.parent().ok_or(AppError::Internal)?;
    let io = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an attachment");
        AppError::Internal
    };
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let mut f = tokio::fs::File::create(&path).await.map_err(io)?;
    f.write_all(bytes).await.map_err(io)?;
    f.sync_all().await.map_err(io)?;
    Ok(NewFile { key, name, content_type, size: bytes.len() as i64 })
}

/// Inserts the row for a stored file, inside the message's transaction.
pub async fn insert(conn: &mut sqlx::AnyConnection, message_id: i64, conversation_id: i64, f: &NewFile, now: i64) -> AppResult<AttachmentRef> {
    let id = crate::tokens::random_id();
    sqlx::query(
        "INSERT INTO attachments (id, message_id, conversation_id, file_name, content_type, size_bytes, storage_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(message_id)
    .bind(conversation_id)
    .bind(&f.name)
    .bind(f.content_type)
    .bind(f.size)
    .bind(&f.key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(AttachmentRef { id, name: f.name.clone(), content_type: f.content_type.to_string(), size: f.size })
}

/// Every attachment of a conversation, by message: one query for a whole thread.
pub async fn by_message(db: &Db, conversation_id: i64) -> AppResult<HashMap<i64, Vec<AttachmentRef>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        message_id: i64,
        #[sqlx(flatten)]
        file: AttachmentRef,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, message_id, file_name AS name, content_type, size_bytes AS size FROM attachments
         WHERE conversation_id = $1 ORDER BY created_at, id",
    )
    .bind(conversation_id)
    .fetch_all(db.pool())
    .await?;
    let mut out: HashMap<i64, Vec<AttachmentRef>> = HashMap::new();
    for r in rows {
        out.entry(r.message_id).or_default().push(r.file);
    }
    Ok(out)
}

/// One stored attachment, for serving.
pub struct Stored {
    pub conversation_id: i64,
    pub name: String,
    pub content_type: String,
    pub storage_key: String,
    pub public: bool,
}

pub async fn find(db: &Db, id: &str) -> AppResult<Stored> {
    #[derive(sqlx::FromRow)]
    struct Row {
        conversation_id: i64,
        name: String,
        content_type: String,
        storage_key: String,
        visibility: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT a.conversation_id, a.file_name AS name, a.content_type, a.storage_key, m.visibility
         FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let r = row.ok_or(AppError::NotFound)?;
    Ok(Stored {
        conversation_id: r.conversation_id,
        name: r.name,
        content_type: r.content_type,
        storage_key: r.storage_key,
        public: r.visibility == "public",
    })
}
