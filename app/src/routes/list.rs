//! `/conversations`: the whole-system list. Every filter lives in the URL, so reloads,
//! the back button and shared links all work.
use crate::components::initials;
use crate::list::api::list_page;
use crate::list::{ListQuery, Page, Row};
use crate::live::use_live_feed;
use crate::model::change::Change;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

fn parse<T: serde::de::DeserializeOwned>(v: Option<String>) -> Option<T> {
    v.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok())
}

pub fn query_of(m: &ParamsMap) -> ListQuery {
    let d = ListQuery::default();
    ListQuery {
        group: parse(m.get("group")).unwrap_or(d.group),
        inbox: m.get("inbox").and_then(|s| s.parse().ok()),
        status: parse(m.get("status")),
        reason: parse(m.get("reason")),
        started: parse(m.get("started")).unwrap_or(d.started),
        follow_up: parse(m.get("follow_up")),
        online: m.get("online").as_deref() == Some("true"),
        sla: parse(m.get("sla")),
        q: m.get("q").filter(|s| !s.is_empty()),
        sort: parse(m.get("sort")).unwrap_or(d.sort),
        size: m.get("size").and_then(|s| s.parse().ok()).unwrap_or(d.size),
        tz: m.get("tz").and_then(|s| s.parse().ok()).unwrap_or(0),
        after: m.get("after"),
        before: m.get("before"),
    }
}

/// The URL query for a list query (and for its CSV download).
pub fn to_url(q: &ListQuery) -> String {
    let v = serde_json::to_value(q).unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(obj) = v.as_object() {
        for (k, val) in obj {
            let s = match val {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let default = serde_json::to_value(ListQuery::default()).ok().and_then(|d| d.get(k).cloned());
            if default.as_ref() == Some(val) {
                continue;
            }
            parts.push(format!("{k}={}", js_escape(&s)));
        }
    }
    parts.join("&")
}

fn js_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A change that can put a new or newly active row into the list.
fn is_new_activity(change: &Change) -> bool {
    matches!(change, Change::ConversationCreated(_) | Change::MessageCreated(_))
}

#[component]
pub fn ListPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| query_of(&query_map.read()));
    let refresh = RwSignal::new(0u32);
    let feed = use_live_feed();
    // Every row opens a chat, whose code is split from this page's: fetch it now.
    Effect::new(move |_| super::lazy::preload_conversation());
    let page = Resource::new(move || (query.get(), refresh.get(), feed.resyncs.get()), |(q, _, _)| list_page(q));
    // Live changes do not move the rows under the reader: they raise a bar instead.
    let seen_events = RwSignal::new(None::<usize>);
    let fresh = Memo::new(move |_| {
        let n = feed.events.with(|e| e.iter().filter(|e| is_new_activity(&e.change)).count());
        seen_events.with(|s| s.map(|s| n.saturating_sub(s)).unwrap_or(0))
    });
    Effect::new(move |_| {
        page.track();
        let n = feed.events.with_untracked(|e| e.iter().filter(|e| is_new_activity(&e.change)).count());
        seen_events.set(Some(n));
    });
    let navigate = use_navigate();
    let go = move |q: ListQuery| navigate(&format!("/conversations?{}", to_url(&q)), Default::default());
    let show_filters = RwSignal::new(true);
    let go_filters = go.clone();
    let go_search = go.clone();
    view! {
        <Title text="Conversations · Switchboard"/>
        <header class="list-head">
            <h1>"Conversations"</h1>
            <SearchBox query go=go_search/>
            <button type="button" on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
            <button type="button" aria-expanded=move || show_filters.get().to_string() on:click=move |_| show_filters.update(|s| *s = !*s)>
                {move || if show_filters.get() { "Hide filters" } else { "Show filters" }}
            </button>
            <a class="button quiet" href=move || { let mut q = query.get(); q.after = None; q.before = None; format!("/api/conversations.csv?{}", to_url(&q)) } download="conversations.csv">"Download CSV"</a>
        </header>
        <Show when=move || show_filters.get()>
            <Filters query go=go_filters.clone()/>
        </Show>
        <Show when=move || { fresh.get() > 0 }>
            <button type="button" class="new-bar" on:click=move |_| { refresh.update(|n| *n += 1); }>
                {move || format!("{} new — show", fresh.get())}
            </button>
        </Show>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || { let go = go.clone(); Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Table page=p query go=go.clone()/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}}
        </Transition>
    }
}

#[component]
fn SearchBox(query: Memo<ListQuery>, go: impl Fn(ListQuery) + Clone + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(query.get_untracked().q.unwrap_or_default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut q = query.get_untracked();
        q.q = Some(text.get_untracked()).filter(|s| !s.trim().is_empty());
        q.after = None;
        q.before = None;
        go(q);
    };
    view! {
        <form role="search" class="search" on:submit=submit>
            <input type="search" aria-label="Search conversations" placeholder="Search names, emails, messages…" title="Name, email, id, context or message text"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <button type="submit">"Search"</button>
        </form>
    }
}

#[component]
fn Filters(query: Memo<ListQuery>, go: impl Fn(ListQuery) + Clone + Send + Sync + 'static) -> impl IntoView {
    let pick = move |field: &'static str, value: String| {
        let mut v = serde_json::to_value(query.get_untracked()).unwrap_or_default();
        v[field] = if value.is_empty() { serde_json::Value::Null } else { serde_json::Value::String(value) };
        if field == "online" {
            v[field] = serde_json::Value::Bool(v[field].as_str() == Some("true"));
        }
        if field == "size" || field == "inbox" {
            v[field] = v[field].as_str().and_then(|s| s.parse::<i64>().ok()).map(Into::into).unwrap_or(serde_json::Value::Null);
            if field == "size" && v[field].is_null() { v[field] = 25.into(); }
        }
        v["after"] = serde_json::Value::Null;
        v["before"] = serde_json::Value::Null;
        if field == "started" {
            v["tz"] = browser_tz().into();
        }
        let mut q: ListQuery = serde_json::from_value(v).unwrap_or_default();
        if field == "started" && q.started == crate::list::Started::All { q.tz = 0; }
        q
    };
    let go_inbox = go.clone();
    let select = move |field: &'static str, label: &'static str, options: Vec<(&'static str, &'static str)>| {
        let go = go.clone();
        let current = move || serde_json::to_value(query.get()).ok().and_then(|v| v.get(field).cloned()).map(|v| match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }).unwrap_or_default();
        view! {
            <label>{label}
                <select on:change=move |ev| go(pick(field, event_target_value(&ev)))
                    prop:value=current>
                    {options.into_iter().map(|(v, t)| view! { <option value=v>{t}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let super::console::MeResource(me) = expect_context::<super::console::MeResource>();
    let inbox_select = move || {
        let go = go_inbox.clone();
        Suspend::new(async move {
            let inboxes = me.await.ok().flatten().map(|m| m.inboxes).unwrap_or_default();
            let current = move || query.get().inbox.map(|i| i.to_string()).unwrap_or_default();
            view! {
                <label>"Inbox"
                    <select on:change=move |ev| go(pick("inbox", event_target_value(&ev))) prop:value=current>
                        <option value="">"All inboxes"</option>
                        {inboxes.into_iter().map(|i| view! { <option value=i.id.to_string()>{i.name}</option> }).collect_view()}
                    </select>
                </label>
            }
        })
    };
    view! {
        <div class="filters" role="group" aria-label="Filter chats">
            <Suspense fallback=|| ()>{inbox_select}</Suspense>
            {select("started", "Started", vec![("all", "Show all"), ("today", "Today"), ("yesterday", "Yesterday"), ("last7", "Last 7 days"), ("last30", "Last 30 days")])}
            {select("follow_up", "Follow-up", vec![("", "Any"), ("awaiting", "Awaiting reply"), ("by_me", "Replied by you"), ("by_others", "Replied by others")])}
            {select("status", "Status", vec![("", "Any"), ("new", "New"), ("open", "Open"), ("closed", "Closed")])}
            {select("reason", "Ended as", vec![("", "Any"), ("solved", "Solved"), ("cancelled", "Cancelled"), ("closed", "Closed")])}
            {select("online", "Customer", vec![("false", "Anyone"), ("true", "Is online")])}
            {select("sla", "SLA", vec![("", "Any"), ("breached", "Breached")])}
            {select("sort", "Sort", vec![("activity", "Latest activity"), ("started", "Started"), ("name_asc", "Name A–Z"), ("name_desc", "Name Z–A"), ("sla_due", "SLA due first")])}
            {select("size", "Per page", vec![("25", "25"), ("50", "50"), ("100", "100")])}
        </div>
    }
}

fn browser_tz() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        return -(js_sys::Date::new_0().get_timezone_offset() as i64);
    }
    #[allow(unreachable_code)]
    0
}

#[component]
fn Table(page: Page, query: Memo<ListQuery>, go: impl Fn(ListQuery) + Clone + Send + Sync + 'static) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="empty">"No conversations match."</p> }.into_any();
    }
    let (next, prev) = (page.next.clone(), page.prev.clone());
    let go2 = go.clone();
    let hidden = use_hidden_columns();
    view! {
        <ColumnPicker hidden/>
        <table class="conversations" data-custom=move || hidden.get().is_some().then_some("true")
            data-hide=move || hidden.get().map(|h| h.join(" "))>
            <thead><tr>
                <th>"Started"</th><th>"Last message"</th><th>"Customer"</th><th>"Role"</th><th>"Phone"</th>
                <th>"Email"</th><th>"Channel"</th><th>"Assignee"</th><th>"Status"</th><th>"SLA"</th><th>"Unread"</th><th><span class="sr-only">"Export"</span></th>
            </tr></thead>
            <tbody>{page.rows.into_iter().map(|r| view! { <TableRow r/> }).collect_view()}</tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            <button type="button" disabled=prev.is_none() on:click=move |_| { let mut q = query.get_untracked(); q.after = None; q.before = prev.clone(); go(q); }>"Previous"</button>
            <button type="button" disabled=next.is_none() on:click=move |_| { let mut q = query.get_untracked(); q.before = None; q.after = next.clone(); go2(q); }>"Next"</button>
        </nav>
    }
    .into_any()
}

#[component]
fn TableRow(r: Row) -> impl IntoView {
    let href = format!("/conversations/{}", r.id);
    let name = r.customer_name.clone().unwrap_or_else(|| "Visitor".into());
    let export_label = format!("Export chat #{} as CSV", r.id);
    view! {
        <tr data-status=r.status.as_str()>
            <td><time datetime=r.created_at.to_string()>{crate::timefmt::short_time(r.created_at)}</time></td>
            <td>
                <a href=href.clone() class="preview">{r.last_message_preview.clone().unwrap_or_default()}</a>
                <time class="muted small" datetime=r.activity_at.to_string()>{crate::timefmt::short_time(r.activity_at)}</time>
            </td>
            <td><span class="avatar small" aria-hidden="true">{initials(&name)}</span> <a href=href>{name}</a></td>
            <td>{r.customer_role.clone().unwrap_or_default()}</td>
            <td>{r.customer_phone.clone().unwrap_or_default()}</td>
            <td>{r.customer_email.clone().unwrap_or_default()}</td>
            <td><span class="channel" title=format!("Channel: {}", r.channel)>{if r.channel == "web" { "Web".to_string() } else { r.channel.clone() }}</span></td>
            <td>{r.assignee_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td><span class=format!("status status-{}", r.status.as_str())>{crate::conversations::status_text(r.status, r.close_reason)}</span></td>
            <td><SlaBadge due_at=r.sla_due_at breached=r.sla_breached/></td>
            <td>{(r.unread > 0).then(|| view! { <span class="badge" aria-label=format!("{} unread", r.unread)>{r.unread}</span> })}</td>
            <td><a class="export" href=format!("/api/conversations/{}/export.csv", r.id) download="" rel="external"
                aria-label=export_label>"CSV"</a></td>
        </tr>
    }
}

/// The table's optional columns: (key, header), by their position in the row.
const OPTIONAL: [(&str, &str); 4] = [("role", "Role"), ("phone", "Phone"), ("email", "Email"), ("channel", "Channel")];
const COLUMNS_KEY: &str = "sb_columns";

/// The columns the agent chose to hide (kept in this browser), or `None` before they
/// chose: then the narrow-screen default applies (role, phone and channel give way).
fn use_hidden_columns() -> RwSignal<Option<Vec<String>>> {
    let hidden = RwSignal::new(None::<Vec<String>>);
    Effect::new(move |_| {
        let stored = window().local_storage().ok().flatten().and_then(|s| s.get_item(COLUMNS_KEY).ok().flatten());
        if let Some(list) = stored {
            hidden.set(Some(list.split(',').filter(|s| !s.is_empty()).map(String::from).collect()));
        }
    });
    hidden
}

/// "Columns": which optional columns the table shows.
#[component]
fn ColumnPicker(hidden: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let toggle = move |key: &'static str, show: bool| {
        let mut list = hidden.get_untracked().unwrap_or_else(|| {
            // The first choice starts from what the screen shows now.
            let narrow = window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 1500.0);
            if narrow { vec!["role".into(), "phone".into(), "channel".into()] } else { vec![] }
        });
        list.retain(|k| k != key);
        if !show {
            list.push(key.to_string());
        }
        if let Some(s) = window().local_storage().ok().flatten() {
            let _ = s.set_item(COLUMNS_KEY, &list.join(","));
        }
        hidden.set(Some(list));
    };
    // What the screen shows before any choice (known only in the browser).
    let narrow = RwSignal::new(false);
    Effect::new(move |_| narrow.set(window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 1500.0)));
    view! {
        <details class="menu column-picker">
            <summary>"Columns"</summary>
            <div class="menu-body" role="group" aria-label="Columns shown">
                {OPTIONAL.into_iter().map(|(key, label)| {
                    let shown = move || match hidden.get() {
                        Some(h) => !h.iter().any(|k| k == key),
                        None => !narrow.get() || key == "email",
                    };
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=shown on:change=move |ev| toggle(key, event_target_checked(&ev))/>
                            {label}
                        </label>
                    }
                }).collect_view()}
            </div>
        </details>
    }
}

/// A chat's SLA state: "due in 4 m", or "breached 12 m ago" in the breach colour.
/// Counted in the browser (on the server's first render it is left empty).
#[component]
pub fn SlaBadge(due_at: Option<i64>, breached: bool) -> impl IntoView {
    let now = RwSignal::new(0i64);
    Effect::new(move |_| {
        now.set(js_sys::Date::now() as i64);
        if let Ok(handle) = set_interval_with_handle(move || now.set(js_sys::Date::now() as i64), std::time::Duration::from_secs(30)) {
            on_cleanup(move || handle.clear());
        }
    });
    due_at.map(|due| {
        view! {
            <span class="sla" data-breached=move || (breached || (now.get() > 0 && now.get() > due)).to_string()>
                {move || (now.get() > 0).then(|| crate::sla::state_label(now.get(), due))}
            </span>
        }
    })
}
