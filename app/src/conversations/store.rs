//! Conversation rows: starting a visitor's conversation, reading conversations and
//! threads, and read markers. (Sending is in `write` and `batch`.)
use super::{AuthorKind, Context, Conversation, Message, Thread, Visibility, MAX_BODY_CHARS};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{self, Change};
use sqlx::AnyConnection;
pub(crate) use super::rows::load_many_keyed;
pub(super) use super::rows::{stored_visibility, MessageRow, MESSAGE_COLUMNS};
use super::rows::{ConversationRow, CONVERSATION_SELECT};

pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> AppResult<Conversation> {
    let row: Option<ConversationRow> = sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(Into::into).ok_or(AppError::NotFound)
}

/// Several conversations in one query (those that exist).
pub(crate) async fn load_many(conn: &mut AnyConnection, ids: &[i64]) -> AppResult<Vec<Conversation>> {
    Ok(load_many_keyed(conn, ids, false).await?.into_iter().map(|k| k.conversation).collect())
}

pub async fn get(db: &Db, id: i64) -> AppResult<Conversation> {
    let mut conn = db.pool().acquire().await?;
    load(&mut conn, id).await
}

/// The conversation a visitor token is bound to.
pub async fn by_visitor_hash(db: &Db, token_hash: &str) -> AppResult<Option<Conversation>> {
    let row: Option<ConversationRow> =
        sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE c.visitor_token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(Into::into))
}

/// Which lines of a chat a reader gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// The customer's view.
    Public,
    /// Agents: notes and system lines too, but no whispers.
    Internal,
    /// The chat's assignee, its inbox's supervisors and admins: whispers too.
    WithWhispers,
}

impl From<bool> for Lines {
    fn from(include_internal: bool) -> Lines {
        if include_internal { Lines::Internal } else { Lines::Public }
    }
}

/// A conversation and its messages; visitors never see internal lines, and only the
/// chat's assignee and supervisors see whispers.
pub async fn thread(db: &Db, id: i64, lines: impl Into<Lines>) -> AppResult<Thread> {
    // Read the log's end first: anything committed after this is replayed by the stream.
    let last_event_id = events::last_id(db).await?;
    let conversation = get(db, id).await?;
    let filter = match lines.into() {
        Lines::Public => " AND visibility = 'public'",
        Lines::Internal => " AND whisper = 0",
        Lines::WithWhispers => "",
    };
    let rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1{filter} ORDER BY id"
    ))
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let messages = with_files(db, id, rows).await?;
    let seen: SeenRow = sqlx::query_as("SELECT customer_seen_message_id, agent_seen_message_id FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    Ok(Thread { conversation, messages, last_event_id, customer_seen: seen.customer_seen_message_id, agent_seen: seen.agent_seen_message_id })
}

/// The messages of rows of chat `id`, each with its files (one query for them all).
pub(super) async fn with_files(db: &Db, id: i64, rows: Vec<MessageRow>) -> AppResult<Vec<Message>> {
    let mut files = crate::attachments::store::by_message(db, id).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut m: Message = r.into();
            m.attachments = files.remove(&m.id).unwrap_or_default();
            m
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct SeenRow {
    customer_seen_message_id: i64,
    agent_seen_message_id: i64,
}

/// The customer had the chat on screen with messages up to `message_id` (clamped to
/// the chat's newest public message). A mark that moves forward is a
/// `conversation.seen` event; one that does not writes nothing.
pub async fn seen_by_customer(db: &Db, conversation_id: i64, message_id: i64, now: i64) -> AppResult<()> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM messages WHERE conversation_id = $1 AND visibility = 'public'")
        .bind(conversation_id)
        .fetch_one(db.pool())
        .await?;
    let upto = message_id.min(newest.unwrap_or(0));
    advance_seen(db, conversation_id, "customer_seen_message_id", AuthorKind::Customer, upto, now).await
}

/// An agent of the chat read it: the customer's messages so far are seen.
pub async fn seen_by_agent(db: &Db, conversation_id: i64, now: i64) -> AppResult<()> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM messages WHERE conversation_id = $1 AND author_kind = 'customer'")
        .bind(conversation_id)
        .fetch_one(db.pool())
        .await?;
    advance_seen(db, conversation_id, "agent_seen_message_id", AuthorKind::Agent, newest.unwrap_or(0), now).await
}

async fn advance_seen(db: &Db, conversation_id: i64, column: &'static str, by: AuthorKind, upto: i64, now: i64) -> AppResult<()> {
    // Most calls find the mark where it is: a read, and no write transaction.
    let at: Option<i64> = sqlx::query_scalar(&format!("SELECT {column} FROM conversations WHERE id = $1")).bind(conversation_id).fetch_optional(db.pool()).await?;
    if upto <= 0 || at.is_none_or(|at| at >= upto) {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(&format!("UPDATE conversations SET {column} = $1 WHERE id = $2 AND {column} < $1"))
        .bind(upto)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(());
    }
    let inbox: i64 = sqlx::query_scalar("SELECT inbox_id FROM conversations WHERE id = $1").bind(conversation_id).fetch_one(&mut *tx).await?;
    let change = Change::ConversationSeen(change::Seen { conversation_id, by, message_id: upto });
    events::append(&mut tx, db.dialect(), change.event(Audience::All, Some(inbox), Some(conversation_id)), now).await?;
    tx.commit().await?;
    Ok(())
}

pub struct StartVisitor<'a> {
    pub inbox_key: &'a str,
    pub token_hash: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub context: Option<&'a Context>,
}

fn clean(s: Option<&str>, max: usize) -> Option<String> {
    s.map(crate::text::display_name).map(|s| s.trim().chars().take(max).collect::<String>()).filter(|s| !s.is_empty())
}

/// Starts the visitor's conversation, or returns the one their token already has:
/// repeated and concurrent starts give one conversation.
pub async fn start(db: &Db, req: StartVisitor<'_>, now: i64) -> AppResult<(Conversation, bool)> {
    if let Some(existing) = by_visitor_hash(db, req.token_hash).await? {
        return Ok((existing, false));
    }
    let mut tx = db.begin_write().await?;
    let inbox_id: i64 = sqlx::query_scalar("SELECT id FROM inboxes WHERE public_key = $1")
        .bind(req.inbox_key)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    // Writers are serialised, so this second look settles any race between two starts.
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE visitor_token_hash = $1")
        .bind(req.token_hash)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(id) = existing {
        let conversation = load(&mut tx, id).await?;
        tx.commit().await?;
        return Ok((conversation, false));
    }
    let customer_id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (name, email, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(clean(req.name, 120))
    .bind(clean(req.email, 254))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let ctx = req.context.map(Context::sanitized).unwrap_or_default();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (inbox_id, customer_id, status, created_at, activity_at, queued_at, visitor_token_hash,
            context_type, context_id, context_label, context_url)
         VALUES ($1, $2, 'new', $3, $3, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(inbox_id)
    .bind(customer_id)
    .bind(now)
    .bind(req.token_hash)
    .bind(ctx.kind)
    .bind(ctx.id)
    .bind(ctx.label)
    .bind(ctx.url)
    .fetch_one(&mut *tx)
    .await?;
    super::cycles::started(&mut tx, id, now).await?;
    crate::sla::store::refresh_in(&mut tx, id, None, now).await?;
    let conversation = load(&mut tx, id).await?;
    let ev = Change::ConversationCreated(conversation.clone()).event(Audience::Agents, Some(inbox_id), Some(id));
    events::append(&mut tx, db.dialect(), ev, now).await?;
    tx.commit().await?;
    Ok((conversation, true))
}

pub(super) fn audience(visibility: Visibility) -> Audience {
    match visibility {
        Visibility::Public => Audience::All,
        Visibility::Whisper => Audience::Whisper,
        _ => Audience::Agents,
    }
}

pub fn validate_message(client_id: &str, body: &str) -> AppResult<()> {
    if client_id.is_empty() || client_id.len() > 64 || !client_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::BadRequest("client_id must be 1 to 64 letters, digits, '-' or '_'".into()));
    }
    if body.trim().is_empty() {
        return Err(AppError::Unprocessable("a message cannot be empty".into()));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::PayloadTooLarge(format!("a message holds at most {MAX_BODY_CHARS} characters")));
    }
    Ok(())
}

/// Records that the visitor's widget holds a stream (`online`) or has just let go of
/// one. A change of state is a `visitor.presence` event, so the customer panel shows
/// it live; a visitor with two tabs who closes one turns online again at the other
/// tab's next recheck.
pub async fn visitor_seen(db: &Db, id: i64, online: bool, now: i64) -> AppResult<()> {
    if online {
        // An open widget rechecks every 30 s: a fresh mark needs no write.
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT visitor_online, visitor_seen_at FROM conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?;
        if let Some((1, Some(t))) = row {
            if t <= now && now - t < crate::accounts::presence::TOUCH_EVERY_MS {
                return Ok(());
            }
        }
    }
    super::seen::write(db, super::seen::Mark::Visitor { conversation_id: id, online }, now).await
}

/// Marks the chat unread for the agent from the customer's last message on.
pub async fn mark_unread(db: &Db, conversation_id: i64, agent_id: i64) -> AppResult<()> {
    set_read_marker(db, conversation_id, agent_id, "COALESCE(MAX(id), 1) - 1", " AND author_kind = 'customer'").await
}

/// Marks everything in the conversation as read by the agent, up to now.
pub async fn mark_read(db: &Db, conversation_id: i64, agent_id: i64) -> AppResult<()> {
    set_read_marker(db, conversation_id, agent_id, "COALESCE(MAX(id), 0)", "").await
}

/// Sets the agent's read position to `position` over the chat's messages (`filter`ed).
async fn set_read_marker(db: &Db, conversation_id: i64, agent_id: i64, position: &str, filter: &str) -> AppResult<()> {
    sqlx::query(&format!(
        "INSERT INTO read_markers (conversation_id, agent_id, last_read_message_id)
         SELECT $1, $2, {position} FROM messages WHERE conversation_id = $1{filter}
         ON CONFLICT (conversation_id, agent_id) DO UPDATE SET last_read_message_id = excluded.last_read_message_id"
    ))
    .bind(conversation_id)
    .bind(agent_id)
    .execute(db.pool())
    .await?;
    Ok(())
}
