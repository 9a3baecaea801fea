//! One conversation in the console: the messages, live, the reply box, the actions
//! an agent may take and the customer panel on the right.
mod actions;
mod composer;
mod messages;
mod outbox;
mod panel;
mod picker;
mod presence;
mod request_form;

use crate::components::ErrorNotice;
use crate::conversations::api::{get_handling, get_thread, mark_read, Handling};
use crate::conversations::{status_text, AuthorKind, CloseReason, Message, Status, Thread};
use crate::customers::api::get_customer_panel;
use crate::customers::CustomerPanel;
use crate::error::AppError;
use crate::live::{new_client_id, on_events, use_live_feed};
use crate::model::change::Change;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use composer::Composer;
use messages::{fmt_day, MessageItem};

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

fn add_message(list: &mut Vec<Message>, m: Message) {
    if !list.iter().any(|x| x.id == m.id) {
        list.push(m);
        list.sort_by_key(|m| m.id);
    }
}

/// The signals the parts of the conversation view share.
#[derive(Clone, Copy)]
pub(super) struct ChatState {
    pub id: i64,
    pub status: RwSignal<Status>,
    pub reason: RwSignal<Option<CloseReason>>,
    pub handling: RwSignal<Option<Handling>>,
    pub panel: RwSignal<Option<CustomerPanel>>,
    pub error: RwSignal<Option<AppError>>,
    /// Set when the chat left the agent's view (deleted, or moved out of their inboxes).
    pub gone: RwSignal<Option<String>>,
    /// Service requests made from this chat.
    pub requests: RwSignal<Vec<crate::requests::ServiceRequest>>,
}

impl ChatState {
    /// Fetches what the agent may do now (after any change of assignee, inbox or status).
    pub fn refresh_handling(self) {
        spawn_local(async move {
            match get_handling(self.id).await {
                Ok(h) => self.handling.set(Some(h)),
                Err(AppError::NotFound) => self.gone.set(Some("This chat is no longer in your inboxes.".into())),
                Err(_) => {}
            }
        });
    }

    pub fn refresh_panel(self) {
        spawn_local(async move {
            if let Ok(p) = get_customer_panel(self.id).await {
                self.panel.set(Some(p));
            }
            if let Ok(r) = crate::requests::api::conversation_requests(self.id).await {
                self.requests.set(r);
            }
        });
    }
}

/// `POST /api/conversations/{id}/attachments` with the file as the body.
async fn upload_file(conversation_id: i64, client_id: &str, file: &web_sys::File) -> Result<Message, AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let fail = |_| AppError::Transport("the upload failed".into());
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    let name = String::from(js_sys::encode_uri_component(&file.name()));
    let url = format!("/api/conversations/{conversation_id}/attachments?name={name}&client_id={client_id}");
    let req = web_sys::Request::new_with_str_and_init(&url, &init).map_err(fail)?;
    let res: web_sys::Response = JsFuture::from(window().fetch_with_request(&req)).await.map_err(fail)?.dyn_into().map_err(fail)?;
    let text = JsFuture::from(res.text().map_err(fail)?).await.map_err(fail)?.as_string().unwrap_or_default();
    if res.ok() {
        serde_json::from_str(&text).map_err(|_| AppError::Transport("a bad answer to the upload".into()))
    } else {
        #[derive(serde::Deserialize)]
        struct E {
            error: String,
        }
        let msg = serde_json::from_str::<E>(&text).map(|e| e.error).unwrap_or_else(|_| format!("upload failed ({})", res.status()));
        Err(AppError::Unprocessable(msg))
    }
}

#[component]
fn ThreadView(thread: Thread) -> impl IntoView {
    let conv = thread.conversation.clone();
    let conv_id = conv.id;
    let messages = RwSignal::new(thread.messages);
    // "Seen" goes under the newest reply the customer has had on screen.
    let customer_seen = RwSignal::new(thread.customer_seen);
    let seen_id = Memo::new(move |_| {
        let upto = customer_seen.get();
        messages.with(|l| {
            l.iter().rev().find(|m| m.author_kind == AuthorKind::Agent && m.visibility == crate::conversations::Visibility::Public && m.id <= upto).map(|m| m.id)
        })
    });
    let chat = ChatState {
        id: conv_id,
        status: RwSignal::new(conv.status),
        reason: RwSignal::new(conv.close_reason),
        handling: RwSignal::new(None),
        panel: RwSignal::new(None),
        error: RwSignal::new(None),
        gone: RwSignal::new(None),
        requests: RwSignal::new(Vec::new()),
    };
    let outbox = outbox::Outbox::new(conv_id);
    let pending = outbox.items;
    let feed = use_live_feed();
    let marks = presence::ChatPresence::track(conv_id);
    let typing = move |t: bool| presence::send_typing(conv_id, t);
    // Opening the chat marks it read; so does a message arriving while it is open.
    let read = move || {
        spawn_local(async move {
            if mark_read(conv_id).await.is_ok() {
                feed.local.update(|n| *n += 1);
            }
        })
    };
    // Effects run only in the browser: the actions and the panel load after hydration.
    Effect::new(move |_| {
        read();
        chat.refresh_handling();
        chat.refresh_panel();
    });
    // Fold in the live events that concern this conversation, each once.
    on_events(feed, Some(thread.last_event_id), move |ev| {
        if ev.conversation_id() != Some(conv_id) {
            return;
        }
        match &ev.change {
            Change::MessageCreated(m) => {
                if m.author_kind == AuthorKind::Customer {
                    read();
                }
                marks.message_from(if m.author_kind == AuthorKind::Agent { m.author_id } else { None });
                outbox.delivered(&m.client_id);
                // A public line can move the chat's SLA target.
                let sla_moves = m.visibility == crate::conversations::Visibility::Public && m.author_kind != AuthorKind::System;
                let pending = chat.handling.with_untracked(|h| h.as_ref().is_some_and(|h| h.sla.is_some()));
                if sla_moves && (pending || m.author_kind == AuthorKind::Customer) {
                    chat.refresh_handling();
                }
                messages.update(|list| add_message(list, m.clone()));
            }
            Change::ConversationStatus(s) => {
                chat.status.set(s.status);
                chat.reason.set(s.close_reason);
                chat.refresh_handling();
            }
            Change::ConversationAssigned(a) => {
                chat.status.set(a.status);
                chat.refresh_handling();
            }
            Change::ConversationMoved(m) => {
                chat.status.set(m.status);
                chat.refresh_handling();
            }
            Change::ConversationSla(_) => chat.refresh_handling(),
            Change::ConversationUpdated(_) | Change::VisitorPresence(_) | Change::RequestCreated(_) | Change::ConversationRated(_) => {
                chat.refresh_panel()
            }
            Change::ConversationDeleted(_) => chat.gone.set(Some("This chat was deleted.".into())),
            Change::ConversationSeen(seen) if seen.by == AuthorKind::Customer => customer_seen.update(|s| *s = (*s).max(seen.message_id)),
            _ => {}
        }
    });

    let on_sent = move |m: Message| messages.update(|list| add_message(list, m));
    let on_error = move |e: Option<AppError>| chat.error.set(e);
    // What an earlier page left unsent goes out first; whatever waits goes out again
    // whenever the stream is live (the network is back).
    Effect::new(move |_| {
        if feed.connection.get() == crate::live::Connection::Live {
            outbox.flush(on_sent, on_error);
        }
    });
    Effect::new(move |_| {
        outbox.restore();
        outbox.flush(on_sent, on_error);
    });
    let send = move |body: String, mode: composer::Mode| {
        if body.trim().is_empty() {
            return;
        }
        let (note, whisper) = (mode != composer::Mode::Reply, mode == composer::Mode::Whisper);
        outbox.push(outbox::Pending { client_id: new_client_id(), body, note, whisper, upload: false, state: Default::default() });
        outbox.flush(on_sent, on_error);
    };
    // Files go up as the raw body; the answer is the message that carries them.
    let upload = move |file: web_sys::File| {
        let client_id = new_client_id();
        let name = file.name();
        pending.update(|p| p.push(outbox::Pending { client_id: client_id.clone(), body: format!("Uploading {name}…"), note: false, whisper: false, upload: true, state: outbox::SendState::Sending }));
        spawn_local(async move {
            match upload_file(conv_id, &client_id, &file).await {
                Ok(m) => {
                    pending.update(|p| p.retain(|x| x.client_id != client_id));
                    messages.update(|list| add_message(list, m));
                    chat.error.set(None);
                }
                Err(e) => {
                    pending.update(|p| p.retain(|x| x.client_id != client_id));
                    chat.error.set(Some(e));
                }
            }
        });
    };
    let customer = conv.customer_name.clone().unwrap_or_else(|| "Visitor".into());
    let customer_name = customer.clone();
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
    let assignee = move || {
        chat.handling.with(|h| match h {
            Some(h) => format!("{} · {}", h.inbox_name, h.assignee_name.clone().map(|n| format!("Assigned to {n}")).unwrap_or_else(|| "Unassigned".into())),
            None => String::new(),
        })
    };

    let panel_open = RwSignal::new(false);
    let can_whisper = Signal::derive(move || chat.handling.with(|h| h.as_ref().is_some_and(|h| h.supervises)));
    let members = Signal::derive(move || chat.handling.with(|h| h.as_ref().map(|h| h.members.iter().map(|m| m.name.clone()).collect()).unwrap_or_default()));
    view! {
        <Title text=format!("{customer} · Switchboard")/>
        <div class="chat-layout" data-panel=move || if panel_open.get() { "open" } else { "closed" }>
            <section class="chat-main" aria-label="Conversation">
                <header class="thread-head">
                    <div>
                        <h1>{customer.clone()}</h1>
                        {context.map(|c| view! { <p class="muted">"About: " {c}</p> })}
                        <p class="muted assignee" data-testid="assignee">{assignee}</p>
                    </div>
                    <span class="status-badge" data-status=move || chat.status.get().as_str()>
                        {move || status_text(chat.status.get(), chat.reason.get())}
                    </span>
                    // On narrower screens the customer panel is a drawer.
                    <button type="button" class="panel-toggle" aria-expanded=move || panel_open.get().to_string()
                        aria-controls="customer-panel" on:click=move |_| panel_open.update(|o| *o = !*o)>"Customer"</button>
                </header>
                <presence::Collision p=marks/>
                {move || chat.gone.get().map(|text| view! { <p class="notice" role="alert">{text} " " <a href="/conversations">"Back to the list"</a></p> })}
                {view! { <actions::ActionBar chat/> }.into_any()}
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
                            let sep = (d != day).then(|| { day = d.clone(); view! { <li class="day">{d}</li> }.into_any() });
                            let needle = find.get();
                            let seen = seen_id.get() == Some(m.id);
                            sep.into_iter().chain(std::iter::once(view! { <MessageItem m=m.clone() local needle seen/> }.into_any()))
                        }).collect_view()
                    }}
                    {move || pending.get().into_iter().map(|p| {
                        let failed = p.state == outbox::SendState::Failed;
                        let retry = { let id = p.client_id.clone(); move |_| outbox.retry(&id, on_sent, on_error) };
                        view! {
                            <li class="msg msg-agent pending" data-failed=failed.to_string() data-state=format!("{:?}", p.state).to_lowercase()
                                data-visibility=match (p.whisper, p.note) { (true, _) => "whisper", (_, true) => "internal", _ => "public" }>
                                <div class="body">{p.body.clone()}</div>
                                <div class="meta">{p.label()}
                                    {failed.then(|| {
                                        let id = p.client_id.clone();
                                        let discard = move |_| outbox.discard(&id);
                                        view! {
                                            <button type="button" class="link" on:click=retry.clone()>"Retry"</button>
                                            <button type="button" class="link" on:click=discard>"Discard"</button>
                                        }
                                    })}
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {move || marks.customer_typing().then(|| view! { <p class="typing-mark" role="status">{format!("{customer_name} is typing…")}</p> })}
                <ErrorNotice error=chat.error/>
                // Someone who may only read this chat (an operator who joined a team chat
                // about a colleague's chat) gets no reply box: the server would refuse.
                <Show when=move || chat.handling.with(|h| h.as_ref().is_none_or(|h| h.actions.contains(&crate::conversations::rules::Action::Reply)))
                    fallback=|| view! { <p class="muted read-only">"You can read this chat; it is a colleague's to answer."</p> }>
                    <div class="composer-warnings"><presence::Collision p=marks/></div>
                    <Composer conv_id send upload typing messages members can_whisper/>
                </Show>
            </section>
            <panel::CustomerPanelView chat/>
        </div>
    }
    .into_any()
}
