//! Keyboard shortcuts, the `?` help dialog and the Ctrl/Cmd+K command bar.
//!
//! Shortcuts act on what is on screen, through the controls themselves (a button
//! marked `data-shortcut`, the reply box, the queue's links), so a shortcut can do
//! exactly what a click could and nothing more. Single keys never fire while the focus
//! is in a text field; those with a modifier do.
use crate::conversations::api::mark_unread;
use crate::list::api::list_page;
use crate::list::{ListQuery, Row};
use crate::live::use_live_feed;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate};
use wasm_bindgen::JsCast;

/// Every shortcut, as the help dialog and the README list them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("J / K", "Next / previous chat in the list"),
    ("Alt+↓ / Alt+↑", "Next / previous chat, also from the reply box"),
    ("R", "Focus the reply box"),
    ("N", "Write a private note"),
    ("Alt+N", "Switch between reply and note, in the reply box"),
    ("/", "Open the canned responses, in the reply box"),
    ("Enter or Ctrl/Cmd+Enter", "Send (Shift+Enter: a new line)"),
    ("S", "Mark the chat as solved"),
    ("A", "Assign the chat"),
    ("M", "Move the chat to another inbox"),
    ("U", "Mark the chat unread and go back to the list"),
    ("Ctrl/Cmd+K", "Command bar: jump to a chat, run an action"),
    ("?", "This list"),
    ("Esc", "Close a dialog or the picker"),
];

fn document() -> web_sys::Document {
    window().document().expect("a document")
}

fn element(selector: &str) -> Option<web_sys::HtmlElement> {
    document().query_selector(selector).ok().flatten().and_then(|e| e.dyn_into().ok())
}

fn in_text_field(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else { return false };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
}

/// The chat open in the page, from its address.
fn open_chat(path: &str) -> Option<i64> {
    path.strip_prefix("/inbox/").or_else(|| path.strip_prefix("/conversations/")).and_then(|s| s.trim_end_matches('/').parse().ok())
}

/// What a shortcut or a command does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Act {
    Next,
    Previous,
    Reply,
    Note,
    Solve,
    Assign,
    Move,
    Unread,
    Help,
}

const ACTIONS: &[(Act, &str)] = &[
    (Act::Reply, "Reply"),
    (Act::Note, "Write a private note"),
    (Act::Solve, "Mark as solved"),
    (Act::Assign, "Assign…"),
    (Act::Move, "Move to another inbox…"),
    (Act::Unread, "Mark unread"),
    (Act::Next, "Next chat"),
    (Act::Previous, "Previous chat"),
    (Act::Help, "Keyboard shortcuts"),
];

/// Whether the action can be taken on this page now.
fn available(act: Act, path: &str) -> bool {
    let chat = open_chat(path).is_some();
    match act {
        Act::Reply | Act::Note => chat && element(".chat-composer textarea").is_some(),
        Act::Solve => chat && element("[data-shortcut=solve]").is_some(),
        Act::Assign => chat && element("select[aria-label='Assign to']").is_some(),
        Act::Move => chat && element("select[aria-label='Move to inbox']").is_some(),
        Act::Unread => chat,
        Act::Next | Act::Previous => element(".queue-list a").is_some(),
        Act::Help => true,
    }
}

/// Opens the next (or previous) chat of the workspace's queue.
fn step(forward: bool) {
    let Ok(links) = document().query_selector_all(".queue-list a") else { return };
    let links: Vec<web_sys::HtmlElement> = (0..links.length()).filter_map(|i| links.get(i)?.dyn_into().ok()).collect();
    let at = links.iter().position(|a| a.get_attribute("aria-current").as_deref() == Some("page"));
    let next = match (at, forward) {
        (None, _) => links.first(),
        (Some(i), true) => links.get(i + 1),
        (Some(i), false) => i.checked_sub(1).and_then(|i| links.get(i)),
    };
    if let Some(a) = next {
        a.click();
    }
}

fn run(act: Act, path: &str, help: RwSignal<bool>, after_unread: impl Fn() + 'static) {
    match act {
        Act::Next => step(true),
        Act::Previous => step(false),
        Act::Reply => {
            if let Some(tab) = element("[data-shortcut=reply-tab]") {
                tab.click();
            }
            if let Some(t) = element(".chat-composer textarea") {
                let _ = t.focus();
            }
        }
        Act::Note => {
            if let Some(tab) = element("[data-shortcut=note-tab]") {
                tab.click();
            }
        }
        Act::Solve => {
            if let Some(b) = element("[data-shortcut=solve]") {
                b.click();
            }
        }
        Act::Assign => {
            if let Some(s) = element("select[aria-label='Assign to']") {
                let _ = s.focus();
            }
        }
        Act::Move => {
            if let Some(menu) = element("details.menu") {
                let _ = menu.set_attribute("open", "");
            }
            if let Some(s) = element("select[aria-label='Move to inbox']") {
                let _ = s.focus();
            }
        }
        Act::Unread => {
            if let Some(id) = open_chat(path) {
                spawn_local(async move {
                    if mark_unread(id).await.is_ok() {
                        after_unread();
                    }
                });
            }
        }
        Act::Help => help.set(true),
    }
}

/// The console-wide keyboard: shortcuts, the help dialog and the command bar.
#[component]
pub fn Commands() -> impl IntoView {
    let help = RwSignal::new(false);
    let bar = RwSignal::new(false);
    let location = use_location();
    let navigate = use_navigate();
    let feed = use_live_feed();
    let back_to_list = {
        let navigate = navigate.clone();
        move || {
            feed.local.update(|n| *n += 1);
            navigate("/inbox", Default::default());
        }
    };
    Effect::new({
        let back_to_list = back_to_list.clone();
        move |_| {
            let back_to_list = back_to_list.clone();
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                let key = ev.key();
                if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("k") {
                    ev.prevent_default();
                    bar.set(true);
                    return;
                }
                if key == "Escape" {
                    help.set(false);
                    bar.set(false);
                    return;
                }
                if in_text_field(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || help.get_untracked() || bar.get_untracked() {
                    return;
                }
                let act = match key.as_str() {
                    "j" => Act::Next,
                    "k" => Act::Previous,
                    "r" => Act::Reply,
                    "n" => Act::Note,
                    "s" => Act::Solve,
                    "a" => Act::Assign,
                    "m" => Act::Move,
                    "u" => Act::Unread,
                    "?" => Act::Help,
                    "/" => {
                        // The focus moves to the reply box and the slash lands there,
                        // which opens the picker.
                        if let Some(t) = element(".chat-composer textarea") {
                            let _ = t.focus();
                        }
                        return;
                    }
                    _ => return,
                };
                let path = location.pathname.get_untracked();
                if available(act, &path) {
                    ev.prevent_default();
                    run(act, &path, help, back_to_list.clone());
                }
            });
            on_cleanup(move || handle.remove());
        }
    });
    view! {
        <Show when=move || help.get()>
            <HelpDialog help/>
        </Show>
        <Show when=move || bar.get()>
            <CommandBar bar help back_to_list=back_to_list.clone()/>
        </Show>
    }
}

#[component]
fn HelpDialog(help: RwSignal<bool>) -> impl IntoView {
    let close = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = close.get() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| help.set(false)>
            <div class="dialog shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" on:click=|ev| ev.stop_propagation()>
                <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                <table>
                    <thead><tr><th scope="col">"Keys"</th><th scope="col">"What they do"</th></tr></thead>
                    <tbody>
                        {SHORTCUTS.iter().map(|(k, what)| view! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                <p class="muted">"Single keys work when the focus is not in a text field."</p>
                <button type="button" node_ref=close on:click=move |_| help.set(false)>"Close"</button>
            </div>
        </div>
    }
}

/// One line of the command bar.
#[derive(Clone, PartialEq)]
enum Item {
    Chat(i64, String),
    Action(Act, &'static str),
}

fn chat_label(r: &Row) -> String {
    let who = r.customer_name.clone().or_else(|| r.customer_email.clone()).unwrap_or_else(|| "Visitor".into());
    match &r.last_message_preview {
        Some(p) => format!("#{} {who} — {}", r.id, p.chars().take(60).collect::<String>()),
        None => format!("#{} {who}", r.id),
    }
}

#[component]
fn CommandBar(bar: RwSignal<bool>, help: RwSignal<bool>, back_to_list: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let location = use_location();
    let navigate = use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });
    // Chats found by the list's own search (name, email, external id, text); a number
    // is also a chat id.
    let chats = LocalResource::new(move || {
        let q = text.get();
        async move {
        let q = q.trim().trim_start_matches('#').to_string();
        if q.is_empty() {
            return Vec::new();
        }
        let mut items = Vec::new();
        let by_id = q.parse::<i64>().ok();
        if let Some(id) = by_id {
            items.push(Item::Chat(id, format!("Open chat #{id}")));
        }
        let query = ListQuery { q: Some(q), ..ListQuery::default() };
        if let Ok(page) = list_page(query).await {
            items.extend(page.rows.iter().filter(|r| Some(r.id) != by_id).take(8).map(|r| Item::Chat(r.id, chat_label(r))));
        }
        items
        }
    });
    let items = Memo::new(move |_| {
        let q = text.get().to_lowercase();
        let path = location.pathname.get();
        let mut list: Vec<Item> = chats.get().unwrap_or_default();
        list.extend(ACTIONS.iter().filter(|(a, label)| label.to_lowercase().contains(q.trim()) && available(*a, &path)).map(|(a, l)| Item::Action(*a, l)));
        list
    });
    let choose = {
        let navigate = navigate.clone();
        let back_to_list = back_to_list.clone();
        move |item: Item| {
            bar.set(false);
            match item {
                Item::Chat(id, _) => navigate(&format!("/inbox/{id}"), Default::default()),
                Item::Action(a, _) => run(a, &location.pathname.get_untracked(), help, back_to_list.clone()),
            }
        }
    };
    let on_key = {
        let choose = choose.clone();
        move |ev: web_sys::KeyboardEvent| {
            let n = items.with_untracked(Vec::len).max(1);
            match ev.key().as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    active.update(|a| *a = (*a + 1) % n);
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    active.update(|a| *a = (*a + n - 1) % n);
                }
                "Enter" => {
                    ev.prevent_default();
                    if let Some(item) = items.with_untracked(|l| l.get(active.get_untracked()).cloned()) {
                        choose(item);
                    }
                }
                _ => {}
            }
        }
    };
    let option_id = |i: usize| format!("command-{i}");
    view! {
        <div class="dialog-backdrop" on:click=move |_| bar.set(false)>
            <div class="dialog command-bar" role="dialog" aria-modal="true" aria-label="Command bar" on:click=|ev| ev.stop_propagation()>
                <input node_ref=input type="text" role="combobox" aria-expanded="true" aria-controls="command-results" aria-autocomplete="list"
                    aria-label="Jump to a chat or run an action" placeholder="Customer name, email, chat id or an action…"
                    aria-activedescendant=move || items.with(|l| (!l.is_empty()).then(|| option_id(active.get().min(l.len() - 1))))
                    prop:value=move || text.get() on:input=move |ev| { text.set(event_target_value(&ev)); active.set(0); } on:keydown=on_key/>
                <ul id="command-results" role="listbox" aria-label="Results">
                    {move || items.get().into_iter().enumerate().map(|(i, item)| {
                        let label = match &item {
                            Item::Chat(_, l) => l.clone(),
                            Item::Action(_, l) => l.to_string(),
                        };
                        let kind = if matches!(item, Item::Chat(..)) { "chat" } else { "action" };
                        let choose = choose.clone();
                        view! {
                            <li role="option" id=option_id(i) data-kind=kind aria-selected=move || (active.get() == i).to_string()
                                on:mousedown=move |ev| { ev.prevent_default(); choose(item.clone()); } on:mouseenter=move |_| active.set(i)>{label}</li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </div>
    }
}
