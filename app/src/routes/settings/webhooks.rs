//! Settings → Webhooks: subscribe a URL to event types of one inbox or all, see each
//! subscription's delivery log, redeliver, send a test event, switch one on or off.
use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::webhooks::api::{create_webhook, delete_webhook, enable_webhook, list_webhooks, redeliver_webhook, test_webhook, webhook_log};
use crate::webhooks::{DeliveryLine, EventType, Subscription};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn WebhooksSettings() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Webhooks · Settings · Switchboard"/>
        <super::AdminOnly>
            <h2>"Webhooks"</h2>
            <p class="muted">"Changes are POSTed as Standard Webhooks: " <code>"{id, type, timestamp, data}"</code>
                ", signed in " <code>"webhook-signature"</code> " with the subscription's secret, retried for 24 hours."</p>
            <Subscriptions/>
        </super::AdminOnly>
    }
}

#[component]
fn Subscriptions() -> impl IntoView {
    let (subs, inboxes, error, reload) = super::listed(list_webhooks);
    let url = RwSignal::new(String::new());
    let inbox = RwSignal::new(String::new());
    let events = RwSignal::new(EventType::ALL.to_vec());
    let allow = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let names: Vec<&str> = events.get_untracked().iter().map(|e| e.as_str()).collect();
        let names = names.join(" ");
        let inbox_id = inbox.get_untracked().parse().ok();
        let u = url.get_untracked();
        let allow = allow.get_untracked().then(|| "on".to_string());
        spawn_local(async move {
            match create_webhook(u, names, inbox_id, allow).await {
                Ok(_) => {
                    error.set(None);
                    url.set(String::new());
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card webhook-form" on:submit=create aria-labelledby="new-webhook-heading">
            <h3 id="new-webhook-heading">"New subscription"</h3>
            <label>"URL" <input type="url" required size="48" placeholder="https://crm.example/hooks/switchboard"
                prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/></label>
            <label>"Inbox"
                <select on:change=move |ev| inbox.set(event_target_value(&ev))>
                    <option value="">"Every inbox"</option>
                    {move || inboxes.get().into_iter().map(|i| view! { <option value=i.id.to_string()>{i.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <fieldset>
                <legend>"Events"</legend>
                {EventType::ALL.iter().copied().map(|t| view! {
                    <label class="check" title=t.label()><input type="checkbox" prop:checked=move || events.with(|l| l.contains(&t))
                        on:change=move |ev| events.update(|l| if event_target_checked(&ev) { l.push(t) } else { l.retain(|x| *x != t) })/>
                        <code>{t.as_str()}</code></label>
                }).collect_view()}
            </fieldset>
            <label class="check"><input type="checkbox" prop:checked=move || allow.get()
                on:change=move |ev| allow.set(event_target_checked(&ev))/>"Allow internal addresses"</label>
            <button type="submit">"Subscribe"</button>
        </form>
        {move || subs.get().into_iter().map(|s| view! { <SubscriptionCard sub=s reload=Callback::new(move |_| reload()) error=error/> }).collect_view()}
        <ErrorNotice error=error/>
    }
}

#[component]
fn SubscriptionCard(sub: Subscription, reload: Callback<()>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let id = sub.id;
    let log = RwSignal::new(Vec::<DeliveryLine>::new());
    let load_log = move || {
        spawn_local(async move {
            if let Ok(l) = webhook_log(id, None).await {
                log.set(l);
            }
        })
    };
    Effect::new(move |_| load_log());
    let act = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>>>>| {
        spawn_local(async move {
            match f.await {
                Ok(()) => {
                    error.set(None);
                    reload.run(());
                    load_log();
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let enabled = sub.enabled;
    let scope = sub.inbox_name.clone().unwrap_or_else(|| "Every inbox".into());
    let state = if sub.enabled {
        "Active".to_string()
    } else if sub.failures >= crate::webhooks::DISABLE_AFTER {
        format!("Disabled after {} failed deliveries in a row", sub.failures)
    } else {
        "Off".to_string()
    };
    view! {
        <article class="card webhook" aria-label=format!("Webhook {}", sub.url)>
            <h3><code>{sub.url.clone()}</code></h3>
            <p>{scope} " · " <span class=if enabled { "ok" } else { "warn" }>{state}</span></p>
            <p class="muted">"Events: " {sub.events.join(", ")}</p>
            <p class="muted">"Secret: " <code>{sub.secret.clone()}</code></p>
            <div class="inline-form">
                <button type="button" on:click=move |_| act(Box::pin(async move { test_webhook(id).await.map(|_| ()) }))>"Send test event"</button>
                <button type="button" on:click=move |_| act(Box::pin(async move { enable_webhook(id, !enabled).await.map(|_| ()) }))>
                    {if enabled { "Turn off" } else { "Turn on" }}</button>
                <button type="button" on:click=move |_| load_log()>"Refresh log"</button>
                <button type="button" class="danger" on:click=move |_| act(Box::pin(async move { delete_webhook(id).await }))>"Remove"</button>
            </div>
            <table class="team deliveries" aria-label="Delivery log">
                <thead><tr><th>"Event"</th><th>"Id"</th><th>"Status"</th><th>"Attempts"</th><th>"Last answer"</th><th>"Updated"</th><th></th></tr></thead>
                <tbody>
                    {move || log.get().into_iter().map(|d| {
                        let delivery = d.id;
                        view! {
                            <tr>
                                <td><code>{d.kind.clone()}</code></td>
                                <td><code>{d.msg_id.clone()}</code></td>
                                <td>{d.status.clone()}</td>
                                <td>{d.attempts}</td>
                                <td>{d.last_error.clone().or(d.last_status.map(|c| format!("HTTP {c}"))).unwrap_or_default()}</td>
                                <td>{crate::timefmt::short_time(d.updated_at)}</td>
                                <td><button type="button" class="link" aria-label=format!("Redeliver {}", d.msg_id)
                                    on:click=move |_| act(Box::pin(async move { redeliver_webhook(id, delivery).await }))>"Redeliver"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}
