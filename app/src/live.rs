//! The console's live feed: one `EventSource` on `/api/events` per tab. Components
//! read the recent events from context and pick the ones that concern them.
//!
//! The browser reconnects by itself and sends `Last-Event-ID`, so the server replays
//! what was missed. If the browser gives up (the stream was refused), we reopen it
//! ourselves after a pause, passing the last id in the query string.
use leptos::prelude::*;
use crate::model::change::Change;
use crate::model::signal::Signal;

/// One frame of the stream, parsed once into its change.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    pub id: i64,
    pub change: Change,
}

impl LiveEvent {
    /// The conversation the change is about.
    pub fn conversation_id(&self) -> Option<i64> {
        self.change.conversation_id()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Reconnecting,
}

/// The recent events (bounded) and the connection state.
#[derive(Clone, Copy)]
pub struct LiveFeed {
    pub events: RwSignal<Vec<LiveEvent>>,
    pub connection: RwSignal<Connection>,
    /// Bumped on `resync`: views refetch everything.
    pub resyncs: RwSignal<u32>,
    /// Bumped by this tab's own changes that send no event (reading a chat).
    pub local: RwSignal<u32>,
    /// The recent ephemeral signals (typing, viewing), numbered as they arrived.
    pub signals: RwSignal<Vec<(u64, Signal)>>,
}

const KEEP: usize = 500;

pub fn provide_live_feed() -> LiveFeed {
    let feed = LiveFeed {
        events: RwSignal::new(Vec::new()),
        connection: RwSignal::new(Connection::Connecting),
        resyncs: RwSignal::new(0),
        local: RwSignal::new(0),
        signals: RwSignal::new(Vec::new()),
    };
    provide_context(feed);
    // Effects run only in the browser.
    Effect::new(move |_| connect(feed, None));
    feed
}

pub fn use_live_feed() -> LiveFeed {
    expect_context::<LiveFeed>()
}

fn connect(feed: LiveFeed, last_id: Option<i64>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let url = match last_id {
        Some(id) => format!("/api/events?last_event_id={id}"),
        None => "/api/events".to_string(),
    };
    let Ok(source) = web_sys::EventSource::new(&url) else { return };
    let on_open = Closure::<dyn FnMut()>::new(move || feed.connection.set(Connection::Live));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();

    let watched = source.clone();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        feed.connection.set(Connection::Reconnecting);
        // While the browser retries by itself it resumes from the stream's last `id:`
        // (the server sends one in its very first frame). Once it has given up (the
        // server refused the stream), reopen from the newest event this tab has; a
        // tab that had none cannot know its position, so its views refetch instead.
        if watched.ready_state() == web_sys::EventSource::CLOSED {
            let last = feed.events.with_untracked(|e| e.last().map(|e| e.id));
            set_timeout(
                move || {
                    connect(feed, last.or(last_id));
                    if last.or(last_id).is_none() {
                        feed.resyncs.update(|n| *n += 1);
                    }
                },
                std::time::Duration::from_secs(3),
            );
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();

    listen_signals(feed, &source);
    for kind in Change::KINDS {
        let on_event = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            feed.connection.set(Connection::Live);
            let id = e.last_event_id().parse().unwrap_or(0);
            let data = e.data().as_string().unwrap_or_default();
            let Ok(change) = Change::parse(kind, &data) else {
                leptos::logging::warn!("unreadable {kind} event {id}");
                return;
            };
            if matches!(change, Change::Resync(_)) {
                feed.resyncs.update(|n| *n += 1);
            }
            feed.events.update(|list| {
                if list.iter().any(|x| x.id == id && id != 0) {
                    return; // never the same event twice
                }
                list.push(LiveEvent { id, change });
                if list.len() > KEEP {
                    let extra = list.len() - KEEP;
                    list.drain(..extra);
                }
            });
        });
        let _ = source.add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
        on_event.forget();
    }
}

/// Listens for the ephemeral signals: frames without an id of their own, never replayed.
fn listen_signals(feed: LiveFeed, source: &web_sys::EventSource) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    for kind in Signal::KINDS {
        let on_signal = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Ok(signal) = Signal::parse(kind, &e.data().as_string().unwrap_or_default()) else { return };
            feed.signals.update(|list| {
                let n = list.last().map(|(n, _)| n + 1).unwrap_or(1);
                list.push((n, signal));
                if list.len() > 100 {
                    list.remove(0);
                }
            });
        });
        let _ = source.add_event_listener_with_callback(kind, on_signal.as_ref().unchecked_ref());
        on_signal.forget();
    }
}

/// Calls `f` once with every signal that arrives from now on, in order.
pub fn on_signals(feed: LiveFeed, f: impl Fn(&Signal) + 'static) {
    let start = feed.signals.with_untracked(|s| s.last().map(|(n, _)| *n).unwrap_or(0));
    let seen = StoredValue::new(start);
    Effect::new(move |_| {
        feed.signals.with(|list| {
            let from = seen.get_value();
            for (_, s) in list.iter().filter(|(n, _)| *n > from) {
                f(s);
            }
            if let Some((last, _)) = list.last() {
                seen.set_value((*last).max(from));
            }
        });
    });
}

/// "live" or "reconnecting…", for the sidebar.
#[component]
pub fn ConnectionIndicator() -> impl IntoView {
    let feed = use_live_feed();
    let text = move || match feed.connection.get() {
        Connection::Live => "live",
        Connection::Connecting => "connecting…",
        Connection::Reconnecting => "reconnecting…",
    };
    view! {
        <p class="connection" role="status" data-state=move || text()>
            <span class="dot" aria-hidden="true"></span>
            {text}
        </p>
    }
}

/// Calls `f` once with every event after `from` (by default, every event that
/// arrives from now on), in order.
pub fn on_events(feed: LiveFeed, from: Option<i64>, f: impl Fn(&LiveEvent) + 'static) {
    let start = from.unwrap_or_else(|| feed.events.with_untracked(|e| e.last().map(|e| e.id).unwrap_or(0)));
    let seen = StoredValue::new(start);
    Effect::new(move |_| {
        feed.events.with(|events| {
            let from = seen.get_value();
            for ev in events.iter().filter(|e| e.id > from) {
                f(ev);
            }
            if let Some(last) = events.last() {
                seen.set_value(last.id.max(from));
            }
        });
    });
}

/// A fresh client id for an outgoing message.
pub fn new_client_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("c{}{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64))
}
