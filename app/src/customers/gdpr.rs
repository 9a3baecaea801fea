//! GDPR for one customer: who may reach them, their record, their attributes, an
//! export of everything kept about them, and erasure — their messages, files, search
//! rows, event payloads and webhook deliveries go, their identity becomes "Erased
//! customer"; the conversations stay as empty shells so report counts survive.
use super::{CustomerExport, CustomerRecord, ErasedCustomer, ExportedConversation, ExportedMessage, Identity};
use crate::db::{Db, Dialect};
use crate::error::{AppError, AppResult};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

pub const ERASED_NAME: &str = "Erased customer";

/// Who asks: an agent (admins reach every customer, others those with a chat in one
/// of their inboxes), optionally kept to some inboxes (an API token's).
pub struct Asker<'a> {
    pub agent_id: i64,
    pub is_admin: bool,
    pub inboxes: &'a [i64],
}

/// 404 unless the asker reaches a conversation of the customer.
pub async fn reach(db: &Db, who: &Asker<'_>, customer: i64) -> AppResult<()> {
    let inboxes: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT inbox_id FROM conversations WHERE customer_id = $1")
        .bind(customer)
        .fetch_all(db.pool())
        .await?;
    let member_of: Vec<i64> = if who.is_admin {
        inboxes.clone()
    } else {
        sqlx::query_scalar("SELECT inbox_id FROM inbox_members WHERE agent_id = $1").bind(who.agent_id).fetch_all(db.pool()).await?
    };
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE id = $1").bind(customer).fetch_optional(db.pool()).await?;
    let reached = inboxes.iter().any(|i| member_of.contains(i) && (who.inboxes.is_empty() || who.inboxes.contains(i)));
    // An admin with no inbox limit reaches a customer whose chats are all gone too.
    let bare = who.is_admin && who.inboxes.is_empty() && exists.is_some();
    if reached || bare {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    external_id: Option<String>,
    verified: i64,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    role: Option<String>,
    attributes: String,
    first_seen_at: i64,
    last_seen_at: i64,
    erased_at: Option<i64>,
}

async fn load(conn: &mut AnyConnection, id: i64) -> AppResult<CustomerRecord> {
    let r: Row = sqlx::query_as(
        "SELECT id, external_id, verified, name, email, phone, role, attributes, first_seen_at, last_seen_at, erased_at
         FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(CustomerRecord {
        id: r.id,
        external_id: r.external_id,
        verified: r.verified != 0,
        name: r.name,
        email: r.email,
        phone: r.phone,
        role: r.role,
        attributes: serde_json::from_str(&r.attributes).unwrap_or_default(),
        first_seen_at: r.first_seen_at,
        last_seen_at: r.last_seen_at,
        erased_at: r.erased_at,
    })
}

pub async fn get(db: &Db, id: i64) -> AppResult<CustomerRecord> {
    let mut conn = db.pool().acquire().await?;
    load(&mut conn, id).await
}

/// Merges attributes over the stored ones (at most 20, as from the widget).
pub async fn set_attributes(db: &Db, id: i64, attrs: BTreeMap<String, serde_json::Value>, now: i64) -> AppResult<CustomerRecord> {
    let who = Identity { attributes: Some(attrs), ..Identity::default() };
    super::store::check_attributes(&who)?;
    let mut tx = db.begin_write().await?;
    let record = load(&mut tx, id).await?;
    if record.erased_at.is_some() {
        return Err(AppError::Conflict("this customer was erased".into()));
    }
    super::store::merge_attributes(&mut tx, id, &who).await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE customer_id = $1").bind(id).fetch_all(&mut *tx).await?;
    for conv in crate::conversations::store::load_many(&mut tx, &ids).await? {
        super::store::updated_event(&mut tx, db, &conv, now).await?;
    }
    let record = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(record)
}

/// Everything kept about the customer: public lines only (no note, whisper or
/// off-the-record line is theirs to see), with attachment names.
pub async fn export(db: &Db, id: i64, now: i64) -> AppResult<CustomerExport> {
    #[derive(sqlx::FromRow)]
    struct Conv {
        id: i64,
        inbox_name: String,
        status: String,
        created_at: i64,
        subject: Option<String>,
        context_label: Option<String>,
        csat_score: Option<i64>,
        csat_comment: Option<String>,
    }
    #[derive(sqlx::FromRow)]
    struct Msg {
        id: i64,
        conversation_id: i64,
        created_at: i64,
        author_kind: String,
        author_name: Option<String>,
        body: String,
    }
    let customer = get(db, id).await?;
    let convs: Vec<Conv> = sqlx::query_as(
        "SELECT c.id, i.name AS inbox_name, c.status, c.created_at, c.subject, c.context_label, c.csat_score, c.csat_comment
         FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.customer_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let msgs: Vec<Msg> = sqlx::query_as(
        "SELECT m.id, m.conversation_id, m.created_at, m.author_kind, a.name AS author_name, m.body
         FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN agents a ON a.id = m.author_id AND m.author_kind = 'agent'
         WHERE c.customer_id = $1 AND m.visibility = 'public' ORDER BY m.conversation_id, m.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let files: Vec<(i64, String)> = sqlx::query_as(
        "SELECT t.message_id, t.file_name FROM attachments t JOIN conversations c ON c.id = t.conversation_id
         JOIN messages m ON m.id = t.message_id WHERE c.customer_id = $1 AND m.visibility = 'public' ORDER BY t.message_id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let conversations = convs
        .into_iter()
        .map(|c| ExportedConversation {
            messages: msgs
                .iter()
                .filter(|m| m.conversation_id == c.id)
                .map(|m| ExportedMessage {
                    id: m.id,
                    created_at: m.created_at,
                    author: m.author_kind.clone(),
                    author_name: if m.author_kind == "customer" { customer.name.clone() } else { m.author_name.clone() },
                    body: m.body.clone(),
                    attachments: files.iter().filter(|(mid, _)| *mid == m.id).map(|(_, n)| n.clone()).collect(),
                })
                .collect(),
            id: c.id,
            inbox_name: c.inbox_name,
            status: c.status,
            created_at: c.created_at,
            subject: c.subject,
            context_label: c.context_label,
            csat_score: c.csat_score,
            csat_comment: c.csat_comment,
        })
        .collect();
    Ok(CustomerExport { customer, conversations, exported_at: now })
}

/// Erases the customer (see the module's note). Files are unlinked after commit; on
/// SQLite the search index is merged and the WAL truncated so no copy of the text is
/// left in the files (deleted pages are zeroed: `secure_delete`).
pub async fn erase(db: &Db, id: i64, data_dir: &std::path::Path, now: i64) -> AppResult<ErasedCustomer> {
    let mut tx = db.begin_write().await?;
    load(&mut tx, id).await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE customer_id = $1").bind(id).fetch_all(&mut *tx).await?;
    let mut out = ErasedCustomer { customer_id: id, conversations: ids.len() as u64, ..Default::default() };
    let mut keys: Vec<String> = Vec::new();
    for conv in &ids {
        keys.extend(
            sqlx::query_scalar::<_, String>("SELECT storage_key FROM attachments WHERE conversation_id = $1")
                .bind(conv)
                .fetch_all(&mut *tx)
                .await?,
        );
        let done = sqlx::query("DELETE FROM messages WHERE conversation_id = $1").bind(conv).execute(&mut *tx).await?;
        out.messages += done.rows_affected();
        for sql in [
            "DELETE FROM attachments WHERE conversation_id = $1",
            "UPDATE events SET payload = NULL WHERE conversation_id = $1",
            "DELETE FROM webhook_messages WHERE conversation_id = $1",
            "UPDATE requests SET transcript = NULL WHERE conversation_id = $1",
            "UPDATE conversations SET subject = NULL, context_label = NULL, context_url = NULL, last_message_preview = NULL,
               csat_comment = NULL, visitor_token_hash = NULL WHERE id = $1",
        ] {
            sqlx::query(sql).bind(conv).execute(&mut *tx).await?;
        }
    }
    sqlx::query(
        "UPDATE customers SET name = $1, external_id = NULL, email = NULL, phone = NULL, role = NULL, attributes = '{}',
           verified = 0, erased_at = $2 WHERE id = $3",
    )
    .bind(ERASED_NAME)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    for conv in crate::conversations::store::load_many(&mut tx, &ids).await? {
        super::store::updated_event(&mut tx, db, &conv, now).await?;
    }
    tx.commit().await?;
    out.files = keys.len() as u64;
    crate::files::remove_attachments(data_dir, &keys).await;
    if db.dialect() == Dialect::Sqlite {
        sqlx::query("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')").execute(db.pool()).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(db.pool()).await?;
    }
    Ok(out)
}
