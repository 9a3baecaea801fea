//! "Seen", both ways. The widget tells the server which messages the customer has had
//! on screen (the panel open, the page visible), and shows "Seen" under the customer's
//! newest message an agent has read.
use crate::dom::{append, text};
use crate::net::{call, obj};
use crate::Shared;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

/// An agent read the customer's messages up to `id`.
pub(crate) fn agent_seen(s: &Shared, id: f64) {
    {
        let mut st = s.borrow_mut();
        st.agent_seen = st.agent_seen.max(id);
    }
    mark(s);
}

/// Puts the one "Seen" mark under the newest customer message an agent has read.
pub(crate) fn mark(s: &Shared) {
    let st = s.borrow();
    if let Ok(old) = st.ui.list.query_selector_all(".seen-mark") {
        for i in 0..old.length() {
            if let Some(el) = old.get(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                el.remove();
            }
        }
    }
    let Ok(mine) = st.ui.list.query_selector_all("li.msg-customer[data-id]") else { return };
    let newest_seen = (0..mine.length())
        .filter_map(|i| mine.get(i)?.dyn_into::<web_sys::Element>().ok())
        .filter(|li| li.get_attribute("data-id").and_then(|v| v.parse::<i64>().ok()).is_some_and(|id| id as f64 <= st.agent_seen))
        .last();
    if let Some(li) = newest_seen {
        append(&li, &text("div", "seen-mark", crate::i18n::t(crate::i18n::Key::Seen)));
    }
}

/// Tells the server what the customer has on screen now, if it is new.
pub(crate) fn report(s: &Shared) {
    let visible = web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden());
    let (conv, token, newest) = {
        let st = s.borrow();
        let newest = st.rendered.iter().copied().fold(0.0, f64::max);
        if !st.open || !visible || newest <= st.seen_sent {
            return;
        }
        (st.conv, st.token.clone(), newest)
    };
    let Some(id) = conv else { return };
    s.borrow_mut().seen_sent = newest;
    spawn_local(async move {
        let body = obj(&[("message_id", newest.into())]);
        let _ = call("POST", &format!("/api/widget/conversations/{id}/seen"), Some(&token), Some(&body)).await;
    });
}
