//! Files in the widget: the picker and drag-and-drop, the upload (a raw body with the
//! visitor's bearer token), and how attachments show: images as thumbnails, other
//! files as a chip with name and size. Links carry a file token, since an `<img>`
//! or a download cannot send a bearer header.
use crate::dom::{append, attr, el, text};
use crate::net::{get, get_f64, get_str};
use crate::{ensure_conversation, on, pending_bubble, render, Shared};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, File};

/// Fetches a fresh file token for the conversation (it lasts an hour).
pub(crate) async fn refresh_file_token(s: &Shared) {
    let (conv, token) = {
        let st = s.borrow();
        (st.conv, st.token.clone())
    };
    let Some(id) = conv else { return };
    if let Ok((200, t)) = crate::net::call("POST", &format!("/api/widget/conversations/{id}/stream-token"), Some(&token), None).await {
        if let Some(f) = get_str(&t, "file_token") {
            s.borrow_mut().file_token = f;
        }
    }
}

fn size_text(bytes: f64) -> String {
    match bytes {
        // Integers only: formatting an f64 pulls about 12 kB of float code into the WASM.
        b if b < 1024.0 => format!("{} B", b as i64),
        b if b < 1024.0 * 1024.0 => format!("{} KB", (b / 1024.0) as i64),
        b => {
            let tenths = (b * 10.0 / (1024.0 * 1024.0)).round() as i64;
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    }
}

/// Adds the message's attachments to its bubble; `true` when there were any.
pub(crate) fn render_attachments(s: &Shared, li: &Element, m: &JsValue) -> bool {
    let list = js_sys::Array::from(&get(m, "attachments"));
    if list.length() == 0 {
        return false;
    }
    let token = s.borrow().file_token.clone();
    for a in list.iter() {
        let id = get_str(&a, "id").unwrap_or_default();
        let name = get_str(&a, "name").unwrap_or_default();
        let href = format!("/api/widget/attachments/{id}?token={token}");
        let kind = get_str(&a, "content_type").unwrap_or_default();
        if matches!(kind.as_str(), "image/png" | "image/jpeg" | "image/gif" | "image/webp") {
            let link = el("a", "thumb-link");
            attr(&link, "href", &href);
            attr(&link, "target", "_blank");
            let img = el("img", "thumb");
            attr(&img, "src", &href);
            attr(&img, "alt", &name);
            append(&link, &img);
            append(li, &link);
        } else {
            let chip = text("a", "file", &format!("{name} · {}", size_text(get_f64(&a, "size").unwrap_or_default())));
            attr(&chip, "href", &href);
            attr(&chip, "download", &name);
            append(li, &chip);
        }
    }
    true
}

async fn upload(s: &Shared, file: &File, client: &str) -> Result<JsValue, String> {
    let id = ensure_conversation(s).await?;
    if s.borrow().file_token.is_empty() {
        refresh_file_token(s).await;
    }
    let token = s.borrow().token.clone();
    let path = format!(
        "/api/widget/conversations/{id}/attachments?name={}&client_id={client}",
        String::from(js_sys::encode_uri_component(&file.name()))
    );
    let (status, body) = crate::net::fetch("POST", &path, Some(&token), Some(file), None).await?;
    if status >= 400 {
        return Err(get_str(&body, "error").unwrap_or_else(|| format!("error {status}")));
    }
    Ok(body)
}

fn send_files(s: &Shared, files: Option<web_sys::FileList>) {
    let Some(files) = files else { return };
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        let s = s.clone();
        let client = crate::uuid();
        let li = pending_bubble(&s, &client, &file.name());
        spawn_local(async move {
            match upload(&s, &file, &client).await {
                Ok(m) => render(&s, &m),
                Err(e) => {
                    if let Ok(Some(meta)) = li.query_selector(".meta") {
                        meta.set_text_content(Some(&crate::i18n::not_sent(&e)));
                    }
                }
            }
        });
    }
}

/// The picker and drag-and-drop onto the panel.
pub(crate) fn wire(s: &Shared) {
    let st = s.borrow();
    let input = st.ui.file.clone();
    let s1 = s.clone();
    let picked = input.clone();
    on(&input, "change", move |_: web_sys::Event| {
        send_files(&s1, picked.files());
        picked.set_value("");
    });
    on(&st.ui.panel, "dragover", move |e: web_sys::DragEvent| e.prevent_default());
    let s2 = s.clone();
    on(&st.ui.panel, "drop", move |e: web_sys::DragEvent| {
        e.prevent_default();
        send_files(&s2, e.data_transfer().and_then(|d| d.files()));
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(super::size_text(900.0), "900 B");
        assert_eq!(super::size_text(2_048.0), "2 KB");
        assert_eq!(super::size_text(1_572_864.0), "1.5 MB");
        assert_eq!(super::size_text(10.0 * 1_048_576.0), "10.0 MB");
    }
}
