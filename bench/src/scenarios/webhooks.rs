//! What webhooks cost: the durable ingest again with a subscription to
//! `message.created` (a receiver on 127.0.0.1), the rate it keeps, how long a
//! committed message takes to reach the receiver, and whether every acknowledged
//! message arrived (once per `webhook-id`).
use super::Ctx;
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub struct Webhooks {
    pub ingest: super::ingest::Ingest,
    /// Distinct deliveries received, and deliveries of an id already seen.
    pub delivered: usize,
    pub repeated: usize,
    /// Commit (the message's `created_at`) to receipt, in ms.
    pub lag: Vec<f64>,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

type Seen = Arc<Mutex<HashMap<String, usize>>>;

async fn receiver() -> Result<(String, Seen, Arc<Mutex<Vec<f64>>>)> {
    let seen: Seen = Arc::default();
    let lag: Arc<Mutex<Vec<f64>>> = Arc::default();
    let (s, l) = (seen.clone(), lag.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (seen, lag) = (s.clone(), l.clone());
            async move {
                let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let first = {
                    let mut m = seen.lock().unwrap();
                    let n = m.entry(id).or_insert(0);
                    *n += 1;
                    *n == 1
                };
                if first {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
                        if let Some(at) = v["data"]["created_at"].as_i64() {
                            lag.lock().unwrap().push((now_ms() - at) as f64);
                        }
                    }
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}/hook"), seen, lag))
}

/// Subscribes the receiver from the log's end, as the admin page does.
async fn subscribe(db_url: &str, url: &str) -> Result<i64> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(db_url).await?;
    let newest: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM events").fetch_one(&pool).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_subscriptions (url, secret, events, allow_private, start_after, created_at)
         VALUES ($1, 'whsec_YmVuY2htYXJrLWJlbmNobWFyay1iZW5jaG1hcms=', 'message.created', 1, $2, $3) RETURNING id",
    )
    .bind(url)
    .bind(newest)
    .bind(now_ms())
    .fetch_one(&pool)
    .await?;
    sqlx::query("UPDATE settings SET value = $1 WHERE key = 'webhook_cursor'").bind(newest.to_string()).execute(&pool).await?;
    pool.close().await;
    Ok(id)
}

async fn unsubscribe(db_url: &str, id: i64) -> Result<()> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(db_url).await?;
    sqlx::query("DELETE FROM webhook_messages WHERE subscription_id = $1").bind(id).execute(&pool).await?;
    sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1").bind(id).execute(&pool).await?;
    pool.close().await;
    Ok(())
}

pub async fn run(ctx: &Ctx<'_>, concurrency: usize, secs: f64) -> Result<Webhooks> {
    let (url, seen, lag) = receiver().await?;
    let sub = subscribe(&ctx.db_url, &url).await?;
    let ingest = super::ingest::run(ctx, concurrency, secs).await?;
    // Then wait for the deliveries to arrive (at most a minute past the last send).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while seen.lock().unwrap().len() < ingest.acked && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    unsubscribe(&ctx.db_url, sub).await?;
    let seen = seen.lock().unwrap();
    let lag = lag.lock().unwrap().clone();
    Ok(Webhooks { delivered: seen.len(), repeated: seen.values().map(|n| n - 1).sum(), lag, ingest })
}
