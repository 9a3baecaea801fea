//! CSV downloads. `GET /api/conversations.csv?<the list's query>`: the filtered list,
//! streamed page by page over the same keyset query, never built in memory; and one
//! chat's export.
use app::accounts::session;
use app::error::AppError;
use app::inbox::csv::{encode, list_record, LIST_HEADER};
use app::inbox::query::{page, validate, Viewer};
use app::inbox::ListQuery;
use app::state::AppState;
use axum::body::{Body, Bytes};
use app::conversations::handling::{self, Actor};
use app::conversations::rules::Action;
use app::conversations::transcript;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use std::convert::Infallible;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub async fn conversations_csv(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(mut q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let agent = session::agent_from_headers(&st, &headers).await?;
    validate(&q)?;
    let viewer = Viewer { id: agent.id, role: agent.role() };
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(4);
    let header_row = encode([LIST_HEADER.map(String::from)])?;
    tokio::spawn(async move {
        if tx.send(Ok(header_row.into())).await.is_err() {
            return;
        }
        q.size = 100;
        q.before = None;
        loop {
            let Ok(p) = page(&st.db, &viewer, &q, st.now()).await else { return };
            let Ok(chunk) = encode(p.rows.iter().map(list_record)) else { return };
            if tx.send(Ok(chunk.into())).await.is_err() {
                return; // the client went away
            }
            match p.next {
                Some(next) => q.after = Some(next),
                None => return,
            }
        }
    });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, "attachment; filename=\"conversations.csv\"")
        .body(Body::from_stream(ReceiverStream::new(rx)))
        .expect("static headers"))
}

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    /// Include internal notes and off-the-record lines (supervisors only).
    #[serde(default)]
    pub internal: bool,
}

/// `GET /api/conversations/{id}/export.csv`: one chat as CSV. Agents by session, within
/// their inboxes; a visitor by their bearer token, for their own chat only (any other
/// is a 404) and without internal lines.
pub async fn conversation_csv(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let include_internal = if headers.contains_key(header::AUTHORIZATION) {
        crate::widget_api::own_conversation(&st, &headers, id).await?;
        false
    } else {
        let agent = session::agent_from_headers(&st, &headers).await?;
        let action = if q.internal { Action::ExportInternal } else { Action::Export };
        handling::visible(&st.db, &Actor::of(&agent), id, action).await?;
        q.internal
    };
    let mut records = vec![transcript::HEADER.map(String::from).to_vec()];
    records.extend(transcript::rows(&st.db, id, include_internal).await?);
    let body = encode(records)?;
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"conversation-{id}.csv\""))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .expect("static headers"))
}
