//! Server functions for managing inboxes and membership (admins only).
use super::InboxDetail;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{store, MemberRole},
    crate::audit,
    crate::state::{state},
    crate::accounts::identity::Admin,
    crate::state::extract,
    crate::events::Audience,
    crate::model::change::{AgentRef, Change},
};

#[server(prefix = "/api", endpoint = "admin/inboxes")]
pub async fn list_inboxes() -> Result<Vec<InboxDetail>, AppError> {
    extract::<Admin>().await?;
    store::list_with_members(&state()?.db).await
}

#[server(prefix = "/api", endpoint = "admin/inboxes/create")]
pub async fn create_inbox(name: String) -> Result<i64, AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let id = store::create(&st.db, &name, st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxCreate, "inbox", id);
    audit::record(&st.db, st.now(), entry).await?;
    Ok(id)
}

/// `role` is `operator`, `supervisor`, or `none` to remove the agent from the inbox.
#[server(prefix = "/api", endpoint = "admin/inboxes/member")]
pub async fn set_membership(inbox_id: i64, agent_id: i64, role: String) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let role = match role.as_str() {
        "none" => None,
        other => Some(MemberRole::parse(other).ok_or_else(|| {
            AppError::Unprocessable(format!("unknown inbox role {other:?}: use operator, supervisor or none"))
        })?),
    };
    let st = state()?;
    store::set_member(&st.db, inbox_id, agent_id, role).await?;
    crate::events::store::append_alone(&st.db, Change::InboxMembership(AgentRef { agent_id }).event(Audience::Control, None, None), st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxMember, "inbox", inbox_id).detail(serde_json::json!({ "agent_id": agent_id, "role": role.map(|r| r.as_str()) }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(())
}

/// Turns the widget's pre-chat form (name and email) on or off for an inbox.
#[server(prefix = "/api", endpoint = "admin/inboxes/prechat")]
pub async fn set_prechat_form(inbox_id: i64, enabled: Option<String>) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    let on = enabled.is_some();
    store::set_prechat_form(&st.db, inbox_id, on).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxPrechat, "inbox", inbox_id).detail(serde_json::json!({ "enabled": on }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(())
}

/// Sets the link template for conversation contexts, such as
/// `https://backoffice.example/{type}/{id}`; empty clears it.
#[server(prefix = "/api", endpoint = "admin/inboxes/context-link")]
pub async fn set_context_link(inbox_id: i64, template: String) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let st = state()?;
    store::set_context_url_template(&st.db, inbox_id, &template).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxContextLink, "inbox", inbox_id).detail(serde_json::json!({ "set": !template.trim().is_empty() }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(())
}

/// Sets how an inbox's widget looks: brand colour (`#rrggbb`), greeting, launcher side
/// (`left` or `right`) and team name. Empty texts clear them.
#[server(prefix = "/api", endpoint = "admin/inboxes/appearance")]
pub async fn set_widget_appearance(
    inbox_id: i64,
    brand_color: String,
    greeting: String,
    launcher: String,
    team_name: String,
) -> Result<super::appearance::Appearance, AppError> {
    use super::appearance::{Appearance, Launcher};
    let Admin(admin) = extract().await?;
    let st = state()?;
    let launcher = Launcher::parse(&launcher)
        .ok_or_else(|| AppError::Unprocessable("the launcher goes on the left or the right".into()))?;
    let wanted = Appearance { brand_color, greeting: Some(greeting), launcher, team_name: Some(team_name) };
    let stored = store::set_appearance(&st.db, inbox_id, &wanted).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxAppearance, "inbox", inbox_id).detail(serde_json::json!({ "brand_color": stored.brand_color, "launcher": stored.launcher.as_str() }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(stored)
}
