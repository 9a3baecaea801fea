use crate::routes::lazy::*;
use crate::routes::settings::SettingsLayout;
use crate::routes::{console::ConsoleLayout, home::HomePage, login::LoginPage, workspace::{NoChatOpen, Workspace}};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, Lazy};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    #[cfg(feature = "ssr")]
    let theme = crate::components::theme::from_request();
    #[cfg(not(feature = "ssr"))]
    let theme: Option<&'static str> = None;
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The console's Content-Security-Policy, with this response's nonce: only our own
/// scripts and the hydration script run, nothing may frame the console, and no
/// plugin, base URL or foreign form target is allowed.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/switchboard.css"/>
        <Title text="Switchboard"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Router>
            <Routes fallback=|| view! { <main class="not-found"><h1>"Page not found"</h1><a href="/">"Back to the console"</a></main> }>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=ConsoleLayout>
                    <Route path=path!("") view=HomePage/>
                    // The old admin page's address still leads to its sections.
                    <Route path=path!("admin") view=|| view! { <Redirect path="/settings/agents"/> }/>
                    <ParentRoute path=path!("admin") view=SettingsLayout>
                        <Route path=path!("audit") view={Lazy::<AuditRoute>::new()}/>
                    </ParentRoute>
                    <ParentRoute path=path!("settings") view=SettingsLayout>
                        <Route path=path!("") view=|| view! { <Redirect path="/settings/profile"/> }/>
                        <Route path=path!("profile") view={Lazy::<ProfileRoute>::new()}/>
                        <Route path=path!("canned") view={Lazy::<CannedRoute>::new()}/>
                        <Route path=path!("agents") view={Lazy::<AgentsRoute>::new()}/>
                        <Route path=path!("inboxes") view={Lazy::<InboxesRoute>::new()}/>
                        <Route path=path!("inboxes/:id") view={Lazy::<InboxRoute>::new()}/>
                        <Route path=path!("data") view={Lazy::<DataRoute>::new()}/>
                        <Route path=path!("api") view={Lazy::<ApiTokensRoute>::new()}/>
                        <Route path=path!("webhooks") view={Lazy::<WebhooksRoute>::new()}/>
                    </ParentRoute>
                    <ParentRoute path=path!("inbox") view=Workspace>
                        <Route path=path!("") view=NoChatOpen/>
                        <Route path=path!(":id") view={Lazy::<ConversationRoute>::new()}/>
                    </ParentRoute>
                    <Route path=path!("conversations") view={Lazy::<ListRoute>::new()}/>
                    <Route path=path!("conversations/:id") view={Lazy::<ConversationRoute>::new()}/>
                    <Route path=path!("team") view={Lazy::<TeamRoute>::new()}/>
                    <Route path=path!("dashboard") view={Lazy::<DashboardRoute>::new()}/>
                    <Route path=path!("reports") view={Lazy::<ReportsRoute>::new()}/>
                    <Route path=path!("requests") view={Lazy::<RequestsRoute>::new()}/>
                    <Route path=path!("mentions") view={Lazy::<MentionsRoute>::new()}/>
                    <Route path=path!("team-chat") view={Lazy::<TeamChatRoute>::new()}/>
                    <Route path=path!("team-chat/:id") view={Lazy::<TeamSessionRoute>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
