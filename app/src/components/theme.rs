//! Light and dark mode. The console follows `prefers-color-scheme` until the agent
//! picks a theme with the toggle; the choice is kept in a cookie, so the server renders
//! `<html data-theme=…>` and the page never flashes the other theme on load.
use crate::components::icons::{Icon, Svg};
use leptos::prelude::*;

pub const COOKIE: &str = "sb_theme";

/// The theme this request's cookie chose: `Some("light" | "dark")`, or `None` (system).
#[cfg(feature = "ssr")]
pub fn from_request() -> Option<&'static str> {
    let parts = use_context::<http::request::Parts>()?;
    let cookies = parts.headers.get_all(http::header::COOKIE);
    let chosen = cookies
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim());
    match chosen {
        Some("dark") => Some("dark"),
        Some("light") => Some("light"),
        _ => None,
    }
}

/// Whether the page shows dark now: the chosen theme, else the system's.
#[cfg(feature = "hydrate")]
fn dark_now() -> bool {
    let doc = document();
    match doc.document_element().and_then(|e| e.get_attribute("data-theme")).as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches()),
    }
}

/// A button that switches between light and dark and remembers the choice.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(false);
    // Effects run only in the browser: read what the page shows after hydration.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        dark.set(dark_now());
    });
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let theme = if next { "dark" } else { "light" };
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-theme", theme);
            }
            if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
                let _ = doc.set_cookie(&format!("{COOKIE}={theme}; path=/; max-age=31536000; samesite=lax"));
            }
        }
    };
    view! {
        <button type="button" class="theme" aria-pressed=move || dark.get().to_string() on:click=toggle>
            {move || if dark.get() { view! { <Svg icon=Icon::Sun/> } } else { view! { <Svg icon=Icon::Moon/> } }}
            "Dark mode"
        </button>
    }
}
