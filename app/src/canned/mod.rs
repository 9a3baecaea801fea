//! Canned responses: saved replies an agent inserts with `/` in the reply box.
//!
//! Each has a short code, a title and a body with `{{variables}}` ([`template`]).
//! A response is **personal** (its owner's alone), of an **inbox** (usable in that
//! inbox's chats, kept by its supervisors) or **global** (usable everywhere, kept by
//! admins). Another agent's personal response is a 404; one of an inbox the agent is
//! not in too.
pub mod fuzzy;
pub mod template;

#[cfg(feature = "ssr")]
pub mod store;

pub mod api;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = CannedScope))]
pub enum Scope {
    Personal,
    Inbox,
    Global,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Personal => "personal",
            Scope::Inbox => "inbox",
            Scope::Global => "global",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "personal" => Some(Scope::Personal),
            "inbox" => Some(Scope::Inbox),
            "global" => Some(Scope::Global),
            _ => None,
        }
    }
}

/// A response as the settings page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Canned {
    pub id: i64,
    pub scope: Scope,
    pub inbox_id: Option<i64>,
    pub inbox_name: Option<String>,
    pub shortcode: String,
    pub title: String,
    pub body: String,
    pub usage_count: i64,
    /// Whether the asking agent may change or delete it.
    pub editable: bool,
}

/// A response as the reply box's picker offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedOption {
    pub id: i64,
    pub shortcode: String,
    pub title: String,
    pub body: String,
}

/// A response as it is to be saved, once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub scope: Scope,
    pub inbox_id: Option<i64>,
    pub shortcode: String,
    pub title: String,
    pub body: String,
}

/// How the asking agent stands: their id, whether they are an admin, and the inboxes
/// they are a member of, with those they supervise.
#[derive(Debug, Clone, Default)]
pub struct Keeper {
    pub agent_id: i64,
    pub is_admin: bool,
    pub member_of: Vec<i64>,
    pub supervises: Vec<i64>,
    /// The client's address, for the audit log.
    pub address: Option<String>,
}

impl Keeper {
    /// Whether they may create, change or delete a response of this scope: a 404 for
    /// what they may not even see, a 403 for what they see but do not keep.
    pub fn may_keep(&self, scope: Scope, owner_id: Option<i64>, inbox_id: Option<i64>) -> Result<(), AppError> {
        match scope {
            Scope::Personal if owner_id == Some(self.agent_id) => Ok(()),
            Scope::Personal => Err(AppError::NotFound),
            Scope::Inbox => {
                let inbox = inbox_id.ok_or(AppError::NotFound)?;
                if self.is_admin || self.supervises.contains(&inbox) {
                    Ok(())
                } else if self.member_of.contains(&inbox) {
                    Err(AppError::Forbidden)
                } else {
                    Err(AppError::NotFound)
                }
            }
            Scope::Global if self.is_admin => Ok(()),
            Scope::Global => Err(AppError::Forbidden),
        }
    }
}

/// Checks and tidies what an agent typed: a short code of 1–32 letters, digits, `-`
/// or `_` (a leading `/` is dropped, letters are lower-cased), a title, a body of at
/// most 5,000 characters, and only known variables.
pub fn draft(scope: &str, inbox_id: Option<i64>, shortcode: &str, title: &str, body: &str) -> Result<Draft, AppError> {
    let bad = |m: &str| Err(AppError::Unprocessable(m.to_string()));
    let scope = Scope::parse(scope).ok_or_else(|| AppError::Unprocessable(format!("unknown scope {scope:?}: use personal, inbox or global")))?;
    let shortcode = shortcode.trim().trim_start_matches('/').to_lowercase();
    if shortcode.is_empty() || shortcode.chars().count() > 32 {
        return bad("the short code needs 1 to 32 characters");
    }
    if let Some(c) = shortcode.chars().find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(AppError::Unprocessable(format!("the short code may hold letters, digits, - and _ only, not {c:?}")));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return bad("the title needs 1 to 100 characters");
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return bad("the text needs 1 to 5,000 characters");
    }
    template::check(body).map_err(AppError::Unprocessable)?;
    let inbox_id = match scope {
        Scope::Inbox => Some(inbox_id.ok_or_else(|| AppError::Unprocessable("choose the inbox the response belongs to".into()))?),
        _ => None,
    };
    Ok(Draft { scope, inbox_id, shortcode, title: title.to_string(), body: body.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_tidied_and_checked() {
        let d = draft("personal", Some(4), " /Thanks ", " Thank you ", "Thanks {{customer.first_name|there}}!").unwrap();
        assert_eq!((d.shortcode.as_str(), d.title.as_str(), d.inbox_id), ("thanks", "Thank you", None));
        assert!(matches!(draft("inbox", None, "x", "X", "y"), Err(AppError::Unprocessable(_))));
        assert!(matches!(draft("team", None, "x", "X", "y"), Err(AppError::Unprocessable(m)) if m.contains("team")));
        assert!(matches!(draft("global", None, "a b", "X", "y"), Err(AppError::Unprocessable(m)) if m.contains("' '")));
        assert!(matches!(draft("global", None, "ab", "X", "{{agent.nick}}"), Err(AppError::Unprocessable(m)) if m.contains("agent.nick")));
    }

    #[test]
    fn who_keeps_what() {
        let op = Keeper { agent_id: 1, is_admin: false, member_of: vec![10, 11], supervises: vec![11], address: None };
        assert!(op.may_keep(Scope::Personal, Some(1), None).is_ok());
        assert_eq!(op.may_keep(Scope::Personal, Some(2), None), Err(AppError::NotFound));
        assert!(op.may_keep(Scope::Inbox, None, Some(11)).is_ok());
        assert_eq!(op.may_keep(Scope::Inbox, None, Some(10)), Err(AppError::Forbidden));
        assert_eq!(op.may_keep(Scope::Inbox, None, Some(12)), Err(AppError::NotFound));
        assert_eq!(op.may_keep(Scope::Global, None, None), Err(AppError::Forbidden));
        let admin = Keeper { agent_id: 9, is_admin: true, ..Keeper::default() };
        assert!(admin.may_keep(Scope::Inbox, None, Some(12)).is_ok() && admin.may_keep(Scope::Global, None, None).is_ok());
        assert_eq!(admin.may_keep(Scope::Personal, Some(1), None), Err(AppError::NotFound));
    }
}
