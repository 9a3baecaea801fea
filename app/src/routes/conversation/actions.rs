//! The conversation's actions: accept, assign, solve, cancel, close, and a menu with
//! move, export and delete. Only what the agent may do is offered; the server checks
//! again either way.
use super::ChatState;
use crate::conversations::api::{
    accept_conversation, assign_conversation, close_conversation, delete_conversation, join_conversation, move_conversation,
    take_over,
};
use crate::conversations::rules::Action;
use crate::conversations::{CloseReason, Conversation, Status};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

fn settle(chat: ChatState, result: Result<Conversation, AppError>) {
    match result {
        Ok(c) => {
            chat.status.set(c.status);
            chat.reason.set(c.close_reason);
            chat.error.set(None);
        }
        Err(e) => chat.error.set(Some(e)),
    }
    chat.refresh_handling();
}

/// One primary action (Accept a waiting chat, or Solve one of mine), the everyday
/// secondary ones, and the rest in "More": the other ways to end a chat (each with what
/// it means), move, export and delete.
#[component]
pub(super) fn ActionBar(chat: ChatState) -> impl IntoView {
    let can = move |a: Action| chat.handling.with(|h| h.as_ref().is_some_and(|h| h.actions.contains(&a)));
    let unassigned = move || chat.handling.with(|h| h.as_ref().is_some_and(|h| h.assignee_name.is_none()));
    let mine = move || chat.handling.with(|h| h.as_ref().is_some_and(|h| h.mine));
    let open = move || chat.status.get() != Status::Closed;
    let accept_first = move || can(Action::Accept) && unassigned() && open();
    let solve_first = move || !accept_first() && can(Action::Close) && open() && mine();
    let id = chat.id;
    let accept = move |_| spawn_local(async move { settle(chat, accept_conversation(id).await) });
    let close = move |reason: CloseReason| spawn_local(async move { settle(chat, close_conversation(id, reason).await) });
    // A supervisor on a colleague's chat: join it, or take it over.
    let supervising = move || chat.handling.with(|h| h.as_ref().is_some_and(|h| h.supervises && !h.mine && h.assignee_name.is_some()));
    let join = move |_| {
        spawn_local(async move {
            match join_conversation(id).await {
                Ok(()) => chat.error.set(None),
                Err(e) => chat.error.set(Some(e)),
            }
        })
    };
    let take = move |_| spawn_local(async move { settle(chat, take_over(id).await) });
    let sla = move || chat.handling.with(|h| h.as_ref().and_then(|h| h.sla));
    view! {
        <div class="actions" role="toolbar" aria-label="Conversation actions">
            {move || sla().map(|(target, due, breached)| view! {
                <span class="sla-state" title="The chat's pending SLA target">
                    {format!("{}: ", target.label())}
                    <crate::routes::list::SlaBadge due_at=Some(due) breached/>
                </span>
            })}
            <Show when=accept_first>
                <button type="button" class="primary" on:click=accept data-shortcut="accept">"Accept"</button>
            </Show>
            <Show when=solve_first>
                <button type="button" class="primary" on:click=move |_| close(CloseReason::Solved) data-shortcut="solve"
                    title="The customer's question is answered (S)">"Mark as solved"</button>
            </Show>
            <Show when=move || can(Action::Assign)>
                <AssignControl chat/>
            </Show>
            <Show when=move || supervising() && open()>
                <button type="button" on:click=join title="Write to the customer too; they see you join">"Join"</button>
                <button type="button" on:click=take title="Assign the chat to yourself">"Take over"</button>
            </Show>
            <super::request_form::CreateRequest chat/>
            <StartTeamChat chat/>
            <Menu chat solve_shown=Signal::derive(solve_first)/>
        </div>
    }
}

/// A select of the inbox's members with their availability, and "Assign".
#[component]
fn AssignControl(chat: ChatState) -> impl IntoView {
    let choice = RwSignal::new(String::new());
    let id = chat.id;
    let assign = move |_| {
        let to = choice.get_untracked().parse::<i64>().ok();
        spawn_local(async move { settle(chat, assign_conversation(id, to).await) });
    };
    view! {
        <span class="assign">
            <select aria-label="Assign to" on:change=move |ev| choice.set(event_target_value(&ev)) prop:value=move || choice.get()>
                <option value="">"Choose an agent…"</option>
                {move || chat.handling.get().map(|h| h.members.into_iter().map(|m| {
                    let label = format!("{} ({})", m.name, m.presence.label());
                    view! { <option value=m.id.to_string()>{label}</option> }
                }).collect_view())}
            </select>
            <button type="button" on:click=assign disabled=move || choice.get().is_empty()>"Assign"</button>
        </span>
    }
}

/// "More": move to another inbox, export, delete (with a confirmation dialog).
#[component]
fn Menu(chat: ChatState, solve_shown: Signal<bool>) -> impl IntoView {
    let can = move |a: Action| chat.handling.with(|h| h.as_ref().is_some_and(|h| h.actions.contains(&a)));
    let id = chat.id;
    let target = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let cancelling = RwSignal::new(false);
    let may_end = move || can(Action::Close) && chat.status.get() != Status::Closed;
    let close = move |reason: CloseReason| spawn_local(async move { settle(chat, close_conversation(id, reason).await) });
    let navigate = use_navigate();
    let do_move = move |_| {
        let Ok(inbox) = target.get_untracked().parse::<i64>() else { return };
        spawn_local(async move { settle(chat, move_conversation(id, inbox).await) });
    };
    let do_delete = move || {
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_conversation(id).await {
                Ok(()) => navigate("/conversations", Default::default()),
                Err(e) => {
                    confirming.set(false);
                    chat.error.set(Some(e));
                }
            }
        });
    };
    let targets = move || chat.handling.get().map(|h| h.move_targets).unwrap_or_default();
    view! {
        <details class="menu">
            <summary>"More"</summary>
            <div class="menu-body">
                <Show when=may_end>
                    <div class="end-options" role="group" aria-label="End the chat">
                        <Show when=move || !solve_shown.get()>
                            <button type="button" on:click=move |_| close(CloseReason::Solved) data-shortcut="solve">"Mark as solved"</button>
                            <span class="hint">"The question is answered."</span>
                        </Show>
                        <button type="button" on:click=move |_| cancelling.set(true)>"Cancel chat…"</button>
                        <span class="hint">"It cannot be helped here; the customer is told it was cancelled."</span>
                        <button type="button" on:click=move |_| close(CloseReason::Closed)>"Close conversation"</button>
                        <span class="hint">"Ends it without a verdict (a duplicate, spam, a customer who left)."</span>
                    </div>
                </Show>
                <Show when=move || can(Action::Move) && !targets().is_empty()>
                    <span class="move">
                        <select aria-label="Move to inbox" on:change=move |ev| target.set(event_target_value(&ev)) prop:value=move || target.get()>
                            <option value="">"Choose an inbox…"</option>
                            {move || targets().into_iter().map(|i| view! { <option value=i.id.to_string()>{i.name}</option> }).collect_view()}
                        </select>
                        <button type="button" on:click=do_move disabled=move || target.get().is_empty()>"Move"</button>
                    </span>
                </Show>
                <a href=format!("/api/conversations/{id}/export.csv") download="" rel="external">"Export CSV"</a>
                <Show when=move || can(Action::ExportInternal)>
                    <a href=format!("/api/conversations/{id}/export.csv?internal=true") download="" rel="external">
                        "Export with internal notes"
                    </a>
                </Show>
                <Show when=move || can(Action::Delete)>
                    <button type="button" class="danger" on:click=move |_| confirming.set(true)>"Delete chat"</button>
                </Show>
            </div>
        </details>
        <Show when=move || cancelling.get()>
            <Confirm id="cancel" title="Cancel this chat?" text="The chat ends and the customer is told it was cancelled."
                keep="Keep chatting" act="Yes, cancel the chat" on_keep=move || cancelling.set(false)
                on_act=move || { cancelling.set(false); close(CloseReason::Cancelled); }/>
        </Show>
        <Show when=move || confirming.get()>
            <Confirm id="delete" title="Delete this chat?"
                text="Its messages, files and search entries are removed for good. The customer sees the chat as ended."
                keep="Keep it" act="Delete for good" on_keep=move || confirming.set(false) on_act=do_delete.clone()/>
        </Show>
    }
}

/// Starts a team chat about this conversation and opens its window.
#[component]
fn StartTeamChat(chat: ChatState) -> impl IntoView {
    let navigate = use_navigate();
    let start = move |_| {
        let navigate = navigate.clone();
        let topic = chat.panel.with_untracked(|p| p.as_ref().and_then(|p| p.name.clone())).unwrap_or_else(|| "a visitor".into());
        spawn_local(async move {
            match crate::team::api::start_team_chat(format!("Chat with {topic}"), Some(chat.id), None).await {
                Ok(id) => navigate(&format!("/team-chat/{id}"), Default::default()),
                Err(e) => chat.error.set(Some(e)),
            }
        });
    };
    view! { <button type="button" on:click=start>"Team chat"</button> }
}

/// A modal question before an action that cannot be taken back: what happens, a way
/// out, and the action itself (as a danger button).
#[component]
fn Confirm(
    id: &'static str,
    title: &'static str,
    text: &'static str,
    keep: &'static str,
    act: &'static str,
    on_keep: impl Fn() + Send + Sync + 'static,
    on_act: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let (title_id, text_id) = (format!("{id}-title"), format!("{id}-text"));
    let (labelled_by, described_by) = (title_id.clone(), text_id.clone());
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby=labelled_by aria-describedby=described_by>
                <h2 id=title_id>{title}</h2>
                <p id=text_id>{text}</p>
                <div class="dialog-actions">
                    <button type="button" on:click=move |_| on_keep()>{keep}</button>
                    <button type="button" class="danger" on:click=move |_| on_act()>{act}</button>
                </div>
            </div>
        </div>
    }
}
