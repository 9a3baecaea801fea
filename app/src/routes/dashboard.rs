//! `/dashboard`: the floor now, for supervisors and admins. Read once, then again
//! whenever an event about chats or agents arrives (coalesced: at most one read in
//! flight, and one more if something changed meanwhile); waits tick with a local clock.
use crate::dashboard::api::get_dashboard;
use crate::dashboard::{wait_label, Dashboard};
use crate::error::AppError;
use crate::live::{on_events, use_live_feed};
use crate::model::change::Change;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// Whether a change can move a figure of the dashboard.
fn matters(change: &Change) -> bool {
    matches!(
        change,
        Change::ConversationCreated(_)
            | Change::ConversationAssigned(_)
            | Change::ConversationStatus(_)
            | Change::ConversationMoved(_)
            | Change::ConversationDeleted(_)
            | Change::MessageCreated(_)
            | Change::AgentPresence(_)
            | Change::ConversationSla(_)
    )
}

fn client_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        return js_sys::Date::now() as i64;
    }
    #[allow(unreachable_code)]
    0
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let dash = RwSignal::new(None::<Result<Dashboard, AppError>>);
    // The server's clock minus ours, so waits count from the server's instant.
    let skew = RwSignal::new(0i64);
    let busy = StoredValue::new(false);
    let again = StoredValue::new(false);
    let feed = use_live_feed();
    fn load(dash: RwSignal<Option<Result<Dashboard, AppError>>>, skew: RwSignal<i64>, busy: StoredValue<bool>, again: StoredValue<bool>) {
        if busy.get_value() {
            again.set_value(true);
            return;
        }
        busy.set_value(true);
        spawn_local(async move {
            let got = get_dashboard().await;
            if let Ok(d) = &got {
                skew.set(d.now - client_now());
            }
            dash.set(Some(got));
            busy.set_value(false);
            if again.get_value() {
                again.set_value(false);
                load(dash, skew, busy, again);
            }
        });
    }
    Effect::new(move |_| {
        feed.resyncs.track();
        load(dash, skew, busy, again);
    });
    on_events(feed, None, move |ev| {
        if matters(&ev.change) {
            load(dash, skew, busy, again);
        }
    });
    let now = RwSignal::new(client_now());
    Effect::new(move |_| {
        now.set(client_now());
        if let Ok(handle) = set_interval_with_handle(move || now.set(client_now()), std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    let server_now = move || now.get() + skew.get();
    view! {
        <Title text="Dashboard · Switchboard"/>
        <h1>"Dashboard"</h1>
        {move || match dash.get() {
            None => view! { <p class="loading">"Loading the dashboard…"</p> }.into_any(),
            Some(Err(AppError::Forbidden)) => view! { <p class="error" role="alert">"The dashboard is for supervisors and admins."</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(d)) => view! { <Floor d server_now=Signal::derive(server_now)/> }.into_any(),
        }}
    }
}

#[component]
fn Floor(d: Dashboard, server_now: Signal<i64>) -> impl IntoView {
    let (online, away, offline) = d.presence_counts();
    let (open, capacity) = d.online_load();
    let oldest = d.oldest_waiting_since;
    let longest = move || oldest.map(|t| wait_label(server_now.get() - t)).unwrap_or_else(|| "—".into());
    view! {
        <section class="tiles" aria-label="Now">
            <div class="tile" data-tile="waiting"><span class="tile-label">"Waiting now"</span><strong class="tile-value">{d.waiting}</strong></div>
            <div class="tile" data-tile="longest"><span class="tile-label">"Longest wait"</span><strong class="tile-value">{longest}</strong></div>
            <div class="tile" data-tile="load"><span class="tile-label">"Open chats of Online agents"</span>
                <strong class="tile-value">{format!("{open} / {capacity}")}</strong></div>
            <div class="tile" data-tile="agents"><span class="tile-label">"Agents"</span>
                <strong class="tile-value">{format!("{online} Online")}</strong>
                <span class="muted">{format!("{away} Away · {offline} Offline")}</span></div>
            <div class="tile" data-tile="sla"><span class="tile-label">"Close to or past SLA"</span>
                <strong class="tile-value">{d.sla_at_risk + d.sla_breached}</strong>
                <span class="muted">{format!("{} past 80% · {} breached", d.sla_at_risk, d.sla_breached)}</span></div>
        </section>
        <h2>"Agents"</h2>
        <table class="team dashboard-agents">
            <thead><tr><th scope="col">"Agent"</th><th scope="col">"Status"</th><th scope="col">"Open chats"</th></tr></thead>
            <tbody>
                {d.agents.into_iter().map(|a| {
                    let over = a.open >= a.capacity;
                    view! {
                        <tr data-agent=a.id.to_string()>
                            <td>{a.name.clone()}</td>
                            <td><span class="presence" data-presence=a.presence.as_str()><span class="dot" aria-hidden="true"></span>{a.presence.label()}</span></td>
                            <td>
                                <meter min="0" max=a.capacity.to_string() value=a.open.to_string() aria-label=format!("{} of capacity", a.name)></meter>
                                " " <span data-full=over.to_string()>{format!("{} / {}", a.open, a.capacity)}</span>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>"Ongoing chats"</h2>
        {if d.ongoing.is_empty() {
            view! { <p class="empty">"No chat is open right now."</p> }.into_any()
        } else {
            view! {
                <table class="team dashboard-ongoing">
                    <thead><tr><th scope="col">"Customer"</th><th scope="col">"Inbox"</th><th scope="col">"Assignee"</th>
                        <th scope="col">"Waiting"</th><th scope="col">"SLA"</th><th scope="col">"Last message"</th></tr></thead>
                    <tbody>
                        {d.ongoing.into_iter().map(|c| {
                            let since = c.waiting_since;
                            let waiting = move || since.map(|t| wait_label(server_now.get() - t)).unwrap_or_else(|| "—".into());
                            view! {
                                <tr data-conversation=c.id.to_string()>
                                    <td><a href=format!("/conversations/{}", c.id)>{c.customer.clone()}</a></td>
                                    <td>{c.inbox.clone()}</td>
                                    <td>{c.assignee.clone().unwrap_or_else(|| "In the queue".into())}</td>
                                    <td>{waiting}</td>
                                    <td><crate::routes::list::SlaBadge due_at=c.sla_due_at breached=c.sla_breached/></td>
                                    <td class="preview">{c.last_message.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
