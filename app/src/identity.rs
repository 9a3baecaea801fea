//! Who is asking: the one way in for identity. Each kind of caller is an axum
//! extractor ([`FromRequestParts`]) that the handlers take as an argument and the
//! server functions take through [`extract`]; a failed check is an [`AppError`]
//! (401, 403 or 404), answered in the one place errors become responses.
//!
//! - [`SignedIn`]: an active agent, by the session cookie.
//! - [`Admin`]: the same, with the admin role (403 otherwise).
//! - [`OwnChat`]: a visitor, by the bearer token bound to exactly one conversation,
//!   asking about that conversation (`{id}` in the path); any other id is a 404.
//! - [`ChatReader`]: either of the last two (a transcript export).
//! - [`ApiClient`]: a host system, by an admin API token (`Bearer sbk_…`).
use crate::accounts::session;
use crate::accounts::store::AgentRow;
use crate::accounts::Role;
use crate::conversations::{store as conversations, visitor, Conversation};
use crate::error::{AppError, AppResult};
use crate::state::{request_parts, state, AppState};
use axum::extract::{FromRequestParts, Path};
use http::request::Parts;
use http::{header, HeaderMap};

/// An extractor inside a server function: the same checks as on a plain handler,
/// with the typed error kept (leptos_axum's `extract_with_state` would flatten the
/// rejection into a string, and every refusal into a 500).
pub async fn extract<T: FromRequestParts<AppState, Rejection = AppError>>() -> AppResult<T> {
    let st = state()?;
    let mut parts = request_parts()?;
    T::from_request_parts(&mut parts, &st).await
}

/// The signed-in agent: 401 without a live session or once deactivated.
#[derive(Debug, Clone)]
pub struct SignedIn(pub AgentRow);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        session::agent_from_headers(st, &parts.headers).await.map(SignedIn)
    }
}

/// A signed-in admin: 401 without a session, 403 for any other role.
#[derive(Debug, Clone)]
pub struct Admin(pub AgentRow);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let SignedIn(agent) = SignedIn::from_request_parts(parts, st).await?;
        if agent.role() != Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(Admin(agent))
    }
}

/// The visitor's token from `Authorization: Bearer …` (401 when missing or malformed).
fn visitor_token(headers: &HeaderMap) -> AppResult<&str> {
    let token = bearer(headers)?;
    visitor::check_token(token).map_err(|_| AppError::Unauthorized)?;
    Ok(token)
}

fn bearer(headers: &HeaderMap) -> AppResult<&str> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(AppError::Unauthorized)?;
    value.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)
}

/// The conversation `{id}` of the path, asked for by the visitor whose token it is
/// bound to. Any other id is a 404, whether or not that conversation exists.
#[derive(Debug, Clone)]
pub struct OwnChat(pub Conversation);

impl FromRequestParts<AppState> for OwnChat {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let id = path_id(parts, st).await?;
        let token = visitor_token(&parts.headers)?;
        match conversations::by_visitor_hash(&st.db, &visitor::hash_token(token)).await? {
            Some(c) if c.id == id => Ok(OwnChat(c)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// The `{id}` of the path, as a conversation id.
async fn path_id(parts: &mut Parts, st: &AppState) -> AppResult<i64> {
    Path::<i64>::from_request_parts(parts, st)
        .await
        .map(|Path(id)| id)
        .map_err(|e| AppError::BadRequest(e.body_text()))
}

/// Whoever may read one chat's transcript: its visitor (bearer token, public lines
/// only) or a signed-in agent (whose rights the caller still checks).
#[derive(Debug, Clone)]
pub enum ChatReader {
    Visitor(Conversation),
    Agent(AgentRow),
}

impl FromRequestParts<AppState> for ChatReader {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            OwnChat::from_request_parts(parts, st).await.map(|OwnChat(c)| ChatReader::Visitor(c))
        } else {
            SignedIn::from_request_parts(parts, st).await.map(|SignedIn(a)| ChatReader::Agent(a))
        }
    }
}

/// A host system holding a valid admin API token.
#[derive(Debug, Clone, Copy)]
pub struct ApiClient;

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let token = bearer(&parts.headers)?;
        if !crate::retention::tokens::verify(&st.db, token).await? {
            return Err(AppError::Unauthorized);
        }
        Ok(ApiClient)
    }
}
