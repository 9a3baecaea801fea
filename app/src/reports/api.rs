//! The reports' server function (supervisors and admins). The CSV downloads are plain
//! handlers: `GET /api/reports.csv?<the query>&table=days|agents|heatmap`.
use super::{Report, ReportQuery};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::identity::SignedIn,
    crate::state::{extract, state},
};

#[server(prefix = "/api", endpoint = "reports")]
pub async fn get_report(query: ReportQuery) -> Result<Report, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    super::store::report(&st.db, agent.id, agent.role(), &query).await
}
