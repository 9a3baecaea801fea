//! The console's server functions for conversations. Every call is scoped to the
//! inboxes the agent works in: another inbox's conversation is a 404, not a 403, so
//! its existence is not revealed.
use super::rules::Action;
use super::{CloseReason, Conversation, Message, Thread};
use crate::accounts::TeamMember;
use crate::error::AppError;
use crate::inboxes::InboxSummary;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::handling::{self, Actor},
    super::store,
    super::write::{self, Author, Outgoing},
    super::Visibility,
    crate::state::{state, AppState},
    crate::accounts::identity::SignedIn,
    crate::state::extract,
};

/// The conversation, if the agent may take `action` on it (404 outside their inboxes).
#[cfg(feature = "ssr")]
async fn visible(st: &AppState, agent: &crate::accounts::store::AgentRow, id: i64, action: Action) -> Result<Conversation, AppError> {
    Ok(handling::visible(&st.db, &Actor::of(agent), id, action).await?.0)
}

/// What the console needs to offer the right actions on one chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handling {
    pub actions: Vec<Action>,
    pub inbox_name: String,
    pub assignee_name: Option<String>,
    /// Assigned to the agent asking.
    pub mine: bool,
    /// The inbox's active members, for the assign menu.
    pub members: Vec<TeamMember>,
    /// The other inboxes the chat can move to.
    pub move_targets: Vec<InboxSummary>,
    /// The agent supervises the chat's inbox (or is an admin): whisper, join, take over.
    #[serde(default)]
    pub supervises: bool,
    /// The pending SLA target, when it is due, and whether it was breached.
    #[serde(default)]
    pub sla: Option<(crate::sla::Target, i64, bool)>,
}

#[server(prefix = "/api", endpoint = "conversations/handling")]
pub async fn get_handling(id: i64) -> Result<Handling, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let actor = Actor::of(&agent);
    let (conv, standing) = handling::visible(&st.db, &actor, id, Action::Read).await?;
    let members = crate::accounts::presence::inbox_members(&st.db, conv.inbox_id).await?;
    let inboxes = crate::inboxes::store::visible_to(&st.db, agent.id, agent.role()).await?;
    let inbox_name = inboxes.iter().find(|i| i.id == conv.inbox_id).map(|i| i.name.clone()).unwrap_or_default();
    // An admin may hold a chat without being a member of its inbox.
    let assignee_name = match conv.assignee_id {
        Some(a) => match members.iter().find(|m| m.id == a) {
            Some(m) => Some(m.name.clone()),
            None => Some(crate::accounts::store::get(&st.db, a).await?.name),
        },
        None => None,
    };
    Ok(Handling {
        actions: super::rules::allowed(standing, agent.id, conv.assignee_id, conv.status == super::Status::Closed),
        inbox_name,
        mine: conv.assignee_id == Some(agent.id),
        assignee_name,
        members,
        move_targets: inboxes.into_iter().filter(|i| i.id != conv.inbox_id).collect(),
        supervises: standing.supervises(),
        sla: crate::sla::store::of(&st.db, id).await?,
    })
}

/// Takes an unassigned chat; a 409 names whoever was faster.
#[server(prefix = "/api", endpoint = "conversations/accept")]
pub async fn accept_conversation(id: i64) -> Result<Conversation, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let c = handling::accept(&st.db, id, &Actor::of(&agent), st.now()).await?;
    Ok(c)
}

/// Assigns the chat to a member of its inbox; `None` returns it to the queue.
#[server(prefix = "/api", endpoint = "conversations/assign")]
pub async fn assign_conversation(id: i64, agent_id: Option<i64>) -> Result<Conversation, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let c = handling::assign(&st.db, id, &Actor::of(&agent).from_address(crate::state::client_address()), agent_id, st.now()).await?;
    Ok(c)
}

#[server(prefix = "/api", endpoint = "conversations/move")]
pub async fn move_conversation(id: i64, inbox_id: i64) -> Result<Conversation, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let c = handling::move_to(&st.db, id, &Actor::of(&agent).from_address(crate::state::client_address()), inbox_id, st.now()).await?;
    Ok(c)
}

/// Deletes the chat for good (supervisors of its inbox and admins).
#[server(prefix = "/api", endpoint = "conversations/delete")]
pub async fn delete_conversation(id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let deleted = handling::delete(&st.db, id, &Actor::of(&agent).from_address(crate::state::client_address()), st.now()).await?;
    crate::files::remove_attachments(&st.config.data_dir, &deleted.storage_keys).await;
    tracing::info!(conversation_id = id, agent_id = agent.id, "conversation deleted");
    Ok(())
}

#[server(prefix = "/api", endpoint = "conversations/thread")]
pub async fn get_thread(id: i64) -> Result<Thread, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let actor = Actor::of(&agent).from_address(crate::state::client_address());
    let (conv, standing) = handling::visible(&st.db, &actor, id, Action::Read).await?;
    super::supervise::opened(&st.db, &actor, standing, &conv, st.now()).await?;
    let lines = if super::supervise::sees_whispers(standing, agent.id, &conv) { store::Lines::WithWhispers } else { store::Lines::Internal };
    store::thread(&st.db, id, lines).await
}

/// A whisper: a line for the chat's assignee and supervisors, never the customer
/// (supervisors only; the same `client_id` again returns the original).
#[server(prefix = "/api", endpoint = "conversations/whisper")]
pub async fn whisper(conversation_id: i64, client_id: String, body: String) -> Result<Message, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let actor = Actor::of(&agent).from_address(crate::state::client_address());
    super::supervise::whisper(&st.db, &actor, conversation_id, &client_id, &body, st.now()).await
}

/// A supervisor joins the chat: the customer sees them join, and they reply as usual.
#[server(prefix = "/api", endpoint = "conversations/join")]
pub async fn join_conversation(id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let actor = Actor::of(&agent).from_address(crate::state::client_address());
    super::supervise::join(&st.db, &actor, id, st.now()).await
}

/// A supervisor takes the chat for themselves.
#[server(prefix = "/api", endpoint = "conversations/take-over")]
pub async fn take_over(id: i64) -> Result<Conversation, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let actor = Actor::of(&agent).from_address(crate::state::client_address());
    super::supervise::take_over(&st.db, &actor, id, st.now()).await
}

/// Sends an agent message; the same `client_id` again returns the original.
#[server(prefix = "/api", endpoint = "conversations/reply")]
pub async fn send_reply(conversation_id: i64, client_id: String, body: String, internal: bool) -> Result<Message, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let conv = visible(&st, &agent, conversation_id, Action::Reply).await?;
    reply(&st.db, &agent, &conv, &client_id, &body, internal, st.now()).await
}

/// A reply or a note by `agent` in `conv` (which the caller checked they may answer):
/// a note's @mentions are checked before anything is stored and recorded after.
#[cfg(feature = "ssr")]
pub async fn reply(
    db: &crate::db::Db,
    agent: &crate::accounts::store::AgentRow,
    conv: &Conversation,
    client_id: &str,
    body: &str,
    internal: bool,
    now: i64,
) -> Result<Message, AppError> {
    let mentioned = if internal { crate::mentions::store::check(db, conv.inbox_id, body).await? } else { Vec::new() };
    let out = Outgoing {
        conversation_id: conv.id,
        author: Author::Agent { id: agent.id, name: &agent.name },
        client_id,
        body,
        visibility: if internal { Visibility::Internal } else { Visibility::Public },
        file: None,
    };
    let (message, created) = write::send(db, out, now).await?;
    if created {
        crate::mentions::store::record(db, &message, conv.inbox_id, &agent.name, &mentioned, now).await?;
    }
    Ok(message)
}

/// Closes the chat as closed, solved or cancelled.
#[server(prefix = "/api", endpoint = "conversations/close")]
pub async fn close_conversation(id: i64, reason: CloseReason) -> Result<Conversation, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let conversation = handling::close(&st.db, id, &Actor::of(&agent), reason, st.now()).await?;
    Ok(conversation)
}

/// Marks the conversation unread for the agent, from the customer's last message on.
#[server(prefix = "/api", endpoint = "conversations/unread")]
pub async fn mark_unread(id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    visible(&st, &agent, id, Action::Read).await?;
    store::mark_unread(&st.db, id, agent.id).await
}

/// Marks the conversation read by the agent (opening it does this).
#[server(prefix = "/api", endpoint = "conversations/read")]
pub async fn mark_read(id: i64) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    visible(&st, &agent, id, Action::Read).await?;
    store::mark_read(&st.db, id, agent.id).await?;
    crate::mentions::store::opened(&st.db, agent.id, id, st.now()).await?;
    store::seen_by_agent(&st.db, id, st.now()).await
}
