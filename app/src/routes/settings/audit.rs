//! `/admin/audit`: the audit log for admins. Filters by actor, action, target and
//! days; newest first, an older page at a time (keyset); the same filters download
//! as CSV; and how long the log keeps its entries.
use crate::audit_log::api::{load_audit, set_audit_retention};
use crate::audit::Action;
use crate::audit_log::{AuditLine, AuditQuery};
use crate::components::ErrorNotice;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Audit log · Settings · Switchboard"/>
        <super::AdminOnly>
            <h2>"Audit log"</h2>
            <p class="muted">"Every sign-in, setting change, assignment, move, export and delete, with who did it and from where. "
                "Entries are never changed; they are removed only after the retention below."</p>
            <AuditLog/>
        </super::AdminOnly>
    }
}

fn browser_tz() -> i32 {
    #[cfg(feature = "hydrate")]
    {
        return -(js_sys::Date::new_0().get_timezone_offset() as i32);
    }
    #[allow(unreachable_code)]
    0
}

/// The filters as a query string, for the CSV link.
fn query_string(q: &AuditQuery) -> String {
    let mut parts = vec![format!("tz={}", q.tz)];
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", js_escape(v)));
        }
    };
    add("action", &q.action);
    add("target", &q.target);
    add("from", &q.from);
    add("to", &q.to);
    if let Some(a) = q.actor {
        parts.push(format!("actor={a}"));
    }
    parts.join("&")
}

/// Percent-encodes a query value (letters, digits and `-_.:` pass).
fn js_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn AuditLog() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let lines = RwSignal::new(Vec::<AuditLine>::new());
    let next = RwSignal::new(None::<i64>);
    let actors = RwSignal::new(Vec::<(i64, String)>::new());
    let retention = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let loading = RwSignal::new(false);
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let query = Memo::new(move |_| AuditQuery {
        actor: actor.get().parse().ok(),
        action: some(action.get()),
        target: some(target.get()),
        from: some(from.get()),
        to: some(to.get()),
        tz: browser_tz(),
        before: None,
    });
    let load = move |before: Option<i64>| {
        let q = AuditQuery { before, ..query.get_untracked() };
        loading.set(true);
        spawn_local(async move {
            match load_audit(q).await {
                Ok(page) => {
                    error.set(None);
                    if before.is_some() {
                        lines.update(|l| l.extend(page.lines));
                    } else {
                        lines.set(page.lines);
                        actors.set(page.actors);
                        if retention.get_untracked().is_empty() {
                            retention.set(page.retention_days.to_string());
                        }
                    }
                    next.set(page.next);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        })
    };
    Effect::new(move |_| {
        query.track();
        load(None);
    });
    let save_retention = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let days = retention.get_untracked();
        spawn_local(async move {
            match set_audit_retention(days).await {
                Ok(d) => {
                    error.set(None);
                    saved.set(Some(format!("Saved: entries are kept for {d} days.")));
                    load(None);
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let text_filter = move |label: &'static str, name: &'static str, kind: &'static str, sig: RwSignal<String>, hint: &'static str| {
        view! {
            <label class="field">{label}
                <input type=kind name=name placeholder=hint prop:value=move || sig.get()
                    on:change=move |ev| sig.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <form class="filters audit-filters" role="search" aria-label="Filter the audit log" on:submit=|ev| ev.prevent_default()>
            <label class="field">"Who"
                <select name="actor" on:change=move |ev| actor.set(event_target_value(&ev))>
                    <option value="" selected=move || actor.get().is_empty()>"Anyone"</option>
                    {move || actors.get().into_iter().map(|(id, name)| {
                        let v = id.to_string();
                        let selected = v.clone();
                        view! { <option value=v selected=move || actor.get() == selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">"Action"
                <select name="action" on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">"Any action"</option>
                    {Action::ALL.iter().map(|a| view! { <option value=a.as_str()>{a.label()}</option> }).collect_view()}
                </select>
            </label>
            {text_filter("Target", "target", "text", target, "conversation:12")}
            {text_filter("From", "from", "date", from, "")}
            {text_filter("To", "to", "date", to, "")}
            <a class="button" download="audit-log.csv" href=move || format!("/api/admin/audit.csv?{}", query_string(&query.get()))>"Download CSV"</a>
        </form>
        <ErrorNotice error=error/>
        <table class="team audit-table">
            <caption class="visually-hidden">"Audit log entries, newest first"</caption>
            <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Changes"</th><th scope="col">"Address"</th></tr></thead>
            <tbody>
                <For each=move || lines.get() key=|l| l.id let:l>
                    <tr>
                        <td>{crate::timefmt::short_time(l.at)}</td>
                        <td>{l.actor}</td>
                        <td>{l.action}</td>
                        <td>{l.target}</td>
                        <td class="audit-changes">{l.changes}</td>
                        <td>{l.address.unwrap_or_else(|| "—".into())}</td>
                    </tr>
                </For>
            </tbody>
        </table>
        <p role="status" class="muted">{move || match (loading.get(), lines.with(|l| l.len())) {
            (true, _) => "Loading…".to_string(),
            (false, 0) => "No entries match.".to_string(),
            (false, n) => format!("{n} entries shown"),
        }}</p>
        <Show when=move || next.get().is_some()>
            <button type="button" on:click=move |_| load(next.get_untracked())>"Older entries"</button>
        </Show>
        <section aria-labelledby="audit-retention-heading">
            <h3 id="audit-retention-heading">"Retention"</h3>
            <form class="inline-form" on:submit=save_retention>
                <label class="field">"Keep entries for (days)"
                    <input type="number" name="days" min="30" max="3650" prop:value=move || retention.get()
                        on:input=move |ev| retention.set(event_target_value(&ev))/>
                </label>
                <button type="submit">"Save retention"</button>
            </form>
            <p role="status">{move || saved.get()}</p>
        </section>
    }
}
