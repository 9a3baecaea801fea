//! Request rows. Every read is scoped to the inboxes the viewer works in.
use super::{Priority, RequestStatus, ServiceRequest, TranscriptLine};
use crate::conversations::handling::{self, Actor};
use crate::conversations::rules::Action;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{Change, RequestFiled, RequestMoved};

pub struct NewRequest<'a> {
    pub conversation_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub priority: Priority,
}

/// The chat's public lines as a transcript (internal and off-the-record left out).
pub async fn transcript(db: &Db, conversation_id: i64) -> AppResult<Vec<TranscriptLine>> {
    let rows = crate::conversations::transcript::rows(db, conversation_id, false).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let text = if r[5].is_empty() { r[4].clone() } else { format!("{} [files: {}]", r[4], r[5]) };
            TranscriptLine { at: r[0].clone(), author: r[1].clone(), role: r[2].clone(), text }
        })
        .collect())
}

/// Creates a request from a chat the actor may see, with its transcript.
pub async fn create(db: &Db, actor: &Actor, new: NewRequest<'_>, now: i64) -> AppResult<ServiceRequest> {
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::Unprocessable("a request needs a title of 1 to 200 characters".into()));
    }
    if new.description.chars().count() > 5000 {
        return Err(AppError::Unprocessable("the description holds at most 5000 characters".into()));
    }
    let (conv, _) = handling::visible(db, actor, new.conversation_id, Action::Reply).await?;
    let lines = transcript(db, conv.id).await?;
    let transcript_json = serde_json::to_string(&lines).map_err(|_| AppError::Internal)?;
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO requests (inbox_id, conversation_id, title, description, priority, status, transcript, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $8) RETURNING id",
    )
    .bind(conv.inbox_id)
    .bind(conv.id)
    .bind(title)
    .bind(new.description.trim())
    .bind(new.priority.as_str())
    .bind(&transcript_json)
    .bind(actor.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let request = load(&mut tx, id).await?;
    let filed = RequestFiled { conversation_id: conv.id, request_id: id, title: title.to_string() };
    let ev = Change::RequestCreated(filed).event(Audience::Agents, Some(conv.inbox_id), Some(conv.id));
    events::append(&mut tx, db.dialect(), ev, now).await?;
    tx.commit().await?;
    Ok(request)
}

/// A request as stored, with its inbox's and author's names.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    inbox_id: i64,
    inbox_name: String,
    conversation_id: Option<i64>,
    title: String,
    description: String,
    priority: String,
    status: String,
    created_by: Option<String>,
    created_at: i64,
    transcript: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.inbox_id, i.name AS inbox_name, r.conversation_id, r.title, r.description,
    r.priority, r.status, a.name AS created_by, r.created_at, r.transcript
    FROM requests r JOIN inboxes i ON i.id = r.inbox_id LEFT JOIN agents a ON a.id = r.created_by";

fn to_request(r: Row) -> ServiceRequest {
    ServiceRequest {
        id: r.id,
        inbox_id: r.inbox_id,
        inbox_name: r.inbox_name,
        conversation_id: r.conversation_id,
        title: r.title,
        description: r.description,
        priority: Priority::parse(&r.priority).unwrap_or(Priority::Normal),
        status: RequestStatus::parse(&r.status).unwrap_or(RequestStatus::Open),
        created_by: r.created_by,
        created_at: r.created_at,
        transcript: r.transcript.and_then(|t| serde_json::from_str(&t).ok()),
    }
}

async fn load(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<ServiceRequest> {
    load_any(conn, id).await?.ok_or(AppError::NotFound)
}

/// A request whoever asks (webhooks: the caller checked it may send it).
pub async fn load_any(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Option<ServiceRequest>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE r.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    Ok(row.map(to_request))
}

/// The scope clause: admins see every inbox, others their memberships.
fn scope(actor: &Actor) -> &'static str {
    if actor.is_admin {
        "($1 = $1)"
    } else {
        "r.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $1)"
    }
}

/// Requests the actor may see, newest first, optionally by status (at most 200).
pub async fn list(db: &Db, actor: &Actor, status: Option<RequestStatus>) -> AppResult<Vec<ServiceRequest>> {
    let filter = if status.is_some() { " AND r.status = $2" } else { "" };
    let sql = format!("{SELECT} WHERE {}{filter} ORDER BY r.created_at DESC, r.id DESC LIMIT 200", scope(actor));
    let q = sqlx::query_as::<_, Row>(&sql).bind(actor.id);
    let q = match status {
        Some(s) => q.bind(s.as_str()),
        None => q,
    };
    Ok(q.fetch_all(db.pool()).await?.into_iter().map(to_request).collect())
}

/// The requests made from one chat the actor may see.
pub async fn for_conversation(db: &Db, actor: &Actor, conversation_id: i64) -> AppResult<Vec<ServiceRequest>> {
    handling::visible(db, actor, conversation_id, Action::Read).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE r.conversation_id = $1 ORDER BY r.id"))
        .bind(conversation_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(to_request).collect())
}

/// Moves a request along; another inbox's request is a 404.
pub async fn set_status(db: &Db, actor: &Actor, id: i64, status: RequestStatus, now: i64) -> AppResult<ServiceRequest> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(&format!(
        "UPDATE requests SET status = $2, updated_at = $3 WHERE id = $4 AND EXISTS (SELECT 1 FROM requests r WHERE r.id = $4 AND {})",
        scope(actor)
    ))
    .bind(actor.id)
    .bind(status.as_str())
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    crate::db::found(&done)?;
    let request = load(&mut tx, id).await?;
    let moved = RequestMoved { request_id: id, conversation_id: request.conversation_id, status: status.as_str().into() };
    let ev = Change::RequestStatus(moved).event(Audience::Agents, Some(request.inbox_id), request.conversation_id);
    events::append(&mut tx, db.dialect(), ev, now).await?;
    tx.commit().await?;
    Ok(request)
}

/// One request the actor may see (404 otherwise).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<ServiceRequest> {
    let sql = format!("{SELECT} WHERE {} AND r.id = $2", scope(actor));
    let row: Option<Row> = sqlx::query_as(&sql).bind(actor.id).bind(id).fetch_optional(db.pool()).await?;
    row.map(to_request).ok_or(AppError::NotFound)
}
