//! The measured runs. Each drives the real server over HTTP and SSE.
pub mod broadcast;
pub mod idle;
pub mod ingest;
pub mod lists;
pub mod live;
pub mod reports;
pub mod webhooks;

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

/// The event log's rows by kind; Switchboard's own lines (a status change's, an agent
/// who went offline) are counted apart from the messages people wrote.
pub const SYSTEM_LINES: &str = "message.created (system line)";

pub async fn event_rows(url: &str) -> anyhow::Result<std::collections::BTreeMap<String, i64>> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await?;
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT CASE WHEN kind = 'message.created' AND payload LIKE '%\"author_kind\":\"system\"%' THEN '{SYSTEM_LINES}' ELSE kind END,
                COUNT(*)
         FROM events GROUP BY 1"
    ))
    .fetch_all(&pool)
    .await?;
    pool.close().await;
    Ok(rows.into_iter().collect())
}

/// The rows each kind gained between two counts, kinds that gained none left out.
pub fn log_growth(before: &std::collections::BTreeMap<String, i64>, after: &std::collections::BTreeMap<String, i64>) -> std::collections::BTreeMap<String, i64> {
    after
        .iter()
        .map(|(k, n)| (k.clone(), n - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, n)| *n != 0)
        .collect()
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

/// A server function called as the console calls it: a same-origin form POST with the
/// session cookie and `query[…]` fields. The JSON answer, or the error with its text.
pub async fn console_call(ctx: &Ctx<'_>, endpoint: &str, token: &str, form: &[(String, String)]) -> anyhow::Result<serde_json::Value> {
    let res = ctx
        .client
        .post(format!("{}/api/{endpoint}", ctx.base))
        .header("cookie", format!("sb_session={token}"))
        .header("origin", &ctx.base)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await?;
    let status = res.status();
    let text = res.text().await?;
    if !status.is_success() {
        anyhow::bail!("HTTP {status}: {}", text.chars().take(300).collect::<String>());
    }
    Ok(serde_json::from_str(&text)?)
}

/// Waits until the event log has stopped growing for a second (at most `secs`): what
/// a closed part left to write (10k streams closing write their presence) is not
/// measured as part of the next one.
pub async fn quiet_log(url: &str, secs: u64) -> anyhow::Result<()> {
    let total = |m: std::collections::BTreeMap<String, i64>| m.values().sum::<i64>();
    let mut last = total(event_rows(url).await?);
    for _ in 0..secs {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let now = total(event_rows(url).await?);
        if now == last {
            return Ok(());
        }
        last = now;
    }
    Ok(())
}
