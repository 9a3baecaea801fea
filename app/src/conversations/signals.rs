//! Server functions for a console's ephemeral signals: the agent is writing a reply,
//! or has the chat open. They are checked like any request on the chat, then go to
//! the open streams only (see `events::hub`): nothing is stored.
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::handling::{self, Actor},
    super::rules::Action,
    crate::accounts::identity::SignedIn,
    crate::events::Audience,
    crate::model::signal::{Signal, Typing, Viewing},
    crate::state::{extract, state},
};

/// The agent is typing a reply (`false`: stopped). The customer sees "… is typing",
/// colleagues with the chat open see "… is writing a reply".
#[server(prefix = "/api", endpoint = "conversations/typing")]
pub async fn signal_typing(conversation_id: i64, typing: bool) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let (conv, _) = handling::visible(&st.db, &Actor::of(&agent), conversation_id, Action::Reply).await?;
    let signal = Signal::Typing(Typing { conversation_id, agent_id: Some(agent.id), name: Some(agent.name.clone()), typing });
    st.hub.signal(signal.ephemeral(Audience::All, conv.inbox_id));
    Ok(())
}

/// The agent has the chat open (renewed every 10 s), or left it.
#[server(prefix = "/api", endpoint = "conversations/viewing")]
pub async fn signal_viewing(conversation_id: i64, viewing: bool) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let (conv, _) = handling::visible(&st.db, &Actor::of(&agent), conversation_id, Action::Read).await?;
    let signal = Signal::Viewing(Viewing { conversation_id, agent_id: agent.id, name: agent.name.clone(), viewing });
    st.hub.signal(signal.ephemeral(Audience::Agents, conv.inbox_id));
    Ok(())
}
