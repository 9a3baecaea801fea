//! The audit log's recorder: who did what, to what, when and from where. Append-only:
//! nothing in the application updates an entry (a database trigger refuses it), and
//! the only delete is the log's own retention (`crate::audit_log`). Entries hold ids,
//! settings and counts, never message text. This module names no domain type.
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub use store::{record, record_in, Actor, Entry};

macro_rules! actions {
    ($( $variant:ident = $text:literal, $label:literal; )+) => {
        /// Every action the log records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Action {
            $( #[serde(rename = $text)] $variant, )+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The stored name, such as `inbox.routing`.
            pub fn as_str(self) -> &'static str {
                match self { $( Action::$variant => $text, )+ }
            }

            /// What a person reads in the log.
            pub fn label(self) -> &'static str {
                match self { $( Action::$variant => $label, )+ }
            }

            pub fn parse(s: &str) -> Option<Action> {
                match s { $( $text => Some(Action::$variant), )+ _ => None }
            }
        }
    };
}

actions! {
    LoginSucceeded = "login.succeeded", "Logged in";
    LoginFailed = "login.failed", "Failed login";
    Logout = "logout", "Logged out";
    AgentCreate = "agent.create", "Agent created";
    AgentActivate = "agent.activate", "Agent reactivated";
    AgentDeactivate = "agent.deactivate", "Agent deactivated";
    AgentPassword = "agent.password", "Password changed";
    AgentRole = "agent.role", "Role changed";
    AgentCapacity = "agent.capacity", "Agent capacity";
    InboxCreate = "inbox.create", "Inbox created";
    InboxMember = "inbox.member", "Inbox membership";
    InboxPrechat = "inbox.prechat", "Pre-chat form";
    InboxContextLink = "inbox.context_link", "Context link";
    InboxAppearance = "inbox.appearance", "Widget appearance";
    InboxRetention = "inbox.retention", "Retention setting";
    InboxWebhook = "inbox.webhook", "Webhook";
    InboxRouting = "inbox.routing", "Routing setting";
    InboxHours = "inbox.hours", "Business hours";
    InboxCsat = "inbox.csat", "Satisfaction survey";
    InboxSla = "inbox.sla", "SLA policy";
    CannedCreate = "canned.create", "Canned response created";
    CannedUpdate = "canned.update", "Canned response changed";
    CannedDelete = "canned.delete", "Canned response deleted";
    ConversationAssign = "conversation.assign", "Assigned";
    ConversationMove = "conversation.move", "Moved";
    ConversationDelete = "conversation.delete", "Chat deleted";
    ConversationExport = "conversation.export", "Chat exported";
    ListExport = "list.export", "List exported";
    RequestCreate = "request.create", "Request filed";
    RetentionPurge = "retention.purge", "Retention run";
    TokenCreate = "token.create", "API token created";
    TokenRevoke = "token.revoke", "API token revoked";
    Supervise = "conversation.supervise", "Supervised";
    Whisper = "conversation.whisper", "Whispered";
    Join = "conversation.join", "Joined";
    TakeOver = "conversation.take_over", "Took over";
    AuditRetention = "audit.retention", "Audit log retention";
    AuditExport = "audit.export", "Audit log exported";
    WebhookCreate = "webhook.create", "Webhook subscribed";
    WebhookUpdate = "webhook.update", "Webhook changed";
    WebhookDelete = "webhook.delete", "Webhook removed";
    WebhookRedeliver = "webhook.redeliver", "Webhook redelivered";
    CustomerUpdate = "customer.update", "Customer changed";
    CustomerExport = "customer.export", "Customer data exported";
    CustomerErase = "customer.erase", "Customer erased";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert!(seen.insert(a.as_str()), "{} twice", a.as_str());
            assert!(!a.label().is_empty());
        }
        assert_eq!(Action::parse("nope"), None);
    }
}
