//! Every background task in one place, above the domains: the event pump, routing
//! (driven by the pump's events) and the periodic jobs. Each keeps its handle; [`Jobs::stop`] ends them all on shutdown.
use crate::state::AppState;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Agents whose tabs have all gone turn Offline; lapsed team chat invitations expire.
pub const PRESENCE_SWEEP_EVERY: Duration = Duration::from_secs(15);
/// SQLite's WAL is copied into the database file off the commit path.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// SQLite's planner statistics refreshed where stale, the first ten minutes after start.
pub const OPTIMIZE_EVERY: Duration = Duration::from_secs(3600);
pub const OPTIMIZE_FIRST_AFTER: Duration = Duration::from_secs(600);
/// The least time between two passes of a job that commits wake (SLA alerts,
/// webhooks), from the start of one to the start of the next. Under a stream of
/// writes (a batch of sends commits every few milliseconds) their reads would
/// otherwise follow every commit, each on a pooled connection whose page cache the
/// commit emptied, on the cores the writes need. A commit after a quiet spell still
/// wakes them at once; the commits within the gap are taken up by one pass.
pub const SETTLE: Duration = Duration::from_millis(50);
/// Retention purges, the first a minute after start.
pub const RETENTION_EVERY: Duration = Duration::from_secs(3600);
pub const RETENTION_FIRST_AFTER: Duration = Duration::from_secs(60);

/// The running background tasks.
#[derive(Debug, Default)]
pub struct Jobs {
    handles: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Stops every task (on shutdown, after the streams have ended).
    pub fn stop(self) {
        for h in self.handles {
            h.abort();
        }
    }
}

/// Runs `step` every `every`, the first time after `first`.
fn every<F, Fut>(first: Duration, every: Duration, step: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first, every);
        loop {
            tick.tick().await;
            step().await;
        }
    })
}

/// Sets up the message committer as configured, then starts the event pump
/// (`database_url` lets it LISTEN on PostgreSQL) and the jobs.
pub fn start(st: &AppState, database_url: Option<String>) -> Jobs {
    crate::conversations::batch::configure(&st.db, st.config.group_commit);
    let mut handles = vec![tokio::spawn(st.hub.clone().run(st.db.clone(), database_url))];
    // Automatic assignment and queue positions, driven by the events the pump reads.
    handles.push(tokio::spawn(crate::routing::react::run(st.db.clone(), st.hub.clone(), st.clock.clone())));
    handles.push(tokio::spawn(watch_sla(st.clone())));
    let s = st.clone();
    handles.push(every(PRESENCE_SWEEP_EVERY, PRESENCE_SWEEP_EVERY, move || {
        let st = s.clone();
        async move {
            match crate::accounts::presence::sweep(&st.db, st.now()).await {
                Ok(gone) => {
                    // Their chats go back to the queue or stay, per inbox.
                    for agent in gone {
                        if let Err(e) = crate::routing::store::went_offline(&st.db, agent, st.now()).await {
                            tracing::warn!(error = %e, agent, "returning an offline agent's chats failed");
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "presence sweep failed"),
            }
            match crate::team::store::expire_invites(&st.db, st.now()).await {
                Ok(0) => {}
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiring team chat invitations failed"),
            }
        }
    }));
    if st.db.dialect() == crate::db::Dialect::Sqlite {
        let db = st.db.clone();
        handles.push(every(Duration::ZERO, CHECKPOINT_EVERY, move || {
            let db = db.clone();
            async move {
                if let Err(e) = db.checkpoint().await {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
            }
        }));
        let db = st.db.clone();
        handles.push(every(OPTIMIZE_FIRST_AFTER, OPTIMIZE_EVERY, move || {
            let db = db.clone();
            async move {
                if let Err(e) = db.optimize().await {
                    tracing::warn!(error = %e, "refreshing the planner's statistics failed");
                }
            }
        }));
    }
    handles.push(tokio::spawn(run_webhooks(st.clone())));
    let s = st.clone();
    handles.push(every(RETENTION_FIRST_AFTER, RETENTION_EVERY, move || {
        let st = s.clone();
        async move {
            match crate::retention::purge::run(&st.db, &st.config.data_dir, st.now()).await {
                Ok(r) if r.conversations > 0 => {
                    tracing::info!(conversations = r.conversations, messages = r.messages, files = r.files, "retention purge");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention purge failed"),
            }
            // The audit log's own retention: the one delete it allows.
            match crate::audit_log::store::expire(&st.db, st.now()).await {
                Ok(n) if n > 0 => tracing::info!(entries = n, "audit log entries past retention removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "audit log retention failed"),
            }
        }
    }));
    Jobs { handles }
}

/// SLA alerts and breaches: sleeps until the next 80% mark or due time, or until a
/// write commits (which may have moved one), then sends what is due. No polling: with
/// nothing pending it waits for a commit.
async fn watch_sla(st: AppState) {
    let mut commits = st.db.commits();
    loop {
        let began = tokio::time::Instant::now();
        commits.borrow_and_update();
        if let Err(e) = crate::sla::store::tick(&st.db, st.now()).await {
            tracing::warn!(error = %e, "SLA alerts failed");
        }
        let wait = match crate::sla::store::next_wake(&st.db).await {
            Ok(Some(at)) => Duration::from_millis((at - st.now()).clamp(0, 3_600_000) as u64 + 5),
            Ok(None) => Duration::from_secs(3600),
            Err(e) => {
                tracing::warn!(error = %e, "SLA wake time unknown");
                Duration::from_secs(5)
            }
        };
        due_or_committed(&mut commits, wait, began).await;
    }
}

/// Waits until `wait` has passed or a write has committed, and then, after a commit,
/// until [`SETTLE`] has passed since the pass that `began`.
async fn due_or_committed(commits: &mut tokio::sync::watch::Receiver<u64>, wait: Duration, began: tokio::time::Instant) {
    tokio::select! {
        _ = tokio::time::sleep(wait) => {}
        _ = commits.changed() => tokio::time::sleep_until(began + SETTLE).await,
    }
}

/// Webhooks: after each commit (new events, a test delivery, a redelivery) queues
/// deliveries from the log and sends what is due; then sleeps until the next retry
/// falls due or the next commit, never polling on an idle system. (On PostgreSQL each
/// instance wakes on its own commits; whichever instance reads the log first queues.)
async fn run_webhooks(st: AppState) {
    let mut commits = st.db.commits();
    loop {
        let began = tokio::time::Instant::now();
        commits.borrow_and_update();
        loop {
            match crate::webhooks::derive::derive(&st.db, st.now()).await {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "queueing webhook deliveries failed");
                    break;
                }
            }
        }
        loop {
            match crate::webhooks::deliver::deliver_due(&st.db, st.now()).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery failed");
                    break;
                }
            }
        }
        let wait = match crate::webhooks::deliver::next_due(&st.db).await {
            Ok(Some(at)) => Duration::from_millis((at - st.now()).clamp(0, 3_600_000) as u64 + 5),
            Ok(None) => Duration::from_secs(3600),
            Err(_) => Duration::from_secs(5),
        };
        due_or_committed(&mut commits, wait, began).await;
    }
}
