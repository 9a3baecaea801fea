//! The dashboard's server function (supervisors and admins).
use super::Dashboard;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::identity::SignedIn,
    crate::state::{extract, state},
};

#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    super::store::read(&st.db, agent.id, agent.role(), st.now()).await
}
