use super::console::WithMe;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Console · Switchboard"/>
        <WithMe children=|me| {
            let count = me.inboxes.len();
            view! {
                <h1>"Welcome, " {me.name}</h1>
                <p>
                    {if count == 0 {
                        "You are not a member of any inbox yet. Ask an admin to add you.".to_string()
                    } else {
                        format!("You work in {count} inbox{}. Pick one on the left.", if count == 1 { "" } else { "es" })
                    }}
                </p>
            }
        }/>
    }
}
