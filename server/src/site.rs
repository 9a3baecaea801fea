//! Static files: the console's WASM, JS and CSS, the widget's bundle and `public/`.
//! They are embedded in the binary (`switchboard-site`), so `switchboard serve` works
//! from any folder. `LEPTOS_SITE_ROOT` (set by cargo-leptos, and by the Playwright
//! suite) serves a folder instead, for development. Anything else falls through to
//! Leptos: a file from the folder, or the console's 404 page.
use app::shell;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// Whether the embedded files are served: not when a folder was named at run time.
fn embedded() -> bool {
    static EMBEDDED: OnceLock<bool> = OnceLock::new();
    *EMBEDDED.get_or_init(|| std::env::var_os("LEPTOS_SITE_ROOT").is_none() && switchboard_site::len() > 0)
}

pub async fn fallback(uri: Uri, State(state): State<AppState>, req: Request) -> Response {
    if embedded() && matches!(*req.method(), Method::GET | Method::HEAD) {
        if let Some(asset) = switchboard_site::get(uri.path().trim_start_matches('/')) {
            return serve(asset, &req);
        }
    }
    leptos_axum::file_and_error_handler::<AppState, _>(shell)(uri, State(state), req).await
}

/// An embedded file, revalidated by its hash (the names carry no hash, so a browser
/// must ask again, and gets a 304 while the binary is the same).
fn serve(asset: switchboard_site::Asset, req: &Request) -> Response {
    let etag = format!("\"{}\"", asset.hash);
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let headers = [
        (header::ETAG, HeaderValue::from_str(&etag).expect("hex")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if matches {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let mime = HeaderValue::from_str(&asset.mime).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let body = if req.method() == Method::HEAD { Body::empty() } else { Body::from(asset.bytes) };
    (headers, [(header::CONTENT_TYPE, mime)], body).into_response()
}

/// A split console build's manifest (which on-demand WASM files each lazy page
/// needs), from the embedded site. Leptos reads it from `target/site` on disk to add
/// preload links for the page being rendered; with the site inside the binary it is
/// given here, so a page opened directly fetches its WASM beside the main bundle
/// instead of after it.
pub fn provide_split_manifest() {
    static MANIFEST: OnceLock<Option<leptos::WasmSplitManifest>> = OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| {
        if !embedded() {
            return None;
        }
        let file = switchboard_site::get("pkg/__wasm_split_manifest.json")?;
        let preloads = serde_json::from_slice(&file.bytes).ok()?;
        let value = ("/pkg".to_string(), preloads, "__wasm_split.______________________.js".to_string());
        Some(leptos::WasmSplitManifest(leptos::prelude::ArcStoredValue::new(value)))
    });
    if let Some(manifest) = manifest {
        leptos::prelude::provide_context(manifest.clone());
    }
}
