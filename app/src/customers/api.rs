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
