//! Message sends, many per transaction: the batch function of the group committer
//! ([`crate::db::group`]). The sends of plain chats (no send of the batch changes the
//! chat's status, carries a file, repeats a client id or comes with a revoked token)
//! are written with a handful of statements in all: one read of the conversations,
//! one multi-row INSERT of the messages, one UPDATE of their conversations
//! (customers' sends; an agent's goes one by one), one read of their SLA targets, one
//! multi-row INSERT of the events. The other chats' sends follow one by one in the
//! same transaction, each in a savepoint, so a failing send takes no other with it.
mod careful;
mod insert;

use careful::one_by_one;

use super::rows::{keyed, keyed_read, Keyed, KeyedRow};
use super::store::load_many_keyed;
use super::touch::{touch_batch, Before, Touch};
use super::write::{message_event_row, next_status, Author, Outgoing};
use super::{Conversation, Message, Visibility};
use crate::attachments::store::NewFile;
use crate::db::group::{self, BoxFuture};
use crate::db::{Db, Dialect, Script, Synced};
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::events::NewEvent;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A send with everything it needs owned, so it can wait in the committer's queue.
pub struct OwnedSend {
    conversation_id: i64,
    author: Option<(i64, String)>,
    client_id: String,
    body: String,
    visibility: Visibility,
    file: Option<NewFile>,
    /// A visitor's send: the hash of the token that asked, checked against the chat.
    visitor_key: Option<String>,
    now: i64,
}

impl OwnedSend {
    pub(super) fn from(out: &Outgoing<'_>, visitor_key: Option<&str>, now: i64) -> OwnedSend {
        OwnedSend {
            conversation_id: out.conversation_id,
            author: match out.author {
                Author::Customer => None,
                Author::Agent { id, name } => Some((id, name.to_string())),
            },
            client_id: out.client_id.to_string(),
            body: out.body.to_string(),
            visibility: out.visibility,
            file: out.file.cloned(),
            visitor_key: visitor_key.map(str::to_string),
            now,
        }
    }

    fn outgoing(&self) -> Outgoing<'_> {
        Outgoing {
            conversation_id: self.conversation_id,
            author: match &self.author {
                None => Author::Customer,
                Some((id, name)) => Author::Agent { id: *id, name },
            },
            client_id: &self.client_id,
            body: &self.body,
            visibility: self.visibility,
            file: self.file.as_ref(),
        }
    }
}

pub struct Pending {
    send: OwnedSend,
    answer: oneshot::Sender<AppResult<(Message, bool)>>,
}

type Outcome = AppResult<(Message, bool)>;

/// The conversations domain's group committer, attached to the database handle:
/// `None` when group commit is off (a transaction per send, for comparison); and what
/// its batches counted.
struct Committer(Option<mpsc::Sender<Pending>>, Arc<InBulk>);

/// How many sends the committer's batches wrote on the bulk path, committed.
#[derive(Default)]
struct InBulk(AtomicU64);

impl Committer {
    fn start(plain: Db, grouped: bool) -> Committer {
        let counted = plain.extension(|_| InBulk::default());
        Committer(grouped.then(|| group::start(plain, commit)), counted)
    }
}

/// Turns group commit on (the default) or off for sends through `db` and its clones
/// (`--group-commit off`).
pub fn configure(db: &Db, grouped: bool) {
    db.set_extension(|plain| Committer::start(plain, grouped));
}

/// How many sends through `db` were written on the bulk path (several chats' sends
/// with a few statements for all) and committed: the rest went one by one.
pub fn sent_in_bulk(db: &Db) -> u64 {
    db.extension(|plain| Committer::start(plain, true)).1 .0.load(Ordering::Relaxed)
}

/// Queues a send and waits for its answer (after the commit).
pub(super) async fn submit(db: &Db, send: OwnedSend) -> Outcome {
    let (answer, rx) = oneshot::channel();
    let pending = Pending { send, answer };
    let committer = db.extension(|plain| Committer::start(plain, true));
    match &committer.0 {
        Some(q) => {
            if let Err(e) = q.send(pending).await {
                let _ = e.0.answer.send(Err(AppError::Unavailable));
            }
        }
        None => commit(db.clone(), vec![pending]).await,
    }
    rx.await.map_err(|_| AppError::Unavailable)?
}

/// Writes `jobs` in one transaction, then (once the commit is durable, while the
/// next batch writes) answers each.
pub fn commit(db: Db, jobs: Vec<Pending>) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        let (sends, answers): (Vec<OwnedSend>, Vec<_>) = jobs.into_iter().map(|p| (p.send, p.answer)).unzip();
        let started = std::time::Instant::now();
        let (mut results, synced) = write_all(&db, &sends).await;
        tokio::spawn(async move {
            if let Some(Err(e)) = match synced { Some(s) => Some(s.wait().await), None => None } {
                tracing::error!(error = %e, "a batch's commit did not sync");
                results = results.iter().map(|_| Err(AppError::Unavailable)).collect();
            }
            crate::telemetry::commit(sends.len(), started.elapsed().as_secs_f64());
            for (result, answer) in results.into_iter().zip(answers) {
                let _ = answer.send(result);
            }
        });
    })
}

/// The sends' outcomes, and the commit to await before answering them (if any).
type Written = (Vec<Outcome>, Option<Synced>);

async fn write_all(db: &Db, sends: &[OwnedSend]) -> Written {
    // On PostgreSQL a batch of several sends locks its chats and writes their rows
    // before it takes the writers' turn, which it then holds for its events and
    // commit only. When the turn does not come within its deadline (a writer holding
    // it waits for one of these chats, most likely), the batch begins again in turn.
    if sends.len() >= 2 && db.dialect() == Dialect::Postgres {
        match attempt(db, sends, true).await {
            Some(written) => return written,
            None => tracing::debug!(size = sends.len(), "the writers' turn did not come; the batch begins again in turn"),
        }
    }
    attempt(db, sends, false).await.unwrap_or_else(|| (sends.iter().map(|_| Err(AppError::Unavailable)).collect(), None))
}

/// One try at the batch; `None` when a `late` try did not get the writers' turn, or
/// could not read its chats before it (and wrote nothing).
async fn attempt(db: &Db, sends: &[OwnedSend], late: bool) -> Option<Written> {
    let all_fail = |e: AppError| Some((sends.iter().map(|_| Err(e.clone())).collect(), None));
    // Where a batch's time goes, for `RUST_LOG=app::conversations::batch=trace`: the
    // turn (on PostgreSQL, the lock other instances' batches hold), the writes, the commit.
    let started = std::time::Instant::now();
    // On SQLite the chats' read goes with the `BEGIN`, in one call.
    let (begun, found) = if !late && db.dialect() == Dialect::Sqlite && sends.len() >= 2 {
        let mut script = Script::sqlite();
        let sql = keyed_read(&mut script, &chats_of(sends), false);
        match db.begin_write_reading::<KeyedRow>(script, &sql).await {
            Ok((tx, rows)) => (Ok(tx), Some(keyed(rows))),
            Err(e) => (Err(e), None),
        }
    } else if late {
        (db.begin_write_late().await, None)
    } else {
        (db.begin_write().await, None)
    };
    let mut tx = match begun {
        Ok(tx) => tx,
        Err(e) => return all_fail(e.into()),
    };
    let begun = started.elapsed();
    let mut in_bulk = 0;
    let written = match bulk(&mut tx, db, sends, found).await {
        Bulk::Written { results, careful, events: evs } => {
            in_bulk = sends.len() - careful.len();
            // The turn: taken by the statement that appends the events, if any.
            let appended = match evs {
                Some(evs) => {
                    let turn = tx.turn_clause();
                    events::append_many(&mut tx, db.dialect(), evs, sends[0].now, turn).await.map_err(|e| (e.to_string(), turn.is_some()))
                }
                None => tx.take_turn().await.map_err(|e| (e.to_string(), true)),
            };
            let alone = careful.len() == sends.len();
            tracing::trace!(size = sends.len(), careful = careful.len(), "send batch split");
            match appended {
                Ok(()) => one_by_one(&mut tx, db, sends, &careful, alone).await.map(|rest| merge(results, &careful, rest)),
                Err((error, turn)) => {
                    tracing::debug!(%error, turn, "the batch's turn or events failed");
                    if turn {
                        // Most likely the turn's deadline passed: again, in turn.
                        let _ = tx.rollback().await;
                        return None;
                    }
                    None
                }
            }
        }
        Bulk::Refused(e) => {
            // A retried client id on its unique key, a value the database refuses: the
            // bulk statements are undone with their transaction, and each send is
            // written alone in a new one, so one bad send never fails the others.
            tracing::debug!(error = %e, "bulk send failed; writing one by one");
            let _ = tx.rollback().await;
            tx = match db.begin_write().await {
                Ok(tx) => tx,
                Err(e) => return all_fail(e.into()),
            };
            let all: Vec<usize> = (0..sends.len()).collect();
            one_by_one(&mut tx, db, sends, &all, true).await
        }
        Bulk::Failed(e) => {
            let _ = tx.rollback().await;
            // A late batch may meet a writer in turn that locks chats in another order:
            // PostgreSQL ends one side of that circle, and the batch begins again in turn.
            return if late { None } else { all_fail(e) };
        }
    };
    let Some(results) = written else {
        let _ = tx.rollback().await;
        return all_fail(AppError::Unavailable);
    };
    if !results.iter().any(|r| r.is_ok()) {
        let _ = tx.rollback().await;
        return Some((results, None));
    }
    let written = started.elapsed();
    let done = tx.commit_early().await;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    tracing::trace!(late, turn_ms = ms(begun), write_ms = ms(written - begun), commit_ms = ms(started.elapsed() - written), "send batch committed");
    match done {
        Ok(synced) => {
            db.extension(|_| InBulk::default()).0.fetch_add(in_bulk as u64, Ordering::Relaxed);
            Some((results, Some(synced)))
        }
        Err(e) => all_fail(e.into()),
    }
}

/// The chats the sends write to, each once.
fn chats_of(sends: &[OwnedSend]) -> Vec<i64> {
    sends.iter().map(|s| s.conversation_id).collect::<HashSet<_>>().into_iter().collect()
}

/// The bulk path's answers (`None` where a send was left to the careful path) with
/// the careful path's, in the order of the sends.
fn merge(mut results: Vec<Option<Outcome>>, careful: &[usize], rest: Vec<Outcome>) -> Vec<Outcome> {
    for (&i, outcome) in careful.iter().zip(rest) {
        results[i] = Some(outcome);
    }
    results.into_iter().map(|r| r.unwrap_or(Err(AppError::Internal))).collect()
}

enum Bulk {
    /// The plain chats' sends are written (their answers; `None` for the others), and
    /// the sends at `careful`, in order, are left to the careful path; the written
    /// sends' events, when not appended yet, are still to be, in the writers' turn.
    Written { results: Vec<Option<Outcome>>, careful: Vec<usize>, events: Option<Vec<NewEvent>> },
    /// The bulk statements failed: the transaction must be rolled back.
    Refused(AppError),
    /// The database failed before writing anything.
    Failed(AppError),
}

/// The fast path for the sends of plain chats: those where no send of the batch
/// changes the status, carries a file, repeats a client id or comes with a revoked
/// token (and that exist), written with a handful of statements in all. A chat with
/// any other send has all its sends written one by one after them, in order; one
/// customer reopening a chat no longer sends the whole batch down the careful path.
async fn bulk(tx: &mut AnyConnection, db: &Db, sends: &[OwnedSend], found: Option<Vec<Keyed>>) -> Bulk {
    let everything = || Bulk::Written { results: sends.iter().map(|_| None).collect(), careful: (0..sends.len()).collect(), events: None };
    if sends.len() < 2 {
        return everything();
    }
    let found = match found {
        Some(found) => found,
        None => match load_many_keyed(tx, &chats_of(sends), db.dialect() == Dialect::Postgres).await {
            Ok(found) => found,
            Err(e) => return Bulk::Failed(e),
        },
    };
    // SQLite: the ids the messages take, drawn in the write lock held since `BEGIN`.
    let first_id = (db.dialect() == Dialect::Sqlite).then(|| found.first().and_then(|k| k.last_message_id).unwrap_or(0) + 1);
    let (convs, before): (HashMap<i64, (Conversation, Option<String>)>, HashMap<i64, Before>) = found
            .into_iter()
            .map(|k| {
                let id = k.conversation.id;
                ((id, (k.conversation, k.visitor_key)), (id, Before { awaiting_since: k.awaiting_since, sla: k.sla }))
            })
            .unzip();
    let mut keys = HashSet::new();
    let mut unplain = HashSet::new();
    for s in sends {
        let plain = s.file.is_none()
            && keys.insert((s.conversation_id, s.client_id.as_str()))
            && convs.get(&s.conversation_id).is_some_and(|(c, key)| {
                next_status(&s.outgoing().author, s.visibility, c) == c.status
                    && s.visitor_key.as_ref().is_none_or(|k| key.as_ref() == Some(k))
            });
        if !plain {
            unplain.insert(s.conversation_id); // a 404, a status line or a revoked token: the careful path
        }
    }
    let (careful, picked): (Vec<usize>, Vec<usize>) = (0..sends.len()).partition(|&i| unplain.contains(&sends[i].conversation_id));
    if picked.len() < 2 {
        return everything();
    }
    let convs: HashMap<i64, Conversation> = convs.into_iter().map(|(id, (c, _))| (id, c)).collect();
    let plain: Vec<&OwnedSend> = picked.iter().map(|&i| &sends[i]).collect();
    match bulk_writes(tx, &plain, &convs, &before, first_id).await {
        Ok((messages, evs)) => {
            let mut results: Vec<Option<Outcome>> = sends.iter().map(|_| None).collect();
            for (&i, m) in picked.iter().zip(messages) {
                results[i] = Some(Ok((m, true)));
            }
            Bulk::Written { results, careful, events: evs }
        }
        // Ids drawn twice are a fault here, not a send's: no send is written.
        Err(AppError::Internal) => Bulk::Failed(AppError::Internal),
        Err(e) => Bulk::Refused(e),
    }
}

/// The plain sends' rows, and their events still to append (PostgreSQL, where the
/// statement that appends them takes the writers' turn). On SQLite, which holds its
/// turn from `BEGIN`, the messages (numbered from `first_id`), their chats' update
/// and their events go to its thread together, in one call.
async fn bulk_writes(
    tx: &mut AnyConnection,
    sends: &[&OwnedSend],
    convs: &HashMap<i64, Conversation>,
    before: &HashMap<i64, Before>,
    first_id: Option<i64>,
) -> AppResult<(Vec<Message>, Option<Vec<NewEvent>>)> {
    let mut script = Script::new(tx);
    let messages = insert::insert_messages(tx, &mut script, sends, convs, first_id).await?;
    let touches: Vec<Touch<'_>> = sends
        .iter()
        .map(|s| Touch {
            chat: s.conversation_id,
            agent: s.author.as_ref().map(|a| a.0),
            body: s.body.as_str(),
            at: s.now,
            public: s.visibility == Visibility::Public,
        })
        .collect();
    touch_batch(tx, &mut script, &touches, before).await?;
    let evs = messages.iter().map(|m| message_event_row(convs[&m.conversation_id].inbox_id, m)).collect::<AppResult<Vec<_>>>()?;
    if !script.together() {
        return Ok((messages, Some(evs)));
    }
    events::add_many(&mut script, tx, Dialect::Sqlite, &evs, sends[0].now).await?;
    script.run(tx).await.map_err(|e| match crate::db::constraint_name(&e).as_deref() {
        Some("messages_id_key") => {
            tracing::error!(error = %e, "a batch's message ids were taken already");
            AppError::Internal
        }
        _ => e.into(),
    })?;
    Ok((messages, None))
}
