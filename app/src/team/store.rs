//! Team chat sessions and their participants. Each change is one write transaction
//! that checks the actor's place in the session, writes the line everyone sees and
//! sends the events to the people concerned.
use super::messages::{self, emit, joined, system_line};
use super::{Participant, ParticipantState, Session, SessionSummary, Timer, INVITE_TIMEOUT_MS};
use crate::accounts::Availability;
use crate::conversations::handling::{self, Actor};
use crate::conversations::rules::Action;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::model::change::{Change, SessionRef, TeamInvite};
use sqlx::AnyConnection;

/// A team chat session as stored.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    topic: String,
    originator_id: i64,
    conversation_id: Option<i64>,
    request_id: Option<i64>,
    status: String,
    timer_accrued_ms: i64,
    timer_running_since: Option<i64>,
    created_at: i64,
    ended_at: Option<i64>,
}

async fn load(conn: &mut AnyConnection, id: i64) -> AppResult<(SessionRow, Vec<Participant>)> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT id, topic, originator_id, conversation_id, request_id, status, timer_accrued_ms, timer_running_since,
                created_at, ended_at FROM team_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    #[derive(sqlx::FromRow)]
    struct Person {
        agent_id: i64,
        name: String,
        state: String,
        presence: String,
    }
    let people: Vec<Person> = sqlx::query_as(
        "SELECT p.agent_id, a.name, p.state, a.presence FROM team_participants p JOIN agents a ON a.id = p.agent_id
         WHERE p.session_id = $1 ORDER BY p.invited_at, p.agent_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let participants = people
        .into_iter()
        .map(|p| Participant {
            agent_id: p.agent_id,
            name: p.name,
            state: ParticipantState::parse(&p.state).unwrap_or(ParticipantState::Left),
            presence: Availability::parse(&p.presence).unwrap_or(Availability::Offline),
        })
        .collect();
    Ok((row, participants))
}

fn session(r: SessionRow, participants: Vec<Participant>) -> Session {
    Session {
        id: r.id,
        topic: r.topic,
        originator_id: r.originator_id,
        conversation_id: r.conversation_id,
        request_id: r.request_id,
        active: r.status == "active",
        timer: Timer { accrued_ms: r.timer_accrued_ms, running_since: r.timer_running_since },
        created_at: r.created_at,
        ended_at: r.ended_at,
        participants,
        messages: Vec::new(),
    }
}

/// The actor's state in the session; a stranger (or someone who only declined or let
/// an invitation lapse) gets a 404, so sessions are not revealed.
async fn state_of(conn: &mut AnyConnection, actor: &Actor, session_id: i64) -> AppResult<ParticipantState> {
    let s: Option<String> = sqlx::query_scalar("SELECT state FROM team_participants WHERE session_id = $1 AND agent_id = $2")
        .bind(session_id)
        .bind(actor.id)
        .fetch_optional(&mut *conn)
        .await?;
    s.as_deref().and_then(ParticipantState::parse).ok_or(AppError::NotFound)
}

/// The actor must be in the session (and it must be going on, when `active`).
pub async fn require_joined(conn: &mut AnyConnection, actor: &Actor, session_id: i64, active: bool) -> AppResult<Session> {
    if state_of(conn, actor, session_id).await? != ParticipantState::Joined {
        return Err(AppError::NotFound);
    }
    let (row, people) = load(conn, session_id).await?;
    let s = session(row, people);
    if active && !s.active {
        return Err(AppError::Conflict("this team chat has ended".into()));
    }
    Ok(s)
}

/// Starts a session, from a conversation or request the actor may see, or standalone.
pub async fn start(db: &Db, actor: &Actor, topic: &str, conversation_id: Option<i64>, request_id: Option<i64>, now: i64) -> AppResult<i64> {
    let topic = topic.trim();
    if topic.is_empty() || topic.chars().count() > 200 {
        return Err(AppError::Unprocessable("a team chat needs a topic of 1 to 200 characters".into()));
    }
    if let Some(c) = conversation_id {
        handling::visible(db, actor, c, Action::Read).await?;
    }
    if let Some(r) = request_id {
        crate::requests::store::get(db, actor, r).await?;
    }
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO team_sessions (originator_id, topic, conversation_id, request_id, status, timer_accrued_ms, timer_running_since, created_at)
         VALUES ($1, $2, $3, $4, 'active', 0, $5, $5) RETURNING id",
    )
    .bind(actor.id)
    .bind(topic)
    .bind(conversation_id)
    .bind(request_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO team_participants (session_id, agent_id, state, invited_at, joined_at) VALUES ($1, $2, 'joined', $3, $3)")
        .bind(id)
        .bind(actor.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    system_line(&mut tx, db, id, &format!("{} started the team chat", actor.name), &[], now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Invites an active agent; they get a live pop-up.
pub async fn invite(db: &Db, actor: &Actor, session_id: i64, agent_id: i64, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let s = require_joined(&mut tx, actor, session_id, true).await?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM agents WHERE id = $1 AND deactivated_at IS NULL")
        .bind(agent_id)
        .fetch_optional(&mut *tx)
        .await?;
    let name = name.ok_or_else(|| AppError::Unprocessable("no such active agent".into()))?;
    match s.participants.iter().find(|p| p.agent_id == agent_id).map(|p| p.state) {
        Some(ParticipantState::Joined) => return Err(AppError::Conflict(format!("{name} is already in this team chat"))),
        Some(ParticipantState::Invited) => return Ok(()),
        _ => {}
    }
    sqlx::query(
        "INSERT INTO team_participants (session_id, agent_id, state, invited_by, invited_at) VALUES ($1, $2, 'invited', $3, $4)
         ON CONFLICT (session_id, agent_id) DO UPDATE SET state = 'invited', invited_by = excluded.invited_by, invited_at = excluded.invited_at",
    )
    .bind(session_id)
    .bind(agent_id)
    .bind(actor.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    system_line(&mut tx, db, session_id, &format!("{} invited {name}", actor.name), &[], now).await?;
    let invite = TeamInvite { session_id, topic: s.topic.clone(), from: actor.name.clone() };
    emit(&mut tx, db, Change::TeamInvite(invite), &[agent_id], now).await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts or declines an invitation; the inviter sees the answer in the dialog.
pub async fn respond(db: &Db, actor: &Actor, session_id: i64, accept: bool, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    if state_of(&mut tx, actor, session_id).await? != ParticipantState::Invited {
        return Err(AppError::Conflict("there is no open invitation to this team chat".into()));
    }
    let (row, _) = load(&mut tx, session_id).await?;
    if row.status != "active" {
        return Err(AppError::Conflict("this team chat has ended".into()));
    }
    let (state, line) = if accept { ("joined", "joined") } else { ("declined", "declined the invitation") };
    sqlx::query("UPDATE team_participants SET state = $1, joined_at = $2 WHERE session_id = $3 AND agent_id = $4")
        .bind(state)
        .bind(accept.then_some(now))
        .bind(session_id)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    system_line(&mut tx, db, session_id, &format!("{} {line}", actor.name), &[], now).await?;
    let to = joined(&mut tx, session_id).await?;
    emit(&mut tx, db, Change::TeamSession(SessionRef { session_id }), &to, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Leaves; when the originator leaves, the session ends for everyone.
pub async fn leave(db: &Db, actor: &Actor, session_id: i64, now: i64) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let s = require_joined(&mut tx, actor, session_id, true).await?;
    let everyone = joined(&mut tx, session_id).await?;
    if actor.id == s.originator_id {
        let chat_time = s.timer.elapsed(now);
        sqlx::query("UPDATE team_sessions SET status = 'ended', ended_at = $1, timer_accrued_ms = $2, timer_running_since = NULL WHERE id = $3")
            .bind(now)
            .bind(chat_time)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE team_participants SET state = 'expired' WHERE session_id = $1 AND state = 'invited'")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        system_line(&mut tx, db, session_id, &format!("{} left; the team chat has ended", actor.name), &[], now).await?;
        messages::attach(&mut tx, db, &s, chat_time, now).await?;
        emit(&mut tx, db, Change::TeamEnded(SessionRef { session_id }), &everyone, now).await?;
    } else {
        sqlx::query("UPDATE team_participants SET state = 'left' WHERE session_id = $1 AND agent_id = $2")
            .bind(session_id)
            .bind(actor.id)
            .execute(&mut *tx)
            .await?;
        system_line(&mut tx, db, session_id, &format!("{} left", actor.name), &[actor.id], now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Invitations nobody answered within the timeout lapse; the session hears of it.
pub async fn expire_invites(db: &Db, now: i64) -> AppResult<usize> {
    let mut tx = db.begin_write().await?;
    let stale: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT p.session_id, p.agent_id, a.name FROM team_participants p JOIN agents a ON a.id = p.agent_id
         WHERE p.state = 'invited' AND p.invited_at < $1",
    )
    .bind(now - INVITE_TIMEOUT_MS)
    .fetch_all(&mut *tx)
    .await?;
    for (session_id, agent_id, name) in &stale {
        sqlx::query("UPDATE team_participants SET state = 'expired' WHERE session_id = $1 AND agent_id = $2")
            .bind(session_id)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        system_line(&mut tx, db, *session_id, &format!("{name} did not answer the invitation"), &[*agent_id], now).await?;
    }
    tx.commit().await?;
    Ok(stale.len())
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TimerOp {
    Pause,
    Resume,
    Set(i64),
}

/// Pauses, resumes or sets the chat time; every participant sees it.
pub async fn timer(db: &Db, actor: &Actor, session_id: i64, op: TimerOp, now: i64) -> AppResult<Timer> {
    let mut tx = db.begin_write().await?;
    let s = require_joined(&mut tx, actor, session_id, true).await?;
    let next = match op {
        TimerOp::Pause => s.timer.pause(now),
        TimerOp::Resume => s.timer.resume(now),
        TimerOp::Set(ms) => s.timer.set(ms, now),
    };
    sqlx::query("UPDATE team_sessions SET timer_accrued_ms = $1, timer_running_since = $2 WHERE id = $3")
        .bind(next.accrued_ms)
        .bind(next.running_since)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    let to = joined(&mut tx, session_id).await?;
    emit(&mut tx, db, Change::TeamSession(SessionRef { session_id }), &to, now).await?;
    tx.commit().await?;
    Ok(next)
}

/// The session as `actor` may read it: participants who are or were in it only.
pub async fn read(db: &Db, actor: &Actor, session_id: i64) -> AppResult<Session> {
    let mut conn = db.pool().acquire().await?;
    if !matches!(state_of(&mut conn, actor, session_id).await?, ParticipantState::Joined | ParticipantState::Left) {
        return Err(AppError::NotFound);
    }
    let (row, people) = load(&mut conn, session_id).await?;
    let mut s = session(row, people);
    s.messages = messages::visible_to(&mut conn, session_id, actor.id).await?;
    Ok(s)
}

/// The actor's sessions and invitations, newest first.
pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<SessionSummary>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        topic: String,
        status: String,
        state: String,
        originator_name: String,
        created_at: i64,
        conversation_id: Option<i64>,
        request_id: Option<i64>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.topic, s.status, p.state, o.name AS originator_name, s.created_at, s.conversation_id, s.request_id
         FROM team_participants p JOIN team_sessions s ON s.id = p.session_id JOIN agents o ON o.id = s.originator_id
         WHERE p.agent_id = $1 AND p.state IN ('invited', 'joined', 'left')
         ORDER BY s.created_at DESC, s.id DESC LIMIT 100",
    )
    .bind(actor.id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionSummary {
            id: r.id,
            topic: r.topic,
            active: r.status == "active",
            my_state: ParticipantState::parse(&r.state).unwrap_or(ParticipantState::Left),
            originator_name: r.originator_name,
            created_at: r.created_at,
            standalone: r.conversation_id.is_none() && r.request_id.is_none(),
        })
        .collect())
}
