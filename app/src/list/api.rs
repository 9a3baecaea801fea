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
    let viewer = query::Viewer { id: agent.id, role: agent.role(), inboxes: Vec::new() };
    query::page(&st.db, &viewer, &query, st.now()).await
}

#[server(prefix = "/api", endpoint = "inbox/counters")]
pub async fn get_counters() -> Result<Counters, AppError> {
    let SignedIn(agent) = extract().await?;
    counts::counters(&state()?.db, agent.id, agent.role()).await
}

/// Where an agent lands after login: their own open chats when they have any, else the
/// unassigned queue. `None` for an agent who works in no inbox yet (an admin always
/// lands on the queue).
#[server(prefix = "/api", endpoint = "inbox/landing")]
pub async fn landing() -> Result<Option<String>, AppError> {
    use super::Group;
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let viewer = query::Viewer { id: agent.id, role: agent.role(), inboxes: Vec::new() };
    if agent.role() != crate::accounts::Role::Admin
        && crate::inboxes::store::visible_to(&st.db, agent.id, agent.role()).await?.is_empty()
    {
        return Ok(None);
    }
    let mine = ListQuery { group: Group::Mine, ..ListQuery::default() };
    let has_mine = !query::page(&st.db, &viewer, &mine, st.now()).await?.rows.is_empty();
    Ok(Some(if has_mine { "/inbox?group=mine" } else { "/inbox?group=unassigned" }.to_string()))
}
