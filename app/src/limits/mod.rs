//! Limits on what anonymous visitors (and any one session) may ask of the server: rates
//! of starts, sends, uploads and identifies (GCRA, from `governor`), and how many
//! event streams one visitor or one agent session holds open at once. Over a limit
//! the answer is 429 with `Retry-After`.
//!
//! Addresses come from the connection, or, when the connection comes from a trusted
//! reverse proxy, from the `X-Forwarded-For` entries that proxy vouches for: never
//! from a header an untrusted client wrote.
mod login;
pub use login::LoginThrottle;

use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// Per-minute rates (each also the burst allowed at once) and stream caps.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Off for load tests from one address (the benchmark); on everywhere else.
    pub enabled: bool,
    pub starts_per_address: u32,
    pub sends_per_visitor: u32,
    pub sends_per_address: u32,
    pub uploads_per_visitor: u32,
    pub identifies_per_visitor: u32,
    pub streams_per_visitor: usize,
    pub streams_per_session: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            starts_per_address: 20,
            sends_per_visitor: 60,
            sends_per_address: 600,
            uploads_per_visitor: 10,
            identifies_per_visitor: 20,
            streams_per_visitor: 4,
            streams_per_session: 12,
        }
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"))
}

/// What a limited visitor action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorAction {
    Send,
    Upload,
    Identify,
}

#[derive(Debug)]
pub struct Limits {
    pub settings: LimitSettings,
    starts: DefaultKeyedRateLimiter<IpAddr>,
    sends_by_address: DefaultKeyedRateLimiter<IpAddr>,
    sends: DefaultKeyedRateLimiter<i64>,
    uploads: DefaultKeyedRateLimiter<i64>,
    identifies: DefaultKeyedRateLimiter<i64>,
    streams: Arc<Mutex<HashMap<StreamKey, usize>>>,
    /// One limiter per API token, at the token's own rate.
    api: Mutex<HashMap<i64, (u32, Arc<governor::DefaultDirectRateLimiter>)>>,
}

/// Whose stream: a visitor's conversation, or an agent's session (by token hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamKey {
    Visitor(i64),
    Session(String),
}

/// Holds one stream's place; dropping it (the stream ended) frees the place.
#[derive(Debug)]
pub struct StreamSlot {
    key: StreamKey,
    streams: Arc<Mutex<HashMap<StreamKey, usize>>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut map = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

fn check<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K, what: &str) -> AppResult<()> {
    if limiter.len() > 100_000 {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        tracing::debug!(what, "rate limited");
        AppError::TooManyRequests { retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64 }
    })
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            starts: RateLimiter::keyed(per_minute(settings.starts_per_address)),
            sends_by_address: RateLimiter::keyed(per_minute(settings.sends_per_address)),
            sends: RateLimiter::keyed(per_minute(settings.sends_per_visitor)),
            uploads: RateLimiter::keyed(per_minute(settings.uploads_per_visitor)),
            identifies: RateLimiter::keyed(per_minute(settings.identifies_per_visitor)),
            streams: Arc::default(),
            api: Mutex::default(),
            settings,
        }
    }

    /// A new conversation from `addr` (unknown only in in-process tests).
    pub fn start(&self, addr: Option<IpAddr>) -> AppResult<()> {
        match addr {
            Some(a) if self.settings.enabled => check(&self.starts, &a, "conversation start"),
            _ => Ok(()),
        }
    }

    /// An action of the visitor of `conversation_id`, from `addr`.
    pub fn visitor(&self, action: VisitorAction, conversation_id: i64, addr: Option<IpAddr>) -> AppResult<()> {
        if !self.settings.enabled {
            return Ok(());
        }
        match action {
            VisitorAction::Send => {
                check(&self.sends, &conversation_id, "visitor send")?;
                match addr {
                    Some(a) => check(&self.sends_by_address, &a, "sends from one address"),
                    None => Ok(()),
                }
            }
            VisitorAction::Upload => check(&self.uploads, &conversation_id, "visitor upload"),
            VisitorAction::Identify => check(&self.identifies, &conversation_id, "visitor identify"),
        }
    }

    /// One call with API token `token`, allowed `per_minute` calls a minute.
    pub fn api_call(&self, token: i64, per_minute: u32) -> AppResult<()> {
        if !self.settings.enabled {
            return Ok(());
        }
        let limiter = {
            let mut map = self.api.lock().unwrap_or_else(|p| p.into_inner());
            let entry = map.entry(token).or_insert_with(|| (per_minute, Arc::new(RateLimiter::direct(self::per_minute(per_minute)))));
            if entry.0 != per_minute {
                *entry = (per_minute, Arc::new(RateLimiter::direct(self::per_minute(per_minute))));
            }
            entry.1.clone()
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests { retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64 }
        })
    }

    /// A place for one more event stream of `key`, or 429 when it already holds as
    /// many as allowed.
    pub fn open_stream(&self, key: StreamKey) -> AppResult<StreamSlot> {
        let cap = match key {
            StreamKey::Visitor(_) => self.settings.streams_per_visitor,
            StreamKey::Session(_) => self.settings.streams_per_session,
        };
        let mut map = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(key.clone()).or_insert(0);
        if self.settings.enabled && *n >= cap {
            return Err(AppError::TooManyRequests { retry_after_secs: 5 });
        }
        *n += 1;
        Ok(StreamSlot { key, streams: self.streams.clone() })
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy, in which
/// case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(trusted: &[IpNet], peer: Option<SocketAddr>, headers: &http::HeaderMap) -> Option<IpAddr> {
    let peer = peer?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    Some(forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer))
}

/// The client's address for a request, from its connection info and headers.
pub fn request_ip(trusted: &[IpNet], parts: &http::request::Parts) -> Option<IpAddr> {
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0);
    client_ip(trusted, peer, &parts.headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let peer: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // Not trusted: the header is the client's own words and is ignored.
        assert_eq!(client_ip(&[], Some(peer), &headers("1.2.3.4")), Some(peer.ip()));
        // Trusted: the right-most address the proxies did not add themselves.
        assert_eq!(client_ip(&trusted, Some(peer), &headers("6.6.6.6, 1.2.3.4")), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(client_ip(&trusted, Some(peer), &headers("1.2.3.4, 10.0.0.9")), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(client_ip(&trusted, Some(peer), &http::HeaderMap::new()), Some(peer.ip()));
    }

    #[test]
    fn rates_refuse_with_a_wait() {
        let l = Limits::new(LimitSettings { sends_per_visitor: 3, ..LimitSettings::default() });
        for _ in 0..3 {
            assert!(l.visitor(VisitorAction::Send, 1, None).is_ok());
        }
        match l.visitor(VisitorAction::Send, 1, None) {
            Err(AppError::TooManyRequests { retry_after_secs }) => assert!((1..=20).contains(&retry_after_secs)),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(l.visitor(VisitorAction::Send, 2, None).is_ok(), "another visitor has their own budget");
    }

    #[test]
    fn stream_places_are_freed_when_streams_end() {
        let l = Limits::new(LimitSettings { streams_per_visitor: 2, ..LimitSettings::default() });
        let a = l.open_stream(StreamKey::Visitor(7)).unwrap();
        let _b = l.open_stream(StreamKey::Visitor(7)).unwrap();
        assert!(l.open_stream(StreamKey::Visitor(7)).is_err());
        assert!(l.open_stream(StreamKey::Visitor(8)).is_ok());
        drop(a);
        assert!(l.open_stream(StreamKey::Visitor(7)).is_ok());
    }
}
