//! The outbound webhook for new requests. A delivery is queued in the request's own
//! transaction, then a worker POSTs it: JSON signed with HMAC-SHA256 of the inbox's
//! secret (`X-Switchboard-Signature: sha256=<hex>`), retried with backoff, logged
//! for admins. The target is checked at delivery time, after DNS, against loopback,
//! private, link-local and other internal ranges (unless an admin allowed them), and
//! the request goes to the very address that was checked, with redirects off.
use super::{Delivery, ServiceRequest};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};

/// Delays before the 2nd, 3rd… attempt; after the last, the delivery has failed.
const BACKOFF_MS: [i64; 5] = [10_000, 30_000, 120_000, 600_000, 3_600_000];

/// Hex HMAC-SHA256 of the body with the inbox's secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
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

/// Queues the request for the inbox's webhook, if it has one.
pub async fn enqueue(conn: &mut sqlx::AnyConnection, r: &ServiceRequest, now: i64) -> AppResult<()> {
    let url: Option<String> =
        sqlx::query_scalar("SELECT webhook_url FROM inboxes WHERE id = $1").bind(r.inbox_id).fetch_one(&mut *conn).await?;
    let Some(url) = url else { return Ok(()) };
    let payload = serde_json::json!({ "event": crate::model::change::kind::REQUEST_CREATED, "request": r });
    sqlx::query(
        "INSERT INTO webhook_deliveries (inbox_id, request_id, url, payload, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)",
    )
    .bind(r.inbox_id)
    .bind(r.id)
    .bind(url)
    .bind(payload.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sends one delivery; `Ok(status)` for an HTTP answer, `Err` for anything else.
async fn send(url: &str, secret: &str, allow_private: bool, delivery_id: i64, body: &str) -> Result<u16, String> {
    let (host, addrs) = check_target(url, allow_private).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map_err(|e| e.to_string())?;
    let res = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-switchboard-event", crate::model::change::kind::REQUEST_CREATED)
        .header("x-switchboard-delivery", delivery_id.to_string())
        .header("x-switchboard-signature", format!("sha256={}", signature(secret, body.as_bytes())))
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    Ok(res.status().as_u16())
}

/// Delivers what is due at `now`. Each delivery is leased for a minute first, so two
/// instances never send the same one at once. Returns how many were attempted.
pub async fn deliver_due(db: &Db, now: i64) -> AppResult<usize> {
    let mut tx = db.begin_write().await?;
    #[derive(sqlx::FromRow)]
    struct Due {
        id: i64,
        url: String,
        payload: String,
        attempts: i64,
        webhook_secret: Option<String>,
        webhook_allow_private: i64,
    }
    let due: Vec<Due> = sqlx::query_as(
        "SELECT d.id, d.url, d.payload, d.attempts, i.webhook_secret, i.webhook_allow_private
         FROM webhook_deliveries d JOIN inboxes i ON i.id = d.inbox_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT 20",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    for d in &due {
        sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2").bind(now + 60_000).bind(d.id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    for d in &due {
        let secret = d.webhook_secret.as_deref().unwrap_or("");
        let result = send(&d.url, secret, d.webhook_allow_private != 0, d.id, &d.payload).await;
        let attempts = d.attempts + 1;
        let (status, code, error, next) = match result {
            Ok(code) if (200..300).contains(&code) => ("delivered", Some(code as i64), None, now),
            other => {
                let (code, error) = match other {
                    Ok(code) => (Some(code as i64), Some(format!("HTTP {code}"))),
                    Err(e) => (None, Some(e)),
                };
                match BACKOFF_MS.get(attempts as usize - 1) {
                    Some(delay) => ("pending", code, error, now + delay),
                    None => ("failed", code, error, now),
                }
            }
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status = $3, last_error = $4,
               next_attempt_at = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(status)
        .bind(attempts)
        .bind(code)
        .bind(error)
        .bind(next)
        .bind(now)
        .bind(d.id)
        .execute(db.pool())
        .await?;
    }
    Ok(due.len())
}

/// Sets an inbox's webhook; a secret is made the first time. An internal target is
/// refused here already unless `allow_private`.
pub async fn configure(db: &Db, inbox_id: i64, url: &str, allow_private: bool) -> AppResult<()> {
    let url = url.trim();
    let value = if url.is_empty() {
        None
    } else {
        check_target(url, allow_private).await.map_err(AppError::Unprocessable)?;
        Some(url)
    };
    let secret = crate::tokens::random_id() + &crate::tokens::random_id();
    let done = sqlx::query(
        "UPDATE inboxes SET webhook_url = $1, webhook_allow_private = $2, webhook_secret = COALESCE(webhook_secret, $3) WHERE id = $4",
    )
    .bind(value)
    .bind(allow_private as i64)
    .bind(secret)
    .bind(inbox_id)
    .execute(db.pool())
    .await?;
    crate::db::found(&done)?;
    Ok(())
}

/// The admin's view: every inbox's webhook and its latest deliveries (two queries).
pub async fn settings(db: &Db) -> AppResult<Vec<super::WebhookSettings>> {
    #[derive(sqlx::FromRow)]
    struct Hook {
        id: i64,
        name: String,
        webhook_url: Option<String>,
        webhook_secret: Option<String>,
        webhook_allow_private: i64,
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        inbox_id: i64,
        #[sqlx(flatten)]
        delivery: Delivery,
    }
    let inboxes: Vec<Hook> = sqlx::query_as(
        "SELECT id, name, webhook_url, webhook_secret, webhook_allow_private FROM inboxes ORDER BY name, id",
    )
    .fetch_all(db.pool())
    .await?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, inbox_id, request_id, url, status, attempts, last_status, last_error, created_at, updated_at
         FROM webhook_deliveries ORDER BY id DESC LIMIT 200",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(inboxes
        .into_iter()
        .map(|h| super::WebhookSettings {
            inbox_id: h.id,
            inbox_name: h.name,
            url: h.webhook_url,
            secret: h.webhook_secret,
            allow_private: h.webhook_allow_private != 0,
            deliveries: rows.iter().filter(|r| r.inbox_id == h.id).take(20).map(|r| r.delivery.clone()).collect(),
        })
        .collect())
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
