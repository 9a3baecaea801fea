//! Settings → Data: retention per inbox with the last purge. (API tokens and
//! webhooks have pages of their own.)
use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::retention::api::{get_retention, purge_now, set_retention, RetentionOverview};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn DataSettings() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Data · Settings · Switchboard"/>
        <super::AdminOnly>
            <h2>"Data"</h2>
            <DataSections/>
        </super::AdminOnly>
    }
}

#[component]
fn DataSections() -> impl IntoView {
    let retention = RwSignal::new(None::<RetentionOverview>);
    let error = RwSignal::new(None::<AppError>);
    let reload = move || {
        spawn_local(async move {
            match get_retention().await {
                Ok(r) => retention.set(Some(r)),
                Err(e) => error.set(Some(e)),
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
        <ErrorNotice error=error/>
    }
}
