//! The measured runs. Each drives the real server over HTTP and SSE.
pub mod broadcast;
pub mod idle;
pub mod ingest;
pub mod lists;
pub mod live;

use crate::seed::Fixture;

/// What every run needs.
pub struct Ctx<'a> {
    pub client: reqwest::Client,
    pub base: String,
    pub fixture: &'a Fixture,
    pub pid: u32,
    /// The database, to count the event log's rows around a run.
    pub db_url: String,
}

/// The event log's rows: all of them, and the `message.created` ones.
pub async fn event_rows(url: &str) -> anyhow::Result<(i64, i64)> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await?;
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&pool).await?;
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'message.created'").fetch_one(&pool).await?;
    pool.close().await;
    Ok((all, messages))
}

/// Waits until `done()` or `secs` pass; returns whether it was done.
pub async fn settle(secs: f64, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    done()
}
