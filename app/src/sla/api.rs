//! The SLA policy's server functions (admins): read and save an inbox's targets.
use super::Policy;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::identity::Admin,
    crate::state::{audit_actor, extract, state},
};

#[server(prefix = "/api", endpoint = "admin/inboxes/sla")]
pub async fn sla_policy(inbox_id: i64) -> Result<Policy, AppError> {
    extract::<Admin>().await?;
    super::store::policy(&state()?.db, inbox_id).await
}

/// Targets in whole minutes (empty: none); `business_hours` on to count only the
/// inbox's schedule. Every open chat of the inbox is due again under the new targets.
#[server(prefix = "/api", endpoint = "admin/inboxes/sla/save")]
pub async fn save_sla_policy(
    inbox_id: i64,
    first_response: String,
    next_response: String,
    resolution: String,
    business_hours: Option<String>,
) -> Result<Policy, AppError> {
    let Admin(admin) = extract().await?;
    let minutes = |t: &str| super::parse_minutes(t).map_err(AppError::Unprocessable);
    let policy = Policy {
        first_response_ms: minutes(&first_response)?,
        next_response_ms: minutes(&next_response)?,
        resolution_ms: minutes(&resolution)?,
        business_hours: business_hours.is_some(),
    };
    let st = state()?;
    super::store::set_policy(&st.db, &audit_actor(admin.id), inbox_id, &policy, st.now()).await?;
    Ok(policy)
}
