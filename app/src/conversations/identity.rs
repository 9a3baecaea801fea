//! Who is asking, for visitors: [`OwnChat`], a visitor by the bearer token bound to
//! exactly one conversation, and [`ChatReader`], that visitor or a signed-in agent.
use super::{store as conversations, visitor, Conversation};
use crate::accounts::identity::{bearer, SignedIn};
use crate::accounts::store::AgentRow;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path};
use http::request::Parts;
use http::{header, HeaderMap};

/// The visitor's token from `Authorization: Bearer …` (401 when missing or malformed).
fn visitor_token(headers: &HeaderMap) -> AppResult<&str> {
    let token = bearer(headers)?;
    visitor::check_token(token).map_err(|_| AppError::Unauthorized)?;
    Ok(token)
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

/// The chat `{id}` of the path, for a visitor's send: its id and the hash of the
/// token that asked, found without a read when this instance has seen the token
/// before. The write transaction checks the token against the chat again
/// ([`super::write::send_as_visitor`]), so nothing is trusted that was revoked since.
#[derive(Debug, Clone)]
pub struct VisitorChat {
    pub id: i64,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for VisitorChat {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let id = path_id(parts, st).await?;
        let token_hash = visitor::hash_token(visitor_token(&parts.headers)?);
        match super::visitor_keys::chat_of(&st.db, &token_hash).await? {
            Some(found) if found == id => Ok(VisitorChat { id, token_hash }),
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

