//! Metric names and the few calls that record them, through the `metrics` facade (the
//! server installs the Prometheus recorder; without one every call is a no-op).
//! Infrastructure: it names no domain type.
use metrics::{counter, gauge, histogram};

pub const HTTP_REQUESTS: &str = "switchboard_http_requests_total";
pub const HTTP_DURATION: &str = "switchboard_http_request_duration_seconds";
pub const STREAMS_OPEN: &str = "switchboard_event_streams_open";
pub const EVENTS_PUBLISHED: &str = "switchboard_events_published_total";
pub const COMMIT_BATCH: &str = "switchboard_commit_batch_size";
pub const COMMIT_DURATION: &str = "switchboard_commit_duration_seconds";
pub const DB_POOL: &str = "switchboard_db_pool_connections";
pub const WEBHOOK_DELIVERIES: &str = "switchboard_webhook_deliveries_total";
pub const WEBHOOK_BACKLOG: &str = "switchboard_webhook_backlog";
pub const PURGED: &str = "switchboard_purged_total";
pub const PRESENCE: &str = "switchboard_agents_present";

/// Every family `/metrics` exposes (the tests check each is there).
pub const FAMILIES: &[&str] = &[
    HTTP_REQUESTS, HTTP_DURATION, STREAMS_OPEN, EVENTS_PUBLISHED, COMMIT_BATCH, COMMIT_DURATION, DB_POOL,
    WEBHOOK_DELIVERIES, WEBHOOK_BACKLOG, PURGED, PRESENCE,
];

/// Creates every family at zero, so a scrape lists them all from the start.
pub fn register() {
    for kind in ["agent", "visitor"] {
        gauge!(STREAMS_OPEN, "kind" => kind).increment(0.0);
    }
    counter!(EVENTS_PUBLISHED).increment(0);
    for result in ["delivered", "pending", "failed"] {
        counter!(WEBHOOK_DELIVERIES, "result" => result).increment(0);
    }
    for what in ["conversations", "messages", "files"] {
        counter!(PURGED, "what" => what).increment(0);
    }
    gauge!(WEBHOOK_BACKLOG).set(0.0);
    metrics::describe_histogram!(COMMIT_BATCH, "Messages written per group commit");
    metrics::describe_histogram!(COMMIT_DURATION, metrics::Unit::Seconds, "Time to write and commit one group of messages");
    metrics::describe_histogram!(HTTP_DURATION, metrics::Unit::Seconds, "Time to answer a request, by route and method");
    metrics::describe_counter!(HTTP_REQUESTS, "Requests answered, by route, method and status");
}

pub fn http_request(route: &str, method: &str, status: u16, seconds: f64) {
    let labels = [("route", route.to_string()), ("method", method.to_string()), ("status", status.to_string())];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels[..2]).record(seconds);
}

/// An event stream opened (`+1`) or closed (`-1`); `kind` is agent or visitor.
pub fn stream(kind: &'static str, delta: f64) {
    gauge!(STREAMS_OPEN, "kind" => kind).increment(delta);
}

pub fn events_published(n: u64) {
    counter!(EVENTS_PUBLISHED).increment(n);
}

pub fn commit(batch: usize, seconds: f64) {
    histogram!(COMMIT_BATCH).record(batch as f64);
    histogram!(COMMIT_DURATION).record(seconds);
    tracing::trace!(batch, ms = seconds * 1000.0, "group commit");
}

pub fn webhook_delivery(result: &'static str) {
    counter!(WEBHOOK_DELIVERIES, "result" => result).increment(1);
}

/// Rows a purge removed (`what`: conversations, messages, files).
pub fn purged(what: &'static str, n: u64) {
    counter!(PURGED, "what" => what).increment(n);
}

/// Values read when scraped: the pool, the webhook backlog, agents by presence.
pub fn snapshot(pool_size: u32, pool_idle: usize, backlog: i64, presence: &[(String, i64)]) {
    gauge!(DB_POOL, "state" => "open").set(pool_size as f64);
    gauge!(DB_POOL, "state" => "idle").set(pool_idle as f64);
    gauge!(WEBHOOK_BACKLOG).set(backlog as f64);
    for (status, n) in presence {
        gauge!(PRESENCE, "status" => status.clone()).set(*n as f64);
    }
}
