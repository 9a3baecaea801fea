//! The visitor's event stream: a short-lived token, then an EventSource that resumes
//! from the last event id and reopens itself when the browser gives up.
use crate::net::{self, call, get_str};
use crate::{ended, load_thread, on, render, set_status, Shared};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{EventSource, MessageEvent};

pub(crate) fn open_stream(s: Shared) {
    spawn_local(async move {
        let (conv, token) = {
            let st = s.borrow();
            (st.conv, st.token.clone())
        };
        let Some(id) = conv else { return };
        let Ok((200, t)) = call("POST", &format!("/api/widget/conversations/{id}/stream-token"), Some(&token), None).await else {
            retry_stream(s);
            return;
        };
        let stream_token = get_str(&t, "token").unwrap_or_default();
        let url = format!("/api/widget/events?token={stream_token}&last_event_id={}", s.borrow().last_event as i64);
        let Ok(es) = EventSource::new(&url) else { return };
        if let Some(old) = s.borrow_mut().stream.replace(es.clone()) {
            old.close();
        }
        for kind in ["message.created", "conversation.status", "conversation.agent", "conversation.deleted", "conversation.seen", "resync"] {
            let s2 = s.clone();
            on(&es, kind, move |e: MessageEvent| {
                if let Ok(id) = e.last_event_id().parse::<i64>() {
                    let mut st = s2.borrow_mut();
                    st.last_event = st.last_event.max(id as f64);
                }
                let data = net::parse(&e.data().as_string().unwrap_or_default());
                match kind {
                    "message.created" => {
                        let fresh = net::get_f64(&data, "id").is_some_and(|id| !s2.borrow().rendered.contains(&id));
                        render(&s2, &data);
                        if fresh {
                            crate::unread::arrived(&s2, &data);
                        }
                        crate::seen::mark(&s2);
                        crate::seen::report(&s2);
                    }
                    "conversation.seen" => {
                        if get_str(&data, "by").as_deref() == Some("agent") {
                            crate::seen::agent_seen(&s2, net::get_f64(&data, "message_id").unwrap_or_default());
                        }
                    }
                    "conversation.status" => {
                        set_status(&s2, &get_str(&data, "status").unwrap_or_default(), get_str(&data, "close_reason"))
                    }
                    "conversation.agent" => crate::set_agent(&s2, get_str(&data, "name")),
                    "conversation.deleted" => ended(&s2),
                    _ => spawn_local(load_thread(s2.clone())),
                }
            });
        }
        // So do queue spots.
        let s5 = s.clone();
        on(&es, "queue", move |e: MessageEvent| {
            crate::queue::show_spot(&s5, &net::parse(&e.data().as_string().unwrap_or_default()));
        });
        // Typing marks come without an id and are never replayed.
        let s4 = s.clone();
        on(&es, "typing", move |e: MessageEvent| {
            let data = net::parse(&e.data().as_string().unwrap_or_default());
            let typing = net::get(&data, "typing").as_bool().unwrap_or(false);
            crate::typing::show_agent_typing(&s4, get_str(&data, "name").filter(|_| typing));
        });
        let s3 = s.clone();
        let es2 = es.clone();
        on(&es, "error", move |_: web_sys::Event| {
            // The browser retries by itself; once it gives up (an expired token), reopen.
            if es2.ready_state() == EventSource::CLOSED {
                retry_stream(s3.clone());
            }
        });
    });
}

fn retry_stream(s: Shared) {
    let cb = Closure::once_into_js(move || open_stream(s));
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 2000);
    }
}

