//! Erasing a conversation for good: the one path both a manual delete and retention
//! take, so both leave the same nothing behind.
use super::Conversation;
use crate::db::Db;
use crate::error::AppResult;
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{Change, ConversationRef};
use sqlx::AnyConnection;

/// What one erase removed; the files are for the caller to unlink after commit.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Erased {
    pub messages: u64,
    pub storage_keys: Vec<String>,
}

/// Inside the caller's write transaction: messages (and with them, by trigger or by
/// row, their search-index entries), attachments, read markers, the payloads of the
/// chat's events, the chat itself and a self-declared customer left with no chat.
/// Requests made from the chat keep their transcript unless the inbox says to purge
/// it. A `conversation.deleted` event (no content) tells the widget and the consoles.
pub async fn erase_in(conn: &mut AnyConnection, db: &Db, conv: &Conversation, now: i64) -> AppResult<Erased> {
    let id = conv.id;
    let storage_keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM attachments WHERE conversation_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let purge_transcripts: i64 = sqlx::query_scalar("SELECT purge_request_transcripts FROM inboxes WHERE id = $1")
        .bind(conv.inbox_id)
        .fetch_one(&mut *conn)
        .await?;
    if purge_transcripts != 0 {
        sqlx::query("UPDATE requests SET transcript = NULL WHERE conversation_id = $1").bind(id).execute(&mut *conn).await?;
    }
    let messages = sqlx::query("DELETE FROM messages WHERE conversation_id = $1").bind(id).execute(&mut *conn).await?;
    for sql in [
        "DELETE FROM attachments WHERE conversation_id = $1",
        "DELETE FROM read_markers WHERE conversation_id = $1",
        "UPDATE events SET payload = NULL WHERE conversation_id = $1",
        // Webhook deliveries carry the same content: none goes out after, none is kept.
        "DELETE FROM webhook_messages WHERE conversation_id = $1",
        "DELETE FROM conversations WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    sqlx::query(
        "DELETE FROM customers WHERE id = $1 AND verified = 0
         AND NOT EXISTS (SELECT 1 FROM conversations WHERE customer_id = $1)",
    )
    .bind(conv.customer_id)
    .execute(&mut *conn)
    .await?;
    let ev = Change::ConversationDeleted(ConversationRef { conversation_id: id }).event(Audience::All, Some(conv.inbox_id), Some(id));
    events::append(conn, db.dialect(), ev, now).await?;
    Ok(Erased { messages: messages.rows_affected(), storage_keys })
}
