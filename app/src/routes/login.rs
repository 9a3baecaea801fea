use crate::accounts::api::Login;
use crate::components::{action_error, ErrorNotice};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // A full page load after login, so the console renders with the new session.
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            let _ = window().location().set_href("/");
        }
    });
    view! {
        <Title text="Log in · Switchboard"/>
        <main class="login">
            <h1>"Switchboard"</h1>
            <ActionForm action=login attr:class="card" attr:aria-label="Log in">
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                <ErrorNotice error=action_error(login)/>
                <button type="submit" class="primary" disabled=move || login.pending().get()>"Log in"</button>
            </ActionForm>
        </main>
    }
}
