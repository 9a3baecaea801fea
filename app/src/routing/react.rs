//! Routing driven by the event log: this instance's pump hands every event to
//! [`run`], which notes the inboxes whose queue or agents a change touched, then
//! settles each (assigns what it can) and refreshes its row of the [`Board`]. Events
//! that arrive together are handled together. Nothing polls: the only timers are
//! the moments no event marks, an offer lapsing and a closed inbox opening.
use super::board::{self, Board};
use super::store;
use crate::db::Db;
use crate::error::AppResult;
use crate::events::hub::Hub;
use crate::events::Event;
use crate::model::change::{kind, Change};
use crate::state::Clock;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Which inboxes need another look.
#[derive(Default)]
struct Dirty {
    inboxes: BTreeSet<i64>,
    all: bool,
}

impl Dirty {
    async fn note(&mut self, db: &Db, ev: &Event) -> AppResult<()> {
        match ev.kind.as_str() {
            // A chat arrived, waits again, was taken, closed, moved or deleted.
            kind::CONVERSATION_CREATED
            | kind::CONVERSATION_STATUS
            | kind::CONVERSATION_ASSIGNED
            | kind::CONVERSATION_MOVED
            | kind::CONVERSATION_DELETED => self.inboxes.extend(ev.inbox_id),
            // An agent came Online (or left): their inboxes.
            kind::AGENT_PRESENCE => {
                if let Some(Ok(Change::AgentPresence(p))) = ev.payload.as_deref().map(|d| Change::parse(&ev.kind, d)) {
                    self.inboxes.extend(store::inboxes_of(db, p.agent_id).await?);
                }
            }
            // Someone joined or left an inbox, or was (de)activated.
            kind::INBOX_MEMBERSHIP | kind::AGENT_ACTIVE => self.all = true,
            _ => {}
        }
        Ok(())
    }
}

/// Assigns what waits in `inbox_id` and refreshes its queue on the board: what a
/// change of settings (a capacity raised, automatic assignment turned on) calls too.
/// Returns when routing must look at the inbox again with no event to say so: when a
/// closed inbox opens (business hours), or an offer lapses.
pub async fn settle_and_show(db: &Db, board: &Board, inbox_id: i64, now: i64) -> AppResult<Option<i64>> {
    store::settle(db, inbox_id, now).await?;
    let (waiting, average) = store::queue(db, inbox_id).await?;
    board.set(inbox_id, &waiting, average);
    let opens = crate::hours::store::reopens_at(db, inbox_id, now).await?;
    let lapses = super::offers::next_lapse(db, inbox_id).await?;
    Ok(opens.into_iter().chain(lapses).min())
}

/// Runs until the hub shuts down. Starts by returning the chats of agents who went
/// offline just before an instance stopped, and settling every inbox, for what
/// changed while no instance was running.
pub async fn run(db: Db, hub: Arc<Hub>, clock: Arc<dyn Clock>) {
    let board = board::of(&db);
    let mut events = hub.subscribe();
    if let Err(e) = store::return_stranded(&db, clock.now_ms()).await {
        tracing::warn!(error = %e, "routing could not return the chats of agents gone offline");
    }
    let mut shutdown = hub.shutdown_signal();
    let mut dirty = Dirty { all: true, ..Dirty::default() };
    // Inboxes to look at again at a time no event marks (an offer lapses, it opens).
    let mut wakes: std::collections::BTreeMap<i64, i64> = Default::default();
    loop {
        if dirty.all {
            match store::inbox_ids(&db).await {
                Ok(ids) => {
                    dirty.inboxes.extend(ids);
                    dirty.all = false;
                }
                Err(e) => tracing::warn!(error = %e, "routing cannot list the inboxes"),
            }
        }
        let mut failed = Dirty { all: dirty.all, ..Dirty::default() };
        for inbox in std::mem::take(&mut dirty.inboxes) {
            match settle_and_show(&db, &board, inbox, clock.now_ms()).await {
                Ok(Some(at)) => {
                    wakes.insert(inbox, at);
                }
                Ok(None) => {
                    wakes.remove(&inbox);
                }
                Err(e) => {
                    tracing::warn!(error = %e, inbox, "routing could not settle an inbox");
                    failed.inboxes.insert(inbox);
                }
            }
        }
        dirty = failed;
        // A failure is retried a second later; an inbox with a wake is settled again
        // then; otherwise wait for the next change.
        let next_wake = wakes.values().min().map(|at| (*at - clock.now_ms()).max(0) as u64);
        let wait = match (dirty.all || !dirty.inboxes.is_empty(), next_wake) {
            (true, _) => Some(Duration::from_secs(1)),
            (false, Some(ms)) => Some(Duration::from_millis(ms + 50)),
            (false, None) => None,
        };
        let retry = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            received = events.recv() => match received {
                Ok(ev) => note(&db, &mut dirty, &ev).await,
                Err(RecvError::Lagged(_)) => dirty.all = true,
                Err(RecvError::Closed) => return,
            },
            _ = retry => {
                let now = clock.now_ms();
                let due: Vec<i64> = wakes.iter().filter(|(_, at)| **at <= now).map(|(id, _)| *id).collect();
                dirty.inboxes.extend(due);
            }
            _ = board.rerouted() => dirty.all = true,
            _ = shutdown.changed() => return,
        }
        // Whatever else has arrived is handled in the same round.
        loop {
            match events.try_recv() {
                Ok(ev) => note(&db, &mut dirty, &ev).await,
                Err(TryRecvError::Lagged(_)) => dirty.all = true,
                Err(_) => break,
            }
        }
    }
}

async fn note(db: &Db, dirty: &mut Dirty, ev: &Event) {
    if let Err(e) = dirty.note(db, ev).await {
        tracing::warn!(error = %e, "routing could not read an event's inboxes");
        dirty.all = true;
    }
}
