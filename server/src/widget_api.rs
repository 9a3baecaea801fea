//! The widget's API. Visitors authenticate with `Authorization: Bearer <visitor token>`,
//! which is bound to exactly one conversation: any other conversation is unreachable.
//! These routes carry no cookies, so they are exempt from the Origin check.
use app::conversations::store::{self as conversations, StartVisitor};
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::{visitor, Context, Message, Thread, Visibility};
use app::error::AppError;
use app::conversations::identity::{OwnChat, VisitorChat};
use app::limits::VisitorAction;
use app::state::AppState;
use crate::client::ClientIp;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct StartBody {
    pub inbox: String,
    pub token: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub context: Option<Context>,
}

/// `POST /api/widget/conversations`: starts (or returns) the visitor's conversation.
pub async fn start(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<StartBody>,
) -> Result<(StatusCode, Json<VisitorThread>), AppError> {
    visitor::check_token(&body.token)?;
    let hash = visitor::hash_token(&body.token);
    // Only new conversations count: a returning visitor's start is a read.
    if conversations::by_visitor_hash(&st.db, &hash).await?.is_none() {
        st.limits.start(ip)?;
    }
    let req = StartVisitor {
        inbox_key: &body.inbox,
        token_hash: &hash,
        name: body.name.as_deref(),
        email: body.email.as_deref(),
        context: body.context.as_ref(),
    };
    let (conversation, created) = conversations::start(&st.db, req, st.now()).await?;
    let thread = visitor_thread(&st, conversation.id).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(thread)))
}

/// `GET /api/widget/conversations/{id}`: the conversation and its public messages.
pub async fn thread(State(st): State<AppState>, OwnChat(conversation): OwnChat) -> Result<Json<VisitorThread>, AppError> {
    Ok(Json(visitor_thread(&st, conversation.id).await?))
}

/// The visitor's view of their chat: its public thread and who is answering.
#[derive(Serialize)]
pub struct VisitorThread {
    #[serde(flatten)]
    pub thread: Thread,
    /// The assigned agent's name, for the widget's header (`None` while waiting).
    pub agent_name: Option<String>,
}

async fn visitor_thread(st: &AppState, id: i64) -> Result<VisitorThread, AppError> {
    let thread = conversations::thread(&st.db, id, false).await?;
    let agent_name = match thread.conversation.assignee_id {
        Some(agent) => Some(app::accounts::store::get(&st.db, agent).await?.name),
        None => None,
    };
    Ok(VisitorThread { thread, agent_name })
}

#[derive(Deserialize)]
pub struct SendBody {
    pub client_id: String,
    pub body: String,
}

/// `POST /api/widget/conversations/{id}/messages`: 201 for a new message, 200 for a
/// retried one.
pub async fn send(
    State(st): State<AppState>,
    chat: VisitorChat,
    ClientIp(ip): ClientIp,
    Json(body): Json<SendBody>,
) -> Result<(StatusCode, Json<Message>), AppError> {
    st.limits.visitor(VisitorAction::Send, chat.id, ip)?;
    let out = Outgoing {
        conversation_id: chat.id,
        author: Author::Customer,
        client_id: &body.client_id,
        body: &body.body,
        visibility: Visibility::Public,
        file: None,
    };
    let (message, created) = write::send_as_visitor(&st.db, out, &chat.token_hash, st.now()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

#[derive(Serialize)]
pub struct StreamToken {
    pub token: String,
    pub expires_in_ms: i64,
    /// For the widget's links to its conversation's files (an hour).
    pub file_token: String,
}

/// `POST /api/widget/conversations/{id}/stream-token`: a short-lived token for
/// `GET /api/widget/events`.
pub async fn stream_token(
    State(st): State<AppState>,
    OwnChat(conversation): OwnChat,
) -> Result<Json<StreamToken>, AppError> {
    let key = st.stream_key().await?;
    Ok(Json(StreamToken {
        token: visitor::issue_stream_token(&key, conversation.id, st.now()),
        expires_in_ms: visitor::STREAM_TOKEN_MS,
        file_token: visitor::issue_file_token(&key, conversation.id, st.now()),
    }))
}

#[derive(Deserialize)]
pub struct ConfigQuery {
    pub inbox: String,
}

#[derive(Serialize)]
pub struct WidgetConfig {
    pub name: String,
    pub prechat_form: bool,
    /// Whether an agent of the inbox is Online; the widget accepts messages either way.
    pub online: bool,
    /// The header's title: the team name, else the inbox's name.
    pub title: String,
    pub brand_color: String,
    /// Black or white, whichever reads better on the brand colour (at least 4.5:1).
    pub text_color: String,
    pub greeting: Option<String>,
    /// `left` or `right`: where the loader puts the launcher.
    pub launcher: String,
    /// `state`: `online` (with `reply_ms`, the typical first reply), `away` (within
    /// business hours, nobody Online) or `offline` (outside them, with `back`: when).
    #[serde(flatten)]
    pub presence: app::hours::Presence,
}

/// `GET /api/widget/config?inbox=KEY`: what the widget needs before the first message.
pub async fn config(State(st): State<AppState>, Query(q): Query<ConfigQuery>) -> Result<Json<WidgetConfig>, AppError> {
    let (id, name, prechat) = app::inboxes::store::by_public_key(&st.db, &q.inbox).await?.ok_or(AppError::NotFound)?;
    let presence = app::hours::store::presence(&st.db, id, st.now()).await?;
    let online = matches!(presence, app::hours::Presence::Online { .. });
    let look = app::inboxes::store::appearance(&st.db, id).await?;
    Ok(Json(WidgetConfig {
        title: look.team_name.clone().unwrap_or_else(|| name.clone()),
        text_color: look.text_color().to_string(),
        brand_color: look.brand_color,
        greeting: look.greeting,
        launcher: look.launcher.as_str().to_string(),
        name,
        prechat_form: prechat,
        online,
        presence,
    }))
}

#[derive(Serialize)]
pub struct Identified {
    pub verified: bool,
}

/// `POST /api/widget/conversations/{id}/identify`: `Switchboard.identify(...)`.
pub async fn identify(
    State(st): State<AppState>,
    OwnChat(conversation): OwnChat,
    Json(who): Json<app::customers::Identity>,
) -> Result<Json<Identified>, AppError> {
    st.limits.visitor(VisitorAction::Identify, conversation.id, None)?;
    let (_, verified) = app::customers::store::identify(&st.db, conversation.id, &who, st.now()).await?;
    Ok(Json(Identified { verified }))
}

/// `POST /api/widget/conversations/{id}/context`: `Switchboard.setContext(...)`.
pub async fn context(
    State(st): State<AppState>,
    OwnChat(conversation): OwnChat,
    Json(ctx): Json<Context>,
) -> Result<StatusCode, AppError> {
    st.limits.visitor(VisitorAction::Identify, conversation.id, None)?;
    app::customers::store::set_context(&st.db, conversation.id, &ctx, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /widget/frame`: the page inside the widget's iframe. It may be framed by any
/// site (that is its purpose) but runs only this server's scripts.
pub async fn frame() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; frame-ancestors *",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("widget_frame.html"),
    )
}

#[derive(Deserialize)]
pub struct TypingBody {
    typing: bool,
}

/// `POST /api/widget/conversations/{id}/typing`: the customer is typing (or stopped).
/// An ephemeral signal to the chat's agents; nothing is stored.
pub async fn typing(
    State(st): State<AppState>,
    OwnChat(conversation): OwnChat,
    Json(body): Json<TypingBody>,
) -> Result<StatusCode, AppError> {
    use app::model::signal::{Signal, Typing};
    let signal = Signal::Typing(Typing { conversation_id: conversation.id, agent_id: None, name: None, typing: body.typing });
    st.hub.signal(signal.ephemeral(app::events::Audience::Agents, conversation.inbox_id));
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct SeenBody {
    message_id: i64,
}

/// `POST /api/widget/conversations/{id}/seen`: the customer has had the chat open
/// with messages up to `message_id` on screen.
pub async fn seen(State(st): State<AppState>, OwnChat(conversation): OwnChat, Json(body): Json<SeenBody>) -> Result<StatusCode, AppError> {
    conversations::seen_by_customer(&st.db, conversation.id, body.message_id, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The chat's survey, `null` while it asks nothing (see `app::csat`).
#[derive(Serialize)]
pub struct SurveyState {
    pub survey: Option<app::csat::Survey>,
}

/// `GET /api/widget/conversations/{id}/csat`: whether the widget shows the survey card,
/// and what the customer already gave.
pub async fn survey(State(st): State<AppState>, OwnChat(conversation): OwnChat) -> Result<Json<SurveyState>, AppError> {
    Ok(Json(SurveyState { survey: app::csat::store::survey(&st.db, conversation.id, st.now()).await? }))
}

#[derive(Deserialize)]
pub struct RateBody {
    score: i64,
    comment: Option<String>,
}

/// `POST /api/widget/conversations/{id}/csat`: rates the chat, or changes the rating
/// within 7 days (409 after; 422 for a score outside 1–5 or a chat not asking).
pub async fn rate(State(st): State<AppState>, OwnChat(conversation): OwnChat, Json(body): Json<RateBody>) -> Result<Json<SurveyState>, AppError> {
    let survey = app::csat::store::rate(&st.db, conversation.id, body.score, body.comment.as_deref(), st.now()).await?;
    Ok(Json(SurveyState { survey: Some(survey) }))
}
