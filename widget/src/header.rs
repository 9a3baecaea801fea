//! The panel's header and what the inbox's config sets: the title, the brand look,
//! the conversation's state, who is answering, and whether the team is online, away
//! or outside its hours (with the offline form).
use crate::dom::{self, attr, show};
use crate::i18n::{self, t, Key};
use crate::net::{call, get, get_f64, get_str, obj};
use crate::{survey, tell_host, Shared};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(crate) fn set_status(s: &Shared, status: &str, reason: Option<String>) {
    let label = match (status, reason.as_deref()) {
        ("new", _) => t(Key::Waiting),
        ("open", _) => t(Key::Open),
        ("closed", Some("cancelled")) => t(Key::Cancelled),
        ("closed", Some("solved")) => t(Key::Solved),
        ("closed", _) => t(Key::Closed),
        ("ended", _) => t(Key::Ended),
        _ => "",
    };
    {
        let st = s.borrow();
        st.ui.status.set_text_content(Some(label));
        attr(&st.ui.status, "data-status", status);
    }
    // An ended chat may want a rating; a reopened one no longer shows the card.
    if status == "closed" {
        survey::check(s);
    } else {
        survey::hide(s);
    }
}

/// The inbox's brand: colours as custom properties (the server picked the text colour
/// for contrast), and the launcher's side, which the loader applies to the frame.
fn apply_look(cfg: &JsValue) {
    let Some(root) = dom::document().document_element() else { return };
    // Only well-formed #rrggbb values reach the style attribute.
    let hex = |key: &str| get_str(cfg, key).filter(|v| v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit()));
    // Through the CSSOM: the frame's CSP refuses style attributes.
    if let (Some(brand), Some(ink), Some(h)) = (hex("brand_color"), hex("text_color"), root.dyn_ref::<web_sys::HtmlElement>()) {
        let _ = h.style().set_property("--brand", &brand);
        let _ = h.style().set_property("--brand-ink", &ink);
    }
    let side = if get_str(cfg, "launcher").as_deref() == Some("left") { "left" } else { "right" };
    attr(&root, "data-launcher", side);
    tell_host(&obj(&[("sb", "layout".into()), ("side", side.into())]));
}

/// Who is answering, in the header: their initials and name, or nothing while waiting.
pub(crate) fn set_agent(s: &Shared, name: Option<String>) {
    let st = s.borrow();
    match name.filter(|n| !n.is_empty()) {
        Some(n) => {
            st.ui.agent_avatar.set_text_content(Some(&dom::initials(&n)));
            st.ui.agent_name.set_text_content(Some(&n));
            show(&st.ui.agent, true);
        }
        None => show(&st.ui.agent, false),
    }
}

pub(crate) async fn load_config(s: Shared) {
    let inbox = s.borrow().inbox.clone();
    let Ok((200, cfg)) = call("GET", &format!("/api/widget/config?inbox={inbox}"), None, None).await else {
        s.borrow().ui.title.set_text_content(Some(t(Key::Unavailable)));
        return;
    };
    let st = s.borrow();
    if let Some(title) = get_str(&cfg, "title").or_else(|| get_str(&cfg, "name")) {
        st.ui.title.set_text_content(Some(&title));
    }
    apply_look(&cfg);
    if let Some(greeting) = get_str(&cfg, "greeting") {
        st.ui.greeting.set_text_content(Some(&greeting));
        show(&st.ui.greeting, true);
    }
    let wants_prechat = get(&cfg, "prechat_form").as_bool().unwrap_or(false);
    // Online, away, or outside business hours (the offline form: an email is needed).
    let line = match get_str(&cfg, "state").as_deref() {
        Some("offline") => {
            let back = get(&cfg, "back");
            Some((i18n::back(get_f64(&back, "day").map(|d| d as u8), get_str(&back, "time"), get_f64(&back, "in_days").map(|d| d as i64)), true))
        }
        Some("away") => Some((t(Key::OfflineNotice).to_string(), false)),
        _ => {
            if let Some(ms) = get_f64(&cfg, "reply_ms") {
                st.ui.reply_time.set_text_content(Some(&i18n::typically(ms)));
                show(&st.ui.reply_time, true);
            }
            None
        }
    };
    drop(st);
    let offline = matches!(line, Some((_, true)));
    s.borrow_mut().offline = offline;
    let st = s.borrow();
    if let Some((text, _)) = line {
        st.ui.notice.set_text_content(Some(&text));
        show(&st.ui.notice, true);
    }
    attr(&st.ui.email, "aria-required", if offline { "true" } else { "false" });
    show(&st.ui.prechat, (wants_prechat || offline) && st.conv.is_none() && !st.identity.is_object());
}
