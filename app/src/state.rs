//! Server-side context: the state every server function and handler reaches through
//! `state()`, plus the clock that tests can fix.
use crate::limits::LoginThrottle;
use crate::db::Db;
use crate::events::hub::Hub;
use crate::error::{AppError, AppResult};
use leptos::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Time comes from here, never from `now()` inside SQL, so retention and
/// presence can be tested with a fixed clock.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> i64;
}

#[derive(Debug, Default)]
pub struct SystemClock;
impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);
impl ManualClock {
    pub fn new(at_ms: i64) -> Self {
        Self(AtomicI64::new(at_ms))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}
impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The largest attachment by default (`--max-upload-mb` changes it).
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (set when served behind https).
    pub secure_cookies: bool,
    /// Attachments and other files live here.
    pub data_dir: PathBuf,
    /// Extra origins allowed to POST, besides the request's own host.
    pub allowed_origins: Vec<String>,
    /// The largest attachment accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDRs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Rates and stream caps for visitors and sessions.
    pub limits: crate::limits::LimitSettings,
    /// A request body that sends nothing for this long is cut off (408).
    pub body_timeout: std::time::Duration,
    /// Message sends that arrive together share a transaction (off for comparison).
    pub group_commit: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            data_dir: PathBuf::from("data"),
            allowed_origins: vec![],
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            trusted_proxies: vec![],
            limits: crate::limits::LimitSettings::default(),
            body_timeout: std::time::Duration::from_secs(20),
            group_commit: true,
        }
    }
}

/// What every handler and server function reaches: one `Arc`, so the clones a request
/// makes (into each extractor, middleware and route service) are one count each, not
/// one for every field. The per-field clones and drops took 2.6% of the HTTP workers'
/// time under the ingest, and were the largest item of their own code.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// The fields of [`AppState`], reached through it (`st.db`, `st.config`…).
#[derive(Debug)]
pub struct Shared {
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub throttle: Arc<LoginThrottle>,
    pub config: Arc<Config>,
    pub hub: Arc<Hub>,
    pub limits: Arc<crate::limits::Limits>,
    stream_key: tokio::sync::OnceCell<Vec<u8>>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(st: &AppState) -> LeptosOptions {
        (*st.leptos_options).clone()
    }
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self(Arc::new(Shared {
            leptos_options: Arc::new(leptos_options),
            db,
            clock,
            throttle: Arc::new(LoginThrottle::default()),
            limits: Arc::new(crate::limits::Limits::new(config.limits.clone())),
            config: Arc::new(config),
            hub: Arc::new(Hub::default()),
            stream_key: tokio::sync::OnceCell::new(),
        }))
    }

    /// The key that signs visitors' short-lived stream tokens.
    pub async fn stream_key(&self) -> AppResult<Vec<u8>> {
        self.stream_key
            .get_or_try_init(|| crate::tokens::server_key(&self.db, "stream_key"))
            .await
            .cloned()
    }
    /// The client's address, through trusted proxies only (see [`crate::limits`]).
    pub fn client_ip(&self, parts: &http::request::Parts) -> Option<std::net::IpAddr> {
        crate::limits::request_ip(&self.config.trusted_proxies, parts)
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The app state, from the server function's context.
pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or(AppError::Internal)
}

/// The incoming request's head, from the server function's context.
pub fn request_parts() -> AppResult<http::request::Parts> {
    use_context::<http::request::Parts>().ok_or(AppError::Internal)
}

/// An extractor inside a server function: the same checks as on a plain handler,
/// with the typed error kept (leptos_axum's `extract_with_state` would flatten the
/// rejection into a string, and every refusal into a 500).
pub async fn extract<T: axum::extract::FromRequestParts<AppState, Rejection = AppError>>() -> AppResult<T> {
    let st = state()?;
    let mut parts = request_parts()?;
    T::from_request_parts(&mut parts, &st).await
}

/// The client's address of the request behind this server function.
pub fn client_address() -> Option<String> {
    let st = state().ok()?;
    let parts = request_parts().ok()?;
    st.client_ip(&parts).map(|ip| ip.to_string())
}

/// The audit log's actor for an agent acting through this request.
pub fn audit_actor(agent_id: i64) -> crate::audit::Actor {
    crate::audit::Actor::agent(agent_id, client_address())
}
