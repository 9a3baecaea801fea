//! Cross-site request forgery guard. Browsers send `Origin` on every POST; a mutation
//! whose origin is not this server (or an allowed one) is refused with 403 before
//! any handler runs. Clients that send no `Origin` (scripts, curl) carry no ambient
//! browser credentials worth forging, but `Sec-Fetch-Site: cross-site` is still refused.
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Paths that other sites call on purpose, with their own bearer tokens and no cookies.
const CROSS_SITE_PATHS: [&str; 1] = ["/api/widget/"];

pub async fn check_origin(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || CROSS_SITE_PATHS.iter().any(|p| req.uri().path().starts_with(p)) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let allowed = match headers.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("null")) {
        Some(origin) => same_host(origin, host) || state.config.allowed_origins.iter().any(|a| a == origin),
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) != Some("cross-site"),
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-origin mutation refused");
        (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
    }
}

/// `http://host:port` or `https://host:port` with exactly the request's Host.
fn same_host(origin: &str, host: &str) -> bool {
    let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    !host.is_empty() && rest == Some(host)
}

#[cfg(test)]
mod tests {
    use super::same_host;

    #[test]
    fn origin_must_match_host_exactly() {
        assert!(same_host("http://127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(same_host("https://chat.example.com", "chat.example.com"));
        assert!(!same_host("http://127.0.0.1:3001", "127.0.0.1:3000"));
        assert!(!same_host("http://evil.com", "127.0.0.1:3000"));
        assert!(!same_host("null", "127.0.0.1:3000"));
        assert!(!same_host("http://chat.example.com.evil.com", "chat.example.com"));
        assert!(!same_host("http://x", ""));
    }
}
