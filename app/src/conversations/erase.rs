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
    erase_many(conn, db, std::slice::from_ref(conv), now).await
}

/// [`erase_in`] for several chats at once, with one statement a step for all of them:
/// retention erases up to 200 chats a transaction, in the writers' turn, and a
/// statement a step and chat (nine) kept every send waiting through 1,800 of them.
pub async fn erase_many(conn: &mut AnyConnection, db: &Db, convs: &[Conversation], now: i64) -> AppResult<Erased> {
    if convs.is_empty() {
        return Ok(Erased::default());
    }
    let ids: Vec<i64> = convs.iter().map(|c| c.id).collect();
    let sql = format!("SELECT storage_key FROM attachments WHERE conversation_id IN ({})", in_list(conn, ids.len()));
    let mut keys = sqlx::query_scalar(&sql);
    for id in &ids {
        keys = keys.bind(id);
    }
    let storage_keys: Vec<String> = keys.fetch_all(&mut *conn).await?;
    // The chats whose inbox purges the transcripts of requests made from them.
    let mut inboxes: Vec<i64> = convs.iter().map(|c| c.inbox_id).collect();
    inboxes.sort_unstable();
    inboxes.dedup();
    let sql = format!("SELECT id FROM inboxes WHERE purge_request_transcripts <> 0 AND id IN ({})", in_list(conn, inboxes.len()));
    let mut purging = sqlx::query_scalar(&sql);
    for id in &inboxes {
        purging = purging.bind(id);
    }
    let purging: Vec<i64> = purging.fetch_all(&mut *conn).await?;
    let transcripts: Vec<i64> = convs.iter().filter(|c| purging.contains(&c.inbox_id)).map(|c| c.id).collect();
    if !transcripts.is_empty() {
        with_ids(conn, "UPDATE requests SET transcript = NULL WHERE conversation_id IN", &transcripts).await?;
    }
    let messages = with_ids(conn, "DELETE FROM messages WHERE conversation_id IN", &ids).await?;
    for sql in [
        "DELETE FROM attachments WHERE conversation_id IN",
        "DELETE FROM read_markers WHERE conversation_id IN",
        "UPDATE events SET payload = NULL WHERE conversation_id IN",
        // Webhook deliveries carry the same content: none goes out after, none is kept.
        "DELETE FROM webhook_messages WHERE conversation_id IN",
        "DELETE FROM conversations WHERE id IN",
    ] {
        with_ids(conn, sql, &ids).await?;
    }
    let mut customers: Vec<i64> = convs.iter().map(|c| c.customer_id).collect();
    customers.sort_unstable();
    customers.dedup();
    with_ids(conn, "DELETE FROM customers WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.customer_id = customers.id)
         AND verified = 0 AND id IN", &customers).await?;
    let evs = convs
        .iter()
        .map(|c| Change::ConversationDeleted(ConversationRef { conversation_id: c.id }).event(Audience::All, Some(c.inbox_id), Some(c.id)))
        .collect();
    events::append_many(conn, db.dialect(), evs, now, None).await?;
    Ok(Erased { messages, storage_keys })
}

/// `n` placeholders, for an `IN (…)` list.
fn in_list(conn: &AnyConnection, n: usize) -> String {
    (1..=n).map(crate::db::marker(conn)).collect::<Vec<_>>().join(", ")
}

/// Runs `sql`, which ends in `IN`, with the list of `ids` after it; the rows it changed.
async fn with_ids(conn: &mut AnyConnection, sql: &str, ids: &[i64]) -> AppResult<u64> {
    let sql = format!("{sql} ({})", in_list(conn, ids.len()));
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.execute(&mut *conn).await?.rows_affected())
}
