//! Typing marks, both ways. The visitor's: at most one every 2 s while they type, and
//! one "stopped" when the box is emptied. The agent's: "Alex is typing…" under the
//! messages until their message arrives, they stop, or 5 s pass without a renewal.
use crate::dom::show;
use crate::net::{call, obj};
use crate::Shared;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

const EVERY_MS: f64 = 2000.0;
const TTL_MS: i32 = 5000;

/// The visitor's text changed.
pub(crate) fn input_changed(s: &Shared) {
    let (conv, token, empty, last) = {
        let st = s.borrow();
        (st.conv, st.token.clone(), st.ui.input.value().trim().is_empty(), st.typing_sent)
    };
    let Some(id) = conv else { return };
    let now = js_sys::Date::now();
    let typing = match (empty, last > 0.0) {
        (true, true) => false,
        (false, _) if now - last >= EVERY_MS => true,
        _ => return,
    };
    s.borrow_mut().typing_sent = if typing { now } else { 0.0 };
    spawn_local(async move {
        let body = obj(&[("typing", typing.into())]);
        let _ = call("POST", &format!("/api/widget/conversations/{id}/typing"), Some(&token), Some(&body)).await;
    });
}

/// The visitor sent their message: the next key press says "typing" again at once.
pub(crate) fn sent(s: &Shared) {
    s.borrow_mut().typing_sent = 0.0;
}

/// Shows "{name} is typing…" (or hides it for `None`), for 5 s unless renewed.
pub(crate) fn show_agent_typing(s: &Shared, name: Option<String>) {
    let mark = {
        let mut st = s.borrow_mut();
        st.typing_mark = st.typing_mark.wrapping_add(1);
        if let Some(n) = &name {
            st.ui.typing.set_text_content(Some(&crate::i18n::typing(&n)));
        }
        show(&st.ui.typing, name.is_some());
        st.typing_mark
    };
    if name.is_none() {
        return;
    }
    let s2 = s.clone();
    let expire = Closure::once_into_js(move || {
        let st = s2.borrow();
        if st.typing_mark == mark {
            show(&st.ui.typing, false);
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(expire.unchecked_ref(), TTL_MS);
    }
}
