//! Server functions for service requests and, for admins, the webhook.
use super::{Priority, RequestStatus, ServiceRequest, WebhookSettings};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::conversations::handling::Actor,
    crate::state::{state},
    crate::accounts::identity::{Admin, SignedIn},
    crate::state::extract,
};

/// "Create request" in a conversation.
#[server(prefix = "/api", endpoint = "requests/create")]
pub async fn create_request(conversation_id: i64, title: String, description: String, priority: Priority) -> Result<ServiceRequest, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let new = store::NewRequest { conversation_id, title: &title, description: &description, priority };
    let r = store::create(&st.db, &Actor::of(&agent), new, st.now()).await?;
    Ok(r)
}

#[server(prefix = "/api", endpoint = "requests/list")]
pub async fn list_requests(status: Option<RequestStatus>) -> Result<Vec<ServiceRequest>, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::list(&st.db, &Actor::of(&agent), status).await
}

#[server(prefix = "/api", endpoint = "requests/of-conversation")]
pub async fn conversation_requests(conversation_id: i64) -> Result<Vec<ServiceRequest>, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::for_conversation(&st.db, &Actor::of(&agent), conversation_id).await
}

#[server(prefix = "/api", endpoint = "requests/status")]
pub async fn set_request_status(id: i64, status: RequestStatus) -> Result<ServiceRequest, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::set_status(&st.db, &Actor::of(&agent), id, status, st.now()).await
}

#[server(prefix = "/api", endpoint = "admin/webhooks")]
pub async fn get_webhooks() -> Result<Vec<WebhookSettings>, AppError> {
    extract::<Admin>().await?;
    let st = state()?;
    super::webhook::settings(&st.db).await
}

/// Sets an inbox's webhook URL (empty turns it off); internal targets need `allow_private`.
#[server(prefix = "/api", endpoint = "admin/webhooks/set")]
pub async fn set_webhook(inbox_id: i64, url: String, allow_private: Option<String>) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let allow = allow_private.is_some();
    super::webhook::configure(&st.db, inbox_id, &url, allow).await?;
    let entry = crate::audit::Entry::new(&crate::state::audit_actor(admin.id), crate::audit::Action::InboxWebhook, "inbox", inbox_id).detail(serde_json::json!({ "set": !url.trim().is_empty(), "allow_private": allow }));
    crate::audit::record(&st.db, st.now(), entry).await
}
