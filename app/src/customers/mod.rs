//! Customers: who is behind a conversation. A host page may sign an identity with
//! the inbox secret; a signed identity is *verified* and shared by every conversation
//! of that external id. An unsigned one stays *self-declared* on its own conversation
//! and never attaches to, or overwrites, a verified customer.
pub mod api;
#[cfg(feature = "ssr")]
pub mod gdpr;
#[cfg(feature = "ssr")]
pub mod panel;
#[cfg(feature = "ssr")]
pub mod store;

use crate::conversations::{CloseReason, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    /// Custom attributes, such as a learner's progress: shown as given, merged over
    /// earlier ones (at most 20, short keys and values).
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, serde_json::Value>>,
    /// Hex HMAC-SHA256(inbox secret, external_id), computed by the host's backend.
    pub signature: Option<String>,
}

/// A customer as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerRecord {
    pub id: i64,
    pub external_id: Option<String>,
    pub verified: bool,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
    /// When the customer was erased (GDPR), if they were.
    pub erased_at: Option<i64>,
}

/// Everything kept about a customer (a GDPR access request): identity, attributes,
/// every conversation with its public messages and attachment names, CSAT answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    pub customer: CustomerRecord,
    pub conversations: Vec<ExportedConversation>,
    pub exported_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedConversation {
    pub id: i64,
    pub inbox_name: String,
    pub status: String,
    pub created_at: i64,
    pub subject: Option<String>,
    pub context_label: Option<String>,
    pub csat_score: Option<i64>,
    pub csat_comment: Option<String>,
    pub messages: Vec<ExportedMessage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedMessage {
    pub id: i64,
    pub created_at: i64,
    /// customer, agent or system.
    pub author: String,
    pub author_name: Option<String>,
    pub body: String,
    pub attachments: Vec<String>,
}

/// What an erase removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErasedCustomer {
    pub customer_id: i64,
    pub conversations: u64,
    pub messages: u64,
    pub files: u64,
}

/// The right-hand panel of a conversation: who the customer is, whether they are
/// here, what the chat is about and their earlier chats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPanel {
    pub customer_id: i64,
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub verified: bool,
    pub attributes: Vec<(String, String)>,
    pub online: bool,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
    pub context_label: Option<String>,
    pub context_link: Option<String>,
    /// The customer's rating of this chat (1–5), if they gave one.
    #[serde(default)]
    pub rating: Option<i64>,
    /// Their ratings of all their chats in inboxes the viewer works in: count and mean.
    #[serde(default)]
    pub ratings: (i64, Option<f64>),
    pub history: Vec<PastChat>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastChat {
    pub id: i64,
    pub inbox_name: String,
    pub created_at: i64,
    pub status: Status,
    pub close_reason: Option<CloseReason>,
    pub preview: Option<String>,
    #[serde(default)]
    pub rating: Option<i64>,
}

/// The link to a context record from the inbox's template, such as
/// `https://backoffice.example/{type}/{id}`. The values are percent-encoded, so a
/// context id can never change the link's host or path structure.
pub fn context_link(template: &str, kind: Option<&str>, id: Option<&str>) -> Option<String> {
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return None;
    }
    let id = id?;
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    Some(template.replace("{type}", &enc(kind.unwrap_or(""))).replace("{id}", &enc(id)))
}

/// Attribute values as text: strings as they are, anything else as JSON.
pub fn attribute_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_links_encode_their_values() {
        let t = "https://bo.example/{type}/{id}";
        assert_eq!(context_link(t, Some("test"), Some("T 1/../x")).unwrap(), "https://bo.example/test/T%201%2F..%2Fx");
        assert_eq!(context_link(t, None, None), None);
        assert_eq!(context_link("javascript:alert({id})", None, Some("1")), None);
    }
}
