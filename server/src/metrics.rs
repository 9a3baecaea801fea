//! `GET /metrics` in the Prometheus text format (`metrics` with its Prometheus
//! exporter): requests by route, method and status with latency histograms, open
//! event streams, events published, group-commit batch sizes and commit latency, the
//! database pool, webhook deliveries and backlog, purges, agents by presence. Not
//! public: on the main address it needs an admin token; `--metrics-bind` serves it
//! alone, unauthenticated, on an address of its own (for a scraper on a private
//! network).
use app::api_tokens::extract::AdminToken;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{MatchedPath, State};
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once per process (the tests start many apps).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
        let sizes = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(app::telemetry::COMMIT_BATCH.into()), &sizes))
            .expect("bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        app::telemetry::register();
        handle
    })
}

/// Middleware: counts and times every request by its route pattern (never the raw
/// path, which would make a series per id).
pub async fn track(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let route = route.unwrap_or_else(|| if res.status().as_u16() == 404 { "unmatched".into() } else { "console".into() });
    app::telemetry::http_request(&route, &method, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

/// The exposition, with the values read at scrape time brought up to date first.
pub async fn render(st: &AppState) -> Result<String, AppError> {
    let backlog = app::webhooks::store::backlog(&st.db).await?;
    let presence: Vec<(String, i64)> =
        sqlx::query_as("SELECT availability, COUNT(*) FROM agents WHERE deactivated_at IS NULL GROUP BY availability")
            .fetch_all(st.db.pool())
            .await?;
    let pool = st.db.pool();
    app::telemetry::snapshot(pool.size(), pool.num_idle(), backlog, &presence);
    Ok(handle().render())
}

fn text(body: String) -> axum::response::Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// `GET /metrics` on the main address: admin tokens only.
pub async fn with_token(State(st): State<AppState>, _: AdminToken) -> Result<axum::response::Response, AppError> {
    Ok(text(render(&st).await?))
}

/// The router of `--metrics-bind`: `/metrics` alone.
pub fn private_router(st: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(st): State<AppState>| async move { render(&st).await.map(text) }),
        )
        .with_state(st)
}
