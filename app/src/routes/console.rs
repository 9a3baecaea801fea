//! The console's frame: a sidebar with the inboxes, the counters and the agent.
use crate::accounts::api::{get_me, Logout};
use crate::accounts::{Me, Role};
use crate::components::Avatar;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

/// The logged-in agent, for every page inside the console.
pub fn use_me() -> Me {
    expect_context::<Me>()
}

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Console me/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Console(me: Me) -> impl IntoView {
    provide_context(me.clone());
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    let inboxes = me.inboxes.clone();
    let is_admin = me.role == Role::Admin;
    view! {
        <div class="console">
            <nav class="sidebar" aria-label="Main">
                <A href="/" attr:class="brand">"Switchboard"</A>
                <div class="counters" aria-label="Counters"></div>
                <h2 id="inboxes-heading">"Inboxes"</h2>
                <ul class="inboxes" aria-labelledby="inboxes-heading">
                    {inboxes
                        .into_iter()
                        .map(|i| {
                            let href = format!("/inbox/{}", i.id);
                            view! { <li><A href=href>{i.name}</A></li> }
                        })
                        .collect_view()}
                </ul>
                {is_admin.then(|| view! { <A href="/admin" attr:class="admin-link">"Admin"</A> })}
                <div class="me">
                    <Avatar name=me.name.clone()/>
                    <div>
                        <div class="me-name">{me.name.clone()}</div>
                        <div class="me-role">{me.role.label()}</div>
                    </div>
                </div>
                <ActionForm action=logout>
                    <button type="submit" class="logout">"Log out"</button>
                </ActionForm>
            </nav>
            <main class="content">
                <Outlet/>
            </main>
        </div>
    }
}
