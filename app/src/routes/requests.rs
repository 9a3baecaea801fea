//! The Requests page: service requests made from chats, by status, with their
//! transcripts. Loaded in the browser and refreshed when a request is created.
use crate::error::AppError;
use crate::live::{on_events, use_live_feed};
use crate::model::change::Change;
use crate::requests::api::{list_requests, set_request_status};
use crate::requests::{RequestStatus, ServiceRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let filter = RwSignal::new(None::<RequestStatus>);
    let list = RwSignal::new(None::<Result<Vec<ServiceRequest>, AppError>>);
    let feed = use_live_feed();
    let load = move || spawn_local(async move { list.set(Some(list_requests(filter.get_untracked()).await)) });
    Effect::new(move |_| {
        filter.track();
        feed.resyncs.track();
        load();
    });
    on_events(feed, None, move |ev| {
        if matches!(ev.change, Change::RequestCreated(_) | Change::RequestStatus(_)) {
            load();
        }
    });
    view! {
        <Title text="Requests · Switchboard"/>
        <div class="list-head">
            <h1>"Requests"</h1>
            <label>"Status"
                <select on:change=move |ev| filter.set(RequestStatus::parse(&event_target_value(&ev)))>
                    <option value="">"Any"</option>
                    {RequestStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
        </div>
        {move || match list.get() {
            None => view! { <p class="loading">"Loading requests…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(items)) if items.is_empty() => view! { <p class="muted">"No requests."</p> }.into_any(),
            Some(Ok(items)) => view! {
                <ul class="requests">
                    {items.into_iter().map(|r| view! { <RequestCard r/> }.into_any()).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn RequestCard(r: ServiceRequest) -> impl IntoView {
    let status = RwSignal::new(r.status);
    let error = RwSignal::new(None::<AppError>);
    let id = r.id;
    let change = move |ev| {
        let Some(next) = RequestStatus::parse(&event_target_value(&ev)) else { return };
        spawn_local(async move {
            match set_request_status(id, next).await {
                Ok(updated) => status.set(updated.status),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let label = format!("Status of {}", r.title);
    view! {
        <li class="card request" id=format!("request-{id}") aria-label=format!("Request {}", r.title)>
            <div class="request-head">
                <h2>{r.title.clone()}</h2>
                <span class=format!("priority priority-{}", r.priority.as_str())>{r.priority.label()}</span>
                <select aria-label=label on:change=change prop:value=move || status.get().as_str()>
                    {RequestStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <p class="muted">{format!("{} · by {} · ", r.inbox_name, r.created_by.clone().unwrap_or_else(|| "—".into()))}
                <time datetime=r.created_at.to_string()>{crate::timefmt::short_time(r.created_at)}</time>
                {r.conversation_id.map(|c| view! { " · " <a href=format!("/conversations/{c}")>"Open the chat"</a> })}
            </p>
            {(!r.description.is_empty()).then(|| view! { <p class="description">{r.description.clone()}</p> })}
            <details class="transcript">
                <summary>"Transcript"</summary>
                {match r.transcript.clone() {
                    None => view! { <p class="muted">"The transcript was removed by the retention policy."</p> }.into_any(),
                    Some(lines) => view! {
                        <ol class="transcript-lines">
                            {lines.into_iter().map(|l| view! {
                                <li><span class="muted small">{l.at}</span> " " <strong>{l.author}</strong>
                                    " (" {l.role} "): " {l.text}</li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }}
            </details>
            {view! { <RequestTeamChats id/> }.into_any()}
            <crate::components::ErrorNotice error=error/>
        </li>
    }
}

/// The request's team chats: start one, and those that ended, with transcript and time.
#[component]
fn RequestTeamChats(id: i64) -> impl IntoView {
    let chats = RwSignal::new(Vec::<crate::team::TeamTranscript>::new());
    Effect::new(move |_| spawn_local(async move {
        if let Ok(list) = crate::team::api::request_team_chats(id).await {
            chats.set(list);
        }
    }));
    let navigate = leptos_router::hooks::use_navigate();
    let start = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Ok(sid) = crate::team::api::start_team_chat(format!("Request #{id}"), None, Some(id)).await {
                navigate(&format!("/team-chat/{sid}"), Default::default());
            }
        });
    };
    view! {
        <div class="request-activity">
            <button type="button" class="link" on:click=start>"Team chat about this request"</button>
            {move || chats.get().into_iter().map(|t| view! {
                <details class="transcript">
                    <summary>{format!("Team chat \"{}\" · chat time {}", t.topic, crate::team::clock_text(t.chat_time_ms))}</summary>
                    <ol class="transcript-lines">{t.lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ol>
                </details>
            }).collect_view()}
        </div>
    }
}
