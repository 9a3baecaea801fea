//! Server functions for logging in and out and for managing agents. Each has a fixed
//! path, because tests, scripts and the widget call them too.
use super::AgentSummary;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{password, session, store, Role},
    crate::audit,
    crate::state::{request_parts, state},
    crate::accounts::identity::{Admin, SignedIn},
    crate::state::extract,
    crate::events::Audience,
    crate::model::change::{AgentRef, Change},
    leptos_axum::ResponseOptions,
};

/// Secure cookies when configured, or when a proxy says it terminated https.
#[cfg(feature = "ssr")]
fn secure(st: &crate::state::AppState, parts: &http::request::Parts) -> bool {
    st.config.secure_cookies
        || parts.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

#[cfg(feature = "ssr")]
fn client_addr(st: &crate::state::AppState, parts: &http::request::Parts) -> String {
    st.client_ip(parts).map(|ip| ip.to_string()).unwrap_or_else(|| "local".into())
}

/// `POST /api/login` with the form fields `email` and `password`.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    let st = state()?;
    let parts = request_parts()?;
    let previous = session::token_from_headers(&parts.headers);
    let address = st.client_ip(&parts).map(|ip| ip.to_string());
    let (token, agent) = match session::login(&st, &client_addr(&st, &parts), &email, &password, previous.as_deref()).await {
        Ok(done) => done,
        Err(e @ (AppError::BadCredentials | AppError::Forbidden)) => {
            // The account, when the email names one; never the password typed.
            let known = store::find_by_email(&st.db, &email).await?;
            let reason = match (&e, &known) {
                (AppError::Forbidden, _) => "deactivated",
                (_, Some(_)) => "wrong password",
                (_, None) => "unknown email",
            };
            let target = known.map(|a| a.id.to_string()).unwrap_or_default();
            let entry = audit::Entry::new(&audit::Actor { address, ..audit::Actor::system() }, audit::Action::LoginFailed, "agent", target)
                .detail(serde_json::json!({ "reason": reason }));
            audit::record(&st.db, st.now(), entry).await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let entry = audit::Entry::new(&audit::Actor::agent(agent.id, address), audit::Action::LoginSucceeded, "agent", agent.id);
    audit::record(&st.db, st.now(), entry).await?;
    expect_context::<ResponseOptions>()
        .append_header(http::header::SET_COOKIE, session::session_cookie(&token, secure(&st, &parts)));
    tracing::info!(agent_id = agent.id, "login");
    // Logging in means taking chats; the presence turns Online with the first tab.
    super::presence::choose(&st.db, agent.id, super::Availability::Online, st.now()).await?;
    Ok(())
}

/// `POST /api/logout` ends the session and clears the cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let st = state()?;
    let parts = request_parts()?;
    if let Some(token) = session::token_from_headers(&parts.headers) {
        let hash = session::hash_token(&token);
        let agent = store::agent_for_session(&st.db, &hash, st.now()).await?;
        store::delete_session(&st.db, &hash).await?;
        if let Some(agent) = agent {
            crate::events::store::append_alone(&st.db, Change::AgentLogout(AgentRef { agent_id: agent.id }).event(Audience::Control, None, None), st.now()).await?;
            let entry = audit::Entry::new(&crate::state::audit_actor(agent.id), audit::Action::Logout, "agent", agent.id);
            audit::record(&st.db, st.now(), entry).await?;
        }
    }
    expect_context::<ResponseOptions>()
        .append_header(http::header::SET_COOKIE, session::clear_cookie(secure(&st, &parts)));
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin/agents")]
pub async fn list_agents() -> Result<Vec<AgentSummary>, AppError> {
    extract::<Admin>().await?;
    let st = state()?;
    Ok(store::list(&st.db).await?.iter().map(|a| a.summary()).collect())
}

#[server(prefix = "/api", endpoint = "admin/agents/create")]
pub async fn create_agent(email: String, name: String, role: String, password: String) -> Result<i64, AppError> {
    let Admin(admin) = extract().await?;
    let role: Role = role.parse()?;
    store::validate_new(&email, &name)?;
    password::validate(&password)?;
    let st = state()?;
    let hash = password::hash(password).await?;
    let new = store::NewAgent { email: &email, name: &name, role, password_hash: &hash };
    let id = store::insert(&st.db, new, st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::AgentCreate, "agent", id).detail(serde_json::json!({ "role": role.as_str() }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(id)
}

#[server(prefix = "/api", endpoint = "admin/agents/active")]
pub async fn set_agent_active(id: i64, active: bool) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    if admin.id == id && !active {
        return Err(AppError::Unprocessable("you cannot deactivate yourself".into()));
    }
    let st = state()?;
    store::set_active(&st.db, id, active, st.now()).await?;
    crate::events::store::append_alone(&st.db, Change::AgentActive(AgentRef { agent_id: id }).event(Audience::Control, None, None), st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), if active { audit::Action::AgentActivate } else { audit::Action::AgentDeactivate }, "agent", id);
    audit::record(&st.db, st.now(), entry).await?;
    Ok(())
}

/// Changes an agent's role (`admin`, `supervisor` or `operator`); their open streams
/// re-check their rights. An admin cannot change their own role.
#[server(prefix = "/api", endpoint = "admin/agents/role")]
pub async fn set_agent_role(id: i64, role: String) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let role: Role = role.parse()?;
    if admin.id == id {
        return Err(AppError::Unprocessable("you cannot change your own role; ask another admin".into()));
    }
    let st = state()?;
    let before = store::set_role(&st.db, id, role).await?;
    crate::events::store::append_alone(&st.db, Change::InboxMembership(AgentRef { agent_id: id }).event(Audience::Control, None, None), st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::AgentRole, "agent", id)
        .changed(&serde_json::json!({ "role": before.as_str() }), &serde_json::json!({ "role": role.as_str() }));
    audit::record(&st.db, st.now(), entry).await
}

/// Sets the agent's own availability (Online, Away, Offline).
#[server(prefix = "/api", endpoint = "me/availability")]
pub async fn set_availability(availability: super::Availability) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    super::presence::choose(&st.db, agent.id, availability, st.now()).await?;
    Ok(())
}

/// The agent's own display name.
#[server(prefix = "/api", endpoint = "me/name")]
pub async fn set_my_name(name: String) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    store::set_name(&st.db, agent.id, &name).await
}

/// Changes the agent's own password, given the current one. Their other sessions end.
#[server(prefix = "/api", endpoint = "me/password")]
pub async fn change_my_password(current: String, new: String) -> Result<(), AppError> {
    let SignedIn(agent) = extract().await?;
    let st = state()?;
    let parts = request_parts()?;
    if !password::verify(current, Some(agent.password_hash.clone())).await {
        return Err(AppError::Unprocessable("the current password is not right".into()));
    }
    password::validate(&new)?;
    let hash = password::hash(new).await?;
    let token = session::token_from_headers(&parts.headers).ok_or(AppError::Unauthorized)?;
    store::set_password_hash(&st.db, agent.id, &hash, &session::hash_token(&token)).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(agent.id), audit::Action::AgentPassword, "agent", agent.id);
    audit::record(&st.db, st.now(), entry).await?;
    Ok(())
}
