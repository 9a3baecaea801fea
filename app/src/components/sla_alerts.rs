//! SLA alerts in the console: when 80% of a chat's target has passed, or it was
//! breached, the chat's agent and the inbox's supervisors see a notice with a link to
//! the chat, until they dismiss it or open the chat.
use crate::live::{on_events, use_live_feed};
use crate::model::change::Change;
use crate::model::sla::SlaAlert;
use leptos::prelude::*;

fn text(a: &SlaAlert, now: i64) -> String {
    let what = a.target.label();
    if a.breached {
        format!("SLA breached: {what} on chat #{}", a.conversation_id)
    } else {
        format!("SLA: {what} on chat #{} is {}", a.conversation_id, crate::sla::state_label(now, a.due_at))
    }
}

#[component]
pub fn SlaAlerts(me: i64, supervises: bool) -> impl IntoView {
    let feed = use_live_feed();
    let alerts = RwSignal::new(Vec::<(SlaAlert, String)>::new());
    on_events(feed, None, move |ev| {
        if let Change::ConversationSla(a) = &ev.change {
            if a.assignee_id == Some(me) || supervises {
                let line = text(a, js_sys::Date::now() as i64);
                alerts.update(|l| {
                    l.retain(|(x, _)| x.conversation_id != a.conversation_id);
                    l.push((a.clone(), line));
                });
            }
        }
    });
    let dismiss = move |id: i64| alerts.update(|l| l.retain(|(a, _)| a.conversation_id != id));
    view! {
        <div class="sla-alerts" role="region" aria-label="SLA alerts" aria-live="polite">
            <For each=move || alerts.get() key=|(a, line)| (a.conversation_id, line.clone()) let:item>
                {
                    let (a, line) = item;
                    let id = a.conversation_id;
                    view! {
                        <div class="sla-alert" data-breached=a.breached.to_string()>
                            <p>{line}</p>
                            <a href=format!("/inbox/{id}") on:click=move |_| dismiss(id)>"Open chat"</a>
                            " "
                            <button type="button" class="link" on:click=move |_| dismiss(id)>"Dismiss"</button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
