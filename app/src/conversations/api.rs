//! The console's server functions for conversations. Every call is scoped to the
//! inboxes the agent works in: another inbox's conversation is a 404, not a 403, so
//! its existence is not revealed.
use super::{Conversation, Message, Thread};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::store,
    super::write::{self, Author, Outgoing},
    super::{CloseReason, Visibility},
    crate::accounts::session::auth,
    crate::accounts::store::AgentRow,
    crate::inboxes::store::can_access,
    crate::state::{api, state, AppState},
};

/// The conversation, if the agent may see it.
#[cfg(feature = "ssr")]
async fn visible(st: &AppState, agent: &AgentRow, id: i64) -> Result<Conversation, AppError> {
    let conversation = store::get(&st.db, id).await?;
    if can_access(&st.db, agent.id, agent.role(), conversation.inbox_id).await? {
        Ok(conversation)
    } else {
        Err(AppError::NotFound)
    }
}

#[server(prefix = "/api", endpoint = "conversations/list")]
pub async fn list_conversations(inbox_id: i64) -> Result<Vec<Conversation>, AppError> {
    api(async move {
        let agent = auth().await?;
        let st = state()?;
        if !can_access(&st.db, agent.id, agent.role(), inbox_id).await? {
            return Err(AppError::NotFound);
        }
        store::list_for_inbox(&st.db, inbox_id, 100).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "conversations/thread")]
pub async fn get_thread(id: i64) -> Result<Thread, AppError> {
    api(async move {
        let agent = auth().await?;
        let st = state()?;
        visible(&st, &agent, id).await?;
        store::thread(&st.db, id, true).await
    })
    .await
}

/// Sends an agent message; the same `client_id` again returns the original.
#[server(prefix = "/api", endpoint = "conversations/reply")]
pub async fn send_reply(conversation_id: i64, client_id: String, body: String, internal: bool) -> Result<Message, AppError> {
    api(async move {
        let agent = auth().await?;
        let st = state()?;
        visible(&st, &agent, conversation_id).await?;
        let out = Outgoing {
            conversation_id,
            author: Author::Agent { id: agent.id, name: &agent.name },
            client_id: &client_id,
            body: &body,
            visibility: if internal { Visibility::Internal } else { Visibility::Public },
        };
        let (message, created) = write::send(&st.db, out, st.now()).await?;
        if created {
            st.committed();
        }
        Ok(message)
    })
    .await
}

#[server(prefix = "/api", endpoint = "conversations/close")]
pub async fn close_conversation(id: i64) -> Result<Conversation, AppError> {
    api(async move {
        let agent = auth().await?;
        let st = state()?;
        visible(&st, &agent, id).await?;
        let conversation = write::close(&st.db, id, &agent.name, CloseReason::Closed, st.now()).await?;
        st.committed();
        Ok(conversation)
    })
    .await
}

/// Marks the conversation read by the agent (opening it does this).
#[server(prefix = "/api", endpoint = "conversations/read")]
pub async fn mark_read(id: i64) -> Result<(), AppError> {
    api(async move {
        let agent = auth().await?;
        let st = state()?;
        visible(&st, &agent, id).await?;
        crate::inbox::counts::mark_read(&st.db, id, agent.id).await
    })
    .await
}
