//! The team list for supervisors: each colleague's availability, live.
use crate::me::get_team;
use crate::accounts::TeamMember;
use crate::model::change::Change;
use crate::components::initials;
use crate::error::AppError;
use crate::live::{on_events, use_live_feed};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn TeamPage() -> impl IntoView {
    let team = RwSignal::new(None::<Result<Vec<TeamMember>, AppError>>);
    let feed = use_live_feed();
    // Loaded in the browser, then kept current by `agent.presence` events.
    let load = move || spawn_local(async move { team.set(Some(get_team().await)) });
    Effect::new(move |_| {
        feed.resyncs.track();
        load();
    });
    on_events(feed, None, move |ev| {
        if let Change::AgentPresence(p) = &ev.change {
            team.update(|t| {
                if let Some(Ok(list)) = t {
                    list.iter_mut().filter(|m| m.id == p.agent_id).for_each(|m| m.presence = p.presence);
                }
            });
        }
    });
    view! {
        <Title text="Team · Switchboard"/>
        <h1>"Team"</h1>
        {move || match team.get() {
            None => view! { <p class="loading">"Loading the team…"</p> }.into_any(),
            Some(Err(AppError::Forbidden)) => view! { <p class="error" role="alert">"Only supervisors see the team list."</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <table class="team">
                    <thead><tr><th>"Agent"</th><th>"Role"</th><th>"Status"</th><th>"Inboxes"</th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|m| view! {
                            <tr data-agent=m.id.to_string()>
                                <td><span class="avatar small" aria-hidden="true">{initials(&m.name)}</span> " " {m.name.clone()}</td>
                                <td>{m.role.label()}</td>
                                <td><span class="presence" data-presence=m.presence.as_str()><span class="dot" aria-hidden="true"></span>{m.presence.label()}</span></td>
                                <td>{m.inboxes.join(", ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}
