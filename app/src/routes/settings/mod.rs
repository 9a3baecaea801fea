//! `/settings`: one area for everything that is set up rather than worked, a route file
//! per section. Everyone has a Profile; admins also manage agents, inboxes (a page
//! each, with the widget's look), data, API tokens and webhooks.
pub mod agents;
pub mod api_tokens;
pub mod audit;
pub mod canned;
pub mod data;
pub mod inbox;
pub mod inboxes;
pub mod profile;
pub mod routing;
pub mod sla;
pub mod webhooks;

use super::console::WithMe;
use crate::accounts::Role;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

#[component]
pub fn SettingsLayout() -> impl IntoView {
    view! {
        <div class="settings">
            <nav class="settings-nav" aria-label="Settings">
                <h1>"Settings"</h1>
                <ul>
                    <li><A href="/settings/profile">"Profile"</A></li>
                    <li><A href="/settings/canned">"Canned responses"</A></li>
                    <WithMe children=|me| (me.role == Role::Admin).then(|| view! {
                        <li><A href="/settings/agents">"Agents"</A></li>
                        <li><A href="/settings/inboxes">"Inboxes"</A></li>
                        <li><A href="/settings/data">"Data"</A></li>
                        <li><A href="/settings/api">"API tokens"</A></li>
                        <li><A href="/settings/webhooks">"Webhooks"</A></li>
                        <li><A href="/admin/audit">"Audit log"</A></li>
                    })/>
                </ul>
            </nav>
            <div class="settings-body"><Outlet/></div>
        </div>
    }
}

/// Admin-only sections say so to anyone else (the server refuses them anyway).
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let children = StoredValue::new(children);
    view! {
        <WithMe children=move |me| {
            if me.role == Role::Admin {
                children.read_value()().into_any()
            } else {
                view! { <h2>"Admins only"</h2><p>"You need the admin role to see this page."</p> }.into_any()
            }
        }/>
    }
}

/// An admin page's list and what it needs around it: the items (reloaded by the
/// returned closure, and once at the start), the inboxes to choose from, the error.
pub(crate) fn listed<T, F, Fut>(load: F) -> (RwSignal<Vec<T>>, RwSignal<Vec<crate::inboxes::InboxDetail>>, RwSignal<Option<crate::error::AppError>>, impl Fn() + Copy + 'static)
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = Result<Vec<T>, crate::error::AppError>> + 'static,
{
    use leptos::task::spawn_local;
    let items = RwSignal::new(Vec::<T>::new());
    let inboxes = RwSignal::new(Vec::new());
    let error = RwSignal::new(None);
    let reload = move || {
        spawn_local(async move {
            match load().await {
                Ok(list) => items.set(list),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    Effect::new(move |_| {
        reload();
        spawn_local(async move {
            if let Ok(list) = crate::inboxes::api::list_inboxes().await {
                inboxes.set(list);
            }
        });
    });
    (items, inboxes, error, reload)
}
