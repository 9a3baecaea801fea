//! Team chat lines and their delivery. Every event goes to named agents only (the
//! audience `agent:<id>`), one row per recipient, so an off-the-record line is
//! never in anyone else's stream, not even filtered out on the way.
use super::{Session, TeamMessage};
use crate::conversations::handling::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::Change;
use sqlx::AnyConnection;

/// Appends `change` once for each recipient.
pub async fn emit(conn: &mut AnyConnection, db: &Db, change: Change, to: &[i64], now: i64) -> AppResult<()> {
    for agent in to {
        events::append(conn, db.dialect(), change.event(Audience::Agent(*agent), None, None), now).await?;
    }
    Ok(())
}

/// The agents who are in the session now.
pub async fn joined(conn: &mut AnyConnection, session_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT agent_id FROM team_participants WHERE session_id = $1 AND state = 'joined' ORDER BY agent_id")
        .bind(session_id)
        .fetch_all(&mut *conn)
        .await?)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    session_id: i64,
    author_id: Option<i64>,
    author_name: Option<String>,
    kind: String,
    body: String,
    off_record_to: Option<i64>,
    off_record_to_name: Option<String>,
    client_id: Option<String>,
    created_at: i64,
}

const SELECT: &str = "SELECT m.id, m.session_id, m.author_id, m.author_name, m.kind, m.body, m.off_record_to,
    o.name AS off_record_to_name, m.client_id, m.created_at FROM team_messages m LEFT JOIN agents o ON o.id = m.off_record_to";

fn to_message(r: Row) -> TeamMessage {
    TeamMessage {
        id: r.id,
        session_id: r.session_id,
        author_id: r.author_id,
        author_name: r.author_name,
        system: r.kind == "system",
        body: r.body,
        off_record_to: r.off_record_to,
        off_record_to_name: r.off_record_to_name,
        client_id: r.client_id,
        created_at: r.created_at,
    }
}

async fn insert(
    conn: &mut AnyConnection,
    session_id: i64,
    author: Option<&Actor>,
    system: bool,
    body: &str,
    off_record_to: Option<i64>,
    client_id: Option<&str>,
    now: i64,
) -> AppResult<TeamMessage> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO team_messages (session_id, author_id, author_name, kind, body, off_record_to, client_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(session_id)
    .bind(author.map(|a| a.id))
    .bind(author.map(|a| a.name.clone()))
    .bind(if system { "system" } else { "message" })
    .bind(body)
    .bind(off_record_to)
    .bind(client_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE m.id = $1")).bind(id).fetch_one(&mut *conn).await?;
    Ok(to_message(row))
}

/// A join, leave or invite line, sent to everyone in the session and to `also`.
pub async fn system_line(conn: &mut AnyConnection, db: &Db, session_id: i64, body: &str, also: &[i64], now: i64) -> AppResult<()> {
    let m = insert(conn, session_id, None, true, body, None, None, now).await?;
    let mut to = joined(conn, session_id).await?;
    to.extend(also.iter().filter(|a| !to.contains(a)).collect::<Vec<_>>());
    emit(conn, db, Change::TeamMessage(m), &to, now).await
}

/// Sends a line. Off the record, it goes to the author and `off_record_to` alone,
/// who must be another participant in the session.
pub async fn send(
    db: &Db,
    actor: &Actor,
    session_id: i64,
    client_id: &str,
    body: &str,
    off_record_to: Option<i64>,
    now: i64,
) -> AppResult<TeamMessage> {
    crate::conversations::store::validate_message(client_id, body)?;
    let mut tx = db.begin_write().await?;
    super::store::require_joined(&mut tx, actor, session_id, true).await?;
    let existing: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE m.session_id = $1 AND m.client_id = $2 AND m.author_id = $3"))
        .bind(session_id)
        .bind(client_id)
        .bind(actor.id)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(row) = existing {
        tx.commit().await?;
        return Ok(to_message(row));
    }
    let everyone = joined(&mut tx, session_id).await?;
    let to = match off_record_to {
        Some(other) if other != actor.id && everyone.contains(&other) => vec![actor.id, other],
        Some(_) => return Err(AppError::Unprocessable("off the record needs one other participant of this session".into())),
        None => everyone,
    };
    let m = insert(&mut tx, session_id, Some(actor), false, body, off_record_to, Some(client_id), now).await?;
    emit(&mut tx, db, Change::TeamMessage(m.clone()), &to, now).await?;
    tx.commit().await?;
    Ok(m)
}

/// The lines `viewer` may read: everything but other people's off-the-record lines.
pub async fn visible_to(conn: &mut AnyConnection, session_id: i64, viewer: i64) -> AppResult<Vec<TeamMessage>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE m.session_id = $1 AND (m.off_record_to IS NULL OR m.author_id = $2 OR m.off_record_to = $2) ORDER BY m.id"
    ))
    .bind(session_id)
    .bind(viewer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(to_message).collect())
}

/// The transcript: every line but the off-the-record ones, as "time author: text".
pub async fn transcript(conn: &mut AnyConnection, session_id: i64) -> AppResult<Vec<String>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE m.session_id = $1 AND m.off_record_to IS NULL ORDER BY m.id"))
        .bind(session_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(to_message)
        .map(|m| {
            let at = crate::timefmt::iso8601(m.created_at);
            match (m.system, m.author_name) {
                (false, Some(name)) => format!("{at} {name}: {}", m.body),
                _ => format!("{at} — {}", m.body),
            }
        })
        .collect())
}

/// When a session from a conversation or a request ends: its transcript and chat
/// time go to that conversation (an internal line) or request (its activity).
pub async fn attach(conn: &mut AnyConnection, db: &Db, s: &Session, chat_time_ms: i64, now: i64) -> AppResult<()> {
    if s.conversation_id.is_none() && s.request_id.is_none() {
        return Ok(());
    }
    let lines = transcript(conn, s.id).await?;
    sqlx::query(
        "INSERT INTO team_transcripts (session_id, conversation_id, request_id, topic, chat_time_ms, transcript, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(s.id)
    .bind(s.conversation_id)
    .bind(s.request_id)
    .bind(&s.topic)
    .bind(chat_time_ms)
    .bind(serde_json::to_string(&lines).map_err(|_| AppError::Internal)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if let Some(conv) = s.conversation_id {
        let body = format!(
            "Team chat \"{}\" ended · chat time {}\n{}",
            s.topic,
            super::clock_text(chat_time_ms),
            lines.join("\n")
        );
        crate::conversations::write::internal_line_in(conn, db, conv, &body, now).await?;
    }
    Ok(())
}

/// The team chats a request's activity shows.
pub async fn for_request(db: &Db, request_id: i64) -> AppResult<Vec<super::TeamTranscript>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        session_id: i64,
        topic: String,
        chat_time_ms: i64,
        transcript: String,
        created_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT session_id, topic, chat_time_ms, transcript, created_at FROM team_transcripts WHERE request_id = $1 ORDER BY id",
    )
    .bind(request_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| super::TeamTranscript {
            session_id: r.session_id,
            topic: r.topic,
            chat_time_ms: r.chat_time_ms,
            lines: serde_json::from_str(&r.transcript).unwrap_or_default(),
            created_at: r.created_at,
        })
        .collect())
}
