//! `POST /api/contexts/{type}/{id}/complete`: the host system says a context is done
//! (a test was graded), which starts its chats' retention clock. Authenticated with
//! an admin API token (`Authorization: Bearer sbk_…`), not a session.
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};

pub async fn complete(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    if !app::retention::tokens::verify(&st.db, token).await? {
        return Err(AppError::Unauthorized);
    }
    app::retention::purge::complete_context(&st.db, &kind, &id, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
