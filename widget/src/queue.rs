//! Where the customer stands while their chat waits: "You are number 3 in line ·
//! about 2 min", from the stream's `queue` frames (sent on every change to the
//! queue, never replayed), and hidden once an agent takes the chat.
use crate::dom::show;
use crate::net::get_f64;
use crate::Shared;
use wasm_bindgen::JsValue;

/// A `queue` frame arrived.
pub(crate) fn show_spot(s: &Shared, data: &JsValue) {
    let st = s.borrow();
    match get_f64(data, "position").filter(|p| *p >= 1.0) {
        Some(p) => {
            st.ui.queue.set_text_content(Some(&crate::i18n::queue_line(p as u32, get_f64(data, "estimate_ms"))));
            crate::dom::attr(&st.ui.queue, "data-position", &(p as u32).to_string());
            show(&st.ui.queue, true);
        }
        None => show(&st.ui.queue, false),
    }
}
