//! Ratings on the chat's own row: one per chat by construction.
use super::{checked, editable, line, Ask, Survey};
use crate::conversations::handling;
use crate::conversations::{CloseReason, Status};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{Change, Rated};

#[derive(sqlx::FromRow)]
struct Row {
    inbox_id: i64,
    status: String,
    close_reason: Option<String>,
    csat: String,
    csat_score: Option<i64>,
    csat_comment: Option<String>,
    csat_at: Option<i64>,
}

impl Row {
    fn asked(&self) -> bool {
        let ask = Ask::parse(&self.csat).unwrap_or(Ask::Off);
        ask.asks(Status::parse(&self.status).unwrap_or(Status::New), self.close_reason.as_deref().and_then(CloseReason::parse))
    }
}

const ROW: &str = "SELECT c.inbox_id, c.status, c.close_reason, i.csat, c.csat_score, c.csat_comment, c.csat_at
     FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = $1";

/// The survey of a chat, as its customer sees it: `None` while the chat is not one
/// the inbox asks about (still open, cancelled, or ratings off).
pub async fn survey(db: &Db, conversation_id: i64, now: i64) -> AppResult<Option<Survey>> {
    let row: Option<Row> = sqlx::query_as(ROW).bind(conversation_id).fetch_optional(db.pool()).await?;
    let row = row.ok_or(AppError::NotFound)?;
    Ok(row.asked().then(|| Survey { score: row.csat_score, comment: row.csat_comment.clone(), editable: editable(row.csat_at, now) }))
}

/// The customer rates their chat (or changes their rating, within 7 days): stored on
/// the chat, a line for its agents and an event, in one transaction.
pub async fn rate(db: &Db, conversation_id: i64, score: i64, comment: Option<&str>, now: i64) -> AppResult<Survey> {
    let (score, comment) = checked(score, comment).map_err(AppError::Unprocessable)?;
    let mut tx = db.begin_write().await?;
    let row: Option<Row> = sqlx::query_as(ROW).bind(conversation_id).fetch_optional(&mut *tx).await?;
    let row = row.ok_or(AppError::NotFound)?;
    if !row.asked() {
        return Err(AppError::Unprocessable("this chat is not waiting for a rating: it has not ended, or its team does not ask".into()));
    }
    if !editable(row.csat_at, now) {
        return Err(AppError::Conflict("a rating can be changed for 7 days, and this one is older".into()));
    }
    if row.csat_score == Some(score) && row.csat_comment == comment {
        return Ok(Survey { score: Some(score), comment, editable: true });
    }
    sqlx::query(
        "UPDATE conversations SET csat_score = $1, csat_comment = $2, csat_at = COALESCE(csat_at, $3), csat_updated_at = $3
         WHERE id = $4",
    )
    .bind(score)
    .bind(comment.as_deref())
    .bind(now)
    .bind(conversation_id)
    .execute(&mut *tx)
    .await?;
    handling::note_in(&mut tx, db, conversation_id, &line(score, comment.as_deref(), row.csat_score.is_some()), now).await?;
    let rated = Rated { conversation_id, score, comment: comment.clone() };
    let ev = Change::ConversationRated(rated).event(Audience::Agents, Some(row.inbox_id), Some(conversation_id));
    events::append(&mut tx, db.dialect(), ev, now).await?;
    tx.commit().await?;
    Ok(Survey { score: Some(score), comment, editable: true })
}

/// When an inbox asks.
pub async fn ask(db: &Db, inbox_id: i64) -> AppResult<Ask> {
    let v: Option<String> = sqlx::query_scalar("SELECT csat FROM inboxes WHERE id = $1").bind(inbox_id).fetch_optional(db.pool()).await?;
    Ok(v.as_deref().and_then(Ask::parse).ok_or(AppError::NotFound)?)
}

pub async fn set_ask(db: &Db, inbox_id: i64, ask: Ask) -> AppResult<()> {
    let done = sqlx::query("UPDATE inboxes SET csat = $1 WHERE id = $2").bind(ask.as_str()).bind(inbox_id).execute(db.pool()).await?;
    crate::db::found(&done)
}
