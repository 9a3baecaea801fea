//! Small components shared by several routes.
pub mod alerts;
pub mod chart;
pub mod commands;
pub mod icons;
pub mod invites;
pub mod presence;
pub mod sla_alerts;
pub mod webhook_alert;
pub mod theme;

use crate::error::AppError;
use leptos::prelude::*;

/// Shows an error from a server function in an accessible alert.
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="error" role="alert">{e.to_string()}</p> }
        })
    }
}

/// The error of the last run of a server action, if it failed.
pub fn action_error<I, T>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// Initials for an avatar, from a display name.
pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

#[component]
pub fn Avatar(#[prop(into)] name: String) -> impl IntoView {
    view! { <span class="avatar" aria-hidden="true">{initials(&name)}</span> }
}
