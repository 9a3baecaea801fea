//! The admin's retention settings, the last purge and on-demand purges.
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
pub struct RetentionOverview {
    pub inboxes: Vec<InboxRetention>,
    pub last_purge: Option<PurgeReport>,
}

#[server(prefix = "/api", endpoint = "admin/retention")]
pub async fn get_retention() -> Result<RetentionOverview, AppError> {
    extract::<Admin>().await?;
    let st = state()?;
    Ok(RetentionOverview {
        inboxes: super::purge::inboxes(&st.db).await?,
        last_purge: super::purge::last(&st.db).await?,
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
