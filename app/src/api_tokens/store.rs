//! Creating, finding and revoking tokens. Only a token's SHA-256 is stored.
use super::{Scope, TokenInfo};
use crate::db::Db;
use crate::error::{AppError, AppResult};

pub const PREFIX: &str = "sbk_";

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub name: &'a str,
    /// The agent it acts as.
    pub agent_id: i64,
    pub scopes: &'a [Scope],
    /// Empty: every inbox the agent may see.
    pub inboxes: &'a [i64],
    pub per_minute: i64,
}

/// Creates a token and returns its id and the token (the only time it is readable).
pub async fn create(db: &Db, new: NewToken<'_>, created_by: Option<i64>, now: i64) -> AppResult<(i64, String)> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::Unprocessable("a token needs a name of 1 to 80 characters".into()));
    }
    if new.scopes.is_empty() {
        return Err(AppError::Unprocessable("a token needs at least one scope: read, write or admin".into()));
    }
    if !(1..=100_000).contains(&new.per_minute) {
        return Err(AppError::Unprocessable("the rate is 1 to 100000 calls a minute".into()));
    }
    crate::accounts::store::get(db, new.agent_id).await.map_err(|_| AppError::Unprocessable("there is no such agent".into()))?;
    let scopes: Vec<&str> = Scope::ALL.iter().filter(|s| new.scopes.contains(s)).map(|s| s.as_str()).collect();
    let token = format!("{PREFIX}{}{}", crate::tokens::random_id(), crate::tokens::random_id());
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, created_by, created_at, scopes, agent_id, per_minute)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(name)
    .bind(crate::tokens::hash(&token))
    .bind(created_by)
    .bind(now)
    .bind(scopes.join(" "))
    .bind(new.agent_id)
    .bind(new.per_minute)
    .fetch_one(&mut *tx)
    .await?;
    for inbox in new.inboxes {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM inboxes WHERE id = $1").bind(inbox).fetch_optional(&mut *tx).await?;
        known.ok_or_else(|| AppError::Unprocessable(format!("there is no inbox {inbox}")))?;
        sqlx::query("INSERT INTO api_token_inboxes (token_id, inbox_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(inbox)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok((id, token))
}

/// A live token, found by its secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Found {
    pub id: i64,
    pub name: String,
    pub scopes: String,
    pub agent_id: Option<i64>,
    pub per_minute: i64,
}

impl Found {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.split(' ').filter_map(Scope::parse).collect()
    }
}

/// The token `token` stands for, if it is one.
pub async fn find(db: &Db, token: &str) -> AppResult<Option<Found>> {
    if !token.starts_with(PREFIX) || token.len() > 200 {
        return Ok(None);
    }
    Ok(sqlx::query_as("SELECT id, name, scopes, agent_id, per_minute FROM api_tokens WHERE token_hash = $1")
        .bind(crate::tokens::hash(token))
        .fetch_optional(db.pool())
        .await?)
}

/// The inboxes a token is kept to (empty: none kept).
pub async fn inboxes(db: &Db, id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT inbox_id FROM api_token_inboxes WHERE token_id = $1 ORDER BY inbox_id")
        .bind(id)
        .fetch_all(db.pool())
        .await?)
}

/// Notes a call, at most once a minute per token (no write per request).
pub async fn touch(db: &Db, id: i64, now: i64) -> AppResult<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(now)
        .bind(id)
        .bind(now - 60_000)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Every token, with its inboxes (two queries).
pub async fn list(db: &Db) -> AppResult<Vec<TokenInfo>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        scopes: String,
        agent_name: Option<String>,
        per_minute: i64,
        created_at: i64,
        last_used_at: Option<i64>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.name, t.scopes, a.name AS agent_name, t.per_minute, t.created_at, t.last_used_at
         FROM api_tokens t LEFT JOIN agents a ON a.id = t.agent_id ORDER BY t.id",
    )
    .fetch_all(db.pool())
    .await?;
    let links: Vec<(i64, i64)> = sqlx::query_as("SELECT token_id, inbox_id FROM api_token_inboxes ORDER BY token_id, inbox_id")
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenInfo {
            id: r.id,
            inbox_ids: links.iter().filter(|(t, _)| *t == r.id).map(|(_, i)| *i).collect(),
            name: r.name,
            scopes: r.scopes.split(' ').filter_map(Scope::parse).collect(),
            agent_name: r.agent_name,
            per_minute: r.per_minute,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
        .collect())
}

/// Revokes a token; returns its name (404 when there is none).
pub async fn revoke(db: &Db, id: i64) -> AppResult<String> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM api_token_inboxes WHERE token_id = $1").bind(id).execute(&mut *tx).await?;
    let name: Option<String> = sqlx::query_scalar("DELETE FROM api_tokens WHERE id = $1 RETURNING name").bind(id).fetch_optional(&mut *tx).await?;
    tx.commit().await?;
    name.ok_or(AppError::NotFound)
}
