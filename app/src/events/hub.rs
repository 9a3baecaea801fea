//! Live fan-out inside one instance. A single pump reads new rows from the event log
//! and broadcasts them to the agents' consoles, and puts each chat's events for its
//! customer into that chat's mailbox (see [`super::mailbox`]); it wakes when this instance commits a write (the database
//! handle signals every commit, see `Db::begin_write`), when PostgreSQL
//! notifies that another instance did, and once a second as a safety net. Reading
//! from the log (rather than passing events around in memory) is what makes every
//! instance deliver the same events in the same order.
//!
//! Ephemeral signals (typing, viewing) take the other path: [`Hub::signal`] puts
//! them straight into the mailboxes of this instance's streams that will show them
//! (see [`super::mailbox`]) and, on PostgreSQL, to the others with a
//! NOTIFY on [`SIGNALS`] that carries the signal itself. Nothing is written. The
//! NOTIFYs go out on a connection of their own, as many as are waiting in one
//! statement, so a burst of typing takes no connection from the pool and waits on
//! none.
use super::mailbox::{Item, Listener, Mailboxes, Subscription};
use super::watchers::Watchers;
use super::{store, Audience, Ephemeral, Event};
use crate::db::{Db, Dialect};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch, Notify};

/// The NOTIFY channel that carries ephemeral signals between instances.
pub const SIGNALS: &str = "switchboard_signals";

/// A signal as one instance tells the others: who sent it, so it is not delivered
/// twice where it started.
#[derive(serde::Serialize, serde::Deserialize)]
struct Relayed {
    origin: u64,
    signal: Ephemeral,
}

pub struct Hub {
    sender: broadcast::Sender<Arc<Event>>,
    /// The open streams' mailboxes for signals.
    mailboxes: Arc<Mailboxes>,
    /// Who has which chat open, for the signals about it.
    watchers: Watchers,
    /// Signals to relay to the other instances, as NOTIFY payloads.
    outgoing: broadcast::Sender<Arc<str>>,
    /// This instance, among those sharing a PostgreSQL database.
    origin: u64,
    wake: Notify,
    /// The newest event id broadcast so far.
    published: AtomicI64,
    shutdown: watch::Sender<bool>,
    /// Told every event, in the log's order, before any stream of this instance.
    followers: std::sync::RwLock<Vec<Follower>>,
}

/// What [`Hub::follow`] calls with each event.
pub type Follower = Arc<dyn Fn(&Event) + Send + Sync>;

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("origin", &self.origin).field("published", &self.published).finish_non_exhaustive()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(8192).0,
            mailboxes: Arc::default(),
            watchers: Watchers::default(),
            outgoing: broadcast::channel(4096).0,
            origin: rand::random(),
            wake: Notify::new(),
            published: AtomicI64::new(-1),
            shutdown: watch::channel(false).0,
            followers: Default::default(),
        }
    }
}

impl Hub {
    /// Wakes the pump (another instance committed).
    fn poke(&self) {
        self.wake.notify_one();
    }

    /// Every event, as it is published (agents' consoles, and the router).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// A mailbox for the signals `who` is to see and, for a chat's customer, the
    /// chat's events they may see, as they are published; until it drops.
    pub fn listen(&self, who: Listener) -> Subscription {
        self.mailboxes.open(who)
    }

    /// Sends an ephemeral signal to every open stream that may see it, on every
    /// instance (on PostgreSQL, through the relay [`Hub::run`] starts). Nothing is
    /// stored and nothing waits; a relay that fails or falls behind drops signals,
    /// as a missed typing mark is harmless.
    pub fn signal(&self, signal: Ephemeral) {
        if self.outgoing.receiver_count() > 0 {
            let relayed = Relayed { origin: self.origin, signal };
            if let Ok(text) = serde_json::to_string(&relayed) {
                let _ = self.outgoing.send(text.into());
            }
            self.deliver(relayed.signal);
        } else {
            self.deliver(signal);
        }
    }

    /// Hands a signal to this instance's streams that will show it: those of the
    /// agents who have its chat open now and, for the customer too, the chat's own.
    fn deliver(&self, mut signal: Ephemeral) {
        let watchers = self.watchers.note(&signal, Instant::now());
        let mut to: Vec<Listener> = watchers.iter().map(|&agent| Listener::Agent(agent)).collect();
        if let (Audience::All, Some(chat)) = (signal.audience, signal.conversation_id) {
            to.push(Listener::Chat(chat));
        }
        signal.watchers = watchers;
        self.mailboxes.post(&to, Item::Signal(Arc::new(signal)));
    }

    /// A signal relayed by another instance.
    fn relayed(&self, payload: &str) {
        match serde_json::from_str::<Relayed>(payload) {
            Ok(r) if r.origin != self.origin => self.deliver(r.signal),
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "an unreadable signal"),
        }
    }

    /// Calls `follower` with every event this instance publishes from now on, in the
    /// log's order, each before any of the instance's streams has it: what it keeps
    /// from the events is never behind a live stream.
    pub fn follow(&self, follower: Follower) {
        self.followers.write().unwrap_or_else(|e| e.into_inner()).push(follower);
    }

    pub fn published(&self) -> i64 {
        self.published.load(Ordering::SeqCst)
    }

    /// A receiver that turns true when the server is shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn shut_down(&self) {
        let _ = self.shutdown.send(true);
        self.wake.notify_one();
    }

    /// Runs until shutdown. Starts from the log's current end: streams replay older
    /// events from the log themselves.
    pub async fn run(self: Arc<Self>, db: Db, database_url: Option<String>) {
        let start = loop {
            match store::last_id(&db).await {
                Ok(id) => break id,
                Err(e) => {
                    tracing::warn!(error = %e, "event pump cannot read the log yet");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        };
        self.published.store(start, Ordering::SeqCst);
        if let (Dialect::Postgres, Some(url)) = (db.dialect(), database_url) {
            tokio::spawn(relay(self.clone(), url.clone(), self.outgoing.subscribe()));
            tokio::spawn(listen(self.clone(), url));
        }
        let mut shutdown = self.shutdown_signal();
        let mut commits = db.commits();
        loop {
            if *shutdown.borrow() {
                break;
            }
            self.drain(&db).await;
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = commits.changed() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn drain(&self, db: &Db) {
        loop {
            let last = self.published();
            match store::after(db, last, DRAIN_PAGE).await {
                Ok(events) if events.is_empty() => return,
                Ok(events) => {
                    // A page not full was the whole log at the read: a commit since
                    // then wakes the pump again, so no second read to find it empty.
                    let more = events.len() as i64 == DRAIN_PAGE;
                    crate::telemetry::events_published(events.len() as u64);
                    let followers = self.followers.read().unwrap_or_else(|e| e.into_inner()).clone();
                    for ev in events {
                        for follow in &followers {
                            follow(&ev);
                        }
                        self.published.store(ev.id, Ordering::SeqCst);
                        let ev = Arc::new(ev);
                        // A chat's customer takes its events from the chat's mailbox,
                        // so a message wakes one widget, not every widget.
                        if let (Audience::All, Some(chat)) = (ev.audience, ev.conversation_id) {
                            self.mailboxes.post(&[Listener::Chat(chat)], Item::Event(ev.clone()));
                        }
                        // No receivers is fine: nobody is connected.
                        let _ = self.sender.send(ev);
                    }
                    if !more {
                        return;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event pump read failed");
                    return;
                }
            }
        }
    }
}

/// How many events the pump reads at a time.
const DRAIN_PAGE: i64 = 500;

/// How many waiting signals one NOTIFY statement relays at most.
const RELAY_BATCH: usize = 256;

/// Relays this instance's signals to the others on a connection of its own: whatever
/// has queued up while the last statement ran goes out in the next, in order.
async fn relay(hub: Arc<Hub>, url: String, mut outgoing: broadcast::Receiver<Arc<str>>) {
    use broadcast::error::{RecvError, TryRecvError};
    use sqlx::Connection;
    let mut shutdown = hub.shutdown_signal();
    loop {
        match sqlx::postgres::PgConnection::connect(&url).await {
            Ok(mut conn) => loop {
                let first = tokio::select! {
                    next = outgoing.recv() => next,
                    _ = shutdown.changed() => return,
                };
                let mut batch = match first {
                    Ok(text) => vec![text],
                    Err(RecvError::Lagged(n)) => {
                        tracing::debug!(dropped = n, "signals were not relayed: the relay fell behind");
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                };
                while batch.len() < RELAY_BATCH {
                    match outgoing.try_recv() {
                        Ok(text) => batch.push(text),
                        Err(TryRecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    }
                }
                let texts: Vec<&str> = batch.iter().map(|t| &**t).collect();
                // NOTIFY payloads stop at 8000 bytes; signals are a few hundred.
                let sent = sqlx::query("SELECT pg_notify($1, t) FROM unnest($2::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n")
                    .bind(SIGNALS)
                    .bind(&texts)
                    .execute(&mut conn)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "signals were not relayed; reconnecting");
                    break;
                }
            },
            Err(e) => tracing::warn!(error = %e, "cannot open the signal relay's connection"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// PostgreSQL LISTEN: another instance committed (wake the pump) or relayed a signal.
async fn listen(hub: Arc<Hub>, url: String) {
    let mut shutdown = hub.shutdown_signal();
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen_all([store::CHANNEL, SIGNALS]).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    loop {
                        tokio::select! {
                            n = listener.recv() => match n {
                                Ok(n) if n.channel() == SIGNALS => hub.relayed(n.payload()),
                                Ok(_) => hub.poke(),
                                Err(e) => {
                                    tracing::warn!(error = %e, "LISTEN connection lost");
                                    break;
                                }
                            },
                            _ = shutdown.changed() => return,
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot open a LISTEN connection"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
