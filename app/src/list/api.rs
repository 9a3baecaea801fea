//! Server functions for the list and the counters.
use super::{Counters, ListQuery, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{counts, query},
    crate::state::{state},
    crate::accounts::identity::SignedIn,
    crate::state::extract,
};

#[server(prefix = "/api", endpoint = "inbox/page")]
pub async fn list_page(query: ListQuery) -> Result<Page, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let viewer = query::Viewer { id: agent.id, role: agent.role() };
    query::page(&st.db, &viewer, &query, st.now()).await
}

#[server(prefix = "/api", endpoint = "inbox/counters")]
pub async fn get_counters() -> Result<Counters, AppError> {
    let SignedIn(agent) = extract().await?;
    counts::counters(&state()?.db, agent.id, agent.role()).await
}
