//! One error type for the whole app. Every variant maps to an HTTP status, so a bad
//! request is always a clear 4xx and never a panic or a bare 500.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("please log in")]
    Unauthorized,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("you are not allowed to do that")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts, try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
    /// Transport problems between the browser and the server (network down, bad encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) | AppError::Transport(_) => 400,
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::RequestTimeout(_) => 408,
            AppError::Conflict(_) => 409,
            AppError::PayloadTooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Unprocessable(_) => 422,
            AppError::TooManyRequests { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that fail to deserialize are the client's fault.
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::BadRequest(msg)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(feature = "ssr")]
impl AppError {
    /// The one place an error becomes an HTTP answer's head: its status, and for a
    /// 429 the `Retry-After`. Plain handlers get it through `IntoResponse`; server
    /// functions (which leptos answers with 500 and the encoded error) through the
    /// router's error-status layer, which decodes the error and calls this.
    pub fn apply_to(&self, head: &mut http::response::Parts) {
        head.status = http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::TooManyRequests { retry_after_secs } = self {
            head.headers.insert(http::header::RETRY_AFTER, (*retry_after_secs).into());
        }
    }
}

/// Plain axum handlers (the widget API, streams) answer errors as JSON with the status.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let (mut head, body) = axum::Json(serde_json::json!({ "error": self.to_string() })).into_response().into_parts();
        self.apply_to(&mut head);
        axum::response::Response::from_parts(head, body)
    }
}
