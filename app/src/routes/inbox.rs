use super::console::WithMe;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InboxPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <WithMe children=move |me| {
            move || {
                let id: Option<i64> = params.read().get("id").and_then(|s| s.parse().ok());
                match me.inboxes.iter().find(|i| Some(i.id) == id).cloned() {
                    Some(i) => view! {
                        <Title text=format!("{} · Switchboard", i.name)/>
                        <h1>{i.name.clone()}</h1>
                        <p class="empty">"No conversations yet."</p>
                    }
                    .into_any(),
                    None => view! { <h1>"Inbox not found"</h1> }.into_any(),
                }
            }
        }/>
    }
}
