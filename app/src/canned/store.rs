//! Canned responses in the database. Every read is scoped by who asks.
use super::{Canned, CannedOption, Draft, Keeper, Scope};
use crate::db::Db;
use crate::error::{AppError, AppResult};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    scope: String,
    owner_id: Option<i64>,
    inbox_id: Option<i64>,
    inbox_name: Option<String>,
    shortcode: String,
    title: String,
    body: String,
    usage_count: i64,
}

impl Row {
    fn scope(&self) -> Scope {
        Scope::parse(&self.scope).unwrap_or(Scope::Personal)
    }
}

const COLUMNS: &str = "c.id, c.scope, c.owner_id, c.inbox_id, i.name AS inbox_name, c.shortcode, c.title, c.body, c.usage_count
     FROM canned_responses c LEFT JOIN inboxes i ON i.id = c.inbox_id";

#[derive(sqlx::FromRow)]
struct Membership {
    inbox_id: i64,
    role: String,
}

/// How `agent_id` stands for keeping responses.
pub async fn keeper(db: &Db, agent_id: i64, is_admin: bool) -> AppResult<Keeper> {
    let rows: Vec<Membership> =
        sqlx::query_as("SELECT inbox_id, role FROM inbox_members WHERE agent_id = $1").bind(agent_id).fetch_all(db.pool()).await?;
    Ok(Keeper {
        agent_id,
        is_admin,
        member_of: rows.iter().map(|r| r.inbox_id).collect(),
        supervises: rows.iter().filter(|r| r.role == "supervisor").map(|r| r.inbox_id).collect(),
        address: None,
    })
}

/// Every response the agent may use somewhere (their own, their inboxes', the global
/// ones; an admin sees every inbox's), each marked with whether they may change it.
pub async fn listed(db: &Db, who: &Keeper) -> AppResult<Vec<Canned>> {
    let sql = format!(
        "SELECT {COLUMNS}
         WHERE (c.scope = 'personal' AND c.owner_id = $1) OR c.scope = 'global'
            OR (c.scope = 'inbox' AND ($2 = 1 OR c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $1)))
         ORDER BY c.shortcode, c.id"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(who.agent_id).bind(i64::from(who.is_admin)).fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Canned {
            editable: who.may_keep(r.scope(), r.owner_id, r.inbox_id).is_ok(),
            scope: r.scope(),
            id: r.id,
            inbox_id: r.inbox_id,
            inbox_name: r.inbox_name,
            shortcode: r.shortcode,
            title: r.title,
            body: r.body,
            usage_count: r.usage_count,
        })
        .collect())
}

/// The responses usable in a chat of `inbox_id`, the most used first.
pub async fn usable(db: &Db, agent_id: i64, inbox_id: i64) -> AppResult<Vec<CannedOption>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}
         WHERE (c.scope = 'personal' AND c.owner_id = $1) OR c.scope = 'global' OR (c.scope = 'inbox' AND c.inbox_id = $2)
         ORDER BY c.usage_count DESC, c.shortcode, c.id"
    ))
    .bind(agent_id)
    .bind(inbox_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| CannedOption { id: r.id, shortcode: r.shortcode, title: r.title, body: r.body }).collect())
}

/// One response the agent may use in a chat of `inbox_id` (else a 404).
pub async fn usable_one(db: &Db, agent_id: i64, inbox_id: i64, id: i64) -> AppResult<CannedOption> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}
         WHERE c.id = $3 AND ((c.scope = 'personal' AND c.owner_id = $1) OR c.scope = 'global' OR (c.scope = 'inbox' AND c.inbox_id = $2))"
    ))
    .bind(agent_id)
    .bind(inbox_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let r = row.ok_or(AppError::NotFound)?;
    Ok(CannedOption { id: r.id, shortcode: r.shortcode, title: r.title, body: r.body })
}

/// The response's scope and keepers, to check a change against.
pub async fn owner(db: &Db, id: i64) -> AppResult<(Scope, Option<i64>, Option<i64>)> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} WHERE c.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    let r = row.ok_or(AppError::NotFound)?;
    Ok((r.scope(), r.owner_id, r.inbox_id))
}

/// Refuses a short code already used in the same place (the agent's own, the inbox,
/// or the global list).
async fn unique(conn: &mut sqlx::AnyConnection, d: &Draft, owner_id: Option<i64>, except: Option<i64>) -> AppResult<()> {
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM canned_responses
         WHERE shortcode = $1 AND scope = $2 AND COALESCE(owner_id, 0) = $3 AND COALESCE(inbox_id, 0) = $4 AND id <> $5",
    )
    .bind(&d.shortcode)
    .bind(d.scope.as_str())
    .bind(owner_id.unwrap_or(0))
    .bind(d.inbox_id.unwrap_or(0))
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut *conn)
    .await?;
    match taken {
        Some(_) => Err(AppError::Unprocessable(format!("the short code /{} is already used there", d.shortcode))),
        None => Ok(()),
    }
}

/// Saves a new response (`id: None`) or changes one, with an audit entry when it is
/// shared (inbox or global). Returns its id.
pub async fn save(db: &Db, who: &Keeper, id: Option<i64>, d: &Draft, now: i64) -> AppResult<i64> {
    let owner_id = (d.scope == Scope::Personal).then_some(who.agent_id);
    if let Some(id) = id {
        let (scope, owner, inbox) = owner(db, id).await?;
        who.may_keep(scope, owner, inbox)?;
    }
    who.may_keep(d.scope, owner_id, d.inbox_id)?;
    if let Some(inbox) = d.inbox_id {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM inboxes WHERE id = $1").bind(inbox).fetch_optional(db.pool()).await?;
        exists.ok_or(AppError::NotFound)?;
    }
    let mut tx = db.begin_write().await?;
    unique(&mut tx, d, owner_id, id).await?;
    let saved = match id {
        Some(id) => {
            sqlx::query(
                "UPDATE canned_responses SET scope = $1, owner_id = $2, inbox_id = $3, shortcode = $4, title = $5, body = $6, updated_at = $7
                 WHERE id = $8",
            )
            .bind(d.scope.as_str())
            .bind(owner_id)
            .bind(d.inbox_id)
            .bind(&d.shortcode)
            .bind(&d.title)
            .bind(&d.body)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO canned_responses (scope, owner_id, inbox_id, shortcode, title, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(d.scope.as_str())
            .bind(owner_id)
            .bind(d.inbox_id)
            .bind(&d.shortcode)
            .bind(&d.title)
            .bind(&d.body)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    if d.scope != Scope::Personal {
        let entry = crate::audit::Entry::new(&crate::audit::Actor::agent(who.agent_id, who.address.clone()), if id.is_some() { crate::audit::Action::CannedUpdate } else { crate::audit::Action::CannedCreate }, "canned_response", saved).detail(serde_json::json!({ "scope": d.scope.as_str(), "inbox_id": d.inbox_id }));
        crate::audit::record_in(&mut tx, now, entry).await?;
    }
    tx.commit().await?;
    Ok(saved)
}

pub async fn delete(db: &Db, who: &Keeper, id: i64, now: i64) -> AppResult<()> {
    let (scope, owner, inbox) = owner(db, id).await?;
    who.may_keep(scope, owner, inbox)?;
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM canned_responses WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if scope != Scope::Personal {
        let entry = crate::audit::Entry::new(&crate::audit::Actor::agent(who.agent_id, who.address.clone()), crate::audit::Action::CannedDelete, "canned_response", id).detail(serde_json::json!({ "scope": scope.as_str(), "inbox_id": inbox }));
        crate::audit::record_in(&mut tx, now, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Counts one use.
pub async fn used(db: &Db, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE canned_responses SET usage_count = usage_count + 1 WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}
