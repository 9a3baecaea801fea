//! The axum router: the Leptos console, its server functions and the operational routes.
use crate::origin::check_origin;
use app::error::AppError;
use app::state::AppState;
use app::{shell, App};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = state.clone();
    crate::metrics::handle();
    Router::new()
        .nest("/api/v1", crate::api_v1::routes())
        .route("/api/docs", get(crate::api_v1::reference))
        .route("/metrics", get(crate::metrics::with_token))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/api/events", get(crate::sse::agent_events))
        .route("/api/conversations.csv", get(crate::export::conversations_csv))
        .route("/api/admin/audit.csv", get(crate::export::audit_csv))
        .route("/api/reports.csv", get(crate::export::report_csv))
        .route("/api/customers/{id}/export.json", get(crate::export::customer_json))
        .route("/api/conversations/{id}/export.csv", get(crate::export::conversation_csv))
        .route("/api/contexts/{kind}/{id}/complete", post(crate::contexts::complete))
        .route("/api/conversations/{id}/attachments", post(crate::files::agent_upload))
        .route("/api/attachments/{id}", get(crate::files::agent_download))
        .route("/api/widget/conversations/{id}/attachments", post(crate::files::visitor_upload))
        .route("/api/widget/attachments/{id}", get(crate::files::visitor_download))
        .route("/api/widget/events", get(crate::sse::visitor_events))
        .route("/api/widget/config", get(crate::widget_api::config))
        .route("/api/widget/conversations", post(crate::widget_api::start))
        .route("/api/widget/conversations/{id}", get(crate::widget_api::thread))
        .route("/api/widget/conversations/{id}/messages", post(crate::widget_api::send))
        .route("/api/widget/conversations/{id}/stream-token", post(crate::widget_api::stream_token))
        .route("/api/widget/conversations/{id}/identify", post(crate::widget_api::identify))
        .route("/api/widget/conversations/{id}/context", post(crate::widget_api::context))
        .route("/api/widget/conversations/{id}/typing", post(crate::widget_api::typing))
        .route("/api/widget/conversations/{id}/seen", post(crate::widget_api::seen))
        .route("/api/widget/conversations/{id}/csat", get(crate::widget_api::survey).post(crate::widget_api::rate))
        .route("/widget/frame", get(crate::widget_api::frame))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx.clone());
                crate::site::provide_split_manifest();
            },
            {
                let options = (*state.leptos_options).clone();
                move || shell(options.clone())
            },
        )
        .fallback(crate::site::fallback)
        .layer(axum::middleware::map_response(with_error_status))
        .layer(axum::middleware::from_fn(crate::input::reject_control_chars))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), check_origin))
        // The default predicate leaves `text/event-stream` alone: a compressor would
        // buffer the stream and hold events back.
        // A body that stops arriving is cut off (the connection's header timeout
        // covers the head; see `listen`).
        .layer(RequestBodyTimeoutLayer::new(state.config.body_timeout))
        .layer(axum::middleware::from_fn(crate::api_v1::problem::as_problems))
        .layer(axum::middleware::from_fn(compress))
        // A panic anywhere becomes a logged 500 for that request alone.
        .layer(CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

fn panicked(err: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a request panicked");
    axum::response::IntoResponse::into_response(AppError::Internal)
}

/// Server functions answer every error with 500, including arguments that failed to
/// parse before our code ran (leptos_axum registers them, with POST only, inside
/// `leptos_routes_with_context`). The body is the encoded `AppError`: give it its
/// status and headers ([`AppError::apply_to`], the same as every plain handler's).
async fn with_error_status(res: axum::response::Response) -> axum::response::Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        err.apply_to(&mut parts);
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The console must not be framed by other sites (clickjacking); only the widget's
/// page is made to be embedded. Nothing is ever content-sniffed.
/// Compresses a response (brotli or gzip, as the client accepts; tower-http's
/// predicate leaves small bodies, images and event streams alone), but an event
/// stream never passes through the compressor at all: tower-http's compressed body
/// keeps every encoder's state inline, 5.8 KiB a response, which a stream would hold
/// for as long as it stays open (58 MiB for 10,000 idle streams, measured with
/// heaptrack). The handler runs first; the compressor then wraps its response.
async fn compress(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header::{ACCEPT_ENCODING, CONTENT_TYPE};
    use tower::{Layer, ServiceExt};
    let (method, accept) = (req.method().clone(), req.headers().get(ACCEPT_ENCODING).cloned());
    let res = next.run(req).await;
    let streaming = res.headers().get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
    if streaming || accept.is_none() {
        return res;
    }
    let mut probe = axum::extract::Request::new(axum::body::Body::empty());
    *probe.method_mut() = method;
    probe.headers_mut().extend(accept.map(|v| (ACCEPT_ENCODING, v)));
    let mut res = Some(res);
    let answer = tower::service_fn(move |_| std::future::ready(Ok::<_, std::convert::Infallible>(res.take().unwrap_or_default())));
    match CompressionLayer::new().layer(answer).oneshot(probe).await {
        Ok(compressed) => compressed.map(axum::body::Body::new),
        Err(never) => match never {},
    }
}

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let framable = req.uri().path() == "/widget/frame";
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !framable {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

/// Ready when the database answers; the body also tells how far behind the event
/// pump and the webhook reader are (events not yet published or queued) and how many
/// webhook deliveries wait.
async fn readyz(State(state): State<AppState>) -> (StatusCode, axum::Json<serde_json::Value>) {
    if !state.db.ping().await {
        return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "status": "unavailable", "database": "unavailable" })));
    }
    let newest = app::events::store::last_id(&state.db).await.unwrap_or(0);
    let published = state.hub.published().max(0);
    let cursor = app::webhooks::derive::cursor(&state.db).await.unwrap_or(0);
    let backlog = app::webhooks::store::backlog(&state.db).await.unwrap_or(0);
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({
            "status": "ready",
            "database": "ok",
            "event_pump_lag": (newest - published).max(0),
            "webhook_reader_lag": (newest - cursor).max(0),
            "webhook_backlog": backlog,
        })),
    )
}

