//! Settings → Data and API: retention per inbox with the last purge, the request
//! webhook per inbox with its delivery log, and API tokens.
use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::requests::api::{get_webhooks, set_webhook};
use crate::requests::WebhookSettings;
use crate::retention::api::{create_api_token, get_retention, purge_now, revoke_api_token, set_retention, RetentionOverview};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn DataSettings() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Data and API · Settings · Switchboard"/>
        <super::AdminOnly>
            <h2>"Data and API"</h2>
            <DataSections/>
        </super::AdminOnly>
    }
}

#[component]
fn DataSections() -> impl IntoView {
    let retention = RwSignal::new(None::<RetentionOverview>);
    let hooks = RwSignal::new(Vec::<WebhookSettings>::new());
    let error = RwSignal::new(None::<AppError>);
    let reload = move || {
        spawn_local(async move {
            match get_retention().await {
                Ok(r) => retention.set(Some(r)),
                Err(e) => error.set(Some(e)),
            }
            if let Ok(h) = get_webhooks().await {
                hooks.set(h);
            }
        })
    };
    Effect::new(move |_| reload());
    let run = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>>>>| {
        spawn_local(async move {
            match f.await {
                Ok(()) => {
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let new_token = RwSignal::new(None::<String>);
    let token_name = RwSignal::new(String::new());
    view! {
        <section aria-labelledby="retention-heading">
            <h2 id="retention-heading">"Retention"</h2>
            <p class="muted">"A chat is deleted this many days after it started, or after its context was completed "
                "(" <code>"POST /api/contexts/{type}/{id}/complete"</code> " with an API token). Empty keeps forever."</p>
            {move || retention.get().map(|r| view! {
                <p class="last-purge" role="status">{match r.last_purge {
                    Some(p) => format!("Last purge: {} — {} chats, {} messages, {} files deleted",
                        crate::timefmt::short_time(p.at), p.conversations, p.messages, p.files),
                    None => "No purge has run yet.".to_string(),
                }}</p>
                <table class="team">
                    <thead><tr><th>"Inbox"</th><th>"Keep for (days)"</th><th>"Requests' transcripts"</th><th></th></tr></thead>
                    <tbody>
                        {r.inboxes.into_iter().map(|i| {
                            let days = RwSignal::new(i.retention_days.map(|d| d.to_string()).unwrap_or_default());
                            let purge = RwSignal::new(i.purge_request_transcripts);
                            let save = move |_| run(Box::pin(async move {
                                set_retention(i.id, days.get_untracked(), purge.get_untracked().then(|| "on".to_string())).await
                            }));
                            view! {
                                <tr>
                                    <td>{i.name.clone()}</td>
                                    <td><input aria-label=format!("Retention days for {}", i.name) size="6" prop:value=move || days.get()
                                        on:input=move |ev| days.set(event_target_value(&ev))/></td>
                                    <td><label class="check"><input type="checkbox" prop:checked=move || purge.get()
                                        on:change=move |ev| purge.set(event_target_checked(&ev))/>"purge with the chat"</label></td>
                                    <td><button type="button" on:click=save>"Save"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <button type="button" on:click=move |_| run(Box::pin(async move { purge_now().await.map(|_| ()) }))>"Purge now"</button>
        </section>
        <section aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Request webhooks"</h2>
            <p class="muted">"New requests are POSTed as JSON, signed: " <code>"X-Switchboard-Signature: sha256=HMAC(secret, body)"</code>"."</p>
            {move || hooks.get().into_iter().map(|h| {
                let url = RwSignal::new(h.url.clone().unwrap_or_default());
                let allow = RwSignal::new(h.allow_private);
                let id = h.inbox_id;
                let save = move |_| run(Box::pin(async move {
                    set_webhook(id, url.get_untracked(), allow.get_untracked().then(|| "on".to_string())).await
                }));
                view! {
                    <article class="card inbox-card" aria-label=format!("Webhook of {}", h.inbox_name)>
                        <h3>{h.inbox_name.clone()}</h3>
                        <div class="inline-form">
                            <label>"URL" <input size="40" placeholder="https://tickets.example/hooks/switchboard"
                                prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/></label>
                            <label class="check"><input type="checkbox" prop:checked=move || allow.get()
                                on:change=move |ev| allow.set(event_target_checked(&ev))/>"Allow internal addresses"</label>
                            <button type="button" on:click=save>"Save"</button>
                        </div>
                        {h.secret.clone().map(|s| view! { <p class="muted">"Secret: " <code>{s}</code></p> })}
                        <table class="team deliveries">
                            <thead><tr><th>"Delivery"</th><th>"Request"</th><th>"Status"</th><th>"Attempts"</th><th>"Last answer"</th></tr></thead>
                            <tbody>
                                {h.deliveries.into_iter().map(|d| view! {
                                    <tr><td>{d.id}</td><td>{d.request_id.map(|r| r.to_string()).unwrap_or_default()}</td>
                                        <td>{d.status}</td><td>{d.attempts}</td>
                                        <td>{d.last_error.or(d.last_status.map(|c| format!("HTTP {c}"))).unwrap_or_default()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </article>
                }
            }).collect_view()}
        </section>
        <section aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <div class="inline-form">
                <label>"Name" <input prop:value=move || token_name.get() on:input=move |ev| token_name.set(event_target_value(&ev))/></label>
                <button type="button" on:click=move |_| {
                    let name = token_name.get_untracked();
                    spawn_local(async move {
                        match create_api_token(name).await {
                            Ok(t) => { new_token.set(Some(t)); reload(); }
                            Err(e) => error.set(Some(e)),
                        }
                    });
                }>"Create token"</button>
            </div>
            {move || new_token.get().map(|t| view! { <p class="notice">"Copy it now, it is not shown again: " <code>{t}</code></p> })}
            <ul>
                {move || retention.get().map(|r| r.tokens.into_iter().map(|t| {
                    let id = t.id;
                    view! { <li>{t.name.clone()} " "
                        <button type="button" class="link" on:click=move |_| run(Box::pin(async move { revoke_api_token(id).await }))>"Revoke"</button></li> }
                }).collect_view())}
            </ul>
        </section>
        <ErrorNotice error=error/>
    }
}
