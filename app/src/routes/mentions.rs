//! Mentions in the console: the sidebar's link to the workspace's Mentions group (the
//! chats whose notes mention the agent) with the number not opened since, live; and
//! `/mentions`, every mention with its line, newest first, linked from that group.
use crate::live::use_live_feed;
use crate::mentions::api::{my_mentions, unread_mentions};
use crate::model::change::Change;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Refetches when a mention arrives or this tab read a chat.
fn mention_changes() -> Memo<(Option<i64>, u32)> {
    let feed = use_live_feed();
    Memo::new(move |_| {
        let last = feed.events.with(|e| e.iter().rev().find(|e| matches!(e.change, Change::MentionCreated(_))).map(|e| e.id));
        (last, feed.local.get())
    })
}

#[component]
pub fn MentionsPage() -> impl IntoView {
    let changes = mention_changes();
    let list = Resource::new(move || changes.get(), |_| my_mentions());
    let local_time = RwSignal::new(false);
    Effect::new(move |_| local_time.set(true));
    view! {
        <Title text="Mentions · Switchboard"/>
        <h1>"Mentions"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading mentions…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => view! {
                        <div class="empty-state"><p>"Nobody has mentioned you yet. A colleague writes " <code>"@Your Name"</code> " in a private note to ask for you."</p></div>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="mentions">
                            {items.into_iter().map(|m| view! {
                                <li data-read=m.read.to_string()>
                                    <A href=format!("/inbox/{}", m.conversation_id)>
                                        <strong>{format!("{} mentioned you", m.by_name.clone().unwrap_or_else(|| "Someone".into()))}</strong>
                                        {format!(" in the chat with {}", m.customer_name.clone().unwrap_or_else(|| "a visitor".into()))}
                                    </A>
                                    {(!m.read).then(|| view! { <span class="badge red">"new"</span> })}
                                    <p class="muted">{m.excerpt.clone()}</p>
                                    <time datetime=m.created_at.to_string()>{crate::timefmt::day(m.created_at)}</time>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The number of chats mentioning the agent that they have not opened since, live.
/// Created by the console's frame: a resource made inside the sidebar's `Suspend`
/// would break hydration.
#[derive(Clone, Copy)]
pub struct MentionCount(Resource<Result<i64, crate::error::AppError>>);

pub fn provide_mention_count() {
    let changes = mention_changes();
    provide_context(MentionCount(Resource::new(move || changes.get(), |_| unread_mentions())));
}

/// The sidebar's "Mentions" link with the number of chats not opened since.
#[component]
pub fn MentionsLink() -> impl IntoView {
    let MentionCount(count) = expect_context::<MentionCount>();
    view! {
        <A href="/inbox?group=mentions" attr:class="mentions-link">
            "Mentions"
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    count.await.ok().filter(|n| *n > 0).map(|n| view! {
                        <span class="badge red" aria-label=format!("{n} unread")>{n}</span>
                    })
                })}
            </Transition>
        </A>
    }
}
