//! The report's reads: the cycles that started in the range, the survey answers given
//! in it, and how many chats were asked; each one statement, scoped to the inboxes the
//! reader supervises (every inbox for an admin).
use super::compute::{compute, frame, unpack, CycleRow, RatingRow};
use super::{Report, ReportQuery};
use crate::accounts::Role;
use crate::db::{Db, Dialect};
use crate::error::{AppError, AppResult};
use crate::hours::Hours;
use std::collections::HashMap;

/// The inbox filter on `col`, with `$1` the reader, `$2` an inbox or 0 for all.
fn scope(role: Role, col: &str) -> String {
    let mine = if role == Role::Admin {
        "$1 = $1".to_string()
    } else {
        format!("{col} IN (SELECT inbox_id FROM inbox_members WHERE agent_id = $1 AND role = 'supervisor')")
    };
    format!("{mine} AND ($2 = 0 OR {col} = $2)")
}

pub async fn report(db: &Db, viewer: i64, role: Role, q: &ReportQuery) -> AppResult<Report> {
    let f = frame(q)?;
    let inboxes: Vec<(i64, String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT i.id, i.name, i.hours FROM inboxes i WHERE {} ORDER BY i.name",
        scope(role, "i.id")
    ))
    .bind(viewer)
    .bind(0i64)
    .fetch_all(db.pool())
    .await?;
    if inboxes.is_empty() {
        return Err(AppError::Forbidden);
    }
    let inbox = q.inbox.unwrap_or(0);
    if inbox != 0 && !inboxes.iter().any(|i| i.0 == inbox) {
        return Err(AppError::NotFound);
    }
    let agent = q.agent.unwrap_or(0);
    // Every cycle of the range packed into one text, one line each: a row costs the
    // database driver about 7 µs to hand over (145 ms for 20k cycles, of which SQLite's
    // own work is 21 ms), the text well under one.
    let packed = match db.dialect() {
        Dialect::Sqlite => {
            "group_concat(c.inbox_id || ',' || y.started_at || ',' || COALESCE(y.first_response_at, '') || ','
                || COALESCE(y.first_responder_id, '') || ',' || COALESCE(y.resolved_at, '') || ','
                || COALESCE(y.resolver_id, '') || ',' || COALESCE(y.first_response_met, '') || ','
                || COALESCE(y.resolution_met, '') || ',' || y.next_responses || ',' || y.next_responses_met, ';')"
        }
        Dialect::Postgres => {
            "string_agg(concat_ws(',', c.inbox_id, y.started_at, COALESCE(y.first_response_at::text, ''),
                COALESCE(y.first_responder_id::text, ''), COALESCE(y.resolved_at::text, ''),
                COALESCE(y.resolver_id::text, ''), COALESCE(y.first_response_met::text, ''),
                COALESCE(y.resolution_met::text, ''), y.next_responses, y.next_responses_met), ';')"
        }
    };
    // The four reads are independent: they run together, each on its own pooled
    // connection (at 10M messages the 60 days' cycles take about 95 ms, the surveyed
    // count 25 ms, and they overlap on the second core).
    let cycles_sql = format!(
        "SELECT {packed} FROM conversation_cycles y JOIN conversations c ON c.id = y.conversation_id
         WHERE y.started_at >= $3 AND y.started_at < $4 AND {}",
        scope(role, "c.inbox_id")
    );
    let ratings_sql = format!(
        "SELECT c.inbox_id, c.csat_at AS at, c.csat_score AS score, c.assignee_id AS agent_id FROM conversations c
         WHERE c.csat_at >= $3 AND c.csat_at < $4 AND c.csat_score IS NOT NULL AND {}",
        scope(role, "c.inbox_id")
    );
    let surveyed_sql = format!(
        "SELECT COUNT(*) FROM conversation_cycles y JOIN conversations c ON c.id = y.conversation_id
         JOIN inboxes i ON i.id = c.inbox_id
         WHERE y.resolved_at >= $3 AND y.resolved_at < $4 AND ($5 = 0 OR y.resolver_id = $5)
           AND ((i.csat = 'solved' AND y.close_reason = 'solved') OR (i.csat = 'closed' AND y.close_reason IN ('solved', 'closed')))
           AND {}",
        scope(role, "c.inbox_id")
    );
    let people_sql = format!(
        "SELECT a.id, a.name FROM agents a WHERE a.id IN (SELECT m.agent_id FROM inbox_members m WHERE {}) ORDER BY a.name",
        scope(role, "m.inbox_id")
    );
    let (packed, mut ratings, surveyed, people) = tokio::try_join!(
        sqlx::query_scalar::<_, Option<String>>(&cycles_sql)
            .bind(viewer)
            .bind(inbox)
            .bind(f.start_ms)
            .bind(f.end_ms)
            .fetch_one(db.pool()),
        sqlx::query_as::<_, RatingRow>(&ratings_sql)
            .bind(viewer)
            .bind(inbox)
            .bind(f.start_ms)
            .bind(f.end_ms)
            .fetch_all(db.pool()),
        sqlx::query_scalar::<_, i64>(&surveyed_sql)
            .bind(viewer)
            .bind(inbox)
            .bind(f.start_ms)
            .bind(f.end_ms)
            .bind(agent)
            .fetch_one(db.pool()),
        sqlx::query_as::<_, (i64, String)>(&people_sql).bind(viewer).bind(0i64).fetch_all(db.pool()),
    )?;
    let mut cycles: Vec<CycleRow> = unpack(packed.as_deref().unwrap_or_default())?;
    if agent != 0 {
        cycles.retain(|c| c.first_responder_id == Some(agent) || c.resolver_id == Some(agent));
        ratings.retain(|r| r.agent_id == Some(agent));
    }
    let names: HashMap<i64, String> = people.iter().cloned().collect();
    let hours: HashMap<i64, Hours> =
        inboxes.iter().filter_map(|(id, _, h)| Some((*id, serde_json::from_str(h.as_deref()?).ok()?))).collect();
    let mut report = compute(&f, &cycles, &ratings, &hours, q.business_hours, &names);
    if agent != 0 {
        report.agents.retain(|a| a.id == agent);
    }
    report.surveyed = surveyed;
    report.inboxes = inboxes.into_iter().map(|(id, name, _)| (id, name)).collect();
    report.people = people;
    Ok(report)
}
