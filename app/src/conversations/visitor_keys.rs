//! Which chat a visitor's token opens, remembered per instance so a send does not read
//! the database before it joins the write queue. The memory is a hint, never the
//! authority: the write transaction checks the token against the chat again (see
//! [`is_visitors`]), so an anonymised or erased chat refuses a remembered token.
use crate::db::Db;
use crate::error::AppResult;
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many tokens an instance remembers before it starts over.
const CAPACITY: usize = 50_000;

#[derive(Default)]
struct Keys(Mutex<HashMap<String, i64>>);

/// The chat bound to the visitor token of hash `token_hash`, if any.
pub async fn chat_of(db: &Db, token_hash: &str) -> AppResult<Option<i64>> {
    let keys = db.extension(|_| Keys::default());
    if let Some(id) = keys.0.lock().unwrap_or_else(|p| p.into_inner()).get(token_hash) {
        return Ok(Some(*id));
    }
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE visitor_token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db.pool())
        .await?;
    if let Some(id) = found {
        let mut map = keys.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(token_hash.to_string(), id);
    }
    Ok(found)
}

/// Whether the visitor token of hash `token_hash` is (still) bound to chat `id`,
/// inside the caller's transaction.
pub(super) async fn is_visitors(conn: &mut AnyConnection, id: i64, token_hash: &str) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1 AND visitor_token_hash = $2")
        .bind(id)
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}
