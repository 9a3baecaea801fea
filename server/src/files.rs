//! Attachments over HTTP. Uploads are raw bodies (`?name=&client_id=`), refused with
//! 413 from `Content-Length` before anything is read and cut off at the limit when
//! the length is not declared. Downloads go by id, with authorisation, `nosniff`, a
//! sandboxing CSP, and `Content-Disposition: attachment` except for safe images.
use app::attachments::{self, store};
use app::conversations::handling::{self, Actor};
use app::conversations::rules::Action;
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::{visitor, Message, Visibility};
use app::error::AppError;
use app::accounts::identity::SignedIn;
use app::conversations::identity::OwnChat;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct UploadQuery {
    pub name: String,
    pub client_id: String,
    #[serde(default)]
    pub internal: bool,
}

async fn read_limited(st: &AppState, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, AppError> {
    let limit = st.config.max_upload_bytes;
    let too_large = || AppError::PayloadTooLarge(format!("a file may be at most {}", attachments::human_size(limit as i64)));
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit as usize).await.map_err(|_| too_large())?;
    if bytes.is_empty() {
        return Err(AppError::Unprocessable("the file is empty".into()));
    }
    Ok(bytes.to_vec())
}

async fn store_and_send(st: &AppState, conversation_id: i64, author: Author<'_>, q: &UploadQuery, bytes: Vec<u8>) -> Result<(StatusCode, Json<Message>), AppError> {
    app::conversations::store::validate_message(&q.client_id, "file")?;
    let name = attachments::clean_name(&q.name);
    let kind = attachments::check_type(&name, &bytes).map_err(AppError::UnsupportedMediaType)?;
    let file = store::write_file(&st.config.data_dir, name.clone(), kind, &bytes).await?;
    let out = Outgoing {
        conversation_id,
        author,
        client_id: &q.client_id,
        body: &name,
        visibility: if q.internal { Visibility::Internal } else { Visibility::Public },
        file: Some(&file),
    };
    let result = write::send(&st.db, out, st.now()).await;
    let keep = matches!(result, Ok((_, true)));
    if !keep {
        // A retry of an earlier upload, or a failure: this copy is not referenced.
        app::files::remove_attachments(&st.config.data_dir, std::slice::from_ref(&file.key)).await;
    }
    let (message, created) = result?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

/// `POST /api/conversations/{id}/attachments`: an agent sends a file.
pub async fn agent_upload(
    State(st): State<AppState>,
    SignedIn(agent): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Message>), AppError> {
    handling::visible(&st.db, &Actor::of(&agent), id, Action::Reply).await?;
    let bytes = read_limited(&st, &headers, body).await?;
    store_and_send(&st, id, Author::Agent { id: agent.id, name: &agent.name }, &q, bytes).await
}

/// `POST /api/widget/conversations/{id}/attachments`: the visitor sends a file.
pub async fn visitor_upload(
    State(st): State<AppState>,
    OwnChat(conversation): OwnChat,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Message>), AppError> {
    st.limits.visitor(app::limits::VisitorAction::Upload, conversation.id, None)?;
    let q = UploadQuery { internal: false, ..q };
    let bytes = read_limited(&st, &headers, body).await?;
    store_and_send(&st, conversation.id, Author::Customer, &q, bytes).await
}

async fn serve(st: &AppState, found: store::Stored) -> Result<Response, AppError> {
    let path = app::files::attachment_path(&st.config.data_dir, &found.storage_key).ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| AppError::NotFound)?;
    let disposition = if attachments::is_inline_image(&found.content_type) { "inline" } else { "attachment" };
    let ascii: String = found.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = found
        .name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&found.content_type).map_err(|_| AppError::Internal)?);
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")).map_err(|_| AppError::Internal)?,
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    Ok(res)
}

/// `GET /api/attachments/{id}`: for agents who may see the conversation.
pub async fn agent_download(State(st): State<AppState>, SignedIn(agent): SignedIn, Path(id): Path<String>) -> Result<Response, AppError> {
    let found = store::find(&st.db, &id).await?;
    handling::visible(&st.db, &Actor::of(&agent), found.conversation_id, Action::Read).await?;
    serve(&st, found).await
}

#[derive(Deserialize)]
pub struct FileTokenQuery {
    pub token: String,
}

/// `GET /api/widget/attachments/{id}?token=`: the visitor's own public files only.
pub async fn visitor_download(State(st): State<AppState>, Path(id): Path<String>, Query(q): Query<FileTokenQuery>) -> Result<Response, AppError> {
    let key = st.stream_key().await?;
    let conversation_id = visitor::verify_file_token(&key, &q.token, st.now())?;
    let found = store::find(&st.db, &id).await?;
    if found.conversation_id != conversation_id || !found.public {
        return Err(AppError::NotFound);
    }
    serve(&st, found).await
}
