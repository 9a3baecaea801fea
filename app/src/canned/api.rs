//! Server functions for canned responses: the settings page keeps them, the reply
//! box lists and uses them.
use super::{Canned, CannedOption};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::{store, template},
    crate::accounts::identity::SignedIn,
    crate::accounts::Role,
    crate::conversations::handling::{self, Actor},
    crate::conversations::rules::Action,
    crate::state::{extract, state},
};

/// An inbox the agent may keep responses for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxChoice {
    pub id: i64,
    pub name: String,
}

/// The settings page: the responses the agent may use, and where they may add one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedPage {
    pub items: Vec<Canned>,
    /// Inboxes whose responses they keep (those they supervise; every one for an admin).
    pub inboxes: Vec<InboxChoice>,
    pub may_keep_global: bool,
}

#[server(prefix = "/api", endpoint = "canned/list")]
pub async fn list_canned() -> Result<CannedPage, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let is_admin = agent.role() == Role::Admin;
    let who = store::keeper(&st.db, agent.id, is_admin).await?;
    let items = store::listed(&st.db, &who).await?;
    let inboxes = crate::inboxes::store::visible_to(&st.db, agent.id, agent.role())
        .await?
        .into_iter()
        .filter(|i| is_admin || who.supervises.contains(&i.id))
        .map(|i| InboxChoice { id: i.id, name: i.name })
        .collect();
    Ok(CannedPage { items, inboxes, may_keep_global: is_admin })
}

/// Creates (`id` empty) or changes a response. `scope` is `personal`, `inbox` (with
/// `inbox_id`) or `global`.
#[server(prefix = "/api", endpoint = "canned/save")]
pub async fn save_canned(
    id: Option<i64>,
    scope: String,
    inbox_id: Option<i64>,
    shortcode: String,
    title: String,
    body: String,
) -> Result<i64, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let draft = super::draft(&scope, inbox_id, &shortcode, &title, &body)?;
    let who = store::keeper(&st.db, agent.id, agent.role() == Role::Admin).await?;
    let who = super::Keeper { address: crate::state::client_address(), ..who };
    store::save(&st.db, &who, id, &draft, st.now()).await
}

#[server(prefix = "/api", endpoint = "canned/delete")]
pub async fn delete_canned(id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let who = store::keeper(&st.db, agent.id, agent.role() == Role::Admin).await?;
    let who = super::Keeper { address: crate::state::client_address(), ..who };
    store::delete(&st.db, &who, id, st.now()).await
}

/// The responses the agent may use in this chat.
#[server(prefix = "/api", endpoint = "canned/for-chat")]
pub async fn canned_for_chat(conversation_id: i64) -> Result<Vec<CannedOption>, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let (conv, _) = handling::visible(&st.db, &Actor::of(&agent), conversation_id, Action::Read).await?;
    store::usable(&st.db, agent.id, conv.inbox_id).await
}

/// A response filled in for this chat, as plain text for the reply box; counts a use.
#[server(prefix = "/api", endpoint = "canned/use")]
pub async fn use_canned(conversation_id: i64, id: i64) -> Result<String, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let (conv, _) = handling::visible(&st.db, &Actor::of(&agent), conversation_id, Action::Reply).await?;
    let canned = store::usable_one(&st.db, agent.id, conv.inbox_id, id).await?;
    let inbox_name = crate::inboxes::store::name(&st.db, conv.inbox_id).await?;
    let values = template::Values {
        customer_name: conv.customer_name.clone(),
        customer_email: conv.customer_email.clone(),
        agent_name: Some(agent.name.clone()),
        inbox_name,
        conversation_id: Some(conv.id),
    };
    store::used(&st.db, id).await?;
    Ok(template::render(&canned.body, &values))
}
