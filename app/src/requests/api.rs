//! Server functions for service requests.
use super::{Priority, RequestStatus, ServiceRequest};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::conversations::handling::Actor,
    crate::state::{state},
    crate::accounts::identity::SignedIn,
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
