//! Reading the audit log: filtered keyset pages, the CSV's rows, and the log's own
//! retention (the one DELETE it allows).
use super::{AuditLine, AuditPage, AuditQuery, DEFAULT_RETENTION_DAYS, PAGE};
use crate::audit::{record_in, Action, Actor, Entry};
use crate::db::Db;
use crate::error::{AppError, AppResult};

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: String,
    pub address: Option<String>,
    pub actor_name: Option<String>,
    pub token_name: Option<String>,
}

impl AuditRow {
    pub fn line(&self) -> AuditLine {
        let actor = match (&self.actor_name, &self.token_name) {
            (Some(a), _) => a.clone(),
            (None, Some(t)) => format!("API token {t}"),
            (None, None) if self.actor_id.is_some() => format!("Agent #{}", self.actor_id.unwrap_or_default()),
            (None, None) => "System".into(),
        };
        let action = Action::parse(&self.action).map(|a| a.label().to_string()).unwrap_or_else(|| self.action.clone());
        let target = match self.target_id.as_deref() {
            Some(id) if !id.is_empty() => format!("{} {id}", self.target_type),
            _ => self.target_type.clone(),
        };
        AuditLine { id: self.id, at: self.at, actor, action, target, changes: changes(&self.detail), address: self.address.clone() }
    }
}

/// The detail as readable text: `key: before → after` for a changed setting, else `key: value`.
pub fn changes(detail: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(detail) else {
        return String::new();
    };
    let flat = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    };
    if let (Some(before), Some(after)) = (map.get("before"), map.get("after")) {
        if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            return keys
                .into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| format!("{k}: {} → {}", b.get(k).map(flat).unwrap_or("—".into()), a.get(k).map(flat).unwrap_or("—".into())))
                .collect::<Vec<_>>()
                .join("; ");
        }
        return format!("{} → {}", flat(before), flat(after));
    }
    map.iter().map(|(k, v)| format!("{k}: {}", flat(v))).collect::<Vec<_>>().join("; ")
}

const SELECT: &str = "SELECT l.id, l.at, l.actor_id, l.action, l.target_type, l.target_id, l.detail, l.address,
        a.name AS actor_name, t.name AS token_name
     FROM audit_log l LEFT JOIN agents a ON a.id = l.actor_id LEFT JOIN api_tokens t ON t.id = l.token_id";

/// Milliseconds of a `YYYY-MM-DD` day's start in a zone `tz` minutes east of UTC.
fn day_start(day: &str, tz: i32) -> AppResult<i64> {
    let bad = || AppError::Unprocessable(format!("{day:?} is not a date: use YYYY-MM-DD"));
    let d: jiff::civil::Date = day.trim().parse().map_err(|_| bad())?;
    let utc = d.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| bad())?;
    Ok(utc.timestamp().as_millisecond() - i64::from(tz) * 60_000)
}

/// One page, newest first, with every filter applied in the query (keyset on id).
pub async fn page(db: &Db, q: &AuditQuery) -> AppResult<(Vec<AuditRow>, Option<i64>)> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let mut ints: Vec<i64> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    // Binds go in order: the integers first, then the texts, so placeholders are numbered that way.
    if let Some(a) = q.actor {
        sql += &format!(" AND l.actor_id = {}", next());
        ints.push(a);
    }
    if let Some(b) = q.before {
        sql += &format!(" AND l.id < {}", next());
        ints.push(b);
    }
    if let Some(from) = q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        sql += &format!(" AND l.at >= {}", next());
        ints.push(day_start(from, q.tz)?);
    }
    if let Some(to) = q.to.as_deref().filter(|s| !s.trim().is_empty()) {
        sql += &format!(" AND l.at < {}", next());
        ints.push(day_start(to, q.tz)? + 24 * 3600 * 1000);
    }
    if let Some(action) = q.action.as_deref().filter(|s| !s.is_empty()) {
        let a = Action::parse(action).ok_or_else(|| AppError::Unprocessable(format!("unknown action {action:?}")))?;
        sql += &format!(" AND l.action = {}", next());
        texts.push(a.as_str().into());
    }
    if let Some(target) = q.target.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let (kind, id) = match target.split_once(':') {
            Some((k, i)) => (k.trim(), Some(i.trim())),
            None => (target, None),
        };
        sql += &format!(" AND l.target_type = {}", next());
        texts.push(kind.to_string());
        if let Some(id) = id {
            sql += &format!(" AND l.target_id = {}", next());
            texts.push(id.to_string());
        }
    }
    sql += &format!(" ORDER BY l.id DESC LIMIT {}", PAGE + 1);
    let mut query = sqlx::query_as::<_, AuditRow>(&sql);
    for i in ints {
        query = query.bind(i);
    }
    for t in texts {
        query = query.bind(t);
    }
    let mut rows = query.fetch_all(db.pool()).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let next = if more { rows.last().map(|r| r.id) } else { None };
    Ok((rows, next))
}

pub async fn recent(db: &Db, limit: i64) -> AppResult<Vec<AuditRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY l.id DESC LIMIT $1")).bind(limit).fetch_all(db.pool()).await?)
}

/// The page with what the filters need.
pub async fn view(db: &Db, q: &AuditQuery) -> AppResult<AuditPage> {
    let (rows, next) = page(db, q).await?;
    let actors: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM agents ORDER BY name").fetch_all(db.pool()).await?;
    Ok(AuditPage { lines: rows.iter().map(AuditRow::line).collect(), next, retention_days: retention_days(db).await?, actors })
}

const RETENTION_KEY: &str = "audit.retention_days";

pub async fn retention_days(db: &Db) -> AppResult<i64> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(RETENTION_KEY).fetch_optional(db.pool()).await?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// Sets the retention, audited with its old and new value in the same transaction.
pub async fn set_retention_days(db: &Db, by: &Actor, days: i64, now: i64) -> AppResult<()> {
    let before = retention_days(db).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(RETENTION_KEY)
        .bind(days.to_string())
        .execute(&mut *tx)
        .await?;
    let entry = Entry::new(by, Action::AuditRetention, "audit_log", "").changed(&serde_json::json!({ "days": before }), &serde_json::json!({ "days": days }));
    record_in(&mut tx, now, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The log's own retention: deletes entries older than the kept days. Returns how many.
pub async fn expire(db: &Db, now: i64) -> AppResult<u64> {
    let days = retention_days(db).await?;
    let cutoff = now - days * 24 * 3600 * 1000;
    Ok(sqlx::query("DELETE FROM audit_log WHERE at < $1").bind(cutoff).execute(db.pool()).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_before_and_after() {
        let d = r#"{"before":{"mode":"off","capacity":3},"after":{"mode":"auto","capacity":3}}"#;
        assert_eq!(changes(d), "mode: off → auto");
        assert_eq!(changes(r#"{"messages":4,"inbox_id":2}"#), "inbox_id: 2; messages: 4");
        assert_eq!(changes("{}"), "");
        assert_eq!(changes("not json"), "");
    }

    #[test]
    fn days_start_in_the_readers_zone() {
        // 2026-03-01 00:00 at UTC+1 is 2026-02-28 23:00 UTC.
        assert_eq!(day_start("2026-03-01", 60).unwrap(), 1_772_319_600_000);
        assert!(day_start("2026-13-01", 0).is_err());
    }
}
