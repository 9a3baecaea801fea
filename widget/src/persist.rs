//! Where the visitor's token and conversation survive a reload.
//!
//! The frame's own storage is third-party storage: browsers that block it (Chrome's
//! incognito default, "block third-party cookies") throw on every access, and the
//! visitor would get a new token, and a second chat, on every page load. So the
//! loader on the host page keeps a copy in the host's own (first-party) storage and
//! hands it to the frame when the frame says it is ready; the frame saves to both.
//! Messages go to, and are taken from, the embedding page's origin only.
use crate::net::{get, get_f64, get_str, obj};
use wasm_bindgen::JsValue;

/// What a previous page load left.
#[derive(Default, Clone)]
pub(crate) struct Saved {
    pub(crate) token: Option<String>,
    pub(crate) conv: Option<i64>,
}

fn own_storage() -> Option<web_sys::Storage> {
    // Blocked third-party storage throws here (SecurityError): treat it as absent.
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn token_key(inbox: &str) -> String {
    format!("sb:token:{inbox}")
}

fn conv_key(inbox: &str) -> String {
    format!("sb:conv:{inbox}")
}

/// What the frame's own storage holds, if it can be read.
pub(crate) fn own(inbox: &str) -> Saved {
    let Some(store) = own_storage() else { return Saved::default() };
    Saved {
        token: store.get_item(&token_key(inbox)).ok().flatten().filter(|t| !t.is_empty()),
        conv: store.get_item(&conv_key(inbox)).ok().flatten().and_then(|v| v.parse().ok()),
    }
}

/// What the loader sent from the host page's storage (`{token, conv}` or null).
pub(crate) fn from_host(data: &JsValue) -> Saved {
    Saved {
        token: get_str(data, "token").filter(|t| !t.is_empty()),
        conv: get_f64(data, "conv").map(|c| c as i64),
    }
}

/// The origin of the page that embeds the frame, as the browser reports it (not as
/// anyone claims it): `ancestorOrigins` where supported, else the referrer's origin.
pub(crate) fn host_origin() -> Option<String> {
    let window = web_sys::window()?;
    // Not in web-sys (Chrome and Safari have it; Firefox does not).
    let list = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into()).ok();
    if let Some(first) = list.and_then(|l| js_sys::Reflect::get(&l, &0.into()).ok()).and_then(|o| o.as_string()) {
        return Some(first);
    }
    let referrer = window.document()?.referrer();
    web_sys::Url::new(&referrer).ok().map(|u| u.origin()).filter(|o| o != "null" && !o.is_empty())
}

/// Saves the token and conversation in the frame's storage (when it can) and in the
/// host page's (through the loader).
pub(crate) fn save(inbox: &str, token: &str, conv: Option<i64>, host: Option<&str>) {
    if let Some(store) = own_storage() {
        let _ = store.set_item(&token_key(inbox), token);
        let _ = match conv {
            Some(c) => store.set_item(&conv_key(inbox), &c.to_string()),
            None => store.remove_item(&conv_key(inbox)),
        };
    }
    let (Some(host), Some(parent)) = (host, web_sys::window().and_then(|w| w.parent().ok().flatten())) else { return };
    let data = obj(&[("token", token.into()), ("conv", conv.map(|c| JsValue::from(c as f64)).unwrap_or(JsValue::NULL))]);
    let _ = parent.post_message(&obj(&[("sb", "save".into()), ("data", data)]), host);
}

/// Whether a message event came from the embedding page (its window, and its origin
/// when that is known).
pub(crate) fn from_embedder(e: &web_sys::MessageEvent, host: Option<&str>) -> bool {
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    let same_window = match (e.source(), parent) {
        (Some(src), Some(p)) => JsValue::from(src) == JsValue::from(p),
        _ => false,
    };
    same_window && host.is_none_or(|h| e.origin() == h)
}

/// `data` of a message, for readers that take a `JsValue`.
pub(crate) fn payload(e: &web_sys::MessageEvent) -> JsValue {
    get(&e.data(), "data")
}
