//! Tiny DOM helpers. Text always goes in through `textContent`, so whatever a
//! customer or agent typed shows as text, never as markup.
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

pub fn el(tag: &str, class: &str) -> Element {
    let e = document().create_element(tag).expect("create element");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

pub fn text(tag: &str, class: &str, content: &str) -> Element {
    let e = el(tag, class);
    e.set_text_content(Some(content));
    e
}

pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

pub fn show(e: &Element, visible: bool) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        h.set_hidden(!visible);
    }
}

pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

/// Local "HH:MM" for a millisecond timestamp.
pub fn clock(ms: f64) -> String {
    let d = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// Paths of the widget's icons (24×24 strokes): controls never use emoji, which render
/// as empty boxes where the system has no colour-emoji font.
pub const PAPERCLIP: &str =
    "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48";
pub const CLOSE: &str = "M18 6L6 18M6 6l12 12";
pub const CHAT: &str = "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z";

/// A decorative SVG icon in the current text colour (the control names itself).
pub fn icon(path: &str) -> Element {
    const NS: Option<&str> = Some("http://www.w3.org/2000/svg");
    let doc = document();
    let svg = doc.create_element_ns(NS, "svg").expect("create svg");
    for (k, v) in [
        ("class", "icon"),
        ("viewBox", "0 0 24 24"),
        ("aria-hidden", "true"),
        ("focusable", "false"),
        ("fill", "none"),
        ("stroke", "currentColor"),
        ("stroke-width", "2"),
        ("stroke-linecap", "round"),
        ("stroke-linejoin", "round"),
    ] {
        attr(&svg, k, v);
    }
    let p = doc.create_element_ns(NS, "path").expect("create path");
    attr(&p, "d", path);
    append(&svg, &p);
    svg
}
