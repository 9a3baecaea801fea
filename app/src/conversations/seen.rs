//! Presence marks written by streams: a visitor's widget seen (or gone) and an agent's
//! console gone. Each used to be a transaction of its own, so when many streams
//! ended at once (a network drop, a deploy, the benchmark closing 10,000) thousands of
//! one-row writes, each waiting for its own fsync, queued ahead of the messages being
//! sent. They share the group committer's transactions instead ([`crate::db::group`]):
//! a lone mark is written at once, a burst in batches of up to
//! [`crate::db::group::MAX_BATCH`].
use super::store::load;
use crate::db::group::{self, BoxFuture};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::Audience;
use crate::model::change::{self, Change};
use sqlx::AnyConnection;
use tokio::sync::{mpsc, oneshot};

/// Who a mark is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A visitor's widget holds a stream (`true`) or has let it go.
    Visitor { conversation_id: i64, online: bool },
    /// An agent's console stream ended: the grace period counts from now.
    AgentLeft { agent_id: i64 },
}

struct Job {
    mark: Mark,
    now: i64,
    answer: oneshot::Sender<AppResult<()>>,
}

struct Committer(mpsc::Sender<Job>);

/// Writes `mark` (in a transaction shared with the marks queued beside it) and
/// returns once it is committed.
pub async fn write(db: &Db, mark: Mark, now: i64) -> AppResult<()> {
    let (answer, rx) = oneshot::channel();
    let committer = db.extension(|plain| Committer(group::start(plain, commit)));
    if let Err(e) = committer.0.send(Job { mark, now, answer }).await {
        let _ = e.0.answer.send(Err(AppError::Unavailable));
    }
    rx.await.map_err(|_| AppError::Unavailable)?
}

fn commit(db: Db, jobs: Vec<Job>) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        let result = write_all(&db, &jobs).await;
        if let Err(e) = &result {
            tracing::debug!(error = %e, marks = jobs.len(), "presence marks not written");
        }
        for job in jobs {
            let _ = job.answer.send(result.clone());
        }
    })
}

async fn write_all(db: &Db, jobs: &[Job]) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    for job in jobs {
        match job.mark {
            Mark::Visitor { conversation_id, online } => visitor_in(&mut tx, db, conversation_id, online, job.now).await?,
            Mark::AgentLeft { agent_id } => {
                sqlx::query("UPDATE agents SET last_seen_at = $1 WHERE id = $2").bind(job.now).bind(agent_id).execute(&mut *tx).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The visitor's last-seen time, and, when their widget came or went, the chat's
/// online flag, the customer's last-seen time and a `visitor.presence` event.
async fn visitor_in(conn: &mut AnyConnection, db: &Db, id: i64, online: bool, now: i64) -> AppResult<()> {
    let was: Option<i64> = sqlx::query_scalar("UPDATE conversations SET visitor_seen_at = $1 WHERE id = $2 RETURNING visitor_online")
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if was.is_none() || was == Some(online as i64) {
        return Ok(());
    }
    let conv = load(&mut *conn, id).await?;
    sqlx::query("UPDATE conversations SET visitor_online = $1 WHERE id = $2").bind(online as i64).bind(id).execute(&mut *conn).await?;
    sqlx::query("UPDATE customers SET last_seen_at = $1 WHERE id = $2").bind(now).bind(conv.customer_id).execute(&mut *conn).await?;
    let ev = Change::VisitorPresence(change::VisitorPresence { conversation_id: id, online, seen_at: now })
        .event(Audience::Agents, Some(conv.inbox_id), Some(id));
    events::append(conn, db.dialect(), ev, now).await?;
    Ok(())
}
