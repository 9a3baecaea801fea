//! The [`ApiToken`] extractor: who calls the API, as what, within which inboxes.
use super::store;
use super::Scope;
use crate::accounts::store::AgentRow;
use crate::conversations::handling::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use http::request::Parts;

/// A caller holding a live API token: 401 without one (or once its agent is
/// deactivated), 429 past its rate.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The agent it acts as.
    pub agent: AgentRow,
    /// Empty: every inbox the agent may see.
    pub inboxes: Vec<i64>,
    pub address: Option<String>,
}

impl ApiToken {
    /// 403 unless the token holds `scope`.
    pub fn require(&self, scope: Scope) -> AppResult<()> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the token reaches inbox `id` (the agent's own rights are checked apart).
    pub fn reaches(&self, inbox: i64) -> bool {
        self.inboxes.is_empty() || self.inboxes.contains(&inbox)
    }

    /// 404 for an inbox outside the token's set, as for a record of another inbox.
    pub fn within(&self, inbox: i64) -> AppResult<()> {
        if self.reaches(inbox) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The agent, as the conversation rules know actors.
    pub fn actor(&self) -> Actor {
        Actor { token: Some(self.id), ..Actor::of(&self.agent).from_address(self.address.clone()) }
    }

    /// The audit log's actor: the agent, through this token.
    pub fn audit_actor(&self) -> crate::audit::Actor {
        crate::audit::Actor { agent_id: Some(self.agent.id), token_id: Some(self.id), address: self.address.clone() }
    }
}

impl FromRequestParts<AppState> for ApiToken {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let secret = crate::accounts::identity::bearer(&parts.headers)?;
        let found = store::find(&st.db, secret).await?.ok_or(AppError::Unauthorized)?;
        st.limits.api_call(found.id, u32::try_from(found.per_minute).unwrap_or(u32::MAX))?;
        let agent_id = found.agent_id.ok_or(AppError::Unauthorized)?;
        let agent = crate::accounts::store::get(&st.db, agent_id).await.map_err(|_| AppError::Unauthorized)?;
        if !agent.is_active() {
            return Err(AppError::Unauthorized);
        }
        store::touch(&st.db, found.id, st.now()).await?;
        Ok(ApiToken {
            scopes: found.scopes(),
            inboxes: store::inboxes(&st.db, found.id).await?,
            id: found.id,
            name: found.name,
            agent,
            address: st.client_ip(parts).map(|ip| ip.to_string()),
        })
    }
}

/// A caller with an `admin`-scoped token, acting as an admin: what completing a
/// context and reading `/metrics` need.
#[derive(Debug, Clone)]
pub struct AdminToken(pub ApiToken);

impl FromRequestParts<AppState> for AdminToken {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let token = ApiToken::from_request_parts(parts, st).await?;
        token.require(Scope::Admin)?;
        if token.agent.role() != crate::accounts::Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(AdminToken(token))
    }
}
