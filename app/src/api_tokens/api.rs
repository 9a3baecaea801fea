//! Server functions for the admin's API tokens page.
use super::{Scope, TokenInfo};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::accounts::identity::Admin, crate::audit, crate::state::extract, crate::state::state};

#[server(prefix = "/api", endpoint = "admin/tokens")]
pub async fn list_api_tokens() -> Result<Vec<TokenInfo>, AppError> {
    extract::<Admin>().await?;
    super::store::list(&state()?.db).await
}

/// Creates a token acting as the admin; the answer is the only time it can be read.
/// `scopes` is space-separated (read, write, admin; `read` when left out); `inboxes`
/// comma-separated ids, none for every inbox.
#[server(prefix = "/api", endpoint = "admin/tokens/create")]
pub async fn create_api_token(name: String, scopes: Option<String>, inboxes: Option<String>, per_minute: Option<i64>) -> Result<String, AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let scopes = parse_scopes(scopes.as_deref().unwrap_or("read"))?;
    let inboxes = parse_inboxes(inboxes.as_deref().unwrap_or(""))?;
    let new = super::store::NewToken {
        name: &name,
        agent_id: admin.id,
        scopes: &scopes,
        inboxes: &inboxes,
        per_minute: per_minute.unwrap_or(super::DEFAULT_PER_MINUTE),
    };
    let (id, token) = super::store::create(&st.db, new, Some(admin.id), st.now()).await?;
    let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::TokenCreate, "api_token", id)
        .detail(serde_json::json!({ "name": name.trim(), "scopes": names, "inboxes": inboxes }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(token)
}

#[server(prefix = "/api", endpoint = "admin/tokens/revoke")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let name = super::store::revoke(&st.db, id).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::TokenRevoke, "api_token", id)
        .detail(serde_json::json!({ "name": name }));
    audit::record(&st.db, st.now(), entry).await
}

/// `read write` → the scopes (422 for an unknown one).
pub fn parse_scopes(text: &str) -> Result<Vec<Scope>, AppError> {
    text.split([' ', ',']).filter(|s| !s.is_empty())
        .map(|s| Scope::parse(s).ok_or_else(|| AppError::Unprocessable(format!("unknown scope {s:?}: read, write or admin"))))
        .collect()
}

/// `1,3` → inbox ids (422 for anything else).
pub fn parse_inboxes(text: &str) -> Result<Vec<i64>, AppError> {
    text.split([' ', ',']).filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| AppError::Unprocessable(format!("{s:?} is not an inbox id"))))
        .collect()
}
