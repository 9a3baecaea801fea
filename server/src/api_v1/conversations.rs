//! `/api/v1/conversations`: the list with every filter and sort of the list page and
//! keyset cursors, one conversation, its lines page by page, replies and notes
//! (idempotent by `client_id`), status, assignment and moves. The token acts as its
//! agent: the same rules as in the console, and its inboxes on top.
use super::problem::{ApiResult, Problem};
use app::api_tokens::extract::ApiToken;
use app::api_tokens::Scope;
use app::conversations::handling;
use app::conversations::rules::Action;
use app::conversations::{CloseReason, Conversation, Message, Status};
use app::error::AppError;
use app::list::{ListQuery, Page};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

/// The conversation, checked for the token: its inboxes first (404), then the agent's
/// rights for `action` (404 or 403, as in the console).
pub(super) async fn checked(st: &AppState, token: &ApiToken, id: i64, action: Action) -> ApiResult<Conversation> {
    let conv = app::conversations::store::get(&st.db, id).await?;
    token.within(conv.inbox_id)?;
    let (conv, _) = handling::visible(&st.db, &token.actor(), id, action).await?;
    Ok(conv)
}

#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListQuery),
    responses((status = 200, body = Page), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["read"])))]
pub async fn list(State(st): State<AppState>, token: ApiToken, Query(mut q): Query<ListQuery>) -> ApiResult<Json<Page>> {
    token.require(Scope::Read)?;
    if !token.inboxes.is_empty() {
        match q.inbox {
            Some(i) if !token.reaches(i) => return Ok(Json(Page { rows: vec![], next: None, prev: None })),
            _ => {}
        }
    }
    app::list::query::validate(&q)?;
    let viewer = app::list::query::Viewer { id: token.agent.id, role: token.agent.role(), inboxes: token.inboxes.clone() };
    q.tz = q.tz.clamp(-840, 840);
    Ok(Json(app::list::query::page(&st.db, &viewer, &q, st.now()).await?))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", params(("id" = i64, Path)),
    responses((status = 200, body = Conversation), (status = 404, body = Problem)), security(("token" = ["read"])))]
pub async fn get(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>) -> ApiResult<Json<Conversation>> {
    token.require(Scope::Read)?;
    Ok(Json(checked(&st, &token, id, Action::Read).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Lines after this message id (0: from the start).
    #[serde(default)]
    pub after: i64,
    /// At most this many lines (1 to 200, 50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessagePage {
    pub messages: Vec<Message>,
    /// The cursor of the next page (`after`), when there is one.
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = i64, Path), MessagesQuery),
    responses((status = 200, body = MessagePage), (status = 404, body = Problem), (status = 422, body = Problem)), security(("token" = ["read"])))]
pub async fn messages(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Query(q): Query<MessagesQuery>) -> ApiResult<Json<MessagePage>> {
    token.require(Scope::Read)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::Unprocessable("limit is 1 to 200".into()).into());
    }
    checked(&st, &token, id, Action::Read).await?;
    let (messages, more) = app::conversations::lines::messages_after(&st.db, id, q.after.max(0), limit).await?;
    let next = if more { messages.last().map(|m| m.id) } else { None };
    Ok(Json(MessagePage { messages, next }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// The text: not blank, at most 5000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub body: String,
    /// The caller's id for this message: sending the same one again returns the first.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")]
    pub client_id: String,
    /// A note for agents only, never the customer.
    #[serde(default)]
    pub internal: bool,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = i64, Path)), request_body = NewMessage,
    responses((status = 200, body = Message), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn send(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(new): Json<NewMessage>) -> ApiResult<Json<Message>> {
    token.require(Scope::Write)?;
    let conv = checked(&st, &token, id, Action::Reply).await?;
    let m = app::conversations::api::reply(&st.db, &token.agent, &conv, &new.client_id, &new.body, new.internal, st.now()).await?;
    Ok(Json(m))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `closed` closes the chat (with `reason`); `open` takes it for the token's agent.
    pub status: Status,
    pub reason: Option<CloseReason>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/status", tag = "conversations", params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = Conversation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn status(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(change): Json<StatusChange>) -> ApiResult<Json<Conversation>> {
    token.require(Scope::Write)?;
    checked(&st, &token, id, Action::Read).await?;
    let actor = token.actor();
    let conv = match change.status {
        Status::Closed => handling::close(&st.db, id, &actor, change.reason.unwrap_or(CloseReason::Closed), st.now()).await?,
        Status::Open => handling::accept(&st.db, id, &actor, st.now()).await?,
        Status::New => return Err(AppError::Unprocessable("a conversation cannot go back to new".into()).into()),
    };
    Ok(Json(conv))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The agent to assign, or `null` to return the chat to the queue.
    pub agent_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/assign", tag = "conversations", params(("id" = i64, Path)), request_body = Assignment,
    responses((status = 200, body = Conversation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn assign(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(a): Json<Assignment>) -> ApiResult<Json<Conversation>> {
    token.require(Scope::Write)?;
    checked(&st, &token, id, Action::Read).await?;
    let conv = handling::assign(&st.db, id, &token.actor(), a.agent_id, st.now()).await?;
    Ok(Json(conv))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveTo {
    pub inbox_id: i64,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/move", tag = "conversations", params(("id" = i64, Path)), request_body = MoveTo,
    responses((status = 200, body = Conversation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn move_to(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(m): Json<MoveTo>) -> ApiResult<Json<Conversation>> {
    token.require(Scope::Write)?;
    checked(&st, &token, id, Action::Read).await?;
    token.within(m.inbox_id)?;
    let conv = handling::move_to(&st.db, id, &token.actor(), m.inbox_id, st.now()).await?;
    Ok(Json(conv))
}
