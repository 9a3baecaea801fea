//! The signed-in agent's view of themselves: who they are, the inboxes they can see,
//! and (for supervisors) their team. Above both the accounts and the inboxes domains,
//! which it joins.
use crate::accounts::{Availability, Role, TeamMember};
use crate::error::AppError;
use crate::inboxes::InboxSummary;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {crate::accounts::identity::SignedIn,
    crate::state::extract, crate::state::state};

/// The logged-in agent and the inboxes they can see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub availability: Availability,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub inboxes: Vec<InboxSummary>,
}

/// The logged-in agent, or `None` when the request has no live session.
#[server(prefix = "/api", endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let agent = match extract::<SignedIn>().await {
        Ok(SignedIn(agent)) => agent,
        Err(AppError::Unauthorized) => return Ok(None),
        Err(e) => return Err(e),
    };
    let st = state()?;
    let inboxes = crate::inboxes::store::visible_to(&st.db, agent.id, agent.role()).await?;
    let role = agent.role();
    let availability = crate::accounts::presence::chosen(&st.db, agent.id).await?;
    Ok(Some(Me { id: agent.id, availability, email: agent.email, name: agent.name, role, inboxes }))
}

/// The colleagues who share an inbox with a supervisor (everyone for an admin), with
/// their presence. Operators get a 403.
#[server(prefix = "/api", endpoint = "team")]
pub async fn get_team() -> Result<Vec<TeamMember>, AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let role = agent.role();
    let supervises = role == Role::Admin
        || crate::inboxes::store::visible_to(&st.db, agent.id, role)
            .await?
            .iter()
            .any(|i| i.my_role == Some(crate::inboxes::MemberRole::Supervisor));
    if !supervises {
        return Err(AppError::Forbidden);
    }
    crate::accounts::presence::team(&st.db, agent.id, role).await
}
