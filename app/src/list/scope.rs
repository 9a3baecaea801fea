//! Which rows of the list a viewer sees, and which a group keeps, as SQL conditions on
//! the conversation `c` (`me` is the viewer's id, already a literal).
use super::Group;
use crate::accounts::Role;

/// What the viewer may see: admins everything; supervisors their inboxes; operators
/// their own, the unassigned and the closed chats of their inboxes, and those whose
/// notes mention them.
pub(super) fn visibility(viewer: &super::query::Viewer, me: &str) -> Option<String> {
    (viewer.role != Role::Admin).then(|| {
        format!(
            "(c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = {me} AND role = 'supervisor')
              OR (c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE agent_id = {me} AND role = 'operator')
                  AND (c.assignee_id = {me} OR c.assignee_id IS NULL OR c.status = 'closed'
                       OR c.id IN (SELECT conversation_id FROM mentions WHERE agent_id = {me}))))"
        )
    })
}

/// The rows a group keeps.
pub(super) fn group(group: Group, me: &str) -> Option<String> {
    match group {
        Group::Mine => Some(format!("c.assignee_id = {me} AND c.status <> 'closed'")),
        Group::Unassigned => Some("c.assignee_id IS NULL AND c.status <> 'closed'".into()),
        Group::Closed => Some("c.status = 'closed'".into()),
        Group::Mentions => Some(format!("c.id IN (SELECT conversation_id FROM mentions WHERE agent_id = {me})")),
        Group::All => None,
    }
}

/// An API token's inboxes, when it is kept to some (ids, so literals are safe).
pub(super) fn kept_to(inboxes: &[i64]) -> Option<String> {
    (!inboxes.is_empty()).then(|| format!("c.inbox_id IN ({})", inboxes.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")))
}
