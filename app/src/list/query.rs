//! The list query: one SQL statement per page, on indexed keys, with keyset cursors.
//! Search, with its per-dialect pieces, is in [`super::search`].
use super::{FollowUp, ListQuery, Page, Row, Sort, Started};
use crate::accounts::Role;
use crate::conversations::Status;
use super::search::search_clause;
pub use super::search::{matches, Matches};
use crate::db::{Db, Dialect};
use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const DAY: i64 = 86_400_000;
/// A visitor counts as online while their widget's stream was seen this recently.
pub const ONLINE_WINDOW_MS: i64 = 90_000;

pub struct Viewer {
    pub id: i64,
    pub role: Role,
    /// Kept to these inboxes (an API token's); empty: no limit beyond the role's.
    pub inboxes: Vec<i64>,
}

pub(super) enum Bind {
    I(i64),
    S(String),
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) wheres: Vec<String>,
    pub(super) binds: Vec<Bind>,
}

impl Builder {
    pub(super) fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }
}

/// Midnight today in the agent's zone, as UTC milliseconds.
pub fn day_start(now: i64, tz_minutes: i32) -> i64 {
    let off = tz_minutes as i64 * 60_000;
    (now + off).div_euclid(DAY) * DAY - off
}

fn started_range(started: Started, now: i64, tz: i32) -> Option<(i64, Option<i64>)> {
    let today = day_start(now, tz);
    match started {
        Started::All => None,
        Started::Today => Some((today, None)),
        Started::Yesterday => Some((today - DAY, Some(today))),
        Started::Last7 => Some((today - 6 * DAY, None)),
        Started::Last30 => Some((today - 29 * DAY, None)),
    }
}

pub fn validate(q: &ListQuery) -> AppResult<()> {
    if ![25, 50, 100].contains(&q.size) {
        return Err(AppError::Unprocessable("page size must be 25, 50 or 100".into()));
    }
    if !(-840..=840).contains(&q.tz) {
        return Err(AppError::Unprocessable("tz is the offset from UTC in minutes, -840 to 840".into()));
    }
    if q.q.as_deref().is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::Unprocessable("the search is limited to 200 characters".into()));
    }
    if q.after.is_some() && q.before.is_some() {
        return Err(AppError::BadRequest("give either after or before, not both".into()));
    }
    Ok(())
}

fn filters(b: &mut Builder, dialect: Dialect, q: &ListQuery, me: &str, now: i64, many: Matches) {
    b.wheres.extend(super::scope::group(q.group, me));
    if let Some(inbox) = q.inbox {
        let p = b.bind(Bind::I(inbox));
        b.wheres.push(format!("c.inbox_id = {p}"));
    }
    if let Some(status) = q.status {
        let p = b.bind(Bind::S(status.as_str().into()));
        b.wheres.push(format!("c.status = {p}"));
    }
    if let Some(reason) = q.reason {
        let p = b.bind(Bind::S(reason.as_str().into()));
        b.wheres.push(format!("c.close_reason = {p}"));
    }
    if let Some((from, to)) = started_range(q.started, now, q.tz) {
        let p = b.bind(Bind::I(from));
        if dialect == Dialect::Sqlite && q.sort == Sort::Activity {
            // SQLite would read the whole range through the start index and sort it (30
            // ms for a week's 20k chats at 10M); walking the activity index stops at the
            // page, and a chat's activity is never before its start, so the walk may
            // stop there too (with an hour's margin for instances' clocks).
            let bound = b.bind(Bind::I(from - ACTIVITY_MARGIN_MS));
            b.wheres.push(format!("+c.created_at >= {p} AND c.activity_at >= {bound}"));
        } else {
            b.wheres.push(format!("c.created_at >= {p}"));
        }
        if let Some(to) = to {
            let p = b.bind(Bind::I(to));
            b.wheres.push(format!("c.created_at < {p}"));
        }
    }
    match q.follow_up {
        Some(FollowUp::Awaiting) => b.wheres.push(
            "c.last_customer_message_at IS NOT NULL AND (c.last_agent_message_at IS NULL
             OR c.last_customer_message_at > c.last_agent_message_at)"
                .into(),
        ),
        Some(FollowUp::ByMe) => b.wheres.push(format!("c.last_agent_id = {me}")),
        Some(FollowUp::ByOthers) => b.wheres.push(format!("c.last_agent_id <> {me}")),
        None => {}
    }
    if q.sla == Some(super::SlaFilter::Breached) {
        b.wheres.push("c.sla_breached_at IS NOT NULL AND c.status <> 'closed'".into());
    }
    if q.online {
        let p = b.bind(Bind::I(now - ONLINE_WINDOW_MS));
        // The flag is set and cleared by the visitor's stream; the time guards against an
        // instance that died without clearing it.
        b.wheres.push(format!("c.visitor_online = 1 AND c.visitor_seen_at > {p}"));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        search_clause(b, dialect, text, many);
    }
}

/// How far before its start a chat's activity could be recorded: activity is its latest
/// public message or its start, so only clocks differing between instances could do it.
const ACTIVITY_MARGIN_MS: i64 = 60 * 60 * 1000;

/// The SLA sort key: the due time, or (no pending target) after every due time.
const SLA_KEY: &str = "COALESCE(c.sla_due_at, 9000000000000000)";

/// The sort key expression, whether it runs newest/last first, and whether it is text.
fn sort_key(sort: Sort) -> (&'static str, bool, bool) {
    match sort {
        Sort::Activity => ("c.activity_at", true, false),
        Sort::Started => ("c.created_at", true, false),
        Sort::NameAsc => ("COALESCE(lower(cu.name), '')", false, true),
        Sort::NameDesc => ("COALESCE(lower(cu.name), '')", true, true),
        Sort::SlaDue => (SLA_KEY, false, false),
    }
}

fn encode_cursor(key: &str, id: i64) -> String {
    format!("{}.{id}", URL_SAFE_NO_PAD.encode(key))
}

fn decode_cursor(cursor: &str, text: bool) -> AppResult<(Bind, i64)> {
    let bad = || AppError::BadRequest("that page cursor is not valid".into());
    let (key, id) = cursor.rsplit_once('.').ok_or_else(bad)?;
    let key = String::from_utf8(URL_SAFE_NO_PAD.decode(key).map_err(|_| bad())?).map_err(|_| bad())?;
    if crate::text::forbidden_control(&key).is_some() {
        return Err(bad()); // a forged cursor: no sort key holds a NUL
    }
    let id: i64 = id.parse().map_err(|_| bad())?;
    let key = if text { Bind::S(key) } else { Bind::I(key.parse().map_err(|_| bad())?) };
    Ok((key, id))
}

#[derive(sqlx::FromRow)]
struct RowData {
    id: i64,
    inbox_id: i64,
    created_at: i64,
    activity_at: i64,
    last_message_preview: Option<String>,
    customer_name: Option<String>,
    customer_role: Option<String>,
    customer_phone: Option<String>,
    customer_email: Option<String>,
    channel: String,
    assignee_name: Option<String>,
    status: String,
    close_reason: Option<String>,
    unread: i64,
    name_key: String,
    sla_due_at: Option<i64>,
    sla_breached_at: Option<i64>,
    sla_key: i64,
}

/// The one statement a page runs, and its bound values.
fn statement(dialect: Dialect, viewer: &Viewer, q: &ListQuery, now: i64, many: Matches) -> AppResult<(String, Vec<Bind>)> {
    validate(q)?;
    let mut b = Builder::default();
    let me = b.bind(Bind::I(viewer.id));
    b.wheres.extend(super::scope::visibility(viewer, &me));
    b.wheres.extend(super::scope::kept_to(&viewer.inboxes));
    filters(&mut b, dialect, q, &me, now, many);
    let (key, descending, text) = sort_key(q.sort);
    let backward = q.before.is_some();
    if let Some(cursor) = q.after.as_deref().or(q.before.as_deref()) {
        let (k, id) = decode_cursor(cursor, text)?;
        let (kp, ip) = (b.bind(k), b.bind(Bind::I(id)));
        let op = if descending != backward { "<" } else { ">" };
        b.wheres.push(format!("({key} {op} {kp} OR ({key} = {kp} AND c.id {op} {ip}))"));
    }
    let order = if descending != backward { "DESC" } else { "ASC" };
    let limit = b.bind(Bind::I(q.size as i64 + 1));
    let wheres = if b.wheres.is_empty() { "1 = 1".to_string() } else { b.wheres.join(" AND ") };
    let sql = format!(
        "SELECT c.id, c.inbox_id, c.created_at, c.activity_at, c.last_message_preview,
           cu.name AS customer_name, cu.role AS customer_role, cu.phone AS customer_phone, cu.email AS customer_email,
           c.channel, a.name AS assignee_name, c.status, c.close_reason,
           (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.author_kind = 'customer'
              AND m.id > COALESCE((SELECT r.last_read_message_id FROM read_markers r
                                   WHERE r.conversation_id = c.id AND r.agent_id = {me}), 0)) AS unread,
           COALESCE(lower(cu.name), '') AS name_key,
           c.sla_due_at, c.sla_breached_at, {SLA_KEY} AS sla_key
         FROM conversations c JOIN customers cu ON cu.id = c.customer_id LEFT JOIN agents a ON a.id = c.assignee_id
         WHERE {wheres}
         ORDER BY {key} {order}, c.id {order} LIMIT {limit}"
    );
    Ok((sql, b.binds))
}

/// The database's plan for a page's statement (tests check that it uses the indexes).
pub async fn explain(db: &Db, viewer: &Viewer, q: &ListQuery, now: i64) -> AppResult<Vec<String>> {
    let (sql, binds) = statement(db.dialect(), viewer, q, now, matches(db, q).await?)?;
    let prefix = match db.dialect() {
        Dialect::Sqlite => "EXPLAIN QUERY PLAN ",
        Dialect::Postgres => "EXPLAIN ",
    };
    let text = format!("{prefix}{sql}");
    let mut query = sqlx::query(&text);
    for bind in binds {
        query = match bind {
            Bind::I(v) => query.bind(v),
            Bind::S(v) => query.bind(v),
        };
    }
    use sqlx::Row as _;
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<String, _>(match db.dialect() { Dialect::Sqlite => 3, Dialect::Postgres => 0 }).unwrap_or_default())
        .collect())
}

pub async fn page(db: &Db, viewer: &Viewer, q: &ListQuery, now: i64) -> AppResult<Page> {
    page_as(db, viewer, q, now, matches(db, q).await?).await
}

/// A page, searched the way `how` says (tests check that every way finds the same).
pub async fn page_as(db: &Db, viewer: &Viewer, q: &ListQuery, now: i64, how: Matches) -> AppResult<Page> {
    let (sql, binds) = statement(db.dialect(), viewer, q, now, how)?;
    let backward = q.before.is_some();
    let mut query = sqlx::query_as::<_, RowData>(&sql);
    for bind in binds {
        query = match bind {
            Bind::I(v) => query.bind(v),
            Bind::S(v) => query.bind(v),
        };
    }
    let mut rows = query.fetch_all(db.pool()).await?;
    let more = rows.len() > q.size as usize;
    rows.truncate(q.size as usize);
    if backward {
        rows.reverse();
    }
    let cursor_of = |r: &RowData| {
        let k = match q.sort {
            Sort::Activity => r.activity_at.to_string(),
            Sort::Started => r.created_at.to_string(),
            Sort::NameAsc | Sort::NameDesc => r.name_key.clone(),
            Sort::SlaDue => r.sla_key.to_string(),
        };
        encode_cursor(&k, r.id)
    };
    let (next, prev) = match (backward, rows.first(), rows.last()) {
        (_, None, _) | (_, _, None) => (None, None),
        (false, Some(first), Some(last)) => (more.then(|| cursor_of(last)), q.after.as_ref().map(|_| cursor_of(first))),
        (true, Some(first), Some(last)) => (Some(cursor_of(last)), more.then(|| cursor_of(first))),
    };
    let rows = rows
        .into_iter()
        .map(|r| Row {
            id: r.id,
            inbox_id: r.inbox_id,
            created_at: r.created_at,
            activity_at: r.activity_at,
            last_message_preview: r.last_message_preview,
            customer_name: r.customer_name,
            customer_role: r.customer_role,
            customer_phone: r.customer_phone,
            customer_email: r.customer_email,
            channel: r.channel,
            assignee_name: r.assignee_name,
            status: Status::parse(&r.status).unwrap_or(Status::New),
            close_reason: r.close_reason.as_deref().and_then(crate::conversations::CloseReason::parse),
            unread: r.unread,
            sla_due_at: r.sla_due_at.filter(|_| r.status != "closed"),
            sla_breached: r.sla_breached_at.is_some(),
        })
        .collect();
    Ok(Page { rows, next, prev })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_start_follows_the_agents_zone() {
        let t = 1_790_000_000_000; // 2026-09-21 14:13 UTC
        assert_eq!(day_start(t, 0) % DAY, 0);
        // UTC+10: it is already 00:13 on the 22nd there.
        let plus10 = day_start(t, 600);
        assert_eq!(plus10, day_start(t, 0) + DAY - 600 * 60_000);
        assert!(plus10 <= t && t - plus10 < DAY);
        // UTC-5: 09:13 on the 21st.
        let minus5 = day_start(t, -300);
        assert!(minus5 <= t && t - minus5 < DAY);
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = encode_cursor("zoë", 42);
        assert!(matches!(decode_cursor(&c, true), Ok((Bind::S(k), 42)) if k == "zoë"));
        assert!(decode_cursor("nope", false).is_err());
        assert!(decode_cursor(&encode_cursor("abc", 1), false).is_err(), "not a number");
    }
}
