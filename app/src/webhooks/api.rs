//! Server functions for the admin's webhooks page. Every change is audited.
use super::{DeliveryLine, Subscription};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::accounts::identity::Admin, crate::audit, crate::state::extract, crate::state::state};

#[cfg(feature = "ssr")]
async fn audited(admin: i64, action: audit::Action, id: i64, detail: serde_json::Value) -> Result<(), AppError> {
    let st = state()?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin), action, "webhook", id).detail(detail);
    audit::record(&st.db, st.now(), entry).await
}

#[server(prefix = "/api", endpoint = "admin/webhooks")]
pub async fn list_webhooks() -> Result<Vec<Subscription>, AppError> {
    extract::<Admin>().await?;
    super::store::list(&state()?.db).await
}

/// Subscribes a URL to event types (space-separated) of one inbox or all.
#[server(prefix = "/api", endpoint = "admin/webhooks/create")]
pub async fn create_webhook(url: String, events: String, inbox_id: Option<i64>, allow_private: Option<String>) -> Result<Subscription, AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let new = super::NewSubscription {
        inbox_id,
        url,
        events: events.split([' ', ',']).filter(|e| !e.is_empty()).map(String::from).collect(),
        allow_private: allow_private.is_some(),
    };
    let sub = super::store::create(&st.db, &new, st.now()).await?;
    audited(admin.id, audit::Action::WebhookCreate, sub.id, serde_json::json!({ "url": sub.url, "events": sub.events, "inbox_id": sub.inbox_id })).await?;
    Ok(sub)
}

#[server(prefix = "/api", endpoint = "admin/webhooks/enable")]
pub async fn enable_webhook(id: i64, enabled: bool) -> Result<Subscription, AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let sub = super::store::set_enabled(&st.db, id, enabled, st.now()).await?;
    audited(admin.id, audit::Action::WebhookUpdate, id, serde_json::json!({ "enabled": enabled })).await?;
    Ok(sub)
}

#[server(prefix = "/api", endpoint = "admin/webhooks/delete")]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    super::store::delete(&state()?.db, id).await?;
    audited(admin.id, audit::Action::WebhookDelete, id, serde_json::json!({})).await
}

/// A subscription's delivery log, newest first (`before`: an id, for older ones).
#[server(prefix = "/api", endpoint = "admin/webhooks/log")]
pub async fn webhook_log(id: i64, before: Option<i64>) -> Result<Vec<DeliveryLine>, AppError> {
    extract::<Admin>().await?;
    super::store::log(&state()?.db, id, before).await
}

#[server(prefix = "/api", endpoint = "admin/webhooks/redeliver")]
pub async fn redeliver_webhook(id: i64, delivery: i64) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    super::store::redeliver(&st.db, id, delivery, st.now()).await?;
    audited(admin.id, audit::Action::WebhookRedeliver, id, serde_json::json!({ "delivery": delivery })).await
}

/// Queues a `webhook.test` event; returns its id.
#[server(prefix = "/api", endpoint = "admin/webhooks/test")]
pub async fn test_webhook(id: i64) -> Result<String, AppError> {
    extract::<Admin>().await?;
    let st = state()?;
    super::store::send_test(&st.db, id, st.now()).await
}

/// How many subscriptions failures switched off (the admins' alert).
#[server(prefix = "/api", endpoint = "admin/webhooks/disabled")]
pub async fn disabled_webhooks() -> Result<i64, AppError> {
    extract::<Admin>().await?;
    super::store::disabled(&state()?.db).await
}
