//! One chat as CSV rows: the export download and the transcript attached to a service
//! request. Two queries whatever the length: the messages, then every
//! attachment name of the chat.
use super::{AuthorKind, Visibility};
use crate::db::Db;
use crate::error::AppResult;
use crate::timefmt::iso8601;
use std::collections::HashMap;

pub const HEADER: [&str; 6] = ["timestamp", "author", "author_role", "visibility", "message", "attachments"];

/// The rows of conversation `id`, oldest first. Internal notes and off-the-record
/// lines are included only when `include_internal` is set.
pub async fn rows(db: &Db, id: i64, include_internal: bool) -> AppResult<Vec<Vec<String>>> {
    // Whispers never leave the console, whoever exports.
    let filter = if include_internal { " AND whisper = 0" } else { " AND visibility = 'public'" };
    #[derive(sqlx::FromRow)]
    struct Line {
        id: i64,
        author_kind: String,
        author_name: Option<String>,
        visibility: String,
        body: String,
        created_at: i64,
    }
    let messages: Vec<Line> = sqlx::query_as(&format!(
        "SELECT id, author_kind, author_name, visibility, body, created_at FROM messages
         WHERE conversation_id = $1{filter} ORDER BY id"
    ))
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let files: Vec<(i64, String)> =
        sqlx::query_as("SELECT message_id, file_name FROM attachments WHERE conversation_id = $1 ORDER BY created_at, id")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for (message_id, name) in files {
        names.entry(message_id).or_default().push(name);
    }
    Ok(messages
        .into_iter()
        .map(|m| {
            let kind = AuthorKind::parse(&m.author_kind).unwrap_or(AuthorKind::System);
            let author = match kind {
                AuthorKind::System => "Switchboard".to_string(),
                _ => m.author_name.unwrap_or_else(|| "Visitor".into()),
            };
            let visibility = Visibility::parse(&m.visibility).unwrap_or(Visibility::Internal);
            vec![
                iso8601(m.created_at),
                author,
                kind.as_str().to_string(),
                visibility.as_str().to_string(),
                m.body,
                names.remove(&m.id).unwrap_or_default().join("; "),
            ]
        })
        .collect())
}
