//! One conversation in the console: the messages, live, and the reply box.
use crate::components::{initials, ErrorNotice};
use crate::conversations::api::{close_conversation, get_thread, mark_read, send_reply};
use crate::conversations::{AuthorKind, Message, Status, Thread, Visibility};
use crate::error::AppError;
use crate::live::{new_client_id, use_live_feed};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let feed = use_live_feed();
    let thread = Resource::new(move || (id(), feed.resyncs.get()), |(id, _)| async move {
        match id {
            Some(id) => get_thread(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the conversation…"</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(thread) => view! { <ThreadView thread/> }.into_any(),
                    Err(AppError::NotFound) => view! { <h1>"Conversation not found"</h1> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A message on its way: shown at once, marked when it failed.
#[derive(Clone, PartialEq)]
struct Pending {
    client_id: String,
    body: String,
    failed: bool,
}

fn add_message(list: &mut Vec<Message>, m: Message) {
    if !list.iter().any(|x| x.id == m.id) {
        list.push(m);
        list.sort_by_key(|m| m.id);
    }
}

#[component]
fn ThreadView(thread: Thread) -> impl IntoView {
    let conv = thread.conversation.clone();
    let conv_id = conv.id;
    let messages = RwSignal::new(thread.messages);
    let status = RwSignal::new(conv.status);
    let pending = RwSignal::new(Vec::<Pending>::new());
    let error = RwSignal::new(None::<AppError>);
    let feed = use_live_feed();
    let seen = StoredValue::new(thread.last_event_id);
    // Opening the chat marks it read; so does a message arriving while it is open.
    let read = move || {
        spawn_local(async move {
            if mark_read(conv_id).await.is_ok() {
                feed.local.update(|n| *n += 1);
            }
        })
    };
    Effect::new(move |_| read());
    // Fold in the live events that concern this conversation, each once.
    Effect::new(move |_| {
        feed.events.with(|events| {
            let from = seen.get_value();
            for ev in events.iter().filter(|e| e.id > from) {
                if ev.conversation_id() != Some(conv_id) {
                    continue;
                }
                match ev.kind.as_str() {
                    "message.created" => {
                        if let Ok(m) = serde_json::from_str::<Message>(&ev.data) {
                            if m.author_kind == AuthorKind::Customer {
                                read();
                            }
                            pending.update(|p| p.retain(|x| x.client_id != m.client_id));
                            messages.update(|list| add_message(list, m));
                        }
                    }
                    "conversation.status" => {
                        #[derive(serde::Deserialize)]
                        struct S {
                            status: Status,
                        }
                        if let Ok(s) = serde_json::from_str::<S>(&ev.data) {
                            status.set(s.status);
                        }
                    }
                    _ => {}
                }
            }
            if let Some(last) = events.last() {
                seen.set_value(last.id.max(from));
            }
        });
    });

    let attempt = move |client_id: String, body: String| {
        spawn_local(async move {
            match send_reply(conv_id, client_id.clone(), body, false).await {
                Ok(m) => {
                    pending.update(|p| p.retain(|x| x.client_id != client_id));
                    messages.update(|list| add_message(list, m));
                    error.set(None);
                }
                Err(e) => {
                    pending.update(|p| p.iter_mut().filter(|x| x.client_id == client_id).for_each(|x| x.failed = true));
                    error.set(Some(e));
                }
            }
        });
    };
    let send = move |body: String| {
        if body.trim().is_empty() {
            return;
        }
        let client_id = new_client_id();
        pending.update(|p| p.push(Pending { client_id: client_id.clone(), body: body.clone(), failed: false }));
        attempt(client_id, body);
    };
    let close = move |_| {
        spawn_local(async move {
            match close_conversation(conv_id).await {
                Ok(c) => status.set(c.status),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let customer = conv.customer_name.clone().unwrap_or_else(|| "Visitor".into());
    // Searching inside the open chat highlights the hits (as text, never markup).
    let find = RwSignal::new(String::new());
    let hits = move || {
        let needle = find.get().to_lowercase();
        if needle.trim().is_empty() {
            return None;
        }
        Some(messages.with(|list| list.iter().filter(|m| m.body.to_lowercase().contains(&needle)).count()))
    };
    let context = conv.context.label.clone();
    // Times render in UTC on the server and in the agent's zone once hydrated.
    let local_time = RwSignal::new(false);
    Effect::new(move |_| local_time.set(true));

    view! {
        <Title text=format!("{customer} · Switchboard")/>
        <header class="thread-head">
            <div>
                <h1>{customer.clone()}</h1>
                {context.map(|c| view! { <p class="muted">"About: " {c}</p> })}
            </div>
            <span class="status-badge" data-status=move || status.get().as_str()>{move || status.get().label()}</span>
            <button type="button" on:click=close disabled=move || status.get() == Status::Closed>"Close conversation"</button>
        </header>
        <div class="find" role="search">
            <input type="search" aria-label="Search in this conversation" placeholder="Search in this conversation"
                prop:value=move || find.get() on:input=move |ev| find.set(event_target_value(&ev))/>
            <span class="muted" role="status">{move || hits().map(|n| format!("{n} message{} match", if n == 1 { "" } else { "es" }))}</span>
        </div>
        <ol class="messages" aria-label="Messages" aria-live="polite">
            {move || {
                let mut day = String::new();
                let local = local_time.get();
                messages.get().into_iter().flat_map(|m| {
                    let d = fmt_day(m.created_at, local);
                    let sep = (d != day).then(|| { day = d.clone(); view! { <li class="day" role="separator">{d}</li> }.into_any() });
                    let needle = find.get();
                    sep.into_iter().chain(std::iter::once(view! { <MessageItem m=m.clone() local needle/> }.into_any()))
                }).collect_view()
            }}
            {move || pending.get().into_iter().map(|p| {
                let retry = { let p = p.clone(); move |_| {
                    pending.update(|list| list.iter_mut().filter(|x| x.client_id == p.client_id).for_each(|x| x.failed = false));
                    attempt(p.client_id.clone(), p.body.clone());
                }};
                view! {
                    <li class="msg msg-agent pending" data-failed=p.failed.to_string()>
                        <div class="body">{p.body.clone()}</div>
                        <div class="meta">{if p.failed { "Not sent" } else { "Sending…" }}
                            {p.failed.then(|| view! { <button type="button" class="link" on:click=retry.clone()>"Retry"</button> })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ol>
        <ErrorNotice error=error/>
        <Composer send/>
    }
}

#[component]
fn MessageItem(m: Message, local: bool, needle: String) -> impl IntoView {
    let kind = m.author_kind.as_str();
    let name = m.author_name.clone().unwrap_or_else(|| "Visitor".into());
    let role = match m.author_kind {
        AuthorKind::Customer => "Customer",
        AuthorKind::Agent if m.visibility == Visibility::Internal => "Agent · internal note",
        AuthorKind::Agent => "Agent",
        AuthorKind::System => "",
    };
    if m.author_kind == AuthorKind::System {
        return view! { <li class="msg msg-system">{m.body}</li> }.into_any();
    }
    view! {
        <li class=format!("msg msg-{kind}") data-visibility=m.visibility.as_str()>
            <span class="avatar" aria-hidden="true">{initials(&name)}</span>
            <div>
                <div class="meta"><strong>{name}</strong> " " <span class="role">{role}</span> " "
                    <time datetime=m.created_at.to_string()>{fmt_time(m.created_at, local)}</time></div>
                <div class="body">{highlight(&m.body, &needle)}</div>
            </div>
        </li>
    }
    .into_any()
}

/// The text with each case-insensitive occurrence of `needle` in a `<mark>`.
fn highlight(text: &str, needle: &str) -> Vec<AnyView> {
    let parts = split_hits(text, needle);
    parts.into_iter().map(|(s, hit)| if hit { view! { <mark>{s}</mark> }.into_any() } else { s.into_any() }).collect()
}

/// Splits `text` into (piece, is_hit) runs. Matching is on lowercase characters,
/// mapped back by character position, so it is safe for any Unicode text.
fn split_hits(text: &str, needle: &str) -> Vec<(String, bool)> {
    let needle: Vec<char> = needle.trim().to_lowercase().chars().collect();
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    if needle.is_empty() || lower.len() < needle.len() {
        return vec![(text.to_string(), false)];
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i + needle.len() <= lower.len() {
        if lower[i..i + needle.len()] == needle[..] {
            if start < i {
                out.push((chars[start..i].iter().collect(), false));
            }
            out.push((chars[i..i + needle.len()].iter().collect(), true));
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    if start < chars.len() {
        out.push((chars[start..].iter().collect(), false));
    }
    out
}

#[component]
fn Composer(send: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let on_key = move |ev: web_sys::KeyboardEvent| {
        // Enter sends; Shift+Enter breaks the line.
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send(text.get_untracked());
            text.set(String::new());
        }
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(text.get_untracked()); text.set(String::new()); }>
            <textarea aria-label="Reply" placeholder="Write a reply — Enter to send, Shift+Enter for a new line"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) on:keydown=on_key rows="3"></textarea>
            <button type="submit">"Send"</button>
        </form>
    }
}

fn fmt_time(ms: i64, local: bool) -> String {
    if local {
        #[cfg(feature = "hydrate")]
        {
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            return format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
        }
    }
    let (_, _, _, h, m) = crate::timefmt::civil(ms);
    format!("{h:02}:{m:02} UTC")
}

fn fmt_day(ms: i64, local: bool) -> String {
    if local {
        #[cfg(feature = "hydrate")]
        {
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            return String::from(d.to_date_string());
        }
    }
    crate::timefmt::day(ms)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hits_are_split_case_insensitively() {
        let parts = super::split_hits("Parcel late, PARCEL lost", "parcel");
        let hits: Vec<_> = parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(hits, ["Parcel", "PARCEL"]);
        assert_eq!(parts.iter().map(|p| p.0.as_str()).collect::<String>(), "Parcel late, PARCEL lost");
        assert_eq!(super::split_hits("<b>x</b>", "b>"), vec![("<".into(), false), ("b>".into(), true), ("x</".into(), false), ("b>".into(), true)]);
        assert_eq!(super::split_hits("abc", ""), vec![("abc".into(), false)]);
    }

    #[test]
    fn utc_dates_and_times() {
        assert_eq!(super::fmt_day(0, false), "1970-01-01");
        assert_eq!(super::fmt_day(1_790_000_000_000, false), "2026-09-21");
        assert_eq!(super::fmt_time(1_790_000_000_000, false), "14:13 UTC");
    }
}
