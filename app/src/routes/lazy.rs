//! The pages most agents rarely open, split out of the console's first load: built with
//! `cargo leptos build --split`, each group of pages below and what only it uses lands
//! in WASM files of their own, fetched the first time one of its pages is opened.
//! Pages are split by group, not one by one: every set of split functions that share
//! code gets a file of its own, so seventeen page functions made 128 small files (85
//! for a chat opened by its address), and four groups make a few.
//!
//! The open conversation is split too: the workspace's queue (where agents land) is
//! interactive without it, and the workspace fetches it as soon as it is mounted, so
//! opening a chat does not wait for it; a chat opened by its address fetches it beside
//! the first load (the server names its files in preload links). Without `--split`
//! (and on the server) these are ordinary async routes.
use super::{conversation, dashboard, list, mentions, reports, requests, settings, team, team_chat, team_session};
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// One page of a split group.
#[derive(Clone, Copy)]
pub enum Page {
    Conversation,
    Profile,
    Canned,
    Agents,
    Inboxes,
    Inbox,
    Data,
    ApiTokens,
    Webhooks,
    Audit,
    Dashboard,
    Reports,
    List,
    Team,
    Requests,
    Mentions,
    TeamChat,
    TeamSession,
}

/// The open conversation (`/inbox/{id}`, `/conversations/{id}`).
#[lazy]
fn conversation_view(_page: Page) -> AnyView {
    conversation::ConversationPage().into_any()
}

/// Settings and the audit log.
#[lazy]
fn settings_view(page: Page) -> AnyView {
    match page {
        Page::Profile => settings::profile::ProfileSettings().into_any(),
        Page::Canned => settings::canned::CannedSettings().into_any(),
        Page::Agents => settings::agents::AgentsSettings().into_any(),
        Page::Inboxes => settings::inboxes::InboxesSettings().into_any(),
        Page::Inbox => settings::inbox::InboxSettings().into_any(),
        Page::Data => settings::data::DataSettings().into_any(),
        Page::ApiTokens => settings::api_tokens::ApiTokensSettings().into_any(),
        Page::Webhooks => settings::webhooks::WebhooksSettings().into_any(),
        _ => settings::audit::AuditLogPage().into_any(),
    }
}

/// The supervisor's figures: the dashboard and reports.
#[lazy]
fn insights_view(page: Page) -> AnyView {
    match page {
        Page::Dashboard => dashboard::DashboardPage().into_any(),
        _ => reports::ReportsPage().into_any(),
    }
}

/// The full list, the team, requests, mentions and team chat.
#[lazy]
fn team_view(page: Page) -> AnyView {
    match page {
        Page::List => list::ListPage().into_any(),
        Page::Team => team::TeamPage().into_any(),
        Page::Requests => requests::RequestsPage().into_any(),
        Page::Mentions => mentions::MentionsPage().into_any(),
        Page::TeamChat => team_chat::TeamChatPage().into_any(),
        _ => team_session::TeamSessionPage().into_any(),
    }
}

/// A route type per page, whose view is loaded with its group. The page loads its own
/// data, as it does when it is not split.
macro_rules! lazy_page {
    ($($route:ident => $group:ident($page:ident), $preload:ident;)*) => {$(
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_route: Self) -> AnyView {
                $group(Page::$page).await
            }

            async fn preload() {
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }
    )*};
}

lazy_page! {
    ConversationRoute => conversation_view(Conversation), __preload_conversation_view;
    ProfileRoute => settings_view(Profile), __preload_settings_view;
    CannedRoute => settings_view(Canned), __preload_settings_view;
    AgentsRoute => settings_view(Agents), __preload_settings_view;
    InboxesRoute => settings_view(Inboxes), __preload_settings_view;
    InboxRoute => settings_view(Inbox), __preload_settings_view;
    DataRoute => settings_view(Data), __preload_settings_view;
    ApiTokensRoute => settings_view(ApiTokens), __preload_settings_view;
    WebhooksRoute => settings_view(Webhooks), __preload_settings_view;
    AuditRoute => settings_view(Audit), __preload_settings_view;
    DashboardRoute => insights_view(Dashboard), __preload_insights_view;
    ReportsRoute => insights_view(Reports), __preload_insights_view;
    ListRoute => team_view(List), __preload_team_view;
    TeamRoute => team_view(Team), __preload_team_view;
    RequestsRoute => team_view(Requests), __preload_team_view;
    MentionsRoute => team_view(Mentions), __preload_team_view;
    TeamChatRoute => team_view(TeamChat), __preload_team_view;
    TeamSessionRoute => team_view(TeamSession), __preload_team_view;
}

/// Fetches the open conversation's code now (in a split build), so the first chat an
/// agent opens does not wait for it. Does nothing on the server.
pub fn preload_conversation() {
    #[cfg(target_arch = "wasm32")]
    leptos::task::spawn_local(<ConversationRoute as LazyRoute>::preload());
}
