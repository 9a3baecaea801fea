//! Visitor credentials. The widget keeps a long-lived random token (in its frame's
//! storage and, through the loader, the host page's) and sends it only in an
//! `Authorization` header. Event streams, which cannot carry
//! headers, get a short-lived token instead, signed with a server key and bound to
//! one conversation, so no long-lived secret ever appears in a URL.
use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How long a stream token is valid for opening (not for staying open).
pub const STREAM_TOKEN_MS: i64 = 5 * 60 * 1000;

/// A visitor token must be long and random enough to be a secret.
pub fn check_token(token: &str) -> AppResult<()> {
    if !(22..=128).contains(&token.len()) || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::BadRequest("the visitor token must be 22 to 128 URL-safe characters".into()));
    }
    Ok(())
}

pub fn hash_token(token: &str) -> String {
    crate::tokens::hash(token)
}

fn sign(key: &[u8], msg: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// `CONVERSATION.EXPIRES.SIGNATURE`
pub fn issue_stream_token(key: &[u8], conversation_id: i64, now: i64) -> String {
    let claims = format!("{conversation_id}.{}", now + STREAM_TOKEN_MS);
    format!("{claims}.{}", URL_SAFE_NO_PAD.encode(sign(key, &claims)))
}

/// The conversation a stream token opens; 404 for anything forged or expired, so a
/// stranger learns nothing about which conversations exist.
pub fn verify_stream_token(key: &[u8], token: &str, now: i64) -> AppResult<i64> {
    let (claims, sig) = token.rsplit_once('.').ok_or(AppError::NotFound)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| AppError::NotFound)?;
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(claims.as_bytes());
    mac.verify_slice(&sig).map_err(|_| AppError::NotFound)?;
    let (conv, expires) = claims.split_once('.').ok_or(AppError::NotFound)?;
    let expires: i64 = expires.parse().map_err(|_| AppError::NotFound)?;
    if now >= expires {
        return Err(AppError::NotFound);
    }
    conv.parse().map_err(|_| AppError::NotFound)
}

/// How long a file token (the widget's links to attachments) lasts.
pub const FILE_TOKEN_MS: i64 = 60 * 60 * 1000;

/// `file:CONVERSATION.EXPIRES.SIGNATURE`: lets the widget's `<img>` and download links
/// (which cannot carry a bearer header) reach its own conversation's files. The prefix
/// keeps stream and file tokens from standing in for each other.
pub fn issue_file_token(key: &[u8], conversation_id: i64, now: i64) -> String {
    let claims = format!("file:{conversation_id}.{}", now + FILE_TOKEN_MS);
    format!("{claims}.{}", URL_SAFE_NO_PAD.encode(sign(key, &claims)))
}

pub fn verify_file_token(key: &[u8], token: &str, now: i64) -> AppResult<i64> {
    let (claims, sig) = token.rsplit_once('.').ok_or(AppError::NotFound)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| AppError::NotFound)?;
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(claims.as_bytes());
    mac.verify_slice(&sig).map_err(|_| AppError::NotFound)?;
    let (conv, expires) = claims.strip_prefix("file:").and_then(|c| c.split_once('.')).ok_or(AppError::NotFound)?;
    let expires: i64 = expires.parse().map_err(|_| AppError::NotFound)?;
    if now >= expires {
        return Err(AppError::NotFound);
    }
    conv.parse().map_err(|_| AppError::NotFound)
}

/// `signature` is hex HMAC-SHA256(inbox secret, external_id), as the host's backend
/// computes it; verified in constant time.
pub fn identity_is_signed(inbox_secret: &str, external_id: &str, signature: &str) -> bool {
    let Ok(sig) = hex::decode(signature) else { return false };
    let mut mac = HmacSha256::new_from_slice(inbox_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(external_id.as_bytes());
    mac.verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_tokens_are_bound_and_expire() {
        let key = b"k".repeat(32);
        let t = issue_stream_token(&key, 7, 1000);
        assert_eq!(verify_stream_token(&key, &t, 1001), Ok(7));
        assert_eq!(verify_stream_token(&key, &t, 1000 + STREAM_TOKEN_MS), Err(AppError::NotFound));
        assert_eq!(verify_stream_token(b"other key", &t, 1001), Err(AppError::NotFound));
        let forged = t.replacen("7.", "8.", 1);
        assert_eq!(verify_stream_token(&key, &forged, 1001), Err(AppError::NotFound));
        assert_eq!(verify_stream_token(&key, "garbage", 1001), Err(AppError::NotFound));
    }

    #[test]
    fn file_and_stream_tokens_do_not_stand_in_for_each_other() {
        let key = b"k".repeat(32);
        let f = issue_file_token(&key, 7, 1000);
        assert_eq!(verify_file_token(&key, &f, 1001), Ok(7));
        assert_eq!(verify_stream_token(&key, &f, 1001), Err(AppError::NotFound));
        assert_eq!(verify_file_token(&key, &issue_stream_token(&key, 7, 1000), 1001), Err(AppError::NotFound));
        assert_eq!(verify_file_token(&key, &f, 1000 + FILE_TOKEN_MS), Err(AppError::NotFound));
    }

    #[test]
    fn identity_signatures_verify() {
        let sig: String = sign(b"inbox-secret", "user-42").iter().map(|b| format!("{b:02x}")).collect();
        assert!(identity_is_signed("inbox-secret", "user-42", &sig));
        assert!(!identity_is_signed("inbox-secret", "user-43", &sig));
        assert!(!identity_is_signed("other", "user-42", &sig));
        assert!(!identity_is_signed("inbox-secret", "user-42", "zz"));
        // Multi-byte characters at odd byte offsets once panicked the server (it sliced
        // the string by bytes).
        for odd in ["aéa", "é", "ééé", "0é", "日本", "\u{0}\u{0}"] {
            assert!(!identity_is_signed("inbox-secret", "user-42", odd), "{odd:?}");
        }
        assert!(!identity_is_signed("inbox-secret", "user-42", &format!("é{}", &sig[1..])));
        assert!(identity_is_signed("inbox-secret", "user-42", &sig.to_uppercase()));
    }

    #[test]
    fn visitor_tokens_must_look_random() {
        assert!(check_token("short").is_err());
        assert!(check_token(&"a".repeat(22)).is_ok());
        assert!(check_token(&format!("{}/", "a".repeat(22))).is_err());
    }
}
