//! Customers: who is behind a conversation. A host page may sign an identity with
//! the inbox secret; a signed identity is *verified* and shared by every conversation
//! of that external id. An unsigned one stays *self-declared* on its own conversation
//! and never attaches to, or overwrites, a verified customer.
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    /// Hex HMAC-SHA256(inbox secret, external_id), computed by the host's backend.
    pub signature: Option<String>,
}
