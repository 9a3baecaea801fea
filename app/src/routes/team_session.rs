//! A team chat window: attendees with their availability, Invite, Leave, the chat
//! timer, the dialog and the text entry with off-the-record.
use crate::accounts::{Availability, TeamMember};
use crate::model::change::Change;
use crate::components::{initials, ErrorNotice};
use crate::error::AppError;
use crate::live::{new_client_id, on_events, use_live_feed};
use crate::team::api::{get_team_chat, invite_to_team_chat, leave_team_chat, send_team_message, team_directory, team_timer, TimerAction};
use crate::team::{clock_text, merge_lines, ParticipantState, Session, TeamMessage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn TeamSessionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let session = RwSignal::new(None::<Result<Session, AppError>>);
    // Lines live apart from the session, so a new line never redraws the window.
    let lines = RwSignal::new(Vec::<TeamMessage>::new());
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let now = RwSignal::new(0i64);
    let feed = use_live_feed();
    let me = expect_context::<super::console::MeResource>().0;
    let my_id = move || me.get_untracked().and_then(|r| r.ok()).flatten().map(|m| m.id).unwrap_or(0);
    // What changes during a session lives in signals: a refresh updates them and
    // never redraws the window, so a half-typed line survives joins and timer changes.
    let people = RwSignal::new(Vec::<crate::team::Participant>::new());
    let timer = RwSignal::new(crate::team::Timer { accrued_ms: 0, running_since: None });
    let active = RwSignal::new(true);
    // Availability as the live events last told it: a read answered after such an
    // event must not bring the older value back.
    let presence = StoredValue::new(std::collections::HashMap::<i64, Availability>::new());
    let apply = move |s: &Session| {
        lines.update(|shown| *shown = merge_lines(shown, s.id, s.messages.clone()));
        let mut ps = s.participants.clone();
        presence.with_value(|live| ps.iter_mut().for_each(|p| p.presence = live.get(&p.agent_id).copied().unwrap_or(p.presence)));
        people.set(ps);
        timer.set(s.timer);
        active.set(s.active);
    };
    let refresh = move || {
        let sid = id();
        spawn_local(async move {
            if let Ok(s) = get_team_chat(sid).await {
                apply(&s);
                // A page that said "not found" (the agent had left) shows the window
                // once they are back in, say by accepting a new invitation while here:
                // navigating to the same address does not load it again.
                if session.with_untracked(|v| !matches!(v, Some(Ok(_)))) {
                    session.set(Some(Ok(s)));
                }
            }
        })
    };
    let load = move || {
        let sid = id();
        spawn_local(async move {
            let got = get_team_chat(sid).await;
            if let Ok(s) = &got {
                apply(s);
            }
            session.set(Some(got));
        })
    };
    Effect::new(move |_| {
        feed.resyncs.track();
        load();
        now.set(js_sys::Date::now() as i64);
        if let Ok(h) = set_interval_with_handle(move || now.set(js_sys::Date::now() as i64), std::time::Duration::from_secs(1)) {
            on_cleanup(move || h.clear());
        }
    });
    on_events(feed, None, move |ev| match &ev.change {
        // A new line: appended, never a reload (that would reset the window).
        Change::TeamMessage(m) => {
            if m.session_id != id() {
                return;
            }
            if m.off_record_to == Some(my_id()) {
                notice.set(Some(format!("{} is talking to you off the record", m.author_name.clone().unwrap_or_default())));
            }
            lines.update(|list| {
                if !list.iter().any(|x| x.id == m.id) {
                    list.push(m.clone());
                }
            });
            // Joins and leaves change the attendees.
            if lines.with_untracked(|l| l.last().is_some_and(|x| x.system)) {
                refresh();
            }
        }
        // The attendees' availability, live.
        Change::AgentPresence(p) => {
            presence.update_value(|live| {
                live.insert(p.agent_id, p.presence);
            });
            people.update(|ps| ps.iter_mut().filter(|x| x.agent_id == p.agent_id).for_each(|x| x.presence = p.presence));
        }
        Change::TeamSession(r) | Change::TeamEnded(r) => {
            if r.session_id == id() {
                refresh();
            }
        }
        _ => {}
    });
    view! {
        <Title text="Team chat · Switchboard"/>
        {move || match session.get() {
            None => view! { <p class="loading">"Loading the team chat…"</p> }.into_any(),
            Some(Err(AppError::NotFound)) => view! { <h1>"Team chat not found"</h1> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(s)) => view! { <Window s lines people timer active now error notice reload=refresh my_id=my_id()/> }.into_any(),
        }}
    }
}

#[component]
fn Window(
    s: Session,
    lines: RwSignal<Vec<TeamMessage>>,
    people: RwSignal<Vec<crate::team::Participant>>,
    timer: RwSignal<crate::team::Timer>,
    active: RwSignal<bool>,
    now: RwSignal<i64>,
    error: RwSignal<Option<AppError>>,
    notice: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    my_id: i64,
) -> impl IntoView {
    let sid = s.id;
    let others = Signal::derive(move || {
        people.with(|ps| {
            ps.iter()
                .filter(|p| p.state == ParticipantState::Joined && p.agent_id != my_id)
                .map(|p| (p.agent_id, p.name.clone()))
                .collect::<Vec<(i64, String)>>()
        })
    });
    let navigate = use_navigate();
    let leave = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match leave_team_chat(sid).await {
                Ok(()) => navigate("/team-chat", Default::default()),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let time = move || clock_text(timer.get().elapsed(now.get()));
    let act = move |a: TimerAction| spawn_local(async move {
        match team_timer(sid, a).await {
            Ok(_) => reload(),
            Err(e) => error.set(Some(e)),
        }
    });
    let set_text = RwSignal::new(String::new());
    let set_time = move |_| {
        let t = set_text.get_untracked();
        let parts: Vec<i64> = t.split(':').filter_map(|p| p.trim().parse().ok()).collect();
        let seconds = parts.iter().fold(0, |acc, p| acc * 60 + p);
        act(TimerAction::Set { seconds });
    };
    let origin = match (s.conversation_id, s.request_id) {
        (Some(c), _) => Some(view! { <a href=format!("/conversations/{c}")>"the conversation"</a> }.into_any()),
        (None, Some(r)) => Some(view! { <a href=format!("/requests#request-{r}")>"the request"</a> }.into_any()),
        _ => None,
    };
    let inviting = RwSignal::new(false);
    view! {
        <section class="team-window" aria-label="Team chat session">
            <header>
                <h1>{s.topic.clone()}</h1>
                {origin.map(|o| view! { <p class="muted">"About " {o}</p> })}
                {move || (!active.get()).then(|| view! { <p class="notice" role="status">"This team chat has ended."</p> })}
                <ul class="attendees" aria-label="Connections">
                    {move || people.get().into_iter().map(|p| view! {
                        <li data-state=p.state.as_str() title=format!("{} · {}", p.name, p.presence.label())>
                            <span class="avatar small" aria-hidden="true">{initials(&p.name)}</span>
                            <span class="presence" data-presence=p.presence.as_str()><span class="dot" aria-hidden="true"></span></span>
                            {p.name.clone()}
                        </li>
                    }).collect_view()}
                </ul>
            </header>
            <div class="team-options" role="toolbar" aria-label="Team chat options">
                <span class="timer" aria-label="Chat time" role="timer">{time}</span>
                <Show when=move || active.get()>
                    {move || if timer.get().running_since.is_some() {
                        view! { <button type="button" on:click=move |_| act(TimerAction::Pause)>"Pause"</button> }.into_any()
                    } else {
                        view! { <button type="button" on:click=move |_| act(TimerAction::Resume)>"Resume"</button> }.into_any()
                    }}
                    <input aria-label="Set the chat time" placeholder="mm:ss" size="6" prop:value=move || set_text.get()
                        on:input=move |ev| set_text.set(event_target_value(&ev))/>
                    <button type="button" on:click=set_time>"Set"</button>
                    <button type="button" on:click=move |_| inviting.set(true)>"Invite"</button>
                    <button type="button" class="danger" on:click=leave.clone()>"Leave"</button>
                </Show>
            </div>
            {move || notice.get().map(|n| view! { <p class="off-record-note" role="status">{n}</p> })}
            <ol class="messages" aria-label="Team messages" aria-live="polite">
                <For each=move || lines.get() key=|m| m.id let:m><Line m/></For>
            </ol>
            <ErrorNotice error=error/>
            <Show when=move || active.get()>
                <Entry sid others error lines/>
            </Show>
        </section>
        <Show when=move || inviting.get()>
            <InviteWindow sid me=my_id close=move || inviting.set(false) error/>
        </Show>
    }
}

#[component]
fn Line(m: TeamMessage) -> impl IntoView {
    if m.system {
        return view! { <li class="msg msg-system">{m.body}</li> }.into_any();
    }
    let name = m.author_name.clone().unwrap_or_default();
    let off = m.off_record_to_name.clone().map(|to| format!("Off the record with {to}"));
    view! {
        <li class="msg msg-agent" data-off-record=m.off_record_to.is_some().to_string()>
            <span class="avatar" aria-hidden="true">{initials(&name)}</span>
            <div>
                <div class="meta"><strong>{name}</strong> " " {off.map(|o| view! { <span class="off-record-note">{o}</span> })}</div>
                <div class="body">{m.body}</div>
            </div>
        </li>
    }
    .into_any()
}

/// The text entry; off the record needs the one participant who may read it.
#[component]
fn Entry(sid: i64, others: Signal<Vec<(i64, String)>>, error: RwSignal<Option<AppError>>, lines: RwSignal<Vec<TeamMessage>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let off = RwSignal::new(false);
    let to = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let target = if off.get_untracked() {
            match to.get_untracked().parse::<i64>() {
                Ok(t) => Some(t),
                Err(_) => {
                    error.set(Some(AppError::Unprocessable("choose who may read the off-the-record message".into())));
                    return;
                }
            }
        } else {
            None
        };
        text.set(String::new());
        spawn_local(async move {
            match send_team_message(sid, new_client_id(), body, target).await {
                Ok(m) => {
                    error.set(None);
                    lines.update(|list| {
                        if !list.iter().any(|x| x.id == m.id) {
                            list.push(m.clone());
                        }
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="composer" on:submit=submit>
            <textarea aria-label="Team message" placeholder="Write to the team" rows="2" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <label class="off-record"><input type="checkbox" prop:checked=move || off.get() on:change=move |ev| off.set(event_target_checked(&ev))/>"Off the record"</label>
            <select aria-label="Off the record with" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev)) disabled=move || !off.get()>
                <option value="">"Choose a participant…"</option>
                {move || others.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
            </select>
            <button type="submit" class="primary">"Send"</button>
        </form>
    }
}

/// The Invite window: every agent with their availability.
#[component]
fn InviteWindow(sid: i64, me: i64, close: impl Fn() + Copy + Send + Sync + 'static, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let agents = RwSignal::new(Vec::<TeamMember>::new());
    let invited = RwSignal::new(Vec::<i64>::new());
    Effect::new(move |_| spawn_local(async move {
        if let Ok(mut list) = team_directory().await {
            list.retain(|a| a.id != me); // never oneself
            agents.set(list);
        }
    }));
    let invite = move |agent: i64| spawn_local(async move {
        match invite_to_team_chat(sid, agent).await {
            Ok(()) => invited.update(|v| v.push(agent)),
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="invite-title">
                <h2 id="invite-title">"Invite to the team chat"</h2>
                <ul class="team-list">
                    {move || agents.get().into_iter().map(|a| {
                        let id = a.id;
                        let online = a.presence == Availability::Online;
                        view! {
                            <li>
                                <span class="presence" data-presence=a.presence.as_str()><span class="dot" aria-hidden="true"></span>{a.presence.label()}</span>
                                " " {a.name.clone()} " "
                                <button type="button" class="link" aria-label=format!("Invite {}", a.name) data-online=online.to_string()
                                    disabled=move || invited.get().contains(&id) on:click=move |_| invite(id)>
                                    {move || if invited.get().contains(&id) { "Invited" } else { "Invite" }}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <div class="dialog-actions"><button type="button" on:click=move |_| close()>"Done"</button></div>
            </div>
        </div>
    }
}
