//! The audit log as admins read it (`/admin/audit`): filters, keyset pages, the CSV
//! and the retention setting. The recorder is `crate::audit`.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

/// One entry as the audit page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: i64,
    pub at: i64,
    /// The agent's name, the API token's name, or "System".
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Before and after of a changed setting, or the other facts, as `key: value` text.
    pub changes: String,
    pub address: Option<String>,
}

/// The filters of `/admin/audit`, all optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<i64>,
    pub action: Option<String>,
    /// `type` or `type:id`, such as `conversation:12`.
    pub target: Option<String>,
    /// Inclusive days, `YYYY-MM-DD`, in the reader's zone (`tz` minutes east of UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default)]
    pub tz: i32,
    /// The keyset cursor: entries older than this id.
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    /// The cursor of the next (older) page.
    pub next: Option<i64>,
    pub retention_days: i64,
    /// Agents who appear as actors, for the filter: (id, name).
    pub actors: Vec<(i64, String)>,
}

pub const DEFAULT_RETENTION_DAYS: i64 = 365;
pub const PAGE: i64 = 50;

/// A retention of 30 days to 10 years.
pub fn parse_retention(s: &str) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (30..=3650).contains(&n) => Ok(n),
        _ => Err("keep the audit log between 30 and 3650 days".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_bounded() {
        assert_eq!(parse_retention(" 365 "), Ok(365));
        assert!(parse_retention("29").is_err());
        assert!(parse_retention("3651").is_err());
        assert!(parse_retention("x").is_err());
    }
}
