//! Who is asking, for agents: the [`SignedIn`] and [`Admin`] extractors. Identity
//! comes only from extractors (see also `conversations::identity` for visitors and
//! `api_tokens::extract` for API clients): handlers take them as arguments, server
//! functions through `state::extract`. A failed check is an `AppError`.
use super::session;
use super::store::AgentRow;
use super::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{header, HeaderMap};

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

/// The token of `Authorization: Bearer …` (401 when missing).
pub fn bearer(headers: &HeaderMap) -> AppResult<&str> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(AppError::Unauthorized)?;
    value.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)
}

