//! The Team chat panel: start a standalone session, answer invitations, open
//! sessions, and under **Messages** the ended standalone ones, read-only.
use crate::error::AppError;
use crate::live::{on_events, use_live_feed};
use crate::model::change::Change;
use crate::team::api::{answer_team_invite, list_team_chats, start_team_chat};
use crate::team::{ParticipantState, SessionSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn TeamChatPage() -> impl IntoView {
    let list = RwSignal::new(None::<Result<Vec<SessionSummary>, AppError>>);
    let topic = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let feed = use_live_feed();
    let load = move || spawn_local(async move { list.set(Some(list_team_chats().await)) });
    Effect::new(move |_| {
        feed.resyncs.track();
        load();
    });
    on_events(feed, None, move |ev| {
        if matches!(ev.change, Change::TeamInvite(_) | Change::TeamSession(_) | Change::TeamEnded(_) | Change::TeamMessage(_)) {
            load();
        }
    });
    let navigate = use_navigate();
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let t = topic.get_untracked();
        spawn_local(async move {
            match start_team_chat(t, None, None).await {
                Ok(id) => navigate(&format!("/team-chat/{id}"), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let answer = move |id: i64, accept: bool| spawn_local(async move {
        if let Err(e) = answer_team_invite(id, accept).await {
            error.set(Some(e));
        }
        load();
    });
    let section = move |title: &'static str, pick: fn(&SessionSummary) -> bool| {
        move || {
            let items: Vec<SessionSummary> = list.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().filter(pick).collect();
            view! {
                <h2>{title}</h2>
                {if items.is_empty() { view! { <p class="muted">"None"</p> }.into_any() } else {
                    view! { <ul class="team-list" aria-label=title>
                        {items.into_iter().map(|s| {
                            let id = s.id;
                            let invited = s.my_state == ParticipantState::Invited;
                            view! { <li>
                                {if invited { s.topic.clone().into_any() } else { view! { <a href=format!("/team-chat/{id}")>{s.topic.clone()}</a> }.into_any() }}
                                <span class="muted small">{format!(" · started by {} · ", s.originator_name)}
                                    <time datetime=s.created_at.to_string()>{crate::timefmt::short_time(s.created_at)}</time></span>
                                {invited.then(|| view! {
                                    " " <button type="button" class="link" on:click=move |_| answer(id, true)>"Accept"</button>
                                    <button type="button" class="link" on:click=move |_| answer(id, false)>"Decline"</button>
                                })}
                            </li> }
                        }).collect_view()}
                    </ul> }.into_any()
                }}
            }
        }
    };
    view! {
        <Title text="Team chat · Switchboard"/>
        <h1>"Team chat"</h1>
        <form class="inline-form" on:submit=start>
            <label>"Topic" <input required maxlength="200" prop:value=move || topic.get() on:input=move |ev| topic.set(event_target_value(&ev))/></label>
            <button type="submit" class="primary">"Start a team chat"</button>
        </form>
        <crate::components::ErrorNotice error=error/>
        {section("Invitations", |s| s.active && s.my_state == ParticipantState::Invited)}
        {section("Active", |s| s.active && s.my_state == ParticipantState::Joined)}
        {section("Messages", |s| !s.active && s.standalone && s.my_state != ParticipantState::Invited)}
    }
}
