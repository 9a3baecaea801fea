//! Live fan-out inside one instance. A single pump reads new rows from the event log
//! and broadcasts them; it wakes when this instance commits a write (the database
//! handle signals every commit, see `Db::begin_write`), when PostgreSQL
//! notifies that another instance did, and once a second as a safety net. Reading
//! from the log (rather than passing events around in memory) is what makes every
//! instance deliver the same events in the same order.
//!
//! Ephemeral signals (typing, viewing) take the other path: [`Hub::signal`] hands
//! them straight to this instance's streams and, on PostgreSQL, to the others with a
//! NOTIFY on [`SIGNALS`] that carries the signal itself. Nothing is written.
use super::{store, Ephemeral, Event};
use crate::db::{Db, Dialect};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
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

#[derive(Debug)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Event>>,
    signals: broadcast::Sender<Arc<Ephemeral>>,
    /// This instance, among those sharing a PostgreSQL database.
    origin: u64,
    wake: Notify,
    /// The newest event id broadcast so far.
    published: AtomicI64,
    shutdown: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(8192).0,
            signals: broadcast::channel(4096).0,
            origin: rand::random(),
            wake: Notify::new(),
            published: AtomicI64::new(-1),
            shutdown: watch::channel(false).0,
        }
    }
}

impl Hub {
    /// Wakes the pump (another instance committed).
    fn poke(&self) {
        self.wake.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    pub fn subscribe_signals(&self) -> broadcast::Receiver<Arc<Ephemeral>> {
        self.signals.subscribe()
    }

    /// Sends an ephemeral signal to every open stream that may see it, on every
    /// instance. Nothing is stored; a failed relay is logged and dropped, as a missed
    /// typing mark is harmless.
    pub async fn signal(&self, db: &Db, signal: Ephemeral) {
        if db.dialect() == Dialect::Postgres {
            let relayed = Relayed { origin: self.origin, signal: signal.clone() };
            if let Ok(text) = serde_json::to_string(&relayed) {
                // NOTIFY payloads stop at 8000 bytes; signals are a few hundred.
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)").bind(SIGNALS).bind(text).execute(db.pool()).await {
                    tracing::debug!(error = %e, "a signal was not relayed");
                }
            }
        }
        let _ = self.signals.send(Arc::new(signal));
    }

    /// A signal relayed by another instance.
    fn relayed(&self, payload: &str) {
        match serde_json::from_str::<Relayed>(payload) {
            Ok(r) if r.origin != self.origin => {
                let _ = self.signals.send(Arc::new(r.signal));
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "an unreadable signal"),
        }
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
            match store::after(db, last, 500).await {
                Ok(events) if events.is_empty() => return,
                Ok(events) => {
                    crate::telemetry::events_published(events.len() as u64);
                    for ev in events {
                        self.published.store(ev.id, Ordering::SeqCst);
                        // No receivers is fine: nobody is connected.
                        let _ = self.sender.send(Arc::new(ev));
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
