//! The pages most agents rarely open (settings, the audit log, the dashboard, reports,
//! requests, mentions, the team pages and the full list), split out of the console's
//! first load. Built with `cargo leptos build --split`, each page's code and what only
//! it uses lands in a WASM file of its own, fetched the first time the page is opened;
//! the workspace and a conversation stay in the first load. Without `--split` (and on
//! the server) these are ordinary async routes.
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A route type whose view is the page's component, loaded on first use. The page
/// loads its own data, as it does when it is not split.
macro_rules! lazy_page {
    ($($route:ident => $page:path;)*) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_route: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    ProfileRoute => super::settings::profile::ProfileSettings;
    CannedRoute => super::settings::canned::CannedSettings;
    AgentsRoute => super::settings::agents::AgentsSettings;
    InboxesRoute => super::settings::inboxes::InboxesSettings;
    InboxRoute => super::settings::inbox::InboxSettings;
    DataRoute => super::settings::data::DataSettings;
    ApiTokensRoute => super::settings::api_tokens::ApiTokensSettings;
    WebhooksRoute => super::settings::webhooks::WebhooksSettings;
    AuditRoute => super::settings::audit::AuditLogPage;
    ListRoute => super::list::ListPage;
    TeamRoute => super::team::TeamPage;
    DashboardRoute => super::dashboard::DashboardPage;
    ReportsRoute => super::reports::ReportsPage;
    RequestsRoute => super::requests::RequestsPage;
    MentionsRoute => super::mentions::MentionsPage;
    TeamChatRoute => super::team_chat::TeamChatPage;
    TeamSessionRoute => super::team_session::TeamSessionPage;
}
