//! The message write path and status changes. A message is acknowledged only after
//! the transaction holding it, its conversation update and its events has committed.
use super::store::{audience, load, validate_message, MESSAGE_COLUMNS};
use super::touch::touch_conversation;
use super::{lifecycle, AuthorKind, CloseReason, Conversation, Message, Status, Visibility};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::{Audience, NewEvent};
use crate::model::change::{Change, StatusChanged};
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy)]
pub enum Author<'a> {
    Customer,
    Agent { id: i64, name: &'a str },
}

impl Author<'_> {
    fn kind(&self) -> AuthorKind {
        match self {
            Author::Customer => AuthorKind::Customer,
            Author::Agent { .. } => AuthorKind::Agent,
        }
    }
}

pub struct Outgoing<'a> {
    pub conversation_id: i64,
    pub author: Author<'a>,
    pub client_id: &'a str,
    pub body: &'a str,
    pub visibility: Visibility,
    /// A stored file this message carries.
    pub file: Option<&'a crate::attachments::store::NewFile>,
}

pub(super) async fn insert_message(
    conn: &mut AnyConnection,
    conversation_id: i64,
    kind: AuthorKind,
    author_id: Option<i64>,
    author_name: Option<&str>,
    client_id: &str,
    body: &str,
    visibility: Visibility,
    now: i64,
) -> AppResult<Message> {
    let row: super::store::MessageRow = sqlx::query_as(&format!(
        "INSERT INTO messages (conversation_id, author_kind, author_id, author_name, body, client_id, visibility, whisper, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, {}, $8) RETURNING {MESSAGE_COLUMNS}",
        super::store::stored_visibility("$7")
    ))
    .bind(conversation_id)
    .bind(kind.as_str())
    .bind(author_id)
    .bind(author_name)
    .bind(body)
    .bind(client_id)
    .bind(visibility.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.into())
}

/// The `message.created` event of a stored message.
pub(super) fn message_event_row(inbox_id: i64, m: &Message) -> AppResult<NewEvent> {
    Ok(Change::MessageCreated(m.clone()).event(audience(m.visibility), Some(inbox_id), Some(m.conversation_id)))
}

pub(super) async fn message_event(conn: &mut AnyConnection, db: &Db, inbox_id: i64, m: &Message, now: i64) -> AppResult<()> {
    events::append(conn, db.dialect(), message_event_row(inbox_id, m)?, now).await?;
    Ok(())
}

/// Moves the conversation to `to`, with a system line and a status event.
pub(super) async fn change_status(
    conn: &mut AnyConnection,
    db: &Db,
    conv: &Conversation,
    to: Status,
    reason: Option<CloseReason>,
    actor: Option<&str>,
    now: i64,
) -> AppResult<()> {
    super::cycles::status_changed(conn, conv, to, reason, now).await?;
    // A chat that waits again joins the back of the queue; a closed one awaits no answer.
    sqlx::query(
        "UPDATE conversations SET status = $1, close_reason = $2,
         queued_at = CASE WHEN $1 = 'new' THEN $4 ELSE queued_at END,
         awaiting_since = CASE WHEN $1 = 'closed' THEN NULL ELSE awaiting_since END WHERE id = $3",
    )
        .bind(to.as_str())
        .bind(reason.map(|r| r.as_str()))
        .bind(conv.id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    crate::sla::store::refresh_in(conn, conv.id, None, now).await?;
    system_line(conn, db, conv, &lifecycle::status_line(to, reason, actor), Visibility::Public, now).await?;
    status_event(conn, db, conv.id, conv.inbox_id, to, reason, now).await
}

/// Tells everyone, the customer's widget included, that the conversation's status is
/// now `to`. Every change of status sends it, whatever caused the change (a reply,
/// an accept, an assignment, a move, a close).
pub(super) async fn status_event(
    conn: &mut AnyConnection,
    db: &Db,
    conversation_id: i64,
    inbox_id: i64,
    to: Status,
    reason: Option<CloseReason>,
    now: i64,
) -> AppResult<()> {
    let ev = Change::ConversationStatus(StatusChanged { conversation_id, status: to, close_reason: reason })
        .event(Audience::All, Some(inbox_id), Some(conversation_id));
    events::append(conn, db.dialect(), ev, now).await?;
    Ok(())
}

/// Sends a message. The same `client_id` again returns the original message
/// (`false`: nothing new was stored); with a different body it is a 409.
///
/// Sends that arrive together share one transaction ([`super::batch`]): each is
/// answered only after that transaction has committed.
pub async fn send(db: &Db, out: Outgoing<'_>, now: i64) -> AppResult<(Message, bool)> {
    validate_message(out.client_id, out.body)?;
    if matches!(out.author, Author::Customer) && out.visibility != Visibility::Public {
        return Err(AppError::BadRequest("customers can only send public messages".into()));
    }
    super::batch::submit(db, super::batch::OwnedSend::from(&out, None, now)).await
}

/// A visitor's send, by the hash of the token that asked ([`super::identity::VisitorChat`]):
/// the write transaction checks that the token still opens the chat (404 if not).
pub async fn send_as_visitor(db: &Db, out: Outgoing<'_>, token_hash: &str, now: i64) -> AppResult<(Message, bool)> {
    validate_message(out.client_id, out.body)?;
    if !matches!(out.author, Author::Customer) || out.visibility != Visibility::Public {
        return Err(AppError::BadRequest("customers can only send public messages".into()));
    }
    super::batch::submit(db, super::batch::OwnedSend::from(&out, Some(token_hash), now)).await
}

/// The status a message moves its conversation to.
pub(super) fn next_status(author: &Author, visibility: Visibility, conv: &Conversation) -> Status {
    match (author, visibility) {
        (Author::Customer, _) => lifecycle::after_customer_message(conv.status, conv.assignee_id.is_some()),
        (Author::Agent { .. }, Visibility::Public) => lifecycle::after_agent_reply(conv.status),
        _ => conv.status,
    }
}

/// The send itself, inside the caller's write transaction.
pub(super) async fn send_in(tx: &mut AnyConnection, db: &Db, out: Outgoing<'_>, now: i64) -> AppResult<(Message, bool)> {
    let conv = load(&mut *tx, out.conversation_id).await?;
    let existing: Option<super::store::MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_id = $2"
    ))
    .bind(conv.id)
    .bind(out.client_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = existing {
        let m: Message = row.into();
        let same_author = match out.author {
            Author::Customer => m.author_kind == AuthorKind::Customer,
            Author::Agent { id, .. } => m.author_id == Some(id),
        };
        return if same_author && m.body == out.body {
            Ok((m, false))
        } else {
            Err(AppError::Conflict("a different message was already sent with this client_id".into()))
        };
    }
    // The status line goes first, so it reads before the message that caused it.
    let next = next_status(&out.author, out.visibility, &conv);
    if next != conv.status {
        let actor = match out.author {
            Author::Agent { name, .. } => Some(name),
            Author::Customer => None,
        };
        change_status(&mut *tx, db, &conv, next, None, actor, now).await?;
    }
    let (author_id, author_name) = match out.author {
        Author::Customer => (None, Some(conv.customer_name.clone().unwrap_or_else(|| "Visitor".into()))),
        Author::Agent { id, name } => (Some(id), Some(name.to_string())),
    };
    let mut m = insert_message(
        &mut *tx, conv.id, out.author.kind(), author_id, author_name.as_deref(), out.client_id, out.body, out.visibility, now,
    )
    .await?;
    if let Some(file) = out.file {
        m.attachments.push(crate::attachments::store::insert(&mut *tx, m.id, conv.id, file, now).await?);
    }
    touch_conversation(&mut *tx, &out, now).await?;
    message_event(&mut *tx, db, conv.inbox_id, &m, now).await?;
    Ok((m, true))
}

/// Closes a conversation with a reason; closing a closed one changes nothing. The
/// caller has checked the actor's standing (see `handling::close`).
pub(super) async fn close_in(
    tx: &mut AnyConnection,
    db: &Db,
    conversation_id: i64,
    actor: &str,
    reason: CloseReason,
    now: i64,
) -> AppResult<Conversation> {
    let conv = load(tx, conversation_id).await?;
    if let Some((to, reason)) = lifecycle::close(conv.status, reason) {
        change_status(tx, db, &conv, to, Some(reason), Some(actor), now).await?;
    }
    load(tx, conversation_id).await
}

/// Adds an internal line (agents only) to a conversation, inside the caller's
/// transaction: a team chat's transcript and chat time, for instance.
pub async fn internal_line_in(conn: &mut AnyConnection, db: &Db, conversation_id: i64, body: &str, now: i64) -> AppResult<()> {
    let conv = load(conn, conversation_id).await?;
    system_line(conn, db, &conv, body, Visibility::Internal, now).await
}

/// A line from Switchboard itself (a status change, a join, a move, a team chat's
/// transcript), capped at [`super::MAX_BODY_CHARS`], with its `message.created` event:
/// the one way every system line is written.
pub(super) async fn system_line(
    conn: &mut AnyConnection,
    db: &Db,
    conv: &Conversation,
    body: &str,
    visibility: Visibility,
    now: i64,
) -> AppResult<()> {
    let body: String = body.chars().take(super::MAX_BODY_CHARS).collect();
    let client_id = format!("system-{}-{}", conv.id, crate::tokens::random_id());
    let m = insert_message(conn, conv.id, AuthorKind::System, None, None, &client_id, &body, visibility, now).await?;
    message_event(conn, db, conv.inbox_id, &m, now).await
}
