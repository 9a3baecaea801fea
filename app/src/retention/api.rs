//! The admin's retention settings, the last purge, on-demand purges and API tokens.
use super::PurgeReport;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    crate::audit,
    crate::state::{state},
    crate::accounts::identity::Admin,
    crate::state::extract,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxRetention {
    pub id: i64,
    pub name: String,
    pub retention_days: Option<i64>,
    pub purge_request_transcripts: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionOverview {
    pub inboxes: Vec<InboxRetention>,
    pub last_purge: Option<PurgeReport>,
    pub tokens: Vec<ApiToken>,
}

#[server(prefix = "/api", endpoint = "admin/retention")]
pub async fn get_retention() -> Result<RetentionOverview, AppError> {
    extract::<Admin>().await?;
    let st = state()?;
    Ok(RetentionOverview {
        inboxes: super::purge::inboxes(&st.db).await?,
        last_purge: super::purge::last(&st.db).await?,
        tokens: super::tokens::list(&st.db)
            .await?
            .into_iter()
            .map(|(id, name, created_at)| ApiToken { id, name, created_at })
            .collect(),
    })
}

/// Sets an inbox's retention: `days` empty keeps forever.
#[server(prefix = "/api", endpoint = "admin/retention/set")]
pub async fn set_retention(inbox_id: i64, days: String, purge_transcripts: Option<String>) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let purge = purge_transcripts.is_some();
    let days = super::purge::set_inbox(&st.db, inbox_id, &days, purge).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxRetention, "inbox", inbox_id).detail(serde_json::json!({ "days": days, "purge_request_transcripts": purge }));
    audit::record(&st.db, st.now(), entry).await
}

/// Runs the purge now (it also runs hourly).
#[server(prefix = "/api", endpoint = "admin/retention/purge")]
pub async fn purge_now() -> Result<PurgeReport, AppError> {
    extract::<Admin>().await?;
    let st = state()?;
    let report = super::purge::run(&st.db, &st.config.data_dir, st.now()).await?;
    Ok(report)
}

/// Creates an API token; the answer is the only time it can be read.
#[server(prefix = "/api", endpoint = "admin/tokens/create")]
pub async fn create_api_token(name: String) -> Result<String, AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let (id, token) = super::tokens::create(&st.db, &name, Some(admin.id), st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::TokenCreate, "api_token", id)
        .detail(serde_json::json!({ "name": name.trim() }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(token)
}

#[server(prefix = "/api", endpoint = "admin/tokens/revoke")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let name = super::tokens::revoke(&st.db, id).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::TokenRevoke, "api_token", id)
        .detail(serde_json::json!({ "name": name }));
    audit::record(&st.db, st.now(), entry).await
}
