//! The agent's own availability picker (Online, Away, Offline).
use crate::accounts::api::set_availability;
use crate::accounts::Availability;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn AvailabilityPicker(initial: Availability) -> impl IntoView {
    let chosen = RwSignal::new(initial);
    let error = RwSignal::new(None::<AppError>);
    let change = move |ev| {
        let Some(next) = Availability::parse(&event_target_value(&ev)) else { return };
        let before = chosen.get_untracked();
        chosen.set(next);
        spawn_local(async move {
            if let Err(e) = set_availability(next).await {
                chosen.set(before);
                error.set(Some(e));
            }
        });
    };
    view! {
        <label class="availability" data-availability=move || chosen.get().as_str()>
            <span class="dot" aria-hidden="true"></span>
            <select aria-label="Your availability" on:change=change prop:value=move || chosen.get().as_str()>
                {[Availability::Online, Availability::Away, Availability::Offline]
                    .map(|a| view! { <option value=a.as_str() selected=a == initial>{a.label()}</option> })}
            </select>
        </label>
        <crate::components::ErrorNotice error=error/>
    }
}
