//! Messages from support the customer has not seen: a badge on the launcher, and the
//! host page's `unread` and `message` callbacks (through the loader).
use crate::dom::{attr, show};
use crate::net::{get_str, obj};
use crate::{tell_host, Shared};
use wasm_bindgen::JsValue;

/// A live message arrived (not one loaded with the thread).
pub(crate) fn arrived(s: &Shared, m: &JsValue) {
    if get_str(m, "author_kind").as_deref() != Some("agent") || get_str(m, "visibility").as_deref() != Some("public") {
        return;
    }
    tell_host(&obj(&[
        ("sb", "message".into()),
        ("author", get_str(m, "author_name").unwrap_or_default().into()),
        ("body", get_str(m, "body").unwrap_or_default().into()),
    ]));
    let hidden = crate::dom::document().hidden();
    let count = {
        let mut st = s.borrow_mut();
        if st.open && !hidden {
            return;
        }
        st.unread += 1;
        st.unread
    };
    draw(s, count);
}

/// The panel is open and on screen: everything is seen.
pub(crate) fn cleared(s: &Shared) {
    let was = std::mem::take(&mut s.borrow_mut().unread);
    if was > 0 {
        draw(s, 0);
    }
}

fn draw(s: &Shared, count: u32) {
    let st = s.borrow();
    st.ui.badge.set_text_content(Some(&count.to_string()));
    show(&st.ui.badge, count > 0);
    let label = match count {
        0 => crate::i18n::t(crate::i18n::Key::OpenChat).to_string(),
        n => crate::i18n::unread_label(n),
    };
    attr(&st.ui.launcher, "aria-label", &label);
    tell_host(&obj(&[("sb", "unread".into()), ("count", (count as f64).into())]));
}
