//! Live fan-out inside one instance. A single pump reads new rows from the event log
//! and broadcasts them; it wakes when this instance commits a write (the database
//! handle signals every commit, see `Db::begin_write`), when PostgreSQL
//! notifies that another instance did, and once a second as a safety net. Reading
//! from the log (rather than passing events around in memory) is what makes every
//! instance deliver the same events in the same order.
use super::{store, Event};
use crate::db::{Db, Dialect};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};

#[derive(Debug)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Event>>,
    wake: Notify,
    /// The newest event id broadcast so far.
    published: AtomicI64,
    shutdown: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(8192).0,
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
        loop {
            if *shutdown.borrow() {
                break;
            }
            self.drain(&db).await;
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = db.commits().notified() => {}
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

/// PostgreSQL LISTEN: another instance committed; wake the pump.
async fn listen(hub: Arc<Hub>, url: String) {
    let mut shutdown = hub.shutdown_signal();
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(store::CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    loop {
                        tokio::select! {
                            n = listener.recv() => match n {
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
