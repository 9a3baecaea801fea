//! `/`: agents land on their work, never on an empty page: their own open chats when
//! they have any, else the unassigned queue (see `list::api::landing`).
use crate::list::api::landing;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let target = Resource::new(|| (), |_| landing());
    view! {
        <Title text="Console · Switchboard"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(Some(path)) => view! { <Redirect path=path/> }.into_any(),
                    Ok(None) => view! {
                        <div class="empty-state">
                            <h1>"No inbox yet"</h1>
                            <p>"You are not a member of any inbox yet. Ask an admin to add you."</p>
                        </div>
                    }
                    .into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
