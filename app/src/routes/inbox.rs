//! An inbox's conversations, newest activity first, updated live.
use crate::conversations::api::list_conversations;
use crate::conversations::Conversation;
use crate::live::use_live_feed;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InboxPage() -> impl IntoView {
    let params = use_params_map();
    let inbox_id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let feed = use_live_feed();
    // Refetch when a conversation of this inbox changes (live) or on resync.
    let changes = Memo::new(move |_| feed.events.with(|e| e.len()) as u64 + feed.resyncs.get() as u64 * 1_000_000);
    let list = Resource::new(move || (inbox_id(), changes.get()), |(id, _)| async move {
        match id {
            Some(id) => list_conversations(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <Title text="Inbox · Switchboard"/>
        <Transition fallback=|| view! { <p class="loading">"Loading conversations…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(rows) => view! { <ConversationList rows/> }.into_any(),
                    Err(e) => view! { <h1>"Inbox not found"</h1><p class="muted">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConversationList(rows: Vec<Conversation>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <h1>"Conversations"</h1><p class="empty">"No conversations yet."</p> }.into_any();
    }
    view! {
        <h1>"Conversations"</h1>
        <ul class="conversation-list" aria-label="Conversations">
            {rows.into_iter().map(|c| {
                let name = c.customer_name.clone().unwrap_or_else(|| "Visitor".into());
                view! {
                    <li data-status=c.status.as_str()>
                        <A href=format!("/conversations/{}", c.id)>
                            <span class="who">{name}</span>
                            <span class=format!("status status-{}", c.status.as_str())>{c.status.label()}</span>
                            <span class="preview">{c.last_message_preview.clone().unwrap_or_default()}</span>
                        </A>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
