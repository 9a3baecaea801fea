//! Reads the customer panel: two queries whatever the history's length.
use super::{attribute_text, context_link, CustomerPanel, PastChat};
use crate::conversations::{CloseReason, Status};
use crate::db::Db;
use crate::error::{AppError, AppResult};

type PanelRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The panel of conversation `id`, as `viewer` may see it: the history lists only
/// chats of inboxes they work in (all of them for an admin).
pub async fn load(db: &Db, id: i64, viewer: i64, is_admin: bool) -> AppResult<CustomerPanel> {
    let row: Option<PanelRow> = sqlx::query_as(
        "SELECT cu.id, cu.name, cu.external_id, cu.email, cu.phone, cu.role, cu.verified, cu.attributes,
                cu.first_seen_at, GREATEST_SEEN, c.visitor_online, c.context_type, c.context_id, c.context_label,
                c.context_url, i.context_url_template
         FROM conversations c JOIN customers cu ON cu.id = c.customer_id JOIN inboxes i ON i.id = c.inbox_id
         WHERE c.id = $1"
            .replace("GREATEST_SEEN", "CASE WHEN c.visitor_seen_at > cu.last_seen_at THEN c.visitor_seen_at ELSE cu.last_seen_at END")
            .as_str(),
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let (customer_id, name, external_id, email, phone, role, verified, attributes, first, last, online, ctype, cid, clabel, curl, template) =
        row.ok_or(AppError::NotFound)?;
    let attributes: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&attributes).unwrap_or_default();
    let history: Vec<(i64, String, i64, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT c.id, i.name, c.created_at, c.status, c.close_reason, c.last_message_preview
         FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
         WHERE c.customer_id = $1 AND c.id <> $2
           AND ($3 = 1 OR c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $4))
         ORDER BY c.created_at DESC, c.id DESC LIMIT 20",
    )
    .bind(customer_id)
    .bind(id)
    .bind(is_admin as i64)
    .bind(viewer)
    .fetch_all(db.pool())
    .await?;
    // The inbox's template wins; otherwise the link the host page gave (http(s) only).
    let context_link = template
        .as_deref()
        .and_then(|t| context_link(t, ctype.as_deref(), cid.as_deref()))
        .or(curl.filter(|u| crate::conversations::safe_link(u).is_some()));
    Ok(CustomerPanel {
        customer_id,
        name,
        external_id,
        email,
        phone,
        role,
        verified: verified != 0,
        attributes: attributes.iter().map(|(k, v)| (k.clone(), attribute_text(v))).collect(),
        online: online != 0,
        first_seen_at: first,
        last_seen_at: last,
        context_label: clabel.or(cid),
        context_link,
        history: history
            .into_iter()
            .map(|(id, inbox_name, created_at, status, reason, preview)| PastChat {
                id,
                inbox_name,
                created_at,
                status: Status::parse(&status).unwrap_or(Status::New),
                close_reason: reason.as_deref().and_then(CloseReason::parse),
                preview,
            })
            .collect(),
    })
}
