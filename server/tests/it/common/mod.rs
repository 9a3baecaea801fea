//! Test harness: every test body runs once on SQLite and once on PostgreSQL.
//!
//! PostgreSQL comes from `SWITCHBOARD_TEST_PG` (default: the local server). Each run
//! gets a database of its own, dropped afterwards. When PostgreSQL is unreachable the
//! PostgreSQL half is skipped with a loud notice, except under `CI=true`, where it fails.
#![allow(dead_code)]
pub mod process;
use app::db::{Db, Dialect};
use app::state::{AppState, Config, ManualClock};
use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use sqlx::{Connection, Executor, PgConnection};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

pub const T0: i64 = 1_790_000_000_000;

fn pg_admin_url() -> String {
    std::env::var("SWITCHBOARD_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn create_pg_database() -> Option<(String, String)> {
    let admin = pg_admin_url();
    let mut conn = match PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if in_ci() {
                panic!("PostgreSQL is unreachable at {admin} and CI=true: {e}");
            }
            eprintln!("NOTICE: PostgreSQL unreachable at {admin} ({e}); PostgreSQL half SKIPPED");
            return None;
        }
    };
    let name = format!(
        "sb_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
    );
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
    Some((format!("{base}/{name}"), name))
}

pub async fn drop_pg_database(name: &str) {
    if let Ok(mut conn) = PgConnection::connect(&pg_admin_url()).await {
        let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
    }
}

/// Runs `body` against a fresh, migrated SQLite database.
pub async fn on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let db = Db::connect(&url).await.expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    body(db.clone()).await;
    db.close().await;
}

/// Runs `body` against a fresh, migrated PostgreSQL database, dropped afterwards.
/// Skipped with a notice when PostgreSQL is unreachable, except under `CI=true`.
pub async fn on_postgres<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some((url, name)) = create_pg_database().await {
        let db = Db::connect(&url).await.expect("open postgres");
        assert_eq!(db.dialect(), Dialect::Postgres);
        db.migrate().await.expect("migrate postgres");
        body(db.clone()).await;
        db.close().await;
        drop_pg_database(&name).await;
    }
}

/// Runs `body` against a fresh, migrated database of each dialect, in turn.
pub async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    on_sqlite(&body).await;
    on_postgres(&body).await;
}

/// One test body, two tests: `NAME::sqlite` and `NAME::postgres`, so a failure says
/// which back end failed. The body is a closure taking the `Db`.
macro_rules! test_both_dbs {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::common::on_sqlite($body).await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::common::on_postgres($body).await;
            }
        }
    };
}

/// The real router over a test database, with a clock that only moves when told.
pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn new(db: Db) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(T0));
        let options = leptos::prelude::LeptosOptions::builder().output_name("switchboard").build();
        let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
        let state = AppState::new(options, db, clock.clone(), config);
        // Dropping the handles detaches the jobs: they run until the test's runtime ends.
        drop(app::jobs::start(&state, None));
        TestApp { state, clock, _dir: dir }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        switchboard::router(self.state.clone()).oneshot(req).await.unwrap()
    }

    /// A same-origin form POST, as the console sends it.
    pub async fn post_form(&self, path: &str, form: &str, cookie: Option<&str>) -> Response<Body> {
        let mut req = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("sb_session={c}"));
        }
        self.send(req.body(Body::from(form.to_string())).unwrap()).await
    }

    /// Creates an agent directly in the store.
    pub async fn agent(&self, email: &str, role: app::accounts::Role, password: &str) -> i64 {
        let hash = app::accounts::password::hash_blocking(password).unwrap();
        let new = app::accounts::store::NewAgent { email, name: email, role, password_hash: &hash };
        app::accounts::store::insert(self.db(), new, T0).await.unwrap()
    }

    /// Logs in over HTTP and returns the session token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self.post_form("/api/login", &format!("email={email}&password={password}"), None).await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email}");
        session_token(&res).expect("a session cookie")
    }
}

/// An API token acting as `agent`, with these scopes, kept to these inboxes.
pub async fn api_token(db: &Db, agent: i64, scopes: &[app::api_tokens::Scope], inboxes: &[i64]) -> (i64, String) {
    let new = app::api_tokens::store::NewToken { name: "test", agent_id: agent, scopes, inboxes, per_minute: 100_000 };
    app::api_tokens::store::create(db, new, Some(agent), T0).await.unwrap()
}

/// A JSON request, as the widget sends it (no cookies, maybe a bearer token).
pub fn json_request(method: &str, path: &str, bearer: Option<&str>, body: Option<serde_json::Value>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://customer.example");
    if let Some(t) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())).unwrap(),
        None => req.body(Body::empty()).unwrap(),
    }
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&body_text(res).await).unwrap()
}

/// One server-sent event as the stream framed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub id: Option<i64>,
    pub event: Option<String>,
    pub data: String,
}

/// Reads an SSE body until `count` events (with an `event:` name) have arrived, or
/// the timeout passes; returns what arrived. Presence events, which opening any
/// stream causes, are left out (the presence tests read the log instead), and so are
/// a waiting customer's `queue` frames (the routing tests read them with
/// [`read_frames_of`]).
pub async fn read_frames(body: &mut Body, count: usize, timeout_ms: u64) -> Vec<Frame> {
    read_frames_of(body, count, timeout_ms, |e| !e.ends_with(".presence") && e != "queue").await
}

/// Reads a stream the whole time, as a browser does (a stream is worked as it is
/// read), until the returned sender is dropped or fires; the task returns the frames.
pub fn keep_reading(mut body: Body) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<Vec<Frame>>) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stop_at = async move {
            let _ = (&mut stopped).await;
            // Whatever is already due still arrives.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        };
        let mut frames = Vec::new();
        let mut buf = String::new();
        tokio::pin!(stop_at);
        loop {
            tokio::select! {
                next = body.frame() => match next {
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            parse_frames(&mut buf, &data, &mut frames, |e| !e.ends_with(".presence") && e != "queue");
                        }
                    }
                    _ => break,
                },
                _ = &mut stop_at => break,
            }
        }
        frames
    });
    (stop, task)
}

fn parse_frames(buf: &mut String, data: &[u8], frames: &mut Vec<Frame>, keep: fn(&str) -> bool) {
    buf.push_str(&String::from_utf8_lossy(data));
    while let Some(end) = buf.find("\n\n") {
        let raw: String = buf.drain(..end + 2).collect();
        let mut f = Frame { id: None, event: None, data: String::new() };
        for line in raw.lines() {
            if let Some(v) = line.strip_prefix("id: ").or_else(|| line.strip_prefix("id:")) {
                f.id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("event: ").or_else(|| line.strip_prefix("event:")) {
                f.event = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                f.data.push_str(v);
            }
        }
        if f.event.as_deref().is_some_and(keep) {
            frames.push(f);
        }
    }
}

/// [`read_frames`], keeping the events whose name `keep` accepts.
pub async fn read_frames_of(body: &mut Body, count: usize, timeout_ms: u64, keep: fn(&str) -> bool) -> Vec<Frame> {
    let mut buf = String::new();
    let mut frames = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(timeout_ms);
    while frames.iter().filter(|f: &&Frame| f.event.is_some()).count() < count {
        let next = tokio::time::timeout_at(deadline, body.frame()).await;
        let Ok(Some(Ok(frame))) = next else { break };
        if let Ok(data) = frame.into_data() {
            parse_frames(&mut buf, &data, &mut frames, keep);
        }
    }
    frames
}

pub fn session_token(res: &Response<Body>) -> Option<String> {
    res.headers().get_all(header::SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let value = v.strip_prefix("sb_session=")?.split(';').next()?;
        (!value.is_empty()).then(|| value.to_string())
    })
}

pub async fn body_text(res: Response<Body>) -> String {
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

pub async fn body_text_bytes(res: Response<Body>) -> Vec<u8> {
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}
