//! The typed protocol of live changes: one enum, [`Change`], whose variants writers
//! build, the log stores (as a kind and a JSON payload) and the console parses back,
//! once per frame. The JSON is the SSE frame exactly: `event: <kind>` and
//! `data: <payload>`; the widget reads the same frames without serde, so a test pins
//! every variant's kind and payload (`wire_format` below).
use super::conversation::{CloseReason, Conversation, Message, Status};
use super::presence::Availability;
use super::sla::SlaAlert;
use super::team::TeamMessage;
use serde::{Deserialize, Serialize};

/// A chat's status changed (every time, whatever caused it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub conversation_id: i64,
    pub status: Status,
    pub close_reason: Option<CloseReason>,
}

/// A chat was taken, assigned or returned to the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    pub conversation_id: i64,
    pub inbox_id: i64,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub actor_id: i64,
    pub actor_name: String,
}

/// Who is answering the chat now, as its customer may see it (`None`: back in the
/// queue). Sent to everyone, the widget included, on every change of assignee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentOnChat {
    pub conversation_id: i64,
    pub name: Option<String>,
}

/// A chat moved to another inbox (sent to both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub conversation_id: i64,
    pub from_inbox_id: i64,
    pub to_inbox_id: i64,
    pub to_inbox_name: String,
    pub status: Status,
    pub actor_name: String,
}

/// One side of a chat has seen the other's messages up to `message_id`: the customer
/// had them on screen (`by: customer`), or an agent of the chat read them (`by: agent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    pub conversation_id: i64,
    pub by: super::conversation::AuthorKind,
    pub message_id: i64,
}

/// An agent was mentioned in a private note (sent to that agent only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mentioned {
    pub conversation_id: i64,
    pub message_id: i64,
    pub by_name: String,
    pub excerpt: String,
}

/// The customer rated the chat (or changed their rating).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rated {
    pub conversation_id: i64,
    /// 1 to 5.
    pub score: i64,
    pub comment: Option<String>,
}

/// Automatic assignment offered a chat to an agent, who may accept it until
/// `expires_at` (sent to the inbox's agents: supervisors see offers too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offered {
    pub conversation_id: i64,
    pub inbox_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    pub expires_at: i64,
    pub seconds: i64,
}

/// Names a conversation (a deleted one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRef {
    pub conversation_id: i64,
}

/// The visitor opened or closed the widget's stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorPresence {
    pub conversation_id: i64,
    pub online: bool,
    pub seen_at: i64,
}

/// A service request was filed about a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestFiled {
    pub conversation_id: i64,
    pub request_id: i64,
    pub title: String,
}

/// A request moved along (open, in progress, done).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestMoved {
    pub request_id: i64,
    pub conversation_id: Option<i64>,
    pub status: String,
}

/// What the team sees of an agent changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub agent_id: i64,
    pub name: String,
    pub presence: Availability,
}

/// An agent was invited into a team chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamInvite {
    pub session_id: i64,
    pub topic: String,
    pub from: String,
}

/// Names a team chat (its people or timer changed, or it ended).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRef {
    pub session_id: i64,
}

/// Names an agent whose rights a control event re-checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentRef {
    pub agent_id: i64,
}

/// The empty payload (`{}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Empty {}

macro_rules! changes {
    ($( $(#[$doc:meta])* $konst:ident = $kind:literal => $variant:ident($payload:ty), )+) => {
        /// Every change that goes out live, by kind.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "data")]
        pub enum Change {
            $( $(#[$doc])* #[serde(rename = $kind)] $variant($payload), )+
        }

        /// The kinds as text, for the few places outside this protocol that name one
        /// (a webhook's event name).
        pub mod kind {
            $( pub const $konst: &str = $kind; )+
        }

        impl Change {
            /// Every kind, for a client that registers a listener per kind.
            pub const KINDS: &'static [&'static str] = &[$($kind),+];

            /// Parses one frame (`event:` and `data:`) into its change: the payload's
            /// own type straight from `data`. (Deserialising the tagged enum instead
            /// buffered every payload type through serde's `Content` as well, which
            /// doubled the console's deserialising code.)
            pub fn parse(kind: &str, data: &str) -> Result<Change, serde_json::Error> {
                match kind {
                    $( $kind => serde_json::from_str(data).map(Change::$variant), )+
                    _ => Err(serde::de::Error::custom(format!("unknown change kind `{kind}`"))),
                }
            }

            /// The frame's `event:` name.
            pub fn kind(&self) -> &'static str {
                match self { $( Change::$variant(_) => $kind, )+ }
            }

            /// The frame's `data:`, as JSON. Encoded through a `serde_json::Value`, so
            /// object keys come out sorted, as they always have on this wire.
            pub fn payload(&self) -> String {
                let value = match self { $( Change::$variant(p) => serde_json::to_value(p), )+ };
                value.map(|v| v.to_string()).unwrap_or_else(|_| "null".into())
            }
        }
    };
}

changes! {
    /// A message (or a system line) was stored.
    MESSAGE_CREATED = "message.created" => MessageCreated(Message),
    /// A visitor started a chat.
    CONVERSATION_CREATED = "conversation.created" => ConversationCreated(Conversation),
    /// The customer's details or context changed.
    CONVERSATION_UPDATED = "conversation.updated" => ConversationUpdated(Conversation),
    CONVERSATION_STATUS = "conversation.status" => ConversationStatus(StatusChanged),
    CONVERSATION_ASSIGNED = "conversation.assigned" => ConversationAssigned(Assigned),
    CONVERSATION_AGENT = "conversation.agent" => ConversationAgent(AgentOnChat),
    CONVERSATION_MOVED = "conversation.moved" => ConversationMoved(Moved),
    CONVERSATION_DELETED = "conversation.deleted" => ConversationDeleted(ConversationRef),
    CONVERSATION_SEEN = "conversation.seen" => ConversationSeen(Seen),
    CONVERSATION_RATED = "conversation.rated" => ConversationRated(Rated),
    CONVERSATION_OFFERED = "conversation.offered" => ConversationOffered(Offered),
    /// 80% of a chat's SLA target has passed, or it was breached.
    CONVERSATION_SLA = "conversation.sla" => ConversationSla(SlaAlert),
    VISITOR_PRESENCE = "visitor.presence" => VisitorPresence(VisitorPresence),
    REQUEST_CREATED = "request.created" => RequestCreated(RequestFiled),
    /// A request's status changed (the requests page and webhooks follow it).
    REQUEST_STATUS = "request.status" => RequestStatus(RequestMoved),
    AGENT_PRESENCE = "agent.presence" => AgentPresence(AgentPresence),
    MENTION_CREATED = "mention.created" => MentionCreated(Mentioned),
    TEAM_INVITE = "team.invite" => TeamInvite(TeamInvite),
    TEAM_SESSION = "team.session" => TeamSession(SessionRef),
    TEAM_ENDED = "team.ended" => TeamEnded(SessionRef),
    TEAM_MESSAGE = "team.message" => TeamMessage(TeamMessage),
    /// Control: the agent logged out (never sent).
    AGENT_LOGOUT = "agent.logout" => AgentLogout(AgentRef),
    /// Control: the agent was activated or deactivated (never sent).
    AGENT_ACTIVE = "agent.active" => AgentActive(AgentRef),
    /// Control: the agent's inboxes changed (never sent).
    INBOX_MEMBERSHIP = "inbox.membership" => InboxMembership(AgentRef),
    /// Sent by a stream, never stored: the client's position is unknown; refetch.
    RESYNC = "resync" => Resync(Empty),
}

impl Change {
    /// The conversation the change is about, if any.
    pub fn conversation_id(&self) -> Option<i64> {
        match self {
            Change::MessageCreated(m) => Some(m.conversation_id),
            Change::ConversationCreated(c) | Change::ConversationUpdated(c) => Some(c.id),
            Change::ConversationStatus(s) => Some(s.conversation_id),
            Change::ConversationAssigned(a) => Some(a.conversation_id),
            Change::ConversationAgent(a) => Some(a.conversation_id),
            Change::ConversationMoved(m) => Some(m.conversation_id),
            Change::ConversationDeleted(r) => Some(r.conversation_id),
            Change::ConversationSeen(s) => Some(s.conversation_id),
            Change::ConversationRated(r) => Some(r.conversation_id),
            Change::ConversationOffered(o) => Some(o.conversation_id),
            Change::ConversationSla(a) => Some(a.conversation_id),
            Change::MentionCreated(m) => Some(m.conversation_id),
            Change::VisitorPresence(p) => Some(p.conversation_id),
            Change::RequestCreated(r) => Some(r.conversation_id),
            _ => None,
        }
    }

    /// The agent a control change is about.
    pub fn controlled_agent(&self) -> Option<i64> {
        match self {
            Change::AgentLogout(a) | Change::AgentActive(a) | Change::InboxMembership(a) => Some(a.agent_id),
            _ => None,
        }
    }

    /// The log entry of this change, for `audience`, about an inbox and a conversation.
    #[cfg(feature = "ssr")]
    pub fn event(&self, audience: crate::events::Audience, inbox_id: Option<i64>, conversation_id: Option<i64>) -> crate::events::NewEvent {
        crate::events::NewEvent { kind: self.kind(), inbox_id, conversation_id, audience, payload: self.payload() }
    }
}

#[cfg(test)]
mod wire_format;
