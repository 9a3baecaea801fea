//! The Switchboard customer widget. It runs inside the iframe that `widget.js` adds to
//! the host page, keeps the visitor's token in its own storage, and talks to the
//! widget API and its event stream. Built without a framework to stay small.
mod conversation;
mod dom;
mod files;
mod net;
mod stream;
mod ui;

pub(crate) use conversation::{ended, ensure_conversation, load_thread};
use conversation::{push_context, push_identity};
use ui::{build_ui, Ui};

use dom::{append, attr, el, show, text};
use net::{call, get, get_f64, get_str, obj};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, EventSource, KeyboardEvent, MessageEvent};

pub(crate) struct State {
    pub(crate) inbox: String,
    pub(crate) token: String,
    pub(crate) conv: Option<i64>,
    pub(crate) last_event: f64,
    pub(crate) rendered: Vec<f64>,
    pub(crate) identity: JsValue,
    pub(crate) context: JsValue,
    pub(crate) stream: Option<EventSource>,
    /// Opens the conversation's files (`<img>` and downloads cannot send a bearer).
    pub(crate) file_token: String,
    pub(crate) ui: Ui,
}

pub(crate) type Shared = Rc<RefCell<State>>;

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub(crate) fn uuid() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default()
}

fn tell_host(msg: &JsValue) {
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        // Only layout hints and "ready" go out: nothing secret.
        let _ = parent.post_message(msg, "*");
    }
}

pub(crate) fn on<E: wasm_bindgen::convert::FromWasmAbi + 'static>(target: &web_sys::EventTarget, kind: &str, f: impl FnMut(E) + 'static) {
    let cb = Closure::<dyn FnMut(E)>::new(f);
    let _ = target.add_event_listener_with_callback(kind, cb.as_ref().unchecked_ref());
    cb.forget();
}

fn set_open(s: &Shared, open: bool) {
    let st = s.borrow();
    show(&st.ui.panel, open);
    show(&st.ui.launcher, !open);
    tell_host(&obj(&[("sb", "size".into()), ("open", open.into())]));
    if open {
        let _ = st.ui.input.focus();
    }
}

pub(crate) fn set_status(s: &Shared, status: &str, reason: Option<String>) {
    let label = match (status, reason.as_deref()) {
        ("new", _) => "Waiting for an agent",
        ("open", _) => "Open",
        ("closed", Some("cancelled")) => "Cancelled by support — write to reopen",
        ("closed", Some("solved")) => "Solved — write to reopen",
        ("closed", _) => "Closed — write to reopen",
        ("ended", _) => "This chat has ended",
        _ => "",
    };
    let st = s.borrow();
    st.ui.status.set_text_content(Some(label));
    attr(&st.ui.status, "data-status", status);
}

/// Shows a message once, turning a pending bubble with the same client id into it.
pub(crate) fn render(s: &Shared, m: &JsValue) {
    let Some(id) = get_f64(m, "id") else { return };
    let mut st = s.borrow_mut();
    if st.rendered.contains(&id) {
        return;
    }
    st.rendered.push(id);
    let kind = get_str(m, "author_kind").unwrap_or_default();
    if kind == "agent" {
        show(&st.ui.notice, false); // someone is answering: not offline after all
    }
    let body = get_str(m, "body").unwrap_or_default();
    let client = get_str(m, "client_id").unwrap_or_default();
    let selector = format!("li[data-client=\"{}\"]", client.replace(['"', '\\'], ""));
    if let Ok(Some(li)) = st.ui.list.query_selector(&selector) {
        li.set_class_name(&format!("msg msg-{kind}"));
        attr(&li, "data-id", &id.to_string());
        if let Ok(Some(meta)) = li.query_selector(".meta") {
            meta.set_text_content(Some(&dom::clock(get_f64(m, "created_at").unwrap_or_default())));
        }
        drop(st);
        // An upload's bubble becomes its thumbnail or file chip.
        if let Ok(Some(text_body)) = li.query_selector(".body") {
            let meta = li.query_selector(".meta").ok().flatten();
            if files::render_attachments(s, &li, m) {
                text_body.remove();
                if let Some(meta) = meta {
                    append(&li, &meta); // keep the time last
                }
            }
        }
        return;
    }
    let li = el("li", &format!("msg msg-{kind}"));
    attr(&li, "data-id", &id.to_string());
    if kind == "system" {
        li.set_text_content(Some(&body));
    } else {
        let name = get_str(m, "author_name").unwrap_or_else(|| "Visitor".into());
        let who = el("div", "who");
        append(&who, &text("span", "avatar", &dom::initials(&name)));
        append(&who, &text("span", "name", &name));
        append(&li, &who);
        drop(st);
        if !files::render_attachments(s, &li, m) {
            append(&li, &text("div", "body", &body));
        }
        st = s.borrow_mut();
        append(&li, &text("div", "meta", &dom::clock(get_f64(m, "created_at").unwrap_or_default())));
    }
    append(&st.ui.list, &li);
    st.ui.list.set_scroll_top(st.ui.list.scroll_height());
}

pub(crate) fn pending_bubble(s: &Shared, client: &str, body: &str) -> Element {
    let st = s.borrow();
    let li = el("li", "msg msg-customer pending");
    attr(&li, "data-client", client);
    append(&li, &text("div", "body", body));
    append(&li, &text("div", "meta", "Sending…"));
    append(&st.ui.list, &li);
    st.ui.list.set_scroll_top(st.ui.list.scroll_height());
    li
}

fn send(s: Shared, client: String, body: String, li: Element) {
    spawn_local(async move {
        let result = async {
            let id = ensure_conversation(&s).await?;
            let token = s.borrow().token.clone();
            let payload = obj(&[("client_id", client.clone().into()), ("body", body.clone().into())]);
            let (status, m) = call("POST", &format!("/api/widget/conversations/{id}/messages"), Some(&token), Some(&payload)).await?;
            if status >= 400 {
                return Err(get_str(&m, "error").unwrap_or_else(|| format!("error {status}")));
            }
            render(&s, &m);
            Ok::<(), String>(())
        }
        .await;
        if let Err(e) = result {
            // Keep the bubble and offer a retry with the same id: never a duplicate.
            if let Ok(Some(meta)) = li.query_selector(".meta") {
                meta.set_text_content(Some(&format!("Not sent ({e}). ")));
                let retry = text("button", "retry", "Retry");
                attr(&retry, "type", "button");
                let (s2, c2, b2, li2) = (s.clone(), client.clone(), body.clone(), li.clone());
                on(&retry, "click", move |_: web_sys::Event| {
                    if let Ok(Some(m)) = li2.query_selector(".meta") {
                        m.set_text_content(Some("Sending…"));
                    }
                    send(s2.clone(), c2.clone(), b2.clone(), li2.clone());
                });
                append(&meta, &retry);
            }
        }
    });
}

fn submit(s: &Shared) {
    let body = s.borrow().ui.input.value();
    if body.trim().is_empty() {
        return;
    }
    s.borrow().ui.input.set_value("");
    let client = uuid();
    let li = pending_bubble(s, &client, &body);
    send(s.clone(), client, body, li);
}

async fn load_config(s: Shared) {
    let inbox = s.borrow().inbox.clone();
    let Ok((200, cfg)) = call("GET", &format!("/api/widget/config?inbox={inbox}"), None, None).await else {
        s.borrow().ui.title.set_text_content(Some("Chat is unavailable"));
        return;
    };
    let st = s.borrow();
    if let Some(name) = get_str(&cfg, "name") {
        st.ui.title.set_text_content(Some(&name));
    }
    let online = get(&cfg, "online").as_bool().unwrap_or(true);
    if !online {
        st.ui.notice.set_text_content(Some("We're offline right now. Leave a message and we'll answer here."));
        show(&st.ui.notice, true);
    }
    let wants_prechat = get(&cfg, "prechat_form").as_bool().unwrap_or(false);
    show(&st.ui.prechat, wants_prechat && st.conv.is_none() && !st.identity.is_object());
}

#[wasm_bindgen(start)]
pub fn start() {
    let params = web_sys::UrlSearchParams::new_with_str(&dom::document().location().and_then(|l| l.search().ok()).unwrap_or_default());
    let inbox = params.ok().and_then(|p| p.get("inbox")).unwrap_or_default();
    let store = storage();
    let key = format!("sb:token:{inbox}");
    let token = store.as_ref().and_then(|s| s.get_item(&key).ok().flatten()).unwrap_or_else(|| {
        let t = uuid();
        if let Some(s) = &store {
            let _ = s.set_item(&key, &t);
        }
        t
    });
    let conv = store
        .as_ref()
        .and_then(|s| s.get_item(&format!("sb:conv:{inbox}")).ok().flatten())
        .and_then(|v| v.parse().ok());
    let ui = build_ui();
    let s: Shared = Rc::new(RefCell::new(State {
        inbox,
        token,
        conv,
        last_event: 0.0,
        rendered: Vec::new(),
        identity: JsValue::UNDEFINED,
        context: JsValue::UNDEFINED,
        stream: None,
        file_token: String::new(),
        ui,
    }));
    let st = s.borrow();
    let s1 = s.clone();
    on(&st.ui.launcher, "click", move |_: web_sys::Event| set_open(&s1, true));
    let s2 = s.clone();
    if let Ok(Some(close)) = st.ui.panel.query_selector(".close") {
        on(&close, "click", move |_: web_sys::Event| set_open(&s2, false));
    }
    let s3 = s.clone();
    if let Ok(Some(form)) = st.ui.panel.query_selector("form") {
        on(&form, "submit", move |e: web_sys::Event| {
            e.prevent_default();
            submit(&s3);
        });
    }
    let s4 = s.clone();
    on(&st.ui.input, "keydown", move |e: KeyboardEvent| {
        // Enter sends; Shift+Enter breaks the line.
        if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
            e.prevent_default();
            submit(&s4);
        }
    });
    let s5 = s.clone();
    if let Some(w) = web_sys::window() {
        on(&w, "message", move |e: MessageEvent| {
            let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
            let from_parent = match (e.source(), parent) {
                (Some(src), Some(p)) => JsValue::from(src) == JsValue::from(p),
                _ => false,
            };
            if !from_parent {
                return;
            }
            let data = e.data();
            match get_str(&data, "sb").as_deref() {
                Some("identify") => {
                    s5.borrow_mut().identity = get(&data, "data");
                    show(&s5.borrow().ui.prechat, false);
                    let s6 = s5.clone();
                    spawn_local(async move { push_identity(&s6).await });
                }
                Some("context") => {
                    s5.borrow_mut().context = get(&data, "data");
                    let s6 = s5.clone();
                    spawn_local(async move { push_context(&s6).await });
                }
                Some("open") => set_open(&s5, true),
                _ => {}
            }
        });
    }
    drop(st);
    files::wire(&s);
    spawn_local(load_config(s.clone()));
    spawn_local(load_thread(s.clone()));
    tell_host(&obj(&[("sb", "ready".into())]));
}
