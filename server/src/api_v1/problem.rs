//! RFC 9457 problem details: every 4xx and 5xx of `/api/v1` is
//! `application/problem+json` with a type, a title, the status and a detail. Our own
//! errors become problems through [`ApiError`]; anything else (a body that does not
//! parse, an unknown route, a wrong method) through [`as_problems`].
use app::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (a section of the API reference).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = status.canonical_reason().unwrap_or("Error").to_string();
        Problem { kind: format!("/api/docs#problem-{}", status.as_u16()), title, status: status.as_u16(), detail: detail.into() }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, axum::Json(&self)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        res
    }
}

/// An app error, answered as a problem (with `Retry-After` on a 429).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (mut head, body) = Problem::new(status, self.0.to_string()).into_response().into_parts();
        self.0.apply_to(&mut head);
        Response::from_parts(head, body)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Middleware (for the whole router; it acts on `/api/v1/` alone, so the CSRF guard's
/// and the input checks' refusals are problems too): an error answer that is not a problem yet (axum's rejections, a 404
/// for an unknown route, a 405) becomes one, its text the detail.
pub async fn as_problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !req.uri().path().starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let detail = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(v) => v.get("error").and_then(|e| e.as_str()).map(String::from).unwrap_or_else(|| text.to_string()),
        Err(_) if text.trim().is_empty() => status.canonical_reason().unwrap_or("error").to_string(),
        Err(_) => text.trim().to_string(),
    };
    let (mut head, body) = Problem::new(status, detail).into_response().into_parts();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            head.headers.insert(name.clone(), value.clone());
        }
    }
    Response::from_parts(head, body)
}
