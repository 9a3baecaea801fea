//! The Switchboard customer widget. It runs inside the iframe that `widget.js` adds to
//! the host page, keeps the visitor's token where it survives (see `persist`), and
//! talks to the widget API and its event stream. Built without a framework to stay
//! small.
mod conversation;
mod dom;
mod files;
mod header;
mod i18n;
mod net;
mod persist;
mod queue;
mod seen;
mod stream;
mod survey;
mod typing;
mod ui;
mod unread;

pub(crate) use conversation::{ended, ensure_conversation, load_thread};
use conversation::{push_context, push_identity};
use i18n::{t, Key};
use ui::{build_ui, Ui};
pub(crate) use header::{set_agent, set_status};
use header::load_config;

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
    /// The embedding page's origin: the only one messages go to or come from.
    pub(crate) host: Option<String>,
    /// Whether the token is settled and the thread is loading.
    begun: bool,
    /// When this visitor last said they were typing (ms), 0 when they are not.
    pub(crate) typing_sent: f64,
    /// Bumped with every agent typing mark, so only the newest one's timer hides it.
    pub(crate) typing_mark: u32,
    /// Whether the panel is open (messages in it are on screen).
    pub(crate) open: bool,
    /// The newest customer message an agent has read, and the newest message this
    /// widget told the server the customer has seen.
    pub(crate) agent_seen: f64,
    pub(crate) seen_sent: f64,
    /// Messages from support that arrived while the panel was closed or hidden.
    pub(crate) unread: u32,
    /// Outside business hours: the first message needs an email.
    pub(crate) offline: bool,
    pub(crate) ui: Ui,
}

pub(crate) type Shared = Rc<RefCell<State>>;

/// Saves the visitor's token and conversation where they survive a reload.
pub(crate) fn remember(st: &State) {
    persist::save(&st.inbox, &st.token, st.conv, st.host.as_deref());
}

pub(crate) fn uuid() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default()
}

pub(crate) fn tell_host(msg: &JsValue) {
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
    if s.borrow().open == open {
        return;
    }
    s.borrow_mut().open = open;
    if open {
        seen::report(s);
        unread::cleared(s);
    }
    let st = s.borrow();
    show(&st.ui.panel, open);
    show(&st.ui.launcher, !open);
    tell_host(&obj(&[("sb", "size".into()), ("open", open.into())]));
    // Focus follows: into the message box, and back to the launcher on close.
    if open {
        let _ = st.ui.input.focus();
    } else if let Some(l) = st.ui.launcher.dyn_ref::<web_sys::HtmlElement>() {
        let _ = l.focus();
    }
}

/// The host page's user logged out (`Switchboard('shutdown')`): forget the visitor,
/// close the panel, and start afresh with a new token on the next message.
fn shutdown(s: &Shared) {
    set_open(s, false);
    {
        let mut st = s.borrow_mut();
        st.identity = JsValue::UNDEFINED;
        st.context = JsValue::UNDEFINED;
        st.token = uuid();
        st.unread = 0;
        st.ui.list.set_text_content(None);
        show(&st.ui.queue, false);
        show(&st.ui.survey, false);
        show(&st.ui.agent, false);
        show(&st.ui.badge, false);
    }
    conversation::forget(s);
    set_status(s, "", None);
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
        show(&st.ui.typing, false); // and what they typed has arrived
    }
    let body = get_str(m, "body").unwrap_or_default();
    let client = get_str(m, "client_id").unwrap_or_default();
    let selector = format!("li[data-client=\"{}\"]", client.replace(['"', '\\'], ""));
    if let Ok(Some(li)) = st.ui.list.query_selector(&selector) {
        li.set_class_name(&format!("msg msg-{kind}"));
        attr(&li, "data-id", &(id as i64).to_string());
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
    attr(&li, "data-id", &(id as i64).to_string());
    if kind == "system" {
        li.set_text_content(Some(&body));
    } else {
        let name = get_str(m, "author_name").unwrap_or_else(|| t(Key::Visitor).into());
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
    append(&li, &text("div", "meta", t(Key::Sending)));
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
            seen::mark(&s);
            Ok::<(), String>(())
        }
        .await;
        if let Err(e) = result {
            // Keep the bubble and offer a retry with the same id: never a duplicate.
            if let Ok(Some(meta)) = li.query_selector(".meta") {
                meta.set_text_content(Some(&i18n::not_sent(&e)));
                let retry = text("button", "retry", t(Key::Retry));
                attr(&retry, "type", "button");
                let (s2, c2, b2, li2) = (s.clone(), client.clone(), body.clone(), li.clone());
                on(&retry, "click", move |_: web_sys::Event| {
                    if let Ok(Some(m)) = li2.query_selector(".meta") {
                        m.set_text_content(Some(t(Key::Sending)));
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
    // Outside business hours the first message needs an email to answer to.
    {
        let st = s.borrow();
        let no_email = st.ui.email.value().trim().is_empty() || !st.ui.email.value().contains('@');
        if st.offline && st.conv.is_none() && no_email && !st.identity.is_object() {
            st.ui.prechat_error.set_text_content(Some(t(Key::EmailNeeded)));
            show(&st.ui.prechat_error, true);
            attr(&st.ui.email, "aria-invalid", "true");
            let _ = st.ui.email.focus();
            return;
        }
        show(&st.ui.prechat_error, false);
        attr(&st.ui.email, "aria-invalid", "false");
    }
    s.borrow().ui.input.set_value("");
    typing::sent(s);
    let client = uuid();
    let li = pending_bubble(s, &client, &body);
    send(s.clone(), client, body, li);
}

#[wasm_bindgen(start)]
pub fn start() {
    let params = web_sys::UrlSearchParams::new_with_str(&dom::document().location().and_then(|l| l.search().ok()).unwrap_or_default()).ok();
    let inbox = params.as_ref().and_then(|p| p.get("inbox")).unwrap_or_default();
    let window = web_sys::window().expect("a window");
    // The words: boot's locale, else the browser's languages, else English.
    let mut wanted: Vec<String> = params.as_ref().and_then(|p| p.get("locale")).into_iter().collect();
    wanted.extend(window.navigator().languages().iter().filter_map(|l| l.as_string()));
    let lang = i18n::choose(wanted.iter().map(String::as_str));
    if let Some(root) = dom::document().document_element() {
        attr(&root, "lang", if lang == i18n::Lang::Nb { "nb" } else { "en" });
    }
    let framed = window.parent().ok().flatten().is_some_and(|p| JsValue::from(p) != JsValue::from(window.clone()));
    let host = if framed { persist::host_origin() } else { None };
    let ui = build_ui();
    let s: Shared = Rc::new(RefCell::new(State {
        inbox,
        token: String::new(),
        conv: None,
        last_event: 0.0,
        rendered: Vec::new(),
        identity: JsValue::UNDEFINED,
        context: JsValue::UNDEFINED,
        stream: None,
        file_token: String::new(),
        host,
        begun: false,
        typing_sent: 0.0,
        typing_mark: 0,
        open: false,
        agent_seen: 0.0,
        seen_sent: 0.0,
        unread: 0,
        offline: false,
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
    // Esc closes the panel (focus returns to the launcher).
    let s10 = s.clone();
    on(&st.ui.panel, "keydown", move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            set_open(&s10, false);
        }
    });
    let s8 = s.clone();
    on(&st.ui.input, "input", move |_: web_sys::Event| typing::input_changed(&s8));
    let s9 = s.clone();
    on(&dom::document(), "visibilitychange", move |_: web_sys::Event| seen::report(&s9));
    let s5 = s.clone();
    if let Some(w) = web_sys::window() {
        on(&w, "message", move |e: MessageEvent| {
            if !persist::from_embedder(&e, s5.borrow().host.as_deref()) {
                return;
            }
            let data = e.data();
            match get_str(&data, "sb").as_deref() {
                Some("store") => {
                    if s5.borrow().host.is_none() {
                        s5.borrow_mut().host = Some(e.origin());
                    }
                    begin(&s5, persist::from_host(&persist::payload(&e)));
                }
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
                Some("close") => set_open(&s5, false),
                Some("shutdown") => shutdown(&s5),
                _ => {}
            }
        });
    }
    drop(st);
    files::wire(&s);
    if framed {
        // The loader answers "ready" with what the host page's storage holds; if it
        // does not (an old or blocked loader), go on with the frame's own.
        tell_host(&obj(&[("sb", "ready".into())]));
        let s7 = s.clone();
        let later = Closure::once_into_js(move || begin(&s7, persist::Saved::default()));
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 1500);
    } else {
        begin(&s, persist::Saved::default());
    }
}

/// Settles the visitor's token (the frame's storage, else the host page's, else a
/// new one) and loads the conversation. Runs once.
fn begin(s: &Shared, from_host: persist::Saved) {
    {
        let mut st = s.borrow_mut();
        if st.begun {
            return;
        }
        let own = persist::own(&st.inbox);
        let saved = if own.token.is_some() { own } else { from_host };
        st.token = saved.token.unwrap_or_else(uuid);
        st.conv = saved.conv;
        st.begun = true;
        remember(&st);
    }
    spawn_local(load_config(s.clone()));
    spawn_local(load_thread(s.clone()));
}
