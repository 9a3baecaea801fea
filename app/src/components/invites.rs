//! Team chat invitations: a live pop-up with Accept and Decline.
use crate::live::{on_events, use_live_feed};
use crate::model::change::{Change, TeamInvite as Invite};
use crate::team::api::answer_team_invite;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn TeamInvites() -> impl IntoView {
    let feed = use_live_feed();
    let invites = RwSignal::new(Vec::<Invite>::new());
    on_events(feed, None, move |ev| {
        if let Change::TeamInvite(i) = &ev.change {
            invites.update(|list| {
                list.retain(|x| x.session_id != i.session_id);
                list.push(i.clone());
            });
        }
    });
    let navigate = use_navigate();
    let answer = move |id: i64, accept: bool| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let ok = answer_team_invite(id, accept).await.is_ok();
            invites.update(|list| list.retain(|x| x.session_id != id));
            if ok && accept {
                navigate(&format!("/team-chat/{id}"), Default::default());
            }
        });
    };
    view! {
        <div class="alerts invites" role="region" aria-label="Team chat invitations">
            <For each=move || invites.get() key=|i| i.session_id let:i>
                {
                    let (accept, decline) = (answer.clone(), answer.clone());
                    let id = i.session_id;
                    view! {
                        <div class="alert" role="alertdialog" aria-label=format!("Invitation from {}", i.from)>
                            <strong>{format!("{} invites you to a team chat", i.from)}</strong>
                            <p class="taken">{i.topic.clone()}</p>
                            <button type="button" class="primary" on:click=move |_| accept(id, true)>"Accept"</button>
                            <button type="button" on:click=move |_| decline(id, false)>"Decline"</button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
