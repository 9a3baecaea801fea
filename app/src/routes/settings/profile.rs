//! Settings → Profile: the agent's own name and password, and how new chats get their
//! attention (sound, desktop notifications).
use crate::accounts::api::{change_my_password, set_my_name};
use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::routes::console::WithMe;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn ProfileSettings() -> impl IntoView {
    view! {
        <Title text="Profile · Settings · Switchboard"/>
        <h2>"Profile"</h2>
        <WithMe children=|me| view! { <NameForm name=me.name.clone()/> <p class="muted">"Signed in as " {me.email}</p> }/>
        <PasswordForm/>
        <AlertPreferences/>
    }
}

#[component]
fn NameForm(name: String) -> impl IntoView {
    let value = RwSignal::new(name);
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match set_my_name(value.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card stack" on:submit=save aria-labelledby="name-heading">
            <h3 id="name-heading">"Your name"</h3>
            <label>"Name, as colleagues and customers see it"
                <input autocomplete="name" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
            <div class="row">
                <button type="submit" class="primary">"Save name"</button>
                {move || saved.get().then(|| view! { <span class="muted" role="status">"Saved"</span> })}
            </div>
            <ErrorNotice error/>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let changed = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        changed.set(false);
        spawn_local(async move {
            match change_my_password(current.get_untracked(), new.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    changed.set(true);
                    current.set(String::new());
                    new.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card stack" on:submit=save aria-labelledby="password-heading">
            <h3 id="password-heading">"Password"</h3>
            <label>"Current password"
                <input type="password" autocomplete="current-password" required prop:value=move || current.get()
                    on:input=move |ev| current.set(event_target_value(&ev))/>
            </label>
            <label>"New password (8 characters or more)"
                <input type="password" autocomplete="new-password" minlength="8" required prop:value=move || new.get()
                    on:input=move |ev| new.set(event_target_value(&ev))/>
            </label>
            <div class="row">
                <button type="submit" class="primary">"Change password"</button>
                {move || changed.get().then(|| view! { <span class="muted" role="status">"Changed; your other sessions were signed out"</span> })}
            </div>
            <ErrorNotice error/>
        </form>
    }
}

/// The same switches as in the sidebar's alert settings, kept in this browser.
#[component]
fn AlertPreferences() -> impl IntoView {
    use crate::components::alerts::{self, Sound};
    let sound = RwSignal::new(Sound::WhenHidden);
    let permission = RwSignal::new(String::from("default"));
    Effect::new(move |_| {
        sound.set(alerts::sound());
        permission.set(crate::components::alerts::notification_permission());
    });
    let choose = move |ev| {
        let next = Sound::parse(&event_target_value(&ev));
        sound.set(next);
        alerts::set_sound(next);
    };
    let ask = move |_| {
        let _ = web_sys::Notification::request_permission();
    };
    view! {
        <section class="card stack" aria-labelledby="alerts-heading">
            <h3 id="alerts-heading">"New chat alerts"</h3>
            <label>"Play a sound for new chats"
                <select prop:value=move || sound.get().key() on:change=choose>
                    {Sound::ALL.map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <p class="muted">{move || match permission.get().as_str() {
                "granted" => "Desktop notifications are on in this browser.",
                "denied" => "Desktop notifications are blocked in this browser's site settings.",
                _ => "Desktop notifications are off.",
            }}</p>
            <Show when=move || permission.get() == "default">
                <button type="button" on:click=ask>"Enable desktop notifications"</button>
            </Show>
        </section>
    }
}
