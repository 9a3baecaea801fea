//! Sending deliveries. Each due delivery is leased (so two instances never send the
//! same one at once), POSTed as a Standard Webhooks message — the same `webhook-id`
//! on every attempt, a fresh timestamp and signature each time — and retried with
//! exponential backoff for 24 hours; then it has failed. A subscription whose
//! deliveries fail [`super::DISABLE_AFTER`] times in a row is disabled and the admins
//! are told. The target is checked after DNS, at delivery time or at most a minute
//! before (its client is kept that long), against loopback, private, link-local and
//! other internal ranges (unless an admin allowed them), and the request goes to the
//! very address that was checked, with redirects off.
use crate::db::{Db, Script};
use crate::error::AppResult;
use std::net::{IpAddr, SocketAddr};

/// The first retry's delay; each next one doubles, up to [`MAX_DELAY_MS`].
pub const FIRST_DELAY_MS: i64 = 5_000;
pub const MAX_DELAY_MS: i64 = 2 * 3_600_000;
/// How long a delivery is retried before it has failed.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 3_600_000;
/// How long a lease holds a delivery: longer than a request's timeout, short enough
/// that a delivery whose sender died (kill -9 mid-send) goes out again soon.
const LEASE_MS: i64 = 12_000;

/// The delay after the `attempts`-th failed attempt.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 20) as u32;
    (FIRST_DELAY_MS.saturating_mul(1 << doublings)).min(MAX_DELAY_MS)
}

/// Addresses a webhook may not reach unless allowed: loopback, private, link-local
/// (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast…
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xC0) == 64)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                // Benchmarking (198.18.0.0/15) and reserved (240.0.0.0/4).
                || (o[0] == 198 && (o[1] & 0xFE) == 18)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded_v4 = |hi: u16, lo: u16| IpAddr::V4(std::net::Ipv4Addr::from(((hi as u32) << 16) | lo as u32));
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
                // IPv4-compatible `::a.b.c.d` (deprecated, and reaches a.b.c.d on some stacks).
                || (s[..6] == [0; 6] && is_internal(embedded_v4(s[6], s[7])))
                // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that a
                // gateway connects to: refused, wherever the address points.
                || (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0])
                || s[0] == 0x2002
        }
    }
}

/// Checks a target URL and resolves it: the addresses to connect to, or why not.
pub async fn check_target(url: &str, allow_private: bool) -> Result<(String, Vec<SocketAddr>), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "not a valid URL".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https URLs".into());
    }
    let host = parsed.host_str().ok_or("the URL has no host")?.trim_matches(['[', ']']).to_string();
    let port = parsed.port_or_known_default().ok_or("the URL has no port")?;
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| is_internal(a.ip())) {
            return Err(format!("refused: {} is an internal address (an admin can allow internal targets)", bad.ip()));
        }
    }
    Ok((host, addrs))
}

/// The envelope a receiver gets: `{id, type, timestamp, data}` (RFC 3339 time).
pub fn envelope(msg_id: &str, kind: &str, created_at: i64, data: &str) -> String {
    let data: serde_json::Value = serde_json::from_str(data).unwrap_or(serde_json::Value::Null);
    let timestamp = crate::timefmt::iso8601(created_at);
    serde_json::json!({ "id": msg_id, "type": kind, "timestamp": timestamp, "data": data }).to_string()
}

/// How long a checked client is used again for the same target. A client keeps its
/// connections open between rounds, and building one (its TLS roots) is costly: with
/// a client a round, a busy log's deliveries fell behind. The target's name is checked
/// and resolved again after this.
const CLIENT_REUSE: std::time::Duration = std::time::Duration::from_secs(60);

type Clients = std::collections::HashMap<(String, bool), (std::time::Instant, reqwest::Client)>;

/// The clients checked lately, by target URL and whether internal addresses were allowed.
static CLIENTS: std::sync::LazyLock<std::sync::Mutex<Clients>> = std::sync::LazyLock::new(Default::default);

/// A client for one target, pinned to the addresses that passed the check (checked and
/// resolved now, or within [`CLIENT_REUSE`]), with redirects off. A refusal is never
/// kept: the next round checks again.
async fn client_for(url: &str, allow_private: bool) -> Result<reqwest::Client, String> {
    let key = (url.to_string(), allow_private);
    let kept = |c: &Clients| c.get(&key).filter(|(at, _)| at.elapsed() < CLIENT_REUSE).map(|(_, client)| client.clone());
    if let Some(client) = CLIENTS.lock().ok().and_then(|c| kept(&c)) {
        return Ok(client);
    }
    let (host, addrs) = check_target(url, allow_private).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map_err(|e| e.to_string())?;
    if let Ok(mut clients) = CLIENTS.lock() {
        clients.retain(|_, (at, _)| at.elapsed() < CLIENT_REUSE);
        clients.insert(key, (std::time::Instant::now(), client.clone()));
    }
    Ok(client)
}

/// One attempt; `Ok(status)` for an HTTP answer, `Err` for anything else.
async fn send(d: &Due, client: Result<reqwest::Client, String>, now: i64) -> Result<u16, String> {
    let client = client?;
    let body = envelope(&d.msg_id, &d.kind, d.created_at, &d.data);
    let ts = now / 1000;
    let mut req = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("user-agent", "Switchboard-Webhooks/1")
        .header("webhook-id", &d.msg_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", super::sign::sign(&d.secret, &d.msg_id, ts, body.as_bytes()));
    if !d.secret.starts_with(super::sign::SECRET_PREFIX) {
        // A subscription carried over from the request webhook: its receivers may
        // still check the old header, with the same secret.
        req = req.header("x-switchboard-signature", format!("sha256={}", legacy_signature(&d.secret, body.as_bytes())));
    }
    let res = req.body(body).send().await.map_err(|e| format!("request failed: {e}"))?;
    Ok(res.status().as_u16())
}

/// The request webhook's old signature: hex HMAC-SHA256 of the body.
pub fn legacy_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Clone, sqlx::FromRow)]
struct Due {
    id: i64,
    subscription_id: i64,
    msg_id: String,
    kind: String,
    data: String,
    created_at: i64,
    attempts: i64,
    url: String,
    secret: String,
    allow_private: i64,
}

/// At most this many deliveries are leased and sent (at once) per round.
const BATCH: i64 = 100;

/// Delivers what is due at `now` (at most a batch, sent concurrently; the outcomes
/// written in one transaction). Returns how many were attempted.
pub async fn deliver_due(db: &Db, now: i64) -> AppResult<usize> {
    // A read first: the write lock is taken only when something is due.
    match next_due(db).await? {
        Some(at) if at <= now => {}
        _ => return Ok(0),
    }
    let mut tx = db.begin_write().await?;
    let due: Vec<Due> = sqlx::query_as(
        "SELECT m.id, m.subscription_id, m.msg_id, m.kind, m.data, m.created_at, m.attempts, s.url, s.secret, s.allow_private
         FROM webhook_messages m JOIN webhook_subscriptions s ON s.id = m.subscription_id
         WHERE m.status = 'pending' AND m.next_attempt_at <= $1 AND s.enabled = 1
         ORDER BY m.next_attempt_at, m.id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    // One statement leases them all.
    let mut script = Script::new(&tx);
    let until = script.bind(now + LEASE_MS);
    let ids: Vec<String> = due.iter().map(|d| script.bind(d.id)).collect();
    script.add(&mut tx, &format!("UPDATE webhook_messages SET next_attempt_at = {until} WHERE id IN ({})", ids.join(", "))).await?;
    script.run(&mut tx).await?;
    tx.commit().await?;
    let attempted = due.len();
    // One client per target and round, checked within the last minute ([`CLIENT_REUSE`]).
    let mut clients: std::collections::HashMap<(String, i64), Result<reqwest::Client, String>> = Default::default();
    for d in &due {
        let key = (d.url.clone(), d.allow_private);
        if !clients.contains_key(&key) {
            let client = client_for(&d.url, d.allow_private != 0).await;
            clients.insert(key, client);
        }
    }
    let mut sends = tokio::task::JoinSet::new();
    for d in due {
        let client = clients[&(d.url.clone(), d.allow_private)].clone();
        sends.spawn(async move {
            let result = send(&d, client, now).await;
            (d, result)
        });
    }
    let mut outcomes = Vec::with_capacity(attempted);
    while let Some(joined) = sends.join_next().await {
        // A send that panicked keeps its lease and goes out again when it ends.
        if let Ok(outcome) = joined {
            outcomes.push(outcome);
        }
    }
    record(db, outcomes, now).await?;
    Ok(attempted)
}

/// Writes the attempts' outcomes in one transaction; a delivery that failed for good
/// counts against its subscription, which is disabled at the limit (and the admins
/// alerted), and one that succeeded clears the count.
async fn record(db: &Db, outcomes: Vec<(Due, Result<u16, String>)>, now: i64) -> AppResult<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    let mut script = Script::new(&tx);
    let mut rows = Vec::with_capacity(outcomes.len());
    // Per subscription, its last delivery that went through; and the deliveries that
    // failed for good, in order.
    let mut delivered: std::collections::HashMap<i64, usize> = Default::default();
    let mut failed = Vec::new();
    for (i, (d, result)) in outcomes.iter().enumerate() {
        let attempts = d.attempts + 1;
        let (status, code, error, next) = match result {
            Ok(code) if (200..300).contains(code) => ("delivered", Some(*code as i64), None, now),
            other => {
                let (code, error) = match other {
                    Ok(code) => (Some(*code as i64), Some(format!("HTTP {code}"))),
                    Err(e) => (None, Some(e.clone())),
                };
                let next = now + backoff(attempts);
                if next - d.created_at > GIVE_UP_AFTER_MS {
                    ("failed", code, error, now)
                } else {
                    ("pending", code, error, next)
                }
            }
        };
        match status {
            "delivered" => _ = delivered.insert(d.subscription_id, i),
            "failed" => failed.push((d.subscription_id, i)),
            _ => {}
        }
        crate::telemetry::webhook_delivery(status);
        let values = [script.bind(d.id), script.bind(status), script.bind(attempts), script.bind(code), script.bind(error), script.bind(next)];
        rows.push(format!("({})", values.join(", ")));
    }
    // Every outcome in one statement, and the subscriptions that delivered cleared of
    // their failures in one more (on SQLite, both in one call).
    let at = script.bind(now);
    let sql = format!(
        "WITH v (id, status, attempts, last_status, last_error, next_attempt_at) AS (VALUES {})
         UPDATE webhook_messages SET status = v.status, attempts = v.attempts, last_status = v.last_status,
           last_error = v.last_error, next_attempt_at = v.next_attempt_at, updated_at = {at}
         FROM v WHERE webhook_messages.id = v.id",
        rows.join(", ")
    );
    script.add(&mut tx, &sql).await?;
    if !delivered.is_empty() {
        let subs: Vec<String> = delivered.keys().map(|id| script.bind(*id)).collect();
        script.add(&mut tx, &format!("UPDATE webhook_subscriptions SET failures = 0 WHERE failures <> 0 AND id IN ({})", subs.join(", "))).await?;
    }
    script.run(&mut tx).await?;
    // Failed for good (rare; each may disable its subscription and alert the admins),
    // counted in a row unless a later delivery of the round went through.
    for (sub, i) in failed {
        if delivered.get(&sub).is_none_or(|&last| last < i) {
            super::store::count_failure(&mut tx, db, sub, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// When the next pending delivery falls due, if any.
pub async fn next_due(db: &Db) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(m.next_attempt_at) FROM webhook_messages m JOIN webhook_subscriptions s ON s.id = m.subscription_id
         WHERE m.status = 'pending' AND s.enabled = 1",
    )
    .fetch_one(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_ranges() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1",
            "198.18.0.1", "198.19.255.255", "240.0.0.1", "255.255.255.254", "64:ff9b::7f00:1", "64:ff9b::808:808",
            "2002:7f00:1::", "2002:0808:0808::1", "::127.0.0.1", "::10.0.0.1"] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "198.20.0.1", "223.0.0.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }
}
