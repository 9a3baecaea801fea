//! The boundary for text: every request whose path, query, form fields or JSON
//! strings hold a control character that no text may hold (NUL above all; see
//! [`app::text::forbidden_control`]) is refused here with a 400 and a message, before
//! any handler or database sees it. Uploads (raw bytes) are not text and pass.
use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Bodies larger than this are not text forms: the handler's own limit answers them.
const MAX_TEXT_BODY: usize = 2 * 1024 * 1024;

fn refuse(c: char) -> Response {
    AppError::BadRequest(format!(
        "the request contains the control character U+{:04X}, which text may not hold",
        c as u32
    ))
    .into_response()
}

fn percent_decoded(s: &str) -> String {
    // `+` is a space in queries; it is no control character either way.
    form_urlencoded::parse(s.as_bytes()).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

fn in_json(v: &serde_json::Value) -> Option<char> {
    match v {
        serde_json::Value::String(s) => app::text::forbidden_control(s),
        serde_json::Value::Array(items) => items.iter().find_map(in_json),
        serde_json::Value::Object(map) => {
            map.iter().find_map(|(k, v)| app::text::forbidden_control(k).or_else(|| in_json(v)))
        }
        _ => None,
    }
}

fn in_body(kind: &str, bytes: &Bytes) -> Option<char> {
    if kind.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded::parse(bytes)
            .find_map(|(k, v)| app::text::forbidden_control(&k).or_else(|| app::text::forbidden_control(&v)));
    }
    // JSON holds a control character only as an escape (`\u0000`, `\b`…): one raw in a
    // string is malformed, and malformed JSON is left to the handler, which says what
    // is wrong with it. So a body without a backslash holds none, and is not parsed
    // twice (most sends: the parse was 1.2% of the HTTP workers' time under ingest).
    if !bytes.contains(&b'\\') {
        return None;
    }
    serde_json::from_slice::<serde_json::Value>(bytes).ok().as_ref().and_then(in_json)
}

/// Why a body could not be read: too long, or too slow (the body timeout).
pub fn body_error(e: &axum::Error) -> AppError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return AppError::PayloadTooLarge("the request is too large".into());
        }
        if err.is::<tower_http::timeout::TimeoutError>() {
            return AppError::RequestTimeout("the request body did not arrive in time".into());
        }
        source = err.source();
    }
    AppError::BadRequest("the request body could not be read".into())
}

pub async fn reject_control_chars(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if let Some(c) = app::text::forbidden_control(&path)
        .or_else(|| uri.query().and_then(|q| app::text::forbidden_control(&percent_decoded(q))))
    {
        return refuse(c);
    }
    let kind = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let textual = kind.starts_with("application/json") || kind.starts_with("application/x-www-form-urlencoded");
    if !textual {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TEXT_BODY).await {
        Ok(b) => b,
        Err(e) => return body_error(&e).into_response(),
    };
    if let Some(c) = in_body(&kind, &bytes) {
        return refuse(c);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_controls_in_every_shape_of_text() {
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"body":"a\u0000"}"#)), Some('\0'));
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"a":[1,{"b":"\u0007"}]}"#)), Some('\u{7}'));
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"k\u0000":1}"#)), Some('\0'));
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"body":"line\nnext\ttab"}"#)), None);
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"body":"\\u0000 is text"}"#)), None);
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"body":"a\bb"}"#)), Some('\u{8}'));
        assert_eq!(in_body("application/json", &Bytes::from_static(br#"{"body":"\f"}"#)), Some('\u{c}'));
        // Without an escape, a control character can only be raw: malformed, the handler's to refuse.
        assert_eq!(in_body("application/json", &Bytes::from_static(b"{\"body\":\"a\x01b\"}")), None);
        assert!(serde_json::from_slice::<serde_json::Value>(b"{\"body\":\"a\x01b\"}").is_err());
        assert_eq!(in_body("application/x-www-form-urlencoded", &Bytes::from_static(b"email=a%00b&p=x")), Some('\0'));
        assert_eq!(in_body("application/x-www-form-urlencoded", &Bytes::from_static(b"q=%0Anew+line")), None);
        assert_eq!(app::text::forbidden_control(&percent_decoded("inbox=%00")), Some('\0'));
    }
}
