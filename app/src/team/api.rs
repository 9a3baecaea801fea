//! Team chat server functions: thin wrappers over `store` and `messages`.
use super::{Session, SessionSummary, TeamMessage, TeamTranscript, Timer};
use crate::accounts::TeamMember;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{messages, store},
    crate::conversations::handling::Actor,
    crate::state::{state},
    crate::accounts::identity::SignedIn,
    crate::state::extract,
};

/// The timer operations the window offers.
pub use super::TimerAction;

#[server(prefix = "/api", endpoint = "team/start")]
pub async fn start_team_chat(topic: String, conversation_id: Option<i64>, request_id: Option<i64>) -> Result<i64, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let id = store::start(&st.db, &Actor::of(&agent), &topic, conversation_id, request_id, st.now()).await?;
    Ok(id)
}

#[server(prefix = "/api", endpoint = "team/list")]
pub async fn list_team_chats() -> Result<Vec<SessionSummary>, AppError> {
    let SignedIn(agent) = extract().await?;
    store::list(&state()?.db, &Actor::of(&agent)).await
}

#[server(prefix = "/api", endpoint = "team/get")]
pub async fn get_team_chat(id: i64) -> Result<Session, AppError> {
    let SignedIn(agent) = extract().await?;
    store::read(&state()?.db, &Actor::of(&agent), id).await
}

/// Every active agent with their availability, for the Invite window.
#[server(prefix = "/api", endpoint = "team/directory")]
pub async fn team_directory() -> Result<Vec<TeamMember>, AppError> {
    let SignedIn(agent) = extract().await?;
    crate::accounts::presence::team(&state()?.db, agent.id, crate::accounts::Role::Admin).await
}

#[server(prefix = "/api", endpoint = "team/invite")]
pub async fn invite_to_team_chat(session_id: i64, agent_id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::invite(&st.db, &Actor::of(&agent), session_id, agent_id, st.now()).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "team/answer")]
pub async fn answer_team_invite(session_id: i64, accept: bool) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::respond(&st.db, &Actor::of(&agent), session_id, accept, st.now()).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "team/leave")]
pub async fn leave_team_chat(session_id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::leave(&st.db, &Actor::of(&agent), session_id, st.now()).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "team/timer")]
pub async fn team_timer(session_id: i64, action: TimerAction) -> Result<Timer, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let op = match action {
        TimerAction::Pause => store::TimerOp::Pause,
        TimerAction::Resume => store::TimerOp::Resume,
        TimerAction::Set { seconds } => store::TimerOp::Set(seconds.saturating_mul(1000)),
    };
    let t = store::timer(&st.db, &Actor::of(&agent), session_id, op, st.now()).await?;
    Ok(t)
}

/// Sends a line; `off_record_to` names the one participant who may read it.
#[server(prefix = "/api", endpoint = "team/send")]
pub async fn send_team_message(session_id: i64, client_id: String, body: String, off_record_to: Option<i64>) -> Result<TeamMessage, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let m = messages::send(&st.db, &Actor::of(&agent), session_id, &client_id, &body, off_record_to, st.now()).await?;
    Ok(m)
}

/// The team chats attached to a request the agent may see.
#[server(prefix = "/api", endpoint = "team/of-request")]
pub async fn request_team_chats(request_id: i64) -> Result<Vec<TeamTranscript>, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    crate::requests::store::get(&st.db, &Actor::of(&agent), request_id).await?;
    messages::for_request(&st.db, request_id).await
}
