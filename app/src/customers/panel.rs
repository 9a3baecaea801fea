//! Reads the customer panel: two queries whatever the history's length.
use super::{attribute_text, context_link, CustomerPanel, PastChat};
use crate::conversations::{CloseReason, Status};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// The customer and the conversation's context, as the panel shows them.
#[derive(sqlx::FromRow)]
struct PanelRow {
    customer_id: i64,
    name: Option<String>,
    external_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    role: Option<String>,
    verified: i64,
    attributes: String,
    first_seen_at: i64,
    last_seen_at: i64,
    visitor_online: i64,
    context_type: Option<String>,
    context_id: Option<String>,
    context_label: Option<String>,
    context_url: Option<String>,
    context_url_template: Option<String>,
    csat_score: Option<i64>,
}

/// One of the customer's earlier chats.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    inbox_name: String,
    created_at: i64,
    status: String,
    close_reason: Option<String>,
    last_message_preview: Option<String>,
    csat_score: Option<i64>,
}

/// The panel of conversation `id`, as `viewer` may see it: the history lists only
/// chats of inboxes they work in (all of them for an admin).
pub async fn load(db: &Db, id: i64, viewer: i64, is_admin: bool) -> AppResult<CustomerPanel> {
    let row: Option<PanelRow> = sqlx::query_as(
        "SELECT cu.id AS customer_id, cu.name, cu.external_id, cu.email, cu.phone, cu.role, cu.verified, cu.attributes,
                cu.first_seen_at, GREATEST_SEEN AS last_seen_at, c.visitor_online, c.context_type, c.context_id,
                c.context_label, c.context_url, i.context_url_template, c.csat_score
         FROM conversations c JOIN customers cu ON cu.id = c.customer_id JOIN inboxes i ON i.id = c.inbox_id
         WHERE c.id = $1"
            .replace("GREATEST_SEEN", "CASE WHEN c.visitor_seen_at > cu.last_seen_at THEN c.visitor_seen_at ELSE cu.last_seen_at END")
            .as_str(),
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let r = row.ok_or(AppError::NotFound)?;
    let attributes: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&r.attributes).unwrap_or_default();
    let history: Vec<HistoryRow> = sqlx::query_as(
        "SELECT c.id, i.name AS inbox_name, c.created_at, c.status, c.close_reason, c.last_message_preview, c.csat_score
         FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
         WHERE c.customer_id = $1 AND c.id <> $2
           AND ($3 = 1 OR c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $4))
         ORDER BY c.created_at DESC, c.id DESC LIMIT 20",
    )
    .bind(r.customer_id)
    .bind(id)
    .bind(is_admin as i64)
    .bind(viewer)
    .fetch_all(db.pool())
    .await?;
    // The inbox's template wins; otherwise the link the host page gave (http(s) only).
    let context_link = r
        .context_url_template
        .as_deref()
        .and_then(|t| context_link(t, r.context_type.as_deref(), r.context_id.as_deref()))
        .or(r.context_url.filter(|u| crate::conversations::safe_link(u).is_some()));
    Ok(CustomerPanel {
        customer_id: r.customer_id,
        name: r.name,
        external_id: r.external_id,
        email: r.email,
        phone: r.phone,
        role: r.role,
        verified: r.verified != 0,
        attributes: attributes.iter().map(|(k, v)| (k.clone(), attribute_text(v))).collect(),
        online: r.visitor_online != 0,
        first_seen_at: r.first_seen_at,
        last_seen_at: r.last_seen_at,
        context_label: r.context_label.or(r.context_id),
        context_link,
        rating: r.csat_score,
        ratings: {
            let scores: Vec<i64> = r.csat_score.into_iter().chain(history.iter().filter_map(|h| h.csat_score)).collect();
            let n = scores.len() as i64;
            (n, (n > 0).then(|| scores.iter().sum::<i64>() as f64 / n as f64))
        },
        history: history
            .into_iter()
            .map(|h| PastChat {
                id: h.id,
                inbox_name: h.inbox_name,
                created_at: h.created_at,
                status: Status::parse(&h.status).unwrap_or(Status::New),
                close_reason: h.close_reason.as_deref().and_then(CloseReason::parse),
                preview: h.last_message_preview,
                rating: h.csat_score,
            })
            .collect(),
    })
}
