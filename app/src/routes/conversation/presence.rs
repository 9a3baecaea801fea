//! Who else is on this chat, live: the customer typing, colleagues viewing it and
//! colleagues writing a reply (collision warnings). All of it comes from ephemeral
//! signals that expire unless renewed; nothing here is stored.
use crate::conversations::signals::{signal_typing, signal_viewing};
use crate::live::{on_signals, use_live_feed};
use crate::model::signal::{Signal, TYPING_TTL_MS, VIEWING_EVERY_MS, VIEWING_TTL_MS};
use crate::routes::console::MeResource;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A colleague on the chat: until when they are viewing it and writing a reply.
#[derive(Clone, PartialEq, Debug)]
struct Colleague {
    agent_id: i64,
    name: String,
    viewing_until: f64,
    writing_until: f64,
}

/// The live marks of one open chat.
#[derive(Clone, Copy)]
pub(super) struct ChatPresence {
    customer_typing_until: RwSignal<f64>,
    colleagues: RwSignal<Vec<Colleague>>,
    /// Ticks every second, so marks expire on screen.
    clock: RwSignal<f64>,
}

/// The browser's clock; on the server (rendering the page) no mark is up.
fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    f64::MAX
}

fn names(list: &[&Colleague]) -> String {
    match list {
        [] => String::new(),
        [one] => one.name.clone(),
        [first @ .., last] => format!("{} and {}", first.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "), last.name),
    }
}

impl ChatPresence {
    /// Starts listening for the chat's signals and announces this agent's view of it
    /// (every 10 s while open, and once more to anyone who starts viewing).
    pub fn track(conv_id: i64) -> ChatPresence {
        let p = ChatPresence { customer_typing_until: RwSignal::new(0.0), colleagues: RwSignal::new(Vec::new()), clock: RwSignal::new(0.0) };
        let feed = use_live_feed();
        let MeResource(me) = expect_context::<MeResource>();
        let my_id = move || me.get().and_then(|r| r.ok()).flatten().map(|m| m.id);
        let announce = move |viewing: bool| spawn_local(async move { let _ = signal_viewing(conv_id, viewing).await; });
        on_signals(feed, move |s| {
            if s.conversation_id() != conv_id {
                return;
            }
            let t = now();
            match s {
                Signal::Typing(ty) => match ty.agent_id {
                    None => p.customer_typing_until.set(if ty.typing { t + TYPING_TTL_MS as f64 } else { 0.0 }),
                    Some(id) if Some(id) != my_id() => p.upsert(id, ty.name.clone().unwrap_or_default(), |c| {
                        c.writing_until = if ty.typing { t + TYPING_TTL_MS as f64 } else { 0.0 };
                        // Writing in the chat means having it open.
                        if ty.typing {
                            c.viewing_until = c.viewing_until.max(t + VIEWING_TTL_MS as f64);
                        }
                    }),
                    Some(_) => {}
                },
                Signal::Viewing(v) if Some(v.agent_id) != my_id() => {
                    let new = v.viewing && p.colleagues.with_untracked(|l| !l.iter().any(|c| c.agent_id == v.agent_id && c.viewing_until > t));
                    p.upsert(v.agent_id, v.name.clone(), |c| {
                        c.viewing_until = if v.viewing { t + VIEWING_TTL_MS as f64 } else { 0.0 };
                        if !v.viewing {
                            c.writing_until = 0.0;
                        }
                    });
                    if new {
                        announce(true);
                    }
                }
                Signal::Viewing(_) => {}
            }
        });
        // Effects and intervals run in the browser only.
        Effect::new(move |_| {
            announce(true);
            let ticks = std::cell::Cell::new(0u32);
            let every = (VIEWING_EVERY_MS / 1000) as u32;
            let handle = set_interval_with_handle(
                move || {
                    ticks.set(ticks.get() + 1);
                    p.clock.set(now());
                    if ticks.get() % every == 0 {
                        announce(true);
                    }
                },
                std::time::Duration::from_secs(1),
            );
            on_cleanup(move || {
                if let Ok(h) = handle {
                    h.clear();
                }
                announce(false);
            });
        });
        p
    }

    fn upsert(self, agent_id: i64, name: String, f: impl FnOnce(&mut Colleague)) {
        self.colleagues.update(|list| {
            let at = match list.iter().position(|c| c.agent_id == agent_id) {
                Some(i) => i,
                None => {
                    list.push(Colleague { agent_id, name: name.clone(), viewing_until: 0.0, writing_until: 0.0 });
                    list.len() - 1
                }
            };
            list[at].name = name;
            f(&mut list[at]);
        });
    }

    /// A message arrived: its author is no longer typing it.
    pub fn message_from(self, agent_id: Option<i64>) {
        match agent_id {
            None => self.customer_typing_until.set(0.0),
            Some(id) => self.colleagues.update(|l| l.iter_mut().filter(|c| c.agent_id == id).for_each(|c| c.writing_until = 0.0)),
        }
    }

    pub fn customer_typing(self) -> bool {
        self.clock.track();
        self.customer_typing_until.get() > now()
    }

    /// "Sam is also viewing", or nothing.
    pub fn viewing_text(self) -> Option<String> {
        self.clock.track();
        let t = now();
        self.colleagues.with(|l| {
            let who: Vec<&Colleague> = l.iter().filter(|c| c.viewing_until > t && c.writing_until <= t).collect();
            (!who.is_empty()).then(|| format!("{} {} also viewing", names(&who), if who.len() == 1 { "is" } else { "are" }))
        })
    }

    /// "Sam is writing a reply…", or nothing.
    pub fn writing_text(self) -> Option<String> {
        self.clock.track();
        let t = now();
        self.colleagues.with(|l| {
            let who: Vec<&Colleague> = l.iter().filter(|c| c.writing_until > t).collect();
            (!who.is_empty()).then(|| format!("{} {} writing a reply…", names(&who), if who.len() == 1 { "is" } else { "are" }))
        })
    }
}

/// Tells the chat's customer and colleagues that this agent is typing a reply.
pub(super) fn send_typing(conv_id: i64, typing: bool) {
    spawn_local(async move {
        let _ = signal_typing(conv_id, typing).await;
    });
}

/// The collision warnings, for the header and again above the reply box.
#[component]
pub(super) fn Collision(p: ChatPresence) -> impl IntoView {
    view! {
        {move || p.viewing_text().map(|t| view! { <p class="collision viewing" data-testid="also-viewing">{t}</p> })}
        {move || p.writing_text().map(|t| view! { <p class="collision writing" data-testid="writing-reply">{t}</p> })}
    }
}
