#![recursion_limit = "256"]
//! The console's hydrate entry: the WASM bundle that takes over the server-rendered page.
use wasm_bindgen::prelude::wasm_bindgen;

/// Hydrates asynchronously: a page that is a lazy route (split out of the first load
/// with `cargo leptos build --split`) is hydrated once its WASM has arrived.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = leptos::prelude::document().body() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // Reached only when hydration succeeded (a mismatch panics above): tests wait
        // for this mark before they click.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
