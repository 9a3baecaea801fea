//! Server functions for an inbox's survey setting (admins only, audited).
use super::Ask;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::accounts::identity::Admin,
    crate::audit,
    crate::state::{extract, state},
};

#[server(prefix = "/api", endpoint = "admin/inboxes/csat")]
pub async fn csat_setting(inbox_id: i64) -> Result<Ask, AppError> {
    extract::<Admin>().await?;
    store::ask(&state()?.db, inbox_id).await
}

/// `ask` is `off`, `solved` or `closed`.
#[server(prefix = "/api", endpoint = "admin/inboxes/csat/save")]
pub async fn set_csat(inbox_id: i64, ask: String) -> Result<Ask, AppError> {
    let Admin(admin) = extract().await?;
    let ask = Ask::parse(&ask).ok_or_else(|| AppError::Unprocessable("the survey is off, after solved chats or after closed ones".into()))?;
    let st = state()?;
    let before = store::ask(&st.db, inbox_id).await?;
    store::set_ask(&st.db, inbox_id, ask).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxCsat, "inbox", inbox_id)
        .changed(&serde_json::json!({ "ask": before.as_str() }), &serde_json::json!({ "ask": ask.as_str() }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(ask)
}
