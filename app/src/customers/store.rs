//! Attaching identities and contexts to a conversation.
use super::Identity;
use crate::conversations::{store as conversations, visitor, Context, Conversation};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::Change;

fn clean(s: &Option<String>, max: usize) -> Option<String> {
    s.as_deref().map(crate::text::display_name).map(|s| s.trim().chars().take(max).collect::<String>()).filter(|s| !s.is_empty())
}

pub(super) async fn updated_event(tx: &mut sqlx::AnyConnection, db: &Db, conv: &Conversation, now: i64) -> AppResult<()> {
    let ev = Change::ConversationUpdated(conv.clone()).event(Audience::Agents, Some(conv.inbox_id), Some(conv.id));
    events::append(tx, db.dialect(), ev, now).await?;
    Ok(())
}

type Scalar<'q> = sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments<'q>>;

/// Binds `$1..$6`: external id, name, email, phone, role, and the time seen.
fn bind_identity<'q>(q: Scalar<'q>, fields: &[Option<String>; 5], now: i64) -> Scalar<'q> {
    fields.iter().fold(q, |q, f| q.bind(f.clone())).bind(now)
}

/// At most this many custom attributes per customer.
const MAX_ATTRIBUTES: usize = 20;

pub(super) fn check_attributes(who: &Identity) -> AppResult<()> {
    let Some(attrs) = &who.attributes else { return Ok(()) };
    if attrs.len() > MAX_ATTRIBUTES {
        return Err(AppError::Unprocessable(format!("at most {MAX_ATTRIBUTES} attributes")));
    }
    for (k, v) in attrs {
        if k.trim().is_empty() || k.chars().count() > 40 || super::attribute_text(v).chars().count() > 200 {
            return Err(AppError::Unprocessable("attribute names hold 1 to 40 characters, values up to 200".into()));
        }
    }
    Ok(())
}

/// Merges the identity's attributes over the customer's stored ones.
pub(super) async fn merge_attributes(tx: &mut sqlx::AnyConnection, customer: i64, who: &Identity) -> AppResult<()> {
    let Some(attrs) = &who.attributes else { return Ok(()) };
    let stored: String = sqlx::query_scalar("SELECT attributes FROM customers WHERE id = $1").bind(customer).fetch_one(&mut *tx).await?;
    let mut merged: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&stored).unwrap_or_default();
    for (k, v) in attrs {
        merged.insert(k.trim().to_string(), v.clone());
    }
    while merged.len() > MAX_ATTRIBUTES {
        let first = merged.keys().next().cloned().unwrap_or_default();
        merged.remove(&first);
    }
    sqlx::query("UPDATE customers SET attributes = $1 WHERE id = $2")
        .bind(serde_json::Value::Object(merged).to_string())
        .bind(customer)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Applies an identity to conversation `id`; returns whether it was verified.
pub async fn identify(db: &Db, id: i64, who: &Identity, now: i64) -> AppResult<(Conversation, bool)> {
    let external_id = clean(&who.external_id, 200);
    let fields = [external_id.clone(), clean(&who.name, 120), clean(&who.email, 254), clean(&who.phone, 40), clean(&who.role, 60)];
    check_attributes(who)?;
    let mut tx = db.begin_write().await?;
    let conv = conversations::load(&mut tx, id).await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM inboxes WHERE id = $1").bind(conv.inbox_id).fetch_one(&mut *tx).await?;
    let signed = match (&external_id, &who.signature) {
        (Some(ext), Some(sig)) => visitor::identity_is_signed(&secret, ext, sig),
        _ => false,
    };
    if signed {
        let insert = sqlx::query_scalar(
            "INSERT INTO customers (external_id, verified, name, email, phone, role, first_seen_at, last_seen_at)
             VALUES ($1, 1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (external_id) WHERE verified = 1 DO UPDATE SET
               name = COALESCE(excluded.name, customers.name), email = COALESCE(excluded.email, customers.email),
               phone = COALESCE(excluded.phone, customers.phone), role = COALESCE(excluded.role, customers.role),
               last_seen_at = excluded.last_seen_at
             RETURNING id",
        );
        let customer: i64 = bind_identity(insert, &fields, now).fetch_one(&mut *tx).await?;
        sqlx::query("UPDATE conversations SET customer_id = $1 WHERE id = $2").bind(customer).bind(id).execute(&mut *tx).await?;
        merge_attributes(&mut tx, customer, who).await?;
    } else {
        // Self-declared: only ever edits this conversation's own unverified customer.
        let update = sqlx::query_scalar(
            "UPDATE customers SET external_id = COALESCE($1, external_id), name = COALESCE($2, name),
               email = COALESCE($3, email), phone = COALESCE($4, phone), role = COALESCE($5, role), last_seen_at = $6
             WHERE id = $7 AND verified = 0 RETURNING id",
        );
        let own: Option<i64> = bind_identity(update, &fields, now).bind(conv.customer_id).fetch_optional(&mut *tx).await?;
        if let Some(own) = own {
            merge_attributes(&mut tx, own, who).await?;
        }
    }
    let after = conversations::load(&mut tx, id).await?;
    updated_event(&mut tx, db, &after, now).await?;
    tx.commit().await?;
    Ok((after, signed))
}

/// Sets what conversation `id` is about (a transaction, a test…).
pub async fn set_context(db: &Db, id: i64, ctx: &Context, now: i64) -> AppResult<Conversation> {
    let ctx = ctx.sanitized();
    let mut tx = db.begin_write().await?;
    conversations::load(&mut tx, id).await?;
    sqlx::query(
        "UPDATE conversations SET context_type = $1, context_id = $2, context_label = $3, context_url = $4 WHERE id = $5",
    )
    .bind(ctx.kind)
    .bind(ctx.id)
    .bind(ctx.label)
    .bind(ctx.url)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = conversations::load(&mut tx, id).await?;
    updated_event(&mut tx, db, &after, now).await?;
    tx.commit().await?;
    Ok(after)
}
