//! A supervisor on the floor: monitoring a colleague's chat, whispering to its
//! assignee, joining it to write to the customer, and taking it over. Each is written
//! to the audit log; whispers never leave the console's supervisors and the assignee.
use super::handling::{self, Actor};
use super::rules::{Action, Standing};
use super::write::{self, Author, Outgoing};
use super::{Conversation, Message, Visibility};
use crate::audit;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// Whether this reader of `conv` sees its whispers: its supervisors, admins and the
/// agent holding it.
pub fn sees_whispers(standing: Standing, agent_id: i64, conv: &Conversation) -> bool {
    standing.supervises() || conv.assignee_id == Some(agent_id)
}

fn audited(actor: &Actor) -> audit::Actor {
    audit::Actor::agent(actor.id, actor.address.clone())
}

/// Whether `actor` already has an entry of `action` about this chat since `since`.
async fn audited_since(db: &Db, actor: &Actor, action: audit::Action, id: i64, since: i64) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE actor_id = $1 AND action = $2 AND target_type = 'conversation' AND target_id = $3 AND at >= $4 LIMIT 1",
    )
    .bind(actor.id)
    .bind(action.as_str())
    .bind(id.to_string())
    .bind(since)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// A supervisor opened a chat that someone else holds: audited once a day per chat.
pub async fn opened(db: &Db, actor: &Actor, standing: Standing, conv: &Conversation, now: i64) -> AppResult<()> {
    let someone_elses = conv.assignee_id.is_some_and(|a| a != actor.id);
    if !standing.supervises() || !someone_elses {
        return Ok(());
    }
    if audited_since(db, actor, audit::Action::Supervise, conv.id, now - 24 * 3600 * 1000).await? {
        return Ok(());
    }
    let entry = audit::Entry::new(&audited(actor), audit::Action::Supervise, "conversation", conv.id)
        .detail(serde_json::json!({ "assignee_id": conv.assignee_id, "inbox_id": conv.inbox_id }));
    audit::record(db, now, entry).await
}

/// The chat, if `actor` supervises its inbox (404 outside their inboxes, 403 for an operator).
async fn supervised(db: &Db, actor: &Actor, id: i64) -> AppResult<Conversation> {
    let (conv, standing) = handling::visible(db, actor, id, Action::Read).await?;
    if !standing.supervises() {
        return Err(AppError::Forbidden);
    }
    Ok(conv)
}

/// A line for the assignee and supervisors only. The same `client_id` again returns
/// the original (and audits once).
pub async fn whisper(db: &Db, actor: &Actor, id: i64, client_id: &str, body: &str, now: i64) -> AppResult<Message> {
    let conv = supervised(db, actor, id).await?;
    let out = Outgoing {
        conversation_id: id,
        author: Author::Agent { id: actor.id, name: &actor.name },
        client_id,
        body,
        visibility: Visibility::Whisper,
        file: None,
    };
    let (message, created) = write::send(db, out, now).await?;
    if created {
        let entry = audit::Entry::new(&audited(actor), audit::Action::Whisper, "conversation", id)
            .detail(serde_json::json!({ "assignee_id": conv.assignee_id, "message_id": message.id }));
        audit::record(db, now, entry).await?;
    }
    Ok(message)
}

/// The supervisor joins the chat to write to the customer too, who sees "Sam joined
/// the chat". Once per chat: joining again changes nothing.
pub async fn join(db: &Db, actor: &Actor, id: i64, now: i64) -> AppResult<()> {
    let conv = supervised(db, actor, id).await?;
    if conv.assignee_id == Some(actor.id) || audited_since(db, actor, audit::Action::Join, id, 0).await? {
        return Ok(());
    }
    handling::announce(db, &conv, &format!("{} joined the chat", actor.name), audited(actor), audit::Action::Join, now).await
}

/// The supervisor takes the chat for themselves in one step.
pub async fn take_over(db: &Db, actor: &Actor, id: i64, now: i64) -> AppResult<Conversation> {
    let conv = supervised(db, actor, id).await?;
    if conv.assignee_id == Some(actor.id) {
        return Ok(conv);
    }
    handling::take_over(db, actor, &conv, audited(actor), now).await
}
