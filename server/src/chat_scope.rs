//! What an operator's event stream may carry about chats. Operators work their own
//! chats, the unassigned queue and the closed chats (`conversations::rules`): a
//! colleague's open chat is a 404 to them everywhere, so its content (messages and
//! internal notes, requests, the customer's details and presence) never goes down
//! their stream either. Changes of assignee, status and inbox still do: they are what
//! moves a chat in or out of the operator's view, and what their lists and alerts
//! follow.
//!
//! Each stream keeps the assignee and state of the chats it has seen, read from the
//! database the first time and then followed through the same events. The one
//! exception of `handling::visible` holds here too: an operator who took part in a
//! team chat about a colleague's chat may read it (asked once per chat and stream; a
//! team chat joined later counts from the next connection).
use app::conversations::handling;
use app::conversations::rules::{self, Action, Standing};
use app::conversations::Status;
use app::db::Db;
use app::events::{Audience, Event};
use app::model::change::{kind, Change};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy)]
struct Seen {
    assignee: Option<i64>,
    closed: bool,
    /// Whether the operator took part in a team chat about it (asked when it matters).
    took_part: Option<bool>,
}

#[derive(Debug, Default)]
pub struct OperatorScope {
    /// The inboxes where the agent stands as an operator.
    inboxes: HashSet<i64>,
    chats: HashMap<i64, Seen>,
}

/// The kinds that carry a chat's content rather than its place in the queues.
const CONTENT: [&str; 6] = [
    kind::MESSAGE_CREATED,
    kind::REQUEST_CREATED,
    kind::CONVERSATION_UPDATED,
    kind::VISITOR_PRESENCE,
    kind::CONVERSATION_RATED,
    kind::CONVERSATION_SLA,
];

impl OperatorScope {
    pub fn new(inboxes: HashSet<i64>) -> Self {
        OperatorScope { inboxes, chats: HashMap::new() }
    }

    /// New rights (a membership changed): forget what was seen under the old ones.
    pub fn reset(&mut self, inboxes: HashSet<i64>) {
        self.inboxes = inboxes;
        self.chats.clear();
    }

    /// Whether `ev` may go to the operator `agent_id`. Follows the changes that move a
    /// chat in or out of view first, so a chat's own events are judged in order.
    pub async fn allows(&mut self, db: &Db, agent_id: i64, ev: &Event) -> bool {
        let (Some(inbox), Some(conversation)) = (ev.inbox_id, ev.conversation_id) else { return true };
        if !self.inboxes.contains(&inbox) {
            return true;
        }
        self.observe(ev);
        if !CONTENT.contains(&ev.kind.as_str()) {
            return true;
        }
        let seen = match self.chats.get(&conversation) {
            Some(s) => *s,
            // Read once for every stream that meets this event without knowing the chat.
            None => match ev.shared.get_or_read(|| chat_standing(db, conversation)).await {
                Some((assignee, closed)) => {
                    let s = Seen { assignee, closed, took_part: None };
                    self.chats.insert(conversation, s);
                    s
                }
                // Gone (deleted or purged), or unreadable now: send nothing about it.
                None => return false,
            },
        };
        // A whisper goes to the operator holding the chat, and to no other operator.
        if ev.audience == Audience::Whisper {
            return seen.assignee == Some(agent_id);
        }
        if rules::check(Action::Read, Standing::Operator, agent_id, seen.assignee, seen.closed).is_ok() {
            return true;
        }
        // The team chat exception of `handling::visible`, asked once per chat.
        match seen.took_part {
            Some(took_part) => took_part,
            None => {
                let took_part = Box::pin(handling::took_part_in(db, agent_id, conversation)).await.unwrap_or(false);
                if let Some(s) = self.chats.get_mut(&conversation) {
                    s.took_part = Some(took_part);
                }
                took_part
            }
        }
    }

    fn observe(&mut self, ev: &Event) {
        let follows = [kind::CONVERSATION_ASSIGNED, kind::CONVERSATION_STATUS, kind::CONVERSATION_MOVED, kind::CONVERSATION_DELETED];
        if !follows.contains(&ev.kind.as_str()) {
            return;
        }
        let Some(change) = ev.payload.as_deref().and_then(|p| Change::parse(&ev.kind, p).ok()) else { return };
        match change {
            Change::ConversationAssigned(a) => {
                let closed = a.status == Status::Closed;
                let took_part = self.chats.get(&a.conversation_id).and_then(|s| s.took_part);
                self.chats.insert(a.conversation_id, Seen { assignee: a.assignee_id, closed, took_part });
            }
            Change::ConversationStatus(s) => {
                if let Some(seen) = self.chats.get_mut(&s.conversation_id) {
                    seen.closed = s.status == Status::Closed;
                }
            }
            // Elsewhere now, or gone: read afresh if it ever comes back.
            Change::ConversationMoved(m) => {
                self.chats.remove(&m.conversation_id);
            }
            Change::ConversationDeleted(d) => {
                self.chats.remove(&d.conversation_id);
            }
            _ => {}
        }
    }
}

/// A chat's assignee and whether it is closed; `None` when it cannot be read.
async fn chat_standing(db: &Db, conversation: i64) -> Option<(Option<i64>, bool)> {
    let c = Box::pin(app::conversations::store::get(db, conversation)).await.ok()?;
    Some((c.assignee_id, c.status == Status::Closed))
}
