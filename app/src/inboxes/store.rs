//! Inbox and membership rows.
use super::appearance::{Appearance, Launcher};
use super::{InboxDetail, InboxSummary, Member, MemberRole};
use crate::accounts::Role;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use std::collections::HashMap;

pub fn validate_name(name: &str) -> AppResult<()> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 80 {
        return Err(AppError::Unprocessable("an inbox name needs 1 to 80 characters".into()));
    }
    Ok(())
}

pub async fn create(db: &Db, name: &str, now: i64) -> AppResult<i64> {
    validate_name(name)?;
    Ok(sqlx::query_scalar(
        "INSERT INTO inboxes (name, public_key, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name.trim())
    .bind(crate::tokens::random_id())
    .bind(crate::tokens::random_secret())
    .bind(now)
    .fetch_one(db.pool())
    .await?)
}

/// The inboxes an agent can see: all of them for an admin, their memberships otherwise.
pub async fn visible_to(db: &Db, agent_id: i64, role: Role) -> AppResult<Vec<InboxSummary>> {
    let rows: Vec<(i64, String, Option<String>)> = if role == Role::Admin {
        sqlx::query_as(
            "SELECT i.id, i.name, m.role FROM inboxes i
             LEFT JOIN inbox_members m ON m.inbox_id = i.id AND m.agent_id = $1
             ORDER BY i.name, i.id",
        )
    } else {
        sqlx::query_as(
            "SELECT i.id, i.name, m.role FROM inboxes i
             JOIN inbox_members m ON m.inbox_id = i.id AND m.agent_id = $1
             ORDER BY i.name, i.id",
        )
    }
    .bind(agent_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role)| InboxSummary { id, name, my_role: role.as_deref().and_then(MemberRole::parse) })
        .collect())
}

/// Every inbox with its members, in two queries whatever the number of inboxes.
pub async fn list_with_members(db: &Db) -> AppResult<Vec<InboxDetail>> {
    #[derive(sqlx::FromRow)]
    struct InboxRow {
        id: i64,
        name: String,
        public_key: String,
        retention_days: Option<i64>,
        prechat_form: i64,
        context_url_template: Option<String>,
        #[sqlx(flatten)]
        look: AppearanceRow,
    }
    #[derive(sqlx::FromRow)]
    struct MemberRow {
        inbox_id: i64,
        agent_id: i64,
        name: String,
        role: String,
    }
    let inboxes: Vec<InboxRow> = sqlx::query_as(
        "SELECT id, name, public_key, retention_days, prechat_form, context_url_template,
                brand_color, greeting, launcher_position, team_name FROM inboxes ORDER BY name, id",
    )
    .fetch_all(db.pool())
    .await?;
    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.inbox_id, a.id AS agent_id, a.name, m.role FROM inbox_members m
         JOIN agents a ON a.id = m.agent_id ORDER BY a.name, a.id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut by_inbox: HashMap<i64, Vec<Member>> = HashMap::new();
    for m in members {
        if let Some(role) = MemberRole::parse(&m.role) {
            by_inbox.entry(m.inbox_id).or_default().push(Member { agent_id: m.agent_id, name: m.name, role });
        }
    }
    Ok(inboxes
        .into_iter()
        .map(|i| InboxDetail {
            members: by_inbox.remove(&i.id).unwrap_or_default(),
            id: i.id,
            name: i.name,
            public_key: i.public_key,
            retention_days: i.retention_days,
            prechat_form: i.prechat_form != 0,
            context_url_template: i.context_url_template,
            appearance: i.look.into(),
        })
        .collect())
}

/// Adds, changes or (with `None`) removes a membership. An operator account cannot
/// supervise an inbox: the account role is the ceiling.
pub async fn set_member(db: &Db, inbox_id: i64, agent_id: i64, role: Option<MemberRole>) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let account: Option<String> =
        sqlx::query_scalar("SELECT role FROM agents WHERE id = $1").bind(agent_id).fetch_optional(&mut *tx).await?;
    let account = account.ok_or(AppError::NotFound)?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM inboxes WHERE id = $1").bind(inbox_id).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    match role {
        Some(MemberRole::Supervisor) if account == "operator" => {
            return Err(AppError::Unprocessable("an operator account cannot supervise an inbox".into()));
        }
        Some(role) => {
            sqlx::query(
                "INSERT INTO inbox_members (inbox_id, agent_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (inbox_id, agent_id) DO UPDATE SET role = excluded.role",
            )
            .bind(inbox_id)
            .bind(agent_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM inbox_members WHERE inbox_id = $1 AND agent_id = $2")
                .bind(inbox_id)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn set_prechat_form(db: &Db, inbox_id: i64, on: bool) -> AppResult<()> {
    let done = sqlx::query("UPDATE inboxes SET prechat_form = $1 WHERE id = $2")
        .bind(on as i64)
        .bind(inbox_id)
        .execute(db.pool())
        .await?;
    crate::db::found(&done)?;
    Ok(())
}

/// Sets (or with an empty string clears) the link template of an inbox's contexts.
pub async fn set_context_url_template(db: &Db, inbox_id: i64, template: &str) -> AppResult<()> {
    let t = template.trim();
    let value = if t.is_empty() {
        None
    } else if (t.starts_with("https://") || t.starts_with("http://")) && t.contains("{id}") && t.len() <= 500 {
        Some(t)
    } else {
        return Err(AppError::Unprocessable("the link template must be an http(s) address containing {id}".into()));
    };
    let done = sqlx::query("UPDATE inboxes SET context_url_template = $1 WHERE id = $2")
        .bind(value)
        .bind(inbox_id)
        .execute(db.pool())
        .await?;
    crate::db::found(&done)?;
    Ok(())
}

/// The appearance columns of an inbox row.
#[derive(sqlx::FromRow)]
pub struct AppearanceRow {
    brand_color: Option<String>,
    greeting: Option<String>,
    launcher_position: String,
    team_name: Option<String>,
}

impl From<AppearanceRow> for Appearance {
    fn from(r: AppearanceRow) -> Appearance {
        Appearance {
            brand_color: r.brand_color.unwrap_or_else(|| super::appearance::DEFAULT_BRAND.into()),
            greeting: r.greeting,
            launcher: Launcher::parse(&r.launcher_position).unwrap_or_default(),
            team_name: r.team_name,
        }
    }
}

/// One inbox's widget appearance.
pub async fn appearance(db: &Db, inbox_id: i64) -> AppResult<Appearance> {
    let row: Option<AppearanceRow> =
        sqlx::query_as("SELECT brand_color, greeting, launcher_position, team_name FROM inboxes WHERE id = $1")
            .bind(inbox_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.ok_or(AppError::NotFound)?.into())
}

/// Stores an inbox's widget appearance (checked first: a bad colour or an overlong
/// text is a 422 that says why).
pub async fn set_appearance(db: &Db, inbox_id: i64, look: &Appearance) -> AppResult<Appearance> {
    let look = look.validated().map_err(AppError::Unprocessable)?;
    let done = sqlx::query(
        "UPDATE inboxes SET brand_color = $1, greeting = $2, launcher_position = $3, team_name = $4 WHERE id = $5",
    )
    .bind(&look.brand_color)
    .bind(&look.greeting)
    .bind(look.launcher.as_str())
    .bind(&look.team_name)
    .bind(inbox_id)
    .execute(db.pool())
    .await?;
    crate::db::found(&done)?;
    Ok(look)
}

/// An inbox by its widget key: its id, name and whether it asks for a pre-chat form.
pub async fn by_public_key(db: &Db, key: &str) -> AppResult<Option<(i64, String, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        prechat_form: i64,
    }
    let row: Option<Row> = sqlx::query_as("SELECT id, name, prechat_form FROM inboxes WHERE public_key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| (r.id, r.name, r.prechat_form != 0)))
}

/// An inbox's name.
pub async fn name(db: &Db, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM inboxes WHERE id = $1").bind(id).fetch_optional(db.pool()).await?)
}
