//! How conversations and messages are read from their rows, shared by the queries
//! of `store`, `write` and `batch`.
use super::{AuthorKind, CloseReason, Context, Conversation, Message, Status, Visibility};
use crate::error::AppResult;
use crate::db::Script;
use sqlx::{AnyConnection, FromRow};

#[derive(FromRow)]
pub(super) struct ConversationRow {
    id: i64,
    visitor_token_hash: Option<String>,
    inbox_id: i64,
    customer_id: i64,
    customer_name: Option<String>,
    customer_email: Option<String>,
    status: String,
    close_reason: Option<String>,
    assignee_id: Option<i64>,
    subject: Option<String>,
    context_type: Option<String>,
    context_id: Option<String>,
    context_label: Option<String>,
    context_url: Option<String>,
    channel: String,
    created_at: i64,
    last_message_at: Option<i64>,
    last_message_preview: Option<String>,
}

impl From<ConversationRow> for Conversation {
    fn from(r: ConversationRow) -> Self {
        Conversation {
            id: r.id,
            inbox_id: r.inbox_id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            customer_email: r.customer_email,
            // CHECK constraints keep both columns to the known names.
            status: Status::parse(&r.status).unwrap_or(Status::New),
            close_reason: r.close_reason.as_deref().and_then(CloseReason::parse),
            assignee_id: r.assignee_id,
            subject: r.subject,
            context: Context { kind: r.context_type, id: r.context_id, label: r.context_label, url: r.context_url },
            channel: r.channel,
            created_at: r.created_at,
            last_message_at: r.last_message_at,
            last_message_preview: r.last_message_preview,
        }
    }
}

pub(super) const CONVERSATION_SELECT: &str = "SELECT c.id, c.inbox_id, c.customer_id, cu.name AS customer_name,
    cu.email AS customer_email, c.status, c.close_reason, c.assignee_id, c.subject, c.context_type,
    c.context_id, c.context_label, c.context_url, c.channel, c.created_at, c.last_message_at,
    c.last_message_preview, c.visitor_token_hash
    FROM conversations c JOIN customers cu ON cu.id = c.customer_id";

#[derive(FromRow)]
pub(super) struct MessageRow {
    id: i64,
    conversation_id: i64,
    author_kind: String,
    author_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    client_id: String,
    visibility: String,
    created_at: i64,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id,
            conversation_id: r.conversation_id,
            author_kind: AuthorKind::parse(&r.author_kind).unwrap_or(AuthorKind::System),
            author_id: r.author_id,
            author_name: r.author_name,
            body: r.body,
            client_id: r.client_id,
            visibility: Visibility::parse(&r.visibility).unwrap_or(Visibility::Internal),
            created_at: r.created_at,
            attachments: Vec::new(),
        }
    }
}

/// The columns of a [`MessageRow`], for every query (and `RETURNING`) that reads one.
/// A whisper is stored as an internal line with `whisper = 1` (so a query that forgets
/// the flag still never shows it to a customer) and read back as `whisper`.
pub(super) const MESSAGE_COLUMNS: &str =
    "id, conversation_id, author_kind, author_id, author_name, body, client_id,
     CASE WHEN whisper = 1 THEN 'whisper' ELSE visibility END AS visibility, created_at";

/// The stored `visibility, whisper` of an insert whose visibility is parameter `$p`.
pub(super) fn stored_visibility(p: &str) -> String {
    format!("CASE WHEN {p} = 'whisper' THEN 'internal' ELSE {p} END, CASE WHEN {p} = 'whisper' THEN 1 ELSE 0 END")
}

/// A chat as a batch of sends reads it first.
pub(crate) struct Keyed {
    pub conversation: Conversation,
    /// The hash of the visitor token bound to it (`None` once the customer was
    /// anonymised): a visitor's send is checked against it.
    pub visitor_key: Option<String>,
    pub awaiting_since: Option<i64>,
    /// Whether it has SLA targets to keep: a policy on its inbox, or a target pending.
    pub sla: bool,
    /// The highest message id when it was read (the same for every chat read together).
    pub last_message_id: Option<i64>,
}

#[derive(FromRow)]
pub(crate) struct KeyedRow {
    #[sqlx(flatten)]
    row: ConversationRow,
    awaiting_since: Option<i64>,
    sla: i64,
    last_message_id: Option<i64>,
}

/// [`super::store::load_many`], with what a batch of sends needs besides ([`Keyed`]);
/// `lock`: locking the chats' rows for the transaction, in the order of their ids
/// (PostgreSQL only), so writers that lock several never wait on each other in a
/// circle.
pub(crate) async fn load_many_keyed(conn: &mut AnyConnection, ids: &[i64], lock: bool) -> AppResult<Vec<Keyed>> {
    let mut script = Script::new(conn);
    let sql = keyed_read(&mut script, ids, lock);
    Ok(keyed(script.fetch(conn, &sql).await?))
}

/// The read of [`load_many_keyed`], its values bound in `script`.
pub(crate) fn keyed_read(script: &mut Script<'_>, ids: &[i64], lock: bool) -> String {
    let marks: Vec<String> = ids.iter().map(|id| script.bind(*id)).collect();
    let select = CONVERSATION_SELECT.replacen(
        " FROM conversations c",
        ", c.awaiting_since, CASE WHEN c.sla_due_at IS NOT NULL OR i.sla_first_response_ms IS NOT NULL
            OR i.sla_next_response_ms IS NOT NULL OR i.sla_resolution_ms IS NOT NULL THEN 1 ELSE 0 END AS sla,
           (SELECT MAX(id) FROM messages) AS last_message_id
         FROM conversations c JOIN inboxes i ON i.id = c.inbox_id",
        1,
    );
    let locking = if lock { " ORDER BY c.id FOR UPDATE OF c" } else { "" };
    format!("{select} WHERE c.id IN ({}){locking}", marks.join(", "))
}

/// The chats [`keyed_read`] read.
pub(crate) fn keyed(rows: Vec<KeyedRow>) -> Vec<Keyed> {
    rows.into_iter()
        .map(|r| Keyed {
            visitor_key: r.row.visitor_token_hash.clone(),
            conversation: r.row.into(),
            awaiting_since: r.awaiting_since,
            sla: r.sla != 0,
            last_message_id: r.last_message_id,
        })
        .collect()
}
