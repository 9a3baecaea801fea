//! Server functions for the Mentions page and the sidebar's count.
use super::Mention;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::accounts::identity::SignedIn,
    crate::state::{extract, state},
};

#[server(prefix = "/api", endpoint = "mentions/list")]
pub async fn my_mentions() -> Result<Vec<Mention>, AppError> {
    let SignedIn(agent) = extract().await?;
    store::list(&state()?.db, agent.id, 100).await
}

/// How many chats mention me in notes I have not opened since.
#[server(prefix = "/api", endpoint = "mentions/unread")]
pub async fn unread_mentions() -> Result<i64, AppError> {
    let SignedIn(agent) = extract().await?;
    store::unread_chats(&state()?.db, agent.id).await
}
