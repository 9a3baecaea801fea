//! Login sessions: a random token in an HttpOnly, SameSite=Lax cookie; only its
//! SHA-256 is stored, so a leaked database does not leak live sessions.
use super::password;
use super::store::{self, AgentRow};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use cookie::{Cookie, SameSite};
use http::{HeaderMap, HeaderValue};

pub const COOKIE: &str = "sb_session";
const LIFETIME_DAYS: i64 = 30;

pub fn hash_token(token: &str) -> String {
    crate::tokens::hash(token)
}

pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()).filter_map(Result::ok).collect::<Vec<_>>())
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_string())
}

pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let c = Cookie::build((COOKIE, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(cookie::time::Duration::days(LIFETIME_DAYS));
    HeaderValue::from_str(&c.to_string()).expect("cookie is ASCII")
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let c = Cookie::build((COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(cookie::time::Duration::ZERO);
    HeaderValue::from_str(&c.to_string()).expect("cookie is ASCII")
}

/// Checks the credentials and opens a new session. Any session the browser already
/// had is ended, so the session id always changes at login (no fixation).
pub async fn login(
    st: &AppState,
    addr: &str,
    email: &str,
    password_text: &str,
    previous_token: Option<&str>,
) -> AppResult<(String, AgentRow)> {
    let now = st.now();
    if email.trim().is_empty() || password_text.is_empty() {
        return Err(AppError::BadRequest("enter your email and password".into()));
    }
    // Bounded: a flood of logins gets 429 at once instead of piling up argon2 runs
    // (memory) and database lookups (the pool every agent needs).
    let _slot = st.throttle.password_check().ok_or(AppError::TooManyRequests { retry_after_secs: 1 })?;
    // The account key is the email as the lookup below normalises it.
    let account = super::normalize_email(email);
    st.throttle
        .attempt(addr, &account, now)
        .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
    let agent = store::find_by_email(&st.db, email).await?;
    let ok = password::verify(password_text.to_owned(), agent.as_ref().map(|a| a.password_hash.clone())).await;
    let agent = match agent {
        Some(a) if ok => a,
        _ => return Err(AppError::BadCredentials),
    };
    if !agent.is_active() {
        return Err(AppError::Forbidden);
    }
    st.throttle.succeeded(addr, &account);
    if let Some(old) = previous_token {
        store::delete_session(&st.db, &hash_token(old)).await?;
    }
    let token = crate::tokens::random_secret();
    let expires = now + LIFETIME_DAYS * 24 * 3600 * 1000;
    store::insert_session(&st.db, &hash_token(&token), agent.id, now, expires).await?;
    Ok((token, agent))
}

/// The agent behind the request's session cookie: 401 when there is none, or when
/// the agent has been deactivated since.
pub async fn agent_from_headers(st: &AppState, headers: &HeaderMap) -> AppResult<AgentRow> {
    let token = token_from_headers(headers).ok_or(AppError::Unauthorized)?;
    match store::agent_for_session(&st.db, &hash_token(&token), st.now()).await? {
        Some(agent) if agent.is_active() => Ok(agent),
        _ => Err(AppError::Unauthorized),
    }
}
