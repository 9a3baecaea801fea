//! Pins the wire format of every change: the `event:` name and the `data:` JSON, byte
//! for byte, as the console and the serde-free widget read them. A change here is a
//! change of the public protocol.
use super::*;
use crate::model::attachment::AttachmentRef;
use crate::model::conversation::{AuthorKind, Context, Visibility};

fn message() -> Message {
    Message {
        id: 7,
        conversation_id: 3,
        author_kind: AuthorKind::Customer,
        author_id: None,
        author_name: Some("Ann".into()),
        body: "Hi <b>".into(),
        client_id: "c-1".into(),
        visibility: Visibility::Public,
        created_at: 1000,
        attachments: vec![AttachmentRef { id: "f1".into(), name: "a.png".into(), content_type: "image/png".into(), size: 12 }],
    }
}

fn conversation() -> Conversation {
    Conversation {
        id: 3,
        inbox_id: 2,
        customer_id: 9,
        customer_name: Some("Ann".into()),
        customer_email: None,
        status: Status::New,
        close_reason: None,
        assignee_id: None,
        subject: None,
        context: Context { kind: Some("order".into()), id: Some("42".into()), label: None, url: None },
        channel: "widget".into(),
        created_at: 1000,
        last_message_at: Some(1000),
        last_message_preview: Some("Hi".into()),
    }
}

fn team_message() -> TeamMessage {
    TeamMessage {
        id: 4,
        session_id: 5,
        author_id: Some(1),
        author_name: Some("Al".into()),
        system: false,
        body: "psst".into(),
        off_record_to: Some(2),
        off_record_to_name: Some("Bo".into()),
        client_id: Some("t-1".into()),
        created_at: 2000,
    }
}

/// Every variant, with the frame it must make.
fn cases() -> Vec<(Change, &'static str, &'static str)> {
    vec![
        (
            Change::MessageCreated(message()),
            "message.created",
            r#"{"attachments":[{"content_type":"image/png","id":"f1","name":"a.png","size":12}],"author_id":null,"author_kind":"customer","author_name":"Ann","body":"Hi <b>","client_id":"c-1","conversation_id":3,"created_at":1000,"id":7,"visibility":"public"}"#,
        ),
        (
            Change::ConversationCreated(conversation()),
            "conversation.created",
            r#"{"assignee_id":null,"channel":"widget","close_reason":null,"context":{"id":"42","label":null,"type":"order","url":null},"created_at":1000,"customer_email":null,"customer_id":9,"customer_name":"Ann","id":3,"inbox_id":2,"last_message_at":1000,"last_message_preview":"Hi","status":"new","subject":null}"#,
        ),
        (
            Change::ConversationUpdated(Conversation { status: Status::Closed, close_reason: Some(CloseReason::Solved), ..conversation() }),
            "conversation.updated",
            r#"{"assignee_id":null,"channel":"widget","close_reason":"solved","context":{"id":"42","label":null,"type":"order","url":null},"created_at":1000,"customer_email":null,"customer_id":9,"customer_name":"Ann","id":3,"inbox_id":2,"last_message_at":1000,"last_message_preview":"Hi","status":"closed","subject":null}"#,
        ),
        (
            Change::ConversationStatus(StatusChanged { conversation_id: 3, status: Status::Closed, close_reason: Some(CloseReason::Cancelled) }),
            "conversation.status",
            r#"{"close_reason":"cancelled","conversation_id":3,"status":"closed"}"#,
        ),
        (
            Change::ConversationAssigned(Assigned {
                conversation_id: 3,
                inbox_id: 2,
                status: Status::Open,
                assignee_id: Some(1),
                assignee_name: Some("Al".into()),
                actor_id: 6,
                actor_name: "Sue".into(),
            }),
            "conversation.assigned",
            r#"{"actor_id":6,"actor_name":"Sue","assignee_id":1,"assignee_name":"Al","conversation_id":3,"inbox_id":2,"status":"open"}"#,
        ),
        (
            Change::ConversationAgent(AgentOnChat { conversation_id: 3, name: Some("Al".into()) }),
            "conversation.agent",
            r#"{"conversation_id":3,"name":"Al"}"#,
        ),
        (
            Change::ConversationMoved(Moved {
                conversation_id: 3,
                from_inbox_id: 2,
                to_inbox_id: 8,
                to_inbox_name: "Billing".into(),
                status: Status::New,
                actor_name: "Sue".into(),
            }),
            "conversation.moved",
            r#"{"actor_name":"Sue","conversation_id":3,"from_inbox_id":2,"status":"new","to_inbox_id":8,"to_inbox_name":"Billing"}"#,
        ),
        (Change::ConversationDeleted(ConversationRef { conversation_id: 3 }), "conversation.deleted", r#"{"conversation_id":3}"#),
        (
            Change::ConversationSeen(Seen { conversation_id: 3, by: AuthorKind::Customer, message_id: 7 }),
            "conversation.seen",
            r#"{"by":"customer","conversation_id":3,"message_id":7}"#,
        ),
        (
            Change::ConversationRated(Rated { conversation_id: 3, score: 2, comment: Some("Slow \"reply\"".into()) }),
            "conversation.rated",
            r#"{"comment":"Slow \"reply\"","conversation_id":3,"score":2}"#,
        ),
        (
            Change::ConversationOffered(Offered { conversation_id: 3, inbox_id: 2, agent_id: 1, agent_name: "Al".into(), expires_at: 31_000, seconds: 30 }),
            "conversation.offered",
            r#"{"agent_id":1,"agent_name":"Al","conversation_id":3,"expires_at":31000,"inbox_id":2,"seconds":30}"#,
        ),
        (
            Change::ConversationSla(crate::model::sla::SlaAlert {
                conversation_id: 3,
                inbox_id: 2,
                assignee_id: Some(1),
                target: crate::model::sla::Target::NextResponse,
                due_at: 9000,
                breached: true,
            }),
            "conversation.sla",
            r#"{"assignee_id":1,"breached":true,"conversation_id":3,"due_at":9000,"inbox_id":2,"target":"next_response"}"#,
        ),
        (
            Change::VisitorPresence(VisitorPresence { conversation_id: 3, online: true, seen_at: 5000 }),
            "visitor.presence",
            r#"{"conversation_id":3,"online":true,"seen_at":5000}"#,
        ),
        (
            Change::RequestCreated(RequestFiled { conversation_id: 3, request_id: 11, title: "Refund \"now\"".into() }),
            "request.created",
            r#"{"conversation_id":3,"request_id":11,"title":"Refund \"now\""}"#,
        ),
        (
            Change::RequestStatus(RequestMoved { request_id: 11, conversation_id: None, status: "done".into() }),
            "request.status",
            r#"{"conversation_id":null,"request_id":11,"status":"done"}"#,
        ),
        (
            Change::AgentPresence(AgentPresence { agent_id: 1, name: "Al".into(), presence: Availability::Away }),
            "agent.presence",
            r#"{"agent_id":1,"name":"Al","presence":"away"}"#,
        ),
        (
            Change::MentionCreated(Mentioned { conversation_id: 3, message_id: 7, by_name: "Sue".into(), excerpt: "@Al look".into() }),
            "mention.created",
            r#"{"by_name":"Sue","conversation_id":3,"excerpt":"@Al look","message_id":7}"#,
        ),
        (
            Change::TeamInvite(TeamInvite { session_id: 5, topic: "Refund".into(), from: "Al".into() }),
            "team.invite",
            r#"{"from":"Al","session_id":5,"topic":"Refund"}"#,
        ),
        (Change::TeamSession(SessionRef { session_id: 5 }), "team.session", r#"{"session_id":5}"#),
        (Change::TeamEnded(SessionRef { session_id: 5 }), "team.ended", r#"{"session_id":5}"#),
        (
            Change::TeamMessage(team_message()),
            "team.message",
            r#"{"author_id":1,"author_name":"Al","body":"psst","client_id":"t-1","created_at":2000,"id":4,"off_record_to":2,"off_record_to_name":"Bo","session_id":5,"system":false}"#,
        ),
        (Change::AgentLogout(AgentRef { agent_id: 1 }), "agent.logout", r#"{"agent_id":1}"#),
        (Change::AgentActive(AgentRef { agent_id: 1 }), "agent.active", r#"{"agent_id":1}"#),
        (Change::InboxMembership(AgentRef { agent_id: 1 }), "inbox.membership", r#"{"agent_id":1}"#),
        (Change::Resync(Empty {}), "resync", "{}"),
    ]
}

#[test]
fn every_variant_keeps_its_frame() {
    let cases = cases();
    let kinds: Vec<&str> = cases.iter().map(|(_, k, _)| *k).collect();
    assert_eq!(kinds, Change::KINDS, "every kind has a pinned case, in the enum's order");
    for (change, kind, data) in cases {
        assert_eq!(change.kind(), kind);
        assert_eq!(change.payload(), data, "{kind}");
        assert_eq!(Change::parse(kind, data).unwrap(), change, "{kind} parses back");
    }
}

#[test]
fn a_frame_that_does_not_fit_its_kind_is_refused() {
    assert!(Change::parse("message.created", r#"{"conversation_id":3}"#).is_err());
    assert!(Change::parse("no.such.kind", "{}").is_err());
    assert!(Change::parse("conversation.deleted", "not json").is_err());
}
