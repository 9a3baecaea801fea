//! Agent and session rows.
use super::{normalize_email, AgentSummary, Role};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub deactivated_at: Option<i64>,
    /// Open chats automatic assignment may give them (`None`: each inbox's).
    pub capacity: Option<i64>,
}

impl AgentRow {
    pub fn role(&self) -> Role {
        // The CHECK constraint keeps the column to the three names.
        self.role.parse().unwrap_or(Role::Operator)
    }
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
    pub fn summary(&self) -> AgentSummary {
        AgentSummary {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            active: self.is_active(),
            capacity: self.capacity,
        }
    }
}

const AGENT_COLUMNS: &str = "id, email, name, role, password_hash, deactivated_at, capacity";

pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub fn validate_new(email: &str, name: &str) -> AppResult<()> {
    let email = email.trim();
    if email.len() > 254 || !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(AppError::Unprocessable("enter a valid email address".into()));
    }
    if name.trim().is_empty() || name.len() > 200 {
        return Err(AppError::Unprocessable("enter a name (up to 200 characters)".into()));
    }
    Ok(())
}

pub async fn insert(db: &Db, agent: NewAgent<'_>, now: i64) -> AppResult<i64> {
    validate_new(agent.email, agent.name)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agents (email, name, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(normalize_email(agent.email))
    .bind(agent.name.trim())
    .bind(agent.role.as_str())
    .bind(agent.password_hash)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok(id)
}

pub async fn find_by_email(db: &Db, email: &str) -> AppResult<Option<AgentRow>> {
    Ok(sqlx::query_as(&format!("SELECT {AGENT_COLUMNS} FROM agents WHERE email = $1"))
        .bind(normalize_email(email))
        .fetch_optional(db.pool())
        .await?)
}

pub async fn get(db: &Db, id: i64) -> AppResult<AgentRow> {
    sqlx::query_as(&format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn list(db: &Db) -> AppResult<Vec<AgentRow>> {
    Ok(sqlx::query_as(&format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name, id"))
        .fetch_all(db.pool())
        .await?)
}

pub async fn count(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM agents").fetch_one(db.pool()).await?)
}

/// Deactivating also ends every session of the agent at once.
pub async fn set_active(db: &Db, id: i64, active: bool, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE agents SET deactivated_at = $1 WHERE id = $2")
        .bind(if active { None } else { Some(now) })
        .bind(id)
        .execute(&mut *tx)
        .await?;
    crate::db::found(&done)?;
    if !active {
        sqlx::query("DELETE FROM sessions WHERE agent_id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn insert_session(db: &Db, token_hash: &str, agent_id: i64, now: i64, expires_at: i64) -> AppResult<()> {
    sqlx::query("INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(agent_id)
        .bind(now)
        .bind(expires_at)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, token_hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(db.pool()).await?;
    Ok(())
}

/// The agent behind a live session; `None` when it is unknown or expired.
pub async fn agent_for_session(db: &Db, token_hash: &str, now: i64) -> AppResult<Option<AgentRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.role, a.password_hash, a.deactivated_at, a.capacity
         FROM sessions s JOIN agents a ON a.id = s.agent_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?)
}


/// Renames an agent (their own profile).
/// Changes an agent's account role and returns the one before. The role is the
/// ceiling of their inbox memberships: an operator supervises no inbox, so a demotion
/// makes their supervisor memberships operator ones, in the same transaction.
pub async fn set_role(db: &Db, id: i64, role: Role) -> AppResult<Role> {
    let mut tx = db.begin_write().await?;
    let before: Option<String> = sqlx::query_scalar("SELECT role FROM agents WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let before: Role = before.ok_or(AppError::NotFound)?.parse()?;
    sqlx::query("UPDATE agents SET role = $1 WHERE id = $2").bind(role.as_str()).bind(id).execute(&mut *tx).await?;
    if role == Role::Operator {
        sqlx::query("UPDATE inbox_members SET role = 'operator' WHERE agent_id = $1 AND role = 'supervisor'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(before)
}

pub async fn set_name(db: &Db, id: i64, name: &str) -> AppResult<()> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::Unprocessable("enter a name (up to 200 characters)".into()));
    }
    let done = sqlx::query("UPDATE agents SET name = $1 WHERE id = $2").bind(name).bind(id).execute(db.pool()).await?;
    crate::db::found(&done)
}

/// Replaces an agent's password hash and ends their other sessions: whoever knew the
/// old password is signed out everywhere but here.
pub async fn set_password_hash(db: &Db, id: i64, hash: &str, keep_session: &str) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut *tx).await?;
    crate::db::found(&done)?;
    sqlx::query("DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2").bind(id).bind(keep_session).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
