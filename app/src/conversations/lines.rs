//! A chat's lines page by page, for the API.
use super::store::{MessageRow, MESSAGE_COLUMNS};
use super::Message;
use crate::db::Db;
use crate::error::AppResult;

/// A page of a chat's lines for the API: after message `after`, oldest first, at most
/// `limit`; public lines, notes and system lines (never whispers or off-the-record
/// lines). Returns the lines and whether more follow.
pub async fn messages_after(db: &Db, id: i64, after: i64, limit: i64) -> AppResult<(Vec<Message>, bool)> {
    let mut rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND id > $2 AND visibility IN ('public', 'internal')
           AND whisper = 0 ORDER BY id LIMIT $3"
    ))
    .bind(id)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(db.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let messages = super::store::with_files(db, id, rows).await?;
    Ok((messages, more))
}
