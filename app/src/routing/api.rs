//! Server functions for routing settings (admins only). Each change is audited and
//! settles the inboxes it touches at once: a raised capacity or automatic
//! assignment turned on takes what is waiting.
use super::Routing;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{board, offers, parse_capacity, parse_offer_seconds, react, store, Assignment, OfflineChats},
    crate::accounts::identity::SignedIn,
    crate::accounts::identity::Admin,
    crate::audit,
    crate::state::{extract, state},
};

#[server(prefix = "/api", endpoint = "admin/routing")]
pub async fn routing_settings(inbox_id: i64) -> Result<Routing, AppError> {
    extract::<Admin>().await?;
    store::settings(&state()?.db, inbox_id).await
}

/// `assignment` is `manual` or `auto`; `capacity` open chats per agent (1–50);
/// `offline_chats` is `keep` or `return`; `offer_seconds` empty (assign at once) or
/// 5–300 (offer mode).
#[server(prefix = "/api", endpoint = "admin/routing/save")]
pub async fn save_routing(
    inbox_id: i64,
    assignment: String,
    capacity: String,
    offline_chats: String,
    offer_seconds: Option<String>,
) -> Result<Routing, AppError> {
    let Admin(admin) = extract().await?;
    let wanted = Routing {
        assignment: Assignment::parse(&assignment)
            .ok_or_else(|| AppError::Unprocessable("assignment is manual or auto".into()))?,
        capacity: parse_capacity(&capacity).map_err(AppError::Unprocessable)?,
        offline_chats: OfflineChats::parse(&offline_chats)
            .ok_or_else(|| AppError::Unprocessable("an offline agent's chats are kept or returned".into()))?,
        offer_seconds: parse_offer_seconds(offer_seconds.as_deref().unwrap_or("")).map_err(AppError::Unprocessable)?,
    };
    let st = state()?;
    let before = store::settings(&st.db, inbox_id).await?;
    store::set_settings(&st.db, inbox_id, &wanted).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxRouting, "inbox", inbox_id).changed(&before, &wanted);
    audit::record(&st.db, st.now(), entry).await?;
    react::settle_and_show(&st.db, &board::of(&st.db), inbox_id, st.now()).await?;
    Ok(wanted)
}

/// Sets an agent's own capacity (open chats, 1–50); empty goes back to each inbox's.
#[server(prefix = "/api", endpoint = "admin/agents/capacity")]
pub async fn set_agent_capacity(agent_id: i64, capacity: String) -> Result<Option<i64>, AppError> {
    let Admin(admin) = extract().await?;
    let capacity = match capacity.trim() {
        "" => None,
        text => Some(parse_capacity(text).map_err(AppError::Unprocessable)?),
    };
    let st = state()?;
    let before = store::agent_capacity(&st.db, agent_id).await?;
    store::set_agent_capacity(&st.db, agent_id, capacity).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::AgentCapacity, "agent", agent_id)
        .changed(&serde_json::json!({ "capacity": before }), &serde_json::json!({ "capacity": capacity }));
    audit::record(&st.db, st.now(), entry).await?;
    let board = board::of(&st.db);
    for inbox in store::inboxes_of(&st.db, agent_id).await? {
        react::settle_and_show(&st.db, &board, inbox, st.now()).await?;
    }
    Ok(capacity)
}

/// The agent declines a chat offered to them: it goes to the next eligible agent.
/// 409 when it is no longer offered to them (taken, or lapsed).
#[server(prefix = "/api", endpoint = "conversations/offer/decline")]
pub async fn decline_offer(id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let inbox = offers::decline(&st.db, id, agent.id, st.now()).await?;
    react::settle_and_show(&st.db, &board::of(&st.db), inbox, st.now()).await?;
    Ok(())
}
