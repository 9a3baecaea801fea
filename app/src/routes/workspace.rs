//! `/inbox`: the agent's workspace in three panes. The queue on the left (compact
//! rows, live), the open chat in the middle and the customer panel on the right.
//! Opening a row changes the URL (`/inbox/{id}?…`) without a page load, so reloads,
//! the back button and links work; the queue keeps its filters in the query.
//!
//! Keyboard: ↑/↓ move between rows, Enter opens one (its reply box takes the focus),
//! and Alt+↓ / Alt+↑ open the next or previous chat from anywhere in the workspace.
use super::list::{query_of, to_url};
use crate::components::initials;
use crate::list::api::list_page;
use crate::list::{Group, ListQuery, Row};
use crate::live::use_live_feed;
use crate::model::change::Change;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// A change that can add, move or retitle a row of the queue.
fn affects_queue(change: &Change) -> bool {
    !matches!(
        change,
        Change::AgentPresence(_)
            | Change::TeamInvite(_)
            | Change::TeamSession(_)
            | Change::TeamEnded(_)
            | Change::TeamMessage(_)
            | Change::RequestCreated(_)
            | Change::RequestStatus(_)
            | Change::ConversationSeen(_)
            | Change::MentionCreated(_)
    )
}

fn group_title(g: Group) -> &'static str {
    match g {
        Group::Mine => "My chats",
        Group::Unassigned => "Unassigned",
        Group::Closed => "Closed",
        Group::Mentions => "Mentions",
        Group::All => "All chats",
    }
}

/// The chat `/inbox/{id}` names, if any.
fn selected_of(path: &str) -> Option<i64> {
    path.strip_prefix("/inbox/").and_then(|s| s.trim_end_matches('/').parse().ok())
}

#[component]
pub fn Workspace() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| query_of(&query_map.read()));
    let location = use_location();
    let selected = Memo::new(move |_| selected_of(&location.pathname.get()));
    let feed = use_live_feed();
    // The open chat's code is split from the first load: fetch it now, once the
    // queue is up, rather than when the first chat is opened.
    Effect::new(move |_| super::lazy::preload_conversation());
    // The queue follows the log: any change that can touch a row refetches it (the
    // previous rows stay on screen meanwhile), as does this tab's own reading.
    let changes = Memo::new(move |_| {
        let last = feed.events.with(|e| e.iter().rev().find(|e| affects_queue(&e.change)).map(|e| e.id));
        (last, feed.local.get(), feed.resyncs.get())
    });
    let page = Resource::new(move || (query.get(), changes.get()), |(q, _)| list_page(q));
    let rows = RwSignal::new(Vec::<i64>::new());
    let navigate = use_navigate();
    let open = move |id: i64| navigate(&format!("/inbox/{id}?{}", to_url(&query.get_untracked())), Default::default());
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        if !ev.alt_key() || (key != "ArrowDown" && key != "ArrowUp") {
            return;
        }
        ev.prevent_default();
        let ids = rows.get_untracked();
        let at = selected.get_untracked().and_then(|s| ids.iter().position(|x| *x == s));
        let next = match (at, key == "ArrowDown") {
            (None, _) => ids.first(),
            (Some(i), true) => ids.get(i + 1),
            (Some(i), false) => i.checked_sub(1).and_then(|i| ids.get(i)),
        };
        if let Some(id) = next {
            open(*id);
        }
    };
    view! {
        <Title text="Inbox · Switchboard"/>
        <div class="workspace" data-open=move || selected.get().is_some().to_string() on:keydown=on_key>
            <nav class="queue" aria-labelledby="queue-title">
                <header class="queue-head">
                    <h1 id="queue-title">{move || group_title(query.get().group)}</h1>
                    {move || (query.get().group == Group::Mentions).then(|| view! { <A href="/mentions" attr:class="quiet">"Every mention"</A> })}
                </header>
                <Transition fallback=|| view! { <QueueSkeleton/> }>
                    {move || Suspend::new(async move {
                        match page.await {
                            Ok(p) => {
                                rows.set(p.rows.iter().map(|r| r.id).collect());
                                view! { <QueueList rows=p.rows query selected/> }.into_any()
                            }
                            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
            <section class="pane">
                <A href=move || format!("/inbox?{}", to_url(&query.get())) attr:class="back button quiet">"← All chats"</A>
                <Outlet/>
            </section>
        </div>
    }
}

#[component]
fn QueueSkeleton() -> impl IntoView {
    view! {
        <ul class="queue-list" aria-busy="true" aria-label="Loading chats">
            {(0..6).map(|_| view! { <li class="queue-row"><span class="skeleton"></span><span class="skeleton"></span></li> }).collect_view()}
        </ul>
    }
}

#[component]
fn QueueList(rows: Vec<Row>, query: Memo<ListQuery>, selected: Memo<Option<i64>>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <div class="empty-state">
                <h2>"Nothing here"</h2>
                <p>"No chats match. New ones appear here as they arrive."</p>
            </div>
        }
        .into_any();
    }
    // ↑/↓ move the focus between rows; Enter follows the focused link.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.alt_key() || (ev.key() != "ArrowDown" && ev.key() != "ArrowUp") {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let doc = document();
            let Ok(links) = doc.query_selector_all(".queue-list a.queue-row") else { return };
            let active = doc.active_element();
            let items: Vec<web_sys::HtmlElement> =
                (0..links.length()).filter_map(|i| links.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
            let at = items.iter().position(|e| active.as_ref().is_some_and(|a| a.is_same_node(Some(e))));
            let next = match (at, ev.key() == "ArrowDown") {
                (None, _) => items.first(),
                (Some(i), true) => items.get(i + 1),
                (Some(i), false) => i.checked_sub(1).and_then(|i| items.get(i)),
            };
            if let Some(e) = next {
                let _ = e.focus();
            }
        }
    };
    view! {
        <ul class="queue-list" on:keydown=on_key>
            {rows.into_iter().map(|r| view! { <QueueRow r query selected/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn QueueRow(r: Row, query: Memo<ListQuery>, selected: Memo<Option<i64>>) -> impl IntoView {
    let id = r.id;
    let name = r.customer_name.clone().unwrap_or_else(|| "Visitor".into());
    let waiting = r.assignee_name.is_none() && r.status == crate::conversations::Status::New;
    let status = crate::conversations::status_text(r.status, r.close_reason);
    view! {
        <li>
            <A href=move || format!("/inbox/{id}?{}", to_url(&query.get()))
                attr:class="queue-row" attr:data-status=r.status.as_str()
                attr:aria-current=move || (selected.get() == Some(id)).then_some("page")>
                <span class="avatar" aria-hidden="true">{initials(&name)}</span>
                <span class="who">{name.clone()}</span>
                <time class="when" datetime=r.activity_at.to_string()>{crate::timefmt::short_time(r.activity_at)}</time>
                <span class="preview">{r.last_message_preview.clone().unwrap_or_default()}</span>
                <span class="tags">
                    {if waiting {
                        view! { <span class="tag-new">"New"</span> }.into_any()
                    } else {
                        view! { <span class=format!("status status-{}", r.status.as_str())>{status}</span> }.into_any()
                    }}
                    {(r.unread > 0).then(|| view! { <span class="badge">{r.unread}<span class="sr-only">" unread"</span></span> })}
                </span>
            </A>
        </li>
    }
}

/// `/inbox` with no chat open.
#[component]
pub fn NoChatOpen() -> impl IntoView {
    view! {
        <div class="empty-state">
            <h2>"No chat open"</h2>
            <p>"Pick a chat from the queue, or press Alt+↓ to open the first one."</p>
        </div>
    }
}
