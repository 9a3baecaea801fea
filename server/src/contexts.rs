//! `POST /api/contexts/{type}/{id}/complete`: the host system says a context is done
//! (a test was graded), which starts its chats' retention clock. Authenticated with
//! an API token with the `write` scope (`Authorization: Bearer sbk_…`), not a session.
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use app::api_tokens::{extract::ApiToken, Scope};
use axum::http::StatusCode;

pub async fn complete(
    State(st): State<AppState>,
    token: ApiToken,
    Path((kind, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    token.require(Scope::Write)?;
    app::retention::purge::complete_context(&st.db, &kind, &id, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
