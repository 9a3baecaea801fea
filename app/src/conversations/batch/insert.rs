//! The messages of a batch's plain sends, inserted with one statement.
use super::OwnedSend;
use crate::conversations::{AuthorKind, Conversation, Message, Visibility};
use crate::db::Script;
use crate::error::{AppError, AppResult};
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Inserted {
    id: i64,
    conversation_id: i64,
    client_id: String,
}

/// The sends' messages, inserted. With `first_id` (SQLite, whose writers hold the
/// database's write lock from their `BEGIN`, so no other writer draws ids meanwhile)
/// they take the ids from there on, in order, and the statement is added to `script`
/// to go with the batch's other writes; without (PostgreSQL, whose ids come from a
/// sequence), it runs now and returns them.
pub(super) async fn insert_messages<'q>(
    conn: &mut AnyConnection,
    script: &mut Script<'q>,
    sends: &[&'q OwnedSend],
    convs: &HashMap<i64, Conversation>,
    first_id: Option<i64>,
) -> AppResult<Vec<Message>> {
    let mut messages: Vec<Message> = sends
        .iter()
        .zip(0..)
        .map(|(s, i)| {
            let (author_kind, author_id, author_name) = match &s.author {
                None => {
                    let c = &convs[&s.conversation_id];
                    (AuthorKind::Customer, None, c.customer_name.clone().unwrap_or_else(|| "Visitor".into()))
                }
                Some((id, name)) => (AuthorKind::Agent, Some(*id), name.clone()),
            };
            Message {
                id: first_id.map_or(0, |first| first + i),
                conversation_id: s.conversation_id,
                author_kind,
                author_id,
                author_name: Some(author_name),
                body: s.body.clone(),
                client_id: s.client_id.clone(),
                visibility: s.visibility,
                created_at: s.now,
                attachments: Vec::new(),
            }
        })
        .collect();
    let rows: Vec<String> = sends
        .iter()
        .zip(&messages)
        .map(|(s, m)| {
            // A whisper is stored as an internal line flagged `whisper`.
            let (visibility, whisper) = match s.visibility {
                Visibility::Whisper => (Visibility::Internal, 1i64),
                other => (other, 0),
            };
            let id = first_id.map(|_| format!("{}, ", script.bind(m.id))).unwrap_or_default();
            let values = [
                script.bind(s.conversation_id),
                script.bind(m.author_kind.as_str()),
                script.bind(m.author_id),
                script.bind(m.author_name.clone()),
                script.bind(s.body.as_str()),
                script.bind(s.client_id.as_str()),
                script.bind(visibility.as_str()),
                script.bind(whisper),
                script.bind(s.now),
            ];
            format!("({id}{})", values.join(", "))
        })
        .collect();
    let columns = "conversation_id, author_kind, author_id, author_name, body, client_id, visibility, whisper, created_at";
    if first_id.is_some() {
        script.add(conn, &format!("INSERT INTO messages (id, {columns}) VALUES {}", rows.join(", "))).await?;
        return Ok(messages);
    }
    let sql = format!("INSERT INTO messages ({columns}) VALUES {} RETURNING id, conversation_id, client_id", rows.join(", "));
    let taken = std::mem::replace(script, Script::new(conn));
    let mut ids: HashMap<(i64, String), i64> =
        taken.fetch::<Inserted>(conn, &sql).await?.into_iter().map(|r| ((r.conversation_id, r.client_id), r.id)).collect();
    // RETURNING promises no order: each id goes back to its send by its key.
    for m in &mut messages {
        m.id = ids.remove(&(m.conversation_id, m.client_id.clone())).ok_or(AppError::Internal)?;
    }
    Ok(messages)
}
