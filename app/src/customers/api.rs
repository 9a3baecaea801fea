//! The customer panel's server function.
use super::CustomerPanel;
use crate::error::AppError;
use leptos::prelude::*;

/// The panel of a conversation the agent may see (404 otherwise).
#[server(prefix = "/api", endpoint = "customers/panel")]
pub async fn get_customer_panel(conversation_id: i64) -> Result<CustomerPanel, AppError> {
    use crate::conversations::handling::{self, Actor};
    use crate::conversations::rules::Action;
    use crate::{accounts::identity::SignedIn, state::extract};
    let SignedIn(agent) = extract().await?;
    let st = crate::state::state()?;
    let actor = Actor::of(&agent);
    handling::visible(&st.db, &actor, conversation_id, Action::Read).await?;
    super::panel::load(&st.db, conversation_id, agent.id, actor.is_admin).await
}

/// Erases the customer for good (admins, after the panel's confirmation; audited:
/// who, when and which customer, never what was erased).
#[server(prefix = "/api", endpoint = "customers/erase")]
pub async fn erase_customer(customer_id: i64) -> Result<super::ErasedCustomer, AppError> {
    use crate::{accounts::identity::Admin, audit, state::extract};
    let Admin(admin) = extract().await?;
    let st = crate::state::state()?;
    let erased = super::gdpr::erase(&st.db, customer_id, &st.config.data_dir, st.now()).await?;
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::CustomerErase, "customer", customer_id)
        .detail(serde_json::json!({ "conversations": erased.conversations, "messages": erased.messages, "files": erased.files }));
    audit::record(&st.db, st.now(), entry).await?;
    Ok(erased)
}
