//! The console's frame: a sidebar with the inboxes, the counters and the agent.
//!
//! Resources are created at the top of components, never inside a `Suspend`: the
//! server may render a suspended branch more than once, and a resource created there
//! would get a different id than in the browser and break hydration.
use crate::accounts::api::Logout;
use crate::accounts::Role;
use crate::me::{get_me, Me};
use crate::components::Avatar;
use crate::error::AppError;
use crate::live::ConnectionIndicator;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

/// The logged-in agent, loaded once by the console frame.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, AppError>>);

/// Renders `children` with the logged-in agent once it is known.
#[component]
pub fn WithMe<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let MeResource(me) = expect_context::<MeResource>();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => children(me).into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    provide_context(MeResource(me));
    crate::live::provide_live_feed();
    crate::routes::mentions::provide_mention_count();
    // "(3) Switchboard": the chats waiting for this agent, in every page's title.
    let waiting = RwSignal::new(0u32);
    provide_context(Waiting(waiting));
    let formatter = move |text: String| match waiting.get() {
        0 => text,
        n => format!("({n}) {text}"),
    };
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    view! {
        <leptos_meta::Title formatter/>
        <div class="console">
            <nav class="sidebar" aria-label="Main">
                <A href="/" attr:class="brand">"Switchboard"</A>
                <Counters/>
                // Outside the sidebar's Suspense: a Transition nested in it breaks hydration.
                <crate::routes::mentions::MentionsLink/>
                <ConnectionIndicator/>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => view! { <Sidebar me/> }.into_any(),
                            Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                            Err(_) => ().into_any(),
                        }
                    })}
                </Suspense>
                <crate::components::theme::ThemeToggle/>
                <ActionForm action=logout>
                    <button type="submit" class="logout">"Log out"</button>
                </ActionForm>
            </nav>
            <main class="content">
                <Outlet/>
            </main>
            <crate::components::commands::Commands/>
        </div>
    }
}

/// How many chats wait for the agent (the red counter), for the tab's title.
#[derive(Clone, Copy)]
struct Waiting(RwSignal<u32>);

/// The red and blue badges, live.
#[component]
fn Counters() -> impl IntoView {
    let Waiting(waiting) = expect_context::<Waiting>();
    let feed = crate::live::use_live_feed();
    let changes = Memo::new(move |_| (feed.events.with(|e| e.last().map(|e| e.id)), feed.local.get(), feed.resyncs.get()));
    let counts = Resource::new(move || changes.get(), |_| crate::list::api::get_counters());
    Effect::new(move |_| {
        if let Some(Ok(c)) = counts.get() {
            waiting.set(u32::try_from(c.red).unwrap_or(0));
        }
    });
    view! {
        <div class="counters">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    counts.await.ok().map(|c| view! {
                        <A href="/inbox?group=mine" attr:class="counter" attr:aria-label=format!("{} chats need you", c.red)>
                            <span class="badge red">{c.red}</span>" need you"
                        </A>
                        <A href="/inbox?group=unassigned" attr:class="counter" attr:aria-label=format!("{} new unassigned chats", c.blue)>
                            <span class="badge blue">{c.blue}</span>" new"
                        </A>
                    })
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Sidebar(me: Me) -> impl IntoView {
    let is_admin = me.role == Role::Admin;
    let sees_all = me.role != Role::Operator;
    let supervises = is_admin || me.inboxes.iter().any(|i| i.my_role == Some(crate::inboxes::MemberRole::Supervisor));
    let inbox_names: Vec<(i64, String)> = me.inboxes.iter().map(|i| (i.id, i.name.clone())).collect();
    view! {
        <h2 id="groups-heading">"Chats"</h2>
        <ul class="groups" aria-labelledby="groups-heading">
            <li><A href="/inbox?group=mine">"My chats"</A></li>
            <li><A href="/inbox?group=unassigned">"Unassigned"</A></li>
            <li><A href="/inbox?group=closed">"Closed"</A></li>
            {sees_all.then(|| view! { <li><A href="/inbox">"All"</A></li> })}
            <li><A href="/conversations" attr:class="table-link">"All conversations"</A></li>
        </ul>
        <h2 id="inboxes-heading">"Inboxes"</h2>
        <ul class="inboxes" aria-labelledby="inboxes-heading">
            {me.inboxes
                .into_iter()
                .map(|i| {
                    let base = format!("/inbox?inbox={}", i.id);
                    let label = format!("{} groups", i.name);
                    view! {
                        <li>
                            <A href=base.clone()>{i.name.clone()}</A>
                            <ul class="subgroups" aria-label=label>
                                <li><A href=format!("{base}&group=mine")>"Mine"</A></li>
                                <li><A href=format!("{base}&group=unassigned")>"Unassigned"</A></li>
                                <li><A href=format!("{base}&group=closed")>"Closed"</A></li>
                            </ul>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <A href="/requests" attr:class="requests-link">"Requests"</A>
        <A href="/team-chat" attr:class="team-chat-link">"Team chat"</A>
        {supervises.then(|| view! {
            <A href="/dashboard" attr:class="dashboard-link">"Dashboard"</A>
            <A href="/reports" attr:class="reports-link">"Reports"</A>
            <A href="/team" attr:class="team-link">"Team"</A>
        })}
        <A href="/settings" attr:class="settings-link">"Settings"</A>
        <crate::components::alerts::NewChatAlerts me=me.id inboxes=inbox_names/>
        <crate::components::sla_alerts::SlaAlerts me=me.id supervises/>
        {is_admin.then(|| view! { <crate::components::webhook_alert::WebhookAlert/> })}
        <crate::components::invites::TeamInvites/>
        <div class="me">
            <Avatar name=me.name.clone()/>
            <div>
                <div class="me-name">{me.name}</div>
                <div class="me-role">{me.role.label()}</div>
            </div>
        </div>
        <crate::components::presence::AvailabilityPicker initial=me.availability/>
    }
}
