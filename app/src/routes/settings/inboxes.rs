//! Settings → Inboxes: create an inbox; each opens its own page.
use super::AdminOnly;
use crate::accounts::Role;
use crate::components::{action_error, ErrorNotice};
use crate::inboxes::api::{list_inboxes, CreateInbox};
use crate::routes::console::MeResource;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn InboxesSettings() -> impl IntoView {
    let create_inbox = ServerAction::<CreateInbox>::new();
    let MeResource(me) = expect_context::<MeResource>();
    let inboxes = Resource::new(
        move || create_inbox.version().get(),
        move |_| async move {
            if matches!(me.await, Ok(Some(m)) if m.role == Role::Admin) { list_inboxes().await } else { Ok(vec![]) }
        },
    );
    view! {
        <Title text="Inboxes · Settings · Switchboard"/>
        <AdminOnly>
            <h2>"Inboxes"</h2>
            <ActionForm action=create_inbox attr:class="inline-form" attr:aria-label="Create inbox">
                <label>"Inbox name" <input name="name" required/></label>
                <button type="submit" class="primary">"Create inbox"</button>
            </ActionForm>
            <ErrorNotice error=action_error(create_inbox)/>
            <Transition fallback=|| view! { <p class="loading">"Loading inboxes…"</p> }>
                {move || Suspend::new(async move {
                    inboxes.await.map_err(|e| e.to_string()).map(|list| view! {
                        <ul class="inbox-links">
                            {list.into_iter().map(|i| view! {
                                <li class="card">
                                    <A href=format!("/settings/inboxes/{}", i.id)>{i.name.clone()}</A>
                                    <span class="muted">{format!("{} member{}", i.members.len(), if i.members.len() == 1 { "" } else { "s" })}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
        </AdminOnly>
    }
}
