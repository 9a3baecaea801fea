//! New-chat alerts. A chat starting in one of the agent's inboxes raises an in-app
//! alert with **Accept**, a browser notification (once permission was given) and a
//! short tone (by default only while the tab is hidden; "always" and "never" are the
//! agent's other choices). A chat someone assigns to the agent raises one too.
//! When a colleague is faster, the alert says who took the chat. In offer mode a chat
//! offered to the agent shows a countdown with Accept and Decline.
use crate::conversations::api::accept_conversation;
use crate::error::AppError;
use crate::live::{on_events, use_live_feed};
use crate::model::change::Change;
use crate::conversations::Status;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[derive(Debug, Clone, PartialEq)]
struct Alert {
    conversation_id: i64,
    title: String,
    /// The inbox and what the chat is about, when known.
    about: Option<String>,
    /// The customer's first line, once it has arrived.
    first_line: Option<String>,
    /// Assigned to me by someone else: "Open" instead of "Accept".
    assigned: bool,
    taken_by: Option<String>,
    /// Offered to me (offer mode): until when, by this browser's clock (ms).
    offer_until: Option<f64>,
}


/// Where the sound choice is kept: `hidden` (the default), `always` or `never`.
const SOUND_KEY: &str = "sb:sound";
/// The older on/off switch ("1": muted), still honoured when no choice was made since.
const MUTE_KEY: &str = "sb:mute";

/// When new chats chime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sound {
    WhenHidden,
    Always,
    Never,
}

impl Sound {
    pub const ALL: [Sound; 3] = [Sound::WhenHidden, Sound::Always, Sound::Never];

    pub fn key(self) -> &'static str {
        match self {
            Sound::WhenHidden => "hidden",
            Sound::Always => "always",
            Sound::Never => "never",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sound::WhenHidden => "When the tab is hidden",
            Sound::Always => "Always",
            Sound::Never => "Never",
        }
    }

    pub fn parse(s: &str) -> Sound {
        Sound::ALL.into_iter().find(|x| x.key() == s).unwrap_or(Sound::WhenHidden)
    }
}
const MAX_SHOWN: usize = 4;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// A short two-note chime from an oscillator: no sound file to download. Browsers
/// only play sound after the user has interacted with the page.
fn chime() {
    let Ok(ctx) = web_sys::AudioContext::new() else { return };
    let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
    let t = ctx.current_time();
    osc.set_type(web_sys::OscillatorType::Sine);
    osc.frequency().set_value_at_time(880.0, t).ok();
    osc.frequency().set_value_at_time(660.0, t + 0.12).ok();
    gain.gain().set_value_at_time(0.08, t).ok();
    gain.gain().linear_ramp_to_value_at_time(0.0, t + 0.3).ok();
    if osc.connect_with_audio_node(&gain).is_ok() && gain.connect_with_audio_node(&ctx.destination()).is_ok() {
        osc.start().ok();
        osc.stop_with_when(t + 0.3).ok();
    }
}

fn notify(title: &str, body: &str, on_click: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let opts = web_sys::NotificationOptions::new();
    opts.set_body(body);
    let Ok(n) = web_sys::Notification::new_with_options(title, &opts) else { return };
    let shown = n.clone();
    let cb = Closure::<dyn Fn()>::new(move || {
        let _ = window().focus();
        shown.close();
        on_click();
    });
    n.set_onclick(Some(cb.as_ref().unchecked_ref()));
    cb.forget();
}

/// When new chats chime in this browser (the agent's choice, kept locally).
pub fn sound() -> Sound {
    let get = |k| storage().and_then(|s| s.get_item(k).ok().flatten());
    match (get(SOUND_KEY), get(MUTE_KEY)) {
        (Some(choice), _) => Sound::parse(&choice),
        (None, Some(m)) if m == "1" => Sound::Never,
        _ => Sound::WhenHidden,
    }
}

pub fn set_sound(choice: Sound) {
    if let Some(s) = storage() {
        let _ = s.set_item(SOUND_KEY, choice.key());
    }
}

/// Whether a new chat chimes now.
fn should_chime(choice: Sound) -> bool {
    match choice {
        Sound::Always => true,
        Sound::Never => false,
        Sound::WhenHidden => window().document().is_some_and(|d| d.hidden()),
    }
}

/// "granted", "denied" or "default".
pub fn notification_permission() -> String {
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted",
        web_sys::NotificationPermission::Denied => "denied",
        _ => "default",
    }
    .to_string()
}

#[component]
pub fn NewChatAlerts(me: i64, inboxes: Vec<(i64, String)>) -> impl IntoView {
    let feed = use_live_feed();
    let alerts = RwSignal::new(Vec::<Alert>::new());
    let sound_choice = RwSignal::new(Sound::WhenHidden);
    let can_ask = RwSignal::new(false);
    let interacted = RwSignal::new(false);
    Effect::new(move |_| {
        let handle = window_event_listener(leptos::ev::pointerdown, move |_| interacted.set(true));
        on_cleanup(move || handle.remove());
    });
    Effect::new(move |_| {
        sound_choice.set(sound());
        can_ask.set(web_sys::Notification::permission() == web_sys::NotificationPermission::Default);
    });
    // Offers count down once a second while one is shown.
    let now = RwSignal::new(0.0);
    Effect::new(move |_| {
        now.set(js_sys::Date::now());
        if let Ok(handle) = set_interval_with_handle(move || now.set(js_sys::Date::now()), std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    let navigate = use_navigate();
    let open_chat = move |id: i64| navigate(&format!("/inbox/{id}"), Default::default());
    let accept = {
        let open_chat = open_chat.clone();
        move |id: i64| {
            let open_chat = open_chat.clone();
            spawn_local(async move {
                match accept_conversation(id).await {
                    Ok(_) => {
                        alerts.update(|list| list.retain(|a| a.conversation_id != id));
                        open_chat(id);
                    }
                    Err(AppError::Conflict(who)) => alerts.update(|list| {
                        list.iter_mut().filter(|a| a.conversation_id == id).for_each(|a| a.taken_by = Some(who.clone()))
                    }),
                    Err(_) => {}
                }
            })
        }
    };
    let raise = {
        let accept = accept.clone();
        let open_chat = open_chat.clone();
        move |alert: Alert, body: String| {
            if should_chime(sound_choice.get_untracked()) && interacted.get_untracked() {
                chime();
            }
            let id = alert.conversation_id;
            let (accept, open_chat, assigned) = (accept.clone(), open_chat.clone(), alert.assigned);
            notify(&alert.title, &body, move || if assigned { open_chat(id) } else { accept(id) });
            alerts.update(|list| {
                list.retain(|a| a.conversation_id != id);
                list.push(alert);
                // A burst of new chats shows the newest few; the blue counter has the rest.
                if list.len() > MAX_SHOWN {
                    list.remove(0);
                }
            });
        }
    };
    on_events(feed, None, move |ev| match &ev.change {
        Change::ConversationCreated(c) => {
            let who = c.customer_name.clone().unwrap_or_else(|| "a visitor".into());
            let inbox = inboxes.iter().find(|(id, _)| *id == c.inbox_id).map(|(_, n)| n.clone());
            let about = match (inbox, c.context.label.clone()) {
                (Some(i), Some(l)) => Some(format!("{i} · {l}")),
                (i, l) => i.or(l),
            };
            let body = about.clone().unwrap_or_else(|| "Click to accept it".into());
            let alert = Alert { conversation_id: c.id, title: format!("New chat from {who}"), about, first_line: None, assigned: false, taken_by: None, offer_until: None };
            raise(alert, body);
        }
        // The customer's first line, as it arrives, on the alert of a chat still waiting.
        Change::MessageCreated(m) if m.author_kind == crate::conversations::AuthorKind::Customer => {
            let line: String = m.body.chars().take(140).collect();
            alerts.update(|list| {
                list.iter_mut()
                    .filter(|a| a.conversation_id == m.conversation_id && a.first_line.is_none())
                    .for_each(|a| a.first_line = Some(line.clone()))
            });
        }
        Change::ConversationAssigned(a) => {
            if a.assignee_id == Some(me) && a.actor_id != me {
                let alert = Alert {
                    conversation_id: a.conversation_id,
                    title: format!("{} assigned you a chat", a.actor_name),
                    about: None,
                    first_line: None,
                    assigned: true,
                    taken_by: None,
                    offer_until: None,
                };
                raise(alert, "Click to open it".into());
            } else if a.assignee_id != Some(me) {
                let who = a.assignee_name.as_ref().map(|n| format!("{n} took this chat")).unwrap_or_else(|| "This chat went back to the queue".into());
                alerts.update(|list| list.iter_mut().filter(|x| x.conversation_id == a.conversation_id && !x.assigned).for_each(|x| x.taken_by = Some(who.clone())));
            }
        }
        // Only the mentioned agent's stream carries a mention.
        Change::MentionCreated(m) => {
            let alert = Alert {
                conversation_id: m.conversation_id,
                title: format!("{} mentioned you", m.by_name),
                about: Some("In a private note".into()),
                first_line: Some(m.excerpt.clone()),
                assigned: true,
                taken_by: None,
                offer_until: None,
            };
            raise(alert, m.excerpt.clone());
        }
        // Offer mode: a chat offered to me, to accept before the countdown ends.
        Change::ConversationOffered(o) if o.agent_id == me => {
            let until = js_sys::Date::now() + o.seconds as f64 * 1000.0;
            let first_line = alerts.with_untracked(|l| l.iter().find(|a| a.conversation_id == o.conversation_id).and_then(|a| a.first_line.clone()));
            let alert = Alert {
                conversation_id: o.conversation_id,
                title: "A chat is offered to you".into(),
                about: inboxes.iter().find(|(id, _)| *id == o.inbox_id).map(|(_, n)| n.clone()),
                first_line,
                assigned: false,
                taken_by: None,
                offer_until: Some(until),
            };
            raise(alert, format!("Accept within {} seconds", o.seconds));
        }
        // Offered to someone else: my offer of it (if any) is over.
        Change::ConversationOffered(o) => alerts.update(|list| list.retain(|a| !(a.conversation_id == o.conversation_id && a.offer_until.is_some()))),
        Change::ConversationDeleted(r) => alerts.update(|list| list.retain(|a| a.conversation_id != r.conversation_id)),
        Change::ConversationStatus(s) if s.status == Status::Closed => {
            alerts.update(|list| list.retain(|a| a.conversation_id != s.conversation_id))
        }
        _ => {}
    });
    let choose_sound = move |ev| {
        let next = Sound::parse(&event_target_value(&ev));
        sound_choice.set(next);
        set_sound(next);
    };
    let ask = move |_| {
        // Asked once: whatever the answer, the browser remembers it.
        let _ = web_sys::Notification::request_permission();
        can_ask.set(false);
    };
    view! {
        <div class="alert-settings">
            <label class="sound-choice">"Sound for new chats"
                <select prop:value=move || sound_choice.get().key() on:change=choose_sound>
                    {Sound::ALL.map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <Show when=move || can_ask.get()>
                <button type="button" class="link" on:click=ask>"Enable desktop notifications"</button>
            </Show>
        </div>
        <div class="alerts" role="region" aria-label="New chats" aria-live="assertive">
            <For each=move || alerts.get() key=|a| (a.conversation_id, a.assigned, a.taken_by.clone(), a.first_line.clone(), a.offer_until.map(|u| u as i64)) let:alert>
                {
                    let id = alert.conversation_id;
                    let accept = accept.clone();
                    let open_chat = open_chat.clone();
                    let dismiss = move |_| alerts.update(|list| list.retain(|a| a.conversation_id != id));
                    view! {
                        <div class="alert" role="alert" data-conversation=id.to_string()>
                            <strong>{alert.title.clone()}</strong>
                            {alert.about.clone().map(|a| view! { <p class="alert-about">{a}</p> })}
                            {alert.first_line.clone().map(|l| view! { <p class="alert-line">{l}</p> })}
                            {alert.offer_until.map(|until| view! {
                                <p class="countdown" role="timer" aria-live="off">
                                    {move || format!("{} s left to accept", ((until - now.get()) / 1000.0).ceil().max(0.0) as i64)}
                                </p>
                            })}
                            {match (alert.taken_by.clone(), alert.assigned) {
                                (Some(who), _) => view! { <p class="taken">{who}</p> }.into_any(),
                                (None, true) => view! { <button type="button" class="primary" on:click=move |_| open_chat(id)>"Open"</button> }.into_any(),
                                (None, false) if alert.offer_until.is_some() => {
                                    let decline = move |_| {
                                        alerts.update(|list| list.retain(|a| a.conversation_id != id));
                                        spawn_local(async move {
                                            let _ = crate::routing::api::decline_offer(id).await;
                                        });
                                    };
                                    view! {
                                        <button type="button" class="primary" on:click=move |_| accept(id)>"Accept"</button>
                                        <button type="button" on:click=decline>"Decline"</button>
                                    }
                                    .into_any()
                                }
                                (None, false) => {
                                    let look = open_chat.clone();
                                    view! {
                                        <button type="button" class="primary" on:click=move |_| accept(id)>"Accept"</button>
                                        <button type="button" on:click=move |_| look(id)>"Open"</button>
                                    }
                                    .into_any()
                                }
                            }}
                            <button type="button" class="link" on:click=dismiss>"Dismiss"</button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
