//! Server functions of `/admin/audit` (admins only). The CSV download is a plain
//! handler: `GET /api/admin/audit.csv?<the same filters>`.
use super::{AuditPage, AuditQuery};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::identity::Admin,
    crate::state::{audit_actor, extract, state},
};

#[server(prefix = "/api", endpoint = "admin/audit")]
pub async fn load_audit(query: AuditQuery) -> Result<AuditPage, AppError> {
    extract::<Admin>().await?;
    super::store::view(&state()?.db, &query).await
}

/// How many days the log keeps its entries (30 to 3650).
#[server(prefix = "/api", endpoint = "admin/audit/retention")]
pub async fn set_audit_retention(days: String) -> Result<i64, AppError> {
    let Admin(admin) = extract().await?;
    let days = super::parse_retention(&days).map_err(AppError::Unprocessable)?;
    let st = state()?;
    super::store::set_retention_days(&st.db, &audit_actor(admin.id), days, st.now()).await?;
    Ok(days)
}
