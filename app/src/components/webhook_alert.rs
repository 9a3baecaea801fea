//! For admins, in the sidebar: webhook subscriptions that failures switched off,
//! with a link to fix them.
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn WebhookAlert() -> impl IntoView {
    let disabled = RwSignal::new(0i64);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(n) = crate::webhooks::api::disabled_webhooks().await {
                disabled.set(n);
            }
        })
    });
    move || {
        let n = disabled.get();
        (n > 0).then(|| {
            let text = if n == 1 { "A webhook was disabled after failures".to_string() } else { format!("{n} webhooks were disabled after failures") };
            view! { <p class="webhook-alert" role="status"><A href="/settings/webhooks">{text}</A></p> }
        })
    }
}
