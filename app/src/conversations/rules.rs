//! Who may do what to a conversation, as one pure function: the permission matrix
//! the console's buttons and the server both follow.
//!
//! Standing in a conversation comes from its inbox: admins stand everywhere as
//! supervisors; other agents by their membership role in that inbox (the account
//! role is only a ceiling). No standing at all is a 404, never a 403, so a chat of
//! an inbox the agent does not work in is not revealed.
use crate::error::AppError;
use crate::inboxes::MemberRole;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Open the chat: its thread, customer panel, requests and files.
    Read,
    Reply,
    /// Take an unassigned chat (from the alert or the chat itself).
    Accept,
    /// Give the chat to someone else.
    Assign,
    Unassign,
    Move,
    /// Close, solve or cancel.
    Close,
    Delete,
    /// Export with internal and off-the-record lines.
    ExportInternal,
    Export,
}

/// How an agent stands in one inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    None,
    Operator,
    Supervisor,
    Admin,
}

impl Standing {
    pub fn from_membership(is_admin: bool, member: Option<MemberRole>) -> Self {
        match (is_admin, member) {
            (true, _) => Standing::Admin,
            (false, Some(MemberRole::Supervisor)) => Standing::Supervisor,
            (false, Some(MemberRole::Operator)) => Standing::Operator,
            (false, None) => Standing::None,
        }
    }

    pub fn supervises(self) -> bool {
        matches!(self, Standing::Supervisor | Standing::Admin)
    }
}

/// Whether `actor` may take `action` on a chat assigned to `assignee` (and closed or
/// not).
///
/// Operators work their own chats, the unassigned queue and the closed chats, the
/// same ones their list shows: a colleague's open chat is a 404 to them, whatever the
/// action, except that accepting it (from an alert, a moment too late) is answered by
/// the accept itself with who was faster. They may hand one of theirs to a colleague.
/// Supervisors (and admins) may do anything, and only they delete or export internal
/// lines.
pub fn check(action: Action, standing: Standing, actor: i64, assignee: Option<i64>, closed: bool) -> Result<(), AppError> {
    if standing == Standing::None {
        return Err(AppError::NotFound);
    }
    if standing.supervises() {
        return Ok(());
    }
    let own_or_free = assignee.is_none() || assignee == Some(actor);
    if !own_or_free && !closed && action != Action::Accept {
        return Err(AppError::NotFound);
    }
    let allowed = match action {
        Action::Read | Action::Reply | Action::Export | Action::Accept => true,
        Action::Assign | Action::Unassign => assignee == Some(actor),
        Action::Move | Action::Close => own_or_free,
        Action::Delete | Action::ExportInternal => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What the console offers: every action the agent may take right now.
pub fn allowed(standing: Standing, actor: i64, assignee: Option<i64>, closed: bool) -> Vec<Action> {
    use Action::*;
    [Read, Reply, Accept, Assign, Unassign, Move, Close, Delete, ExportInternal, Export]
        .into_iter()
        .filter(|a| check(*a, standing, actor, assignee, closed).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    const ME: i64 = 1;
    const OTHER: i64 = 2;

    #[test]
    fn no_standing_is_not_found_for_every_action() {
        for a in [Read, Reply, Accept, Assign, Unassign, Move, Close, Delete, ExportInternal, Export] {
            assert_eq!(check(a, Standing::None, ME, None, false), Err(AppError::NotFound), "{a:?}");
        }
    }

    #[test]
    fn operators_work_their_own_and_free_chats() {
        let op = Standing::Operator;
        assert!(check(Close, op, ME, None, false).is_ok());
        assert!(check(Close, op, ME, Some(ME), false).is_ok());
        assert!(check(Assign, op, ME, Some(ME), false).is_ok(), "hand one of mine over");
        assert_eq!(check(Assign, op, ME, None, false), Err(AppError::Forbidden), "take it first");
        assert_eq!(check(Delete, op, ME, Some(ME), false), Err(AppError::Forbidden));
        assert_eq!(check(ExportInternal, op, ME, Some(ME), false), Err(AppError::Forbidden));
        assert!(check(Read, op, ME, Some(OTHER), true).is_ok(), "a colleague's closed chat");
        assert!(check(Export, op, ME, Some(OTHER), true).is_ok());
        assert_eq!(check(Close, op, ME, Some(OTHER), true), Err(AppError::Forbidden));
    }

    #[test]
    fn a_colleagues_open_chat_is_hidden_from_operators_as_in_their_list() {
        let op = Standing::Operator;
        for a in [Read, Reply, Export, Assign, Unassign, Move, Close, Delete, ExportInternal] {
            assert_eq!(check(a, op, ME, Some(OTHER), false), Err(AppError::NotFound), "{a:?}");
        }
        // Accepting it a moment too late is answered with who was faster (409).
        assert!(check(Accept, op, ME, Some(OTHER), false).is_ok());
    }

    #[test]
    fn supervisors_and_admins_may_do_everything() {
        for s in [Standing::Supervisor, Standing::Admin] {
            assert_eq!(allowed(s, ME, Some(OTHER), false).len(), 10, "{s:?}");
        }
    }
}
