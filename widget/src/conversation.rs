//! The visitor's conversation: starting it on the first message, passing the host
//! page's identity and context, loading it back, and forgetting it when it ended.
use crate::dom::show;
use crate::net::{call, get, get_f64, get_str, obj};
use crate::stream::open_stream;
use crate::{files, render, set_status, Shared};
use wasm_bindgen::JsValue;
use web_sys::HtmlInputElement;

pub(crate) async fn ensure_conversation(s: &Shared) -> Result<i64, String> {
    if let Some(id) = s.borrow().conv {
        return Ok(id);
    }
    let body = {
        let st = s.borrow();
        let ident = &st.identity;
        let pick = |field: &str, input: &HtmlInputElement| {
            get_str(ident, field).or_else(|| Some(input.value()).filter(|v| !v.trim().is_empty()))
        };
        obj(&[
            ("inbox", st.inbox.clone().into()),
            ("token", st.token.clone().into()),
            ("name", pick("name", &st.ui.name).map(JsValue::from).unwrap_or(JsValue::NULL)),
            ("email", pick("email", &st.ui.email).map(JsValue::from).unwrap_or(JsValue::NULL)),
            ("context", if st.context.is_object() { st.context.clone() } else { JsValue::NULL }),
        ])
    };
    let (status, thread) = call("POST", "/api/widget/conversations", None, Some(&body)).await?;
    if status >= 400 {
        return Err(get_str(&thread, "error").unwrap_or_else(|| format!("error {status}")));
    }
    let conv = get(&thread, "conversation");
    let id = get_f64(&conv, "id").ok_or("no id")? as i64;
    {
        let mut st = s.borrow_mut();
        st.conv = Some(id);
        st.last_event = get_f64(&thread, "last_event_id").unwrap_or_default();
        show(&st.ui.prechat, false);
        crate::remember(&st);
    }
    set_status(s, &get_str(&conv, "status").unwrap_or_default(), get_str(&conv, "close_reason"));
    crate::set_agent(s, get_str(&thread, "agent_name"));
    if s.borrow().identity.is_object() {
        push_identity(s).await;
    }
    open_stream(s.clone());
    Ok(id)
}

pub(crate) async fn push_identity(s: &Shared) {
    let (conv, token, who) = {
        let st = s.borrow();
        (st.conv, st.token.clone(), st.identity.clone())
    };
    if let Some(id) = conv {
        let _ = call("POST", &format!("/api/widget/conversations/{id}/identify"), Some(&token), Some(&who)).await;
    }
}

pub(crate) async fn push_context(s: &Shared) {
    let (conv, token, ctx) = {
        let st = s.borrow();
        (st.conv, st.token.clone(), st.context.clone())
    };
    if let Some(id) = conv {
        let _ = call("POST", &format!("/api/widget/conversations/{id}/context"), Some(&token), Some(&ctx)).await;
    }
}

pub(crate) async fn load_thread(s: Shared) {
    let (conv, token) = {
        let st = s.borrow();
        (st.conv, st.token.clone())
    };
    let Some(id) = conv else { return };
    match call("GET", &format!("/api/widget/conversations/{id}"), Some(&token), None).await {
        Ok((200, thread)) => {
            let conv = get(&thread, "conversation");
            set_status(&s, &get_str(&conv, "status").unwrap_or_default(), get_str(&conv, "close_reason"));
            crate::set_agent(&s, get_str(&thread, "agent_name"));
            {
                let mut st = s.borrow_mut();
                st.last_event = st.last_event.max(get_f64(&thread, "last_event_id").unwrap_or_default());
            }
            files::refresh_file_token(&s).await;
            let messages = js_sys::Array::from(&get(&thread, "messages"));
            for m in messages.iter() {
                render(&s, &m);
            }
            crate::seen::agent_seen(&s, get_f64(&thread, "agent_seen").unwrap_or_default());
            crate::seen::report(&s);
            if s.borrow().stream.is_none() {
                open_stream(s.clone());
            }
        }
        // The conversation is gone (deleted or purged): start afresh.
        Ok((404, _)) => forget_conversation(&s),
        _ => {}
    }
}

/// Support deleted the chat: it has ended, and the next message starts a new one.
pub(crate) fn ended(s: &Shared) {
    forget_conversation(s);
    set_status(s, "ended", None);
    let st = s.borrow();
    show(&st.ui.queue, false);
    st.ui.list.set_text_content(None);
    st.ui.notice.set_text_content(Some(crate::i18n::t(crate::i18n::Key::EndedNotice)));
    show(&st.ui.notice, true);
}

/// Forgets the conversation (ended, deleted, or the host page's user logged out).
pub(crate) fn forget(s: &Shared) {
    forget_conversation(s);
}

fn forget_conversation(s: &Shared) {
    let mut st = s.borrow_mut();
    st.conv = None;
    st.rendered.clear();
    if let Some(es) = st.stream.take() {
        es.close();
    }
    crate::remember(&st);
}

