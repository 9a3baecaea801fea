//! API tokens for machine calls: the REST API (`/api/v1`), completing a context,
//! scraping metrics. A token acts as an agent (whoever created it, or whom the CLI
//! names), within its scopes and, optionally, a set of inboxes; acting beyond its
//! scopes is a 403, a record outside its inboxes a 404. Shown once, stored hashed,
//! limited to its own rate of calls a minute.
pub mod api;
#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// What a token may do: `read` (every GET), `write` (replies, status, assignment,
/// requests, customer attributes), `admin` (customer export and erase, metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A token as the admin page lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Empty: every inbox the agent may see.
    pub inbox_ids: Vec<i64>,
    pub agent_name: Option<String>,
    pub per_minute: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The default rate of calls a minute.
pub const DEFAULT_PER_MINUTE: i64 = 600;
