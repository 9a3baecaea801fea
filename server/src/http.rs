//! The axum router: the Leptos console, its server functions and the operational routes.
use crate::origin::check_origin;
use app::state::AppState;
use app::{shell, App};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = state.clone();
    let server_fn_ctx = state.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/api/{*fn_name}",
            axum::routing::post(move |req: axum::extract::Request| {
                let st = server_fn_ctx.clone();
                handle_server_fns_with_context(move || provide_context(st.clone()), req)
            })
            .get(|req: axum::extract::Request| async move {
                // Server functions change state, so they only answer POST.
                let _ = req;
                (StatusCode::METHOD_NOT_ALLOWED, [(axum::http::header::ALLOW, "POST")], "use POST")
            }),
        )
        .leptos_routes_with_context(&state, routes, move || provide_context(ctx.clone()), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), check_origin))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
