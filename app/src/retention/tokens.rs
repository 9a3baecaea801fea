//! Admin API tokens for machine calls (completing a context). The token is shown
//! once; only its SHA-256 is stored.
use crate::db::Db;
use crate::error::{AppError, AppResult};

pub const PREFIX: &str = "sbk_";

/// Creates a token and returns its id and the token (the only time it is readable).
pub async fn create(db: &Db, name: &str, created_by: Option<i64>, now: i64) -> AppResult<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::Unprocessable("a token needs a name of 1 to 80 characters".into()));
    }
    let token = format!("{PREFIX}{}{}", crate::tokens::random_id(), crate::tokens::random_id());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(crate::tokens::hash(&token))
    .bind(created_by)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok((id, token))
}

/// Whether `token` is a live API token.
pub async fn verify(db: &Db, token: &str) -> AppResult<bool> {
    if !token.starts_with(PREFIX) || token.len() > 200 {
        return Ok(false);
    }
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM api_tokens WHERE token_hash = $1")
        .bind(crate::tokens::hash(token))
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

pub async fn list(db: &Db) -> AppResult<Vec<(i64, String, i64)>> {
    Ok(sqlx::query_as("SELECT id, name, created_at FROM api_tokens ORDER BY id").fetch_all(db.pool()).await?)
}

/// Revokes a token; returns its name (404 when there is none).
pub async fn revoke(db: &Db, id: i64) -> AppResult<String> {
    let name: Option<String> = sqlx::query_scalar("DELETE FROM api_tokens WHERE id = $1 RETURNING name").bind(id).fetch_optional(db.pool()).await?;
    name.ok_or(AppError::NotFound)
}

/// A host system holding a valid admin API token.
#[derive(Debug, Clone, Copy)]
pub struct ApiClient;

impl axum::extract::FromRequestParts<crate::state::AppState> for ApiClient {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut http::request::Parts, st: &crate::state::AppState) -> AppResult<Self> {
        let token = crate::accounts::identity::bearer(&parts.headers)?;
        if !verify(&st.db, token).await? {
            return Err(AppError::Unauthorized);
        }
        Ok(ApiClient)
    }
}
