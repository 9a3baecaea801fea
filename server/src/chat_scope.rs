//! What an operator's event stream may carry about chats. Operators work their own
//! chats, the unassigned queue and the closed chats (`conversations::rules`): a
//! colleague's open chat is a 404 to them everywhere, so its content (messages and
//! internal notes, requests, the customer's details and presence) never goes down
//! their stream either. Changes of assignee, status and inbox still do: they are what
//! moves a chat in or out of the operator's view, and what their lists and alerts
//! follow.
//!
//! The instance keeps the assignee and state of the chats its streams have met in one
//! table for all of them ([`Standings`]): read from the database the first time (once
//! for every stream that meets the event), then followed through every event the hub
//! publishes, before any stream has it, and through those a stream replays; never
//! taken back by a stream that lags behind. Kept per stream, the table grew
//! with every chat each console met: 5,000 customers coming online left 25 MB of
//! copies of it in 5,000 consoles. The one exception of `handling::visible` holds
//! here too: an operator who took part in a team chat about a colleague's chat may
//! read it (asked once per chat and stream, for colleagues' open chats only; a team
//! chat joined later counts from the next connection).
use app::conversations::handling;
use app::conversations::rules::{self, Action, Standing};
use app::conversations::Status;
use app::db::Db;
use app::events::hub::Hub;
use app::events::{Audience, Event};
use app::model::change::{kind, Change};
use app::state::AppState;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Where a chat stands: its assignee, and whether it is closed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place {
    assignee: Option<i64>,
    closed: bool,
}

/// What the instance knows of a chat, as of which event of the log.
#[derive(Debug, Clone, Copy)]
struct Known {
    /// `None`: moved or deleted since; read afresh if it comes back.
    place: Option<Place>,
    version: i64,
}

/// Chats the table holds at most; past it, it starts again empty (each chat is read
/// again once, when next met).
const KEPT: usize = 50_000;
/// Colleagues' chats one stream remembers asking about, at most.
const ASKED: usize = 256;

/// The chats this instance's streams have met, shared by them.
#[derive(Debug)]
pub struct Standings {
    chats: Mutex<HashMap<i64, Known>>,
    hub: Arc<Hub>,
}

/// The table, as the database handle keeps it for the instance.
struct Table(Arc<Standings>);

impl Standings {
    /// The instance's table, following the hub's events from its first use.
    pub fn of(st: &AppState) -> Arc<Standings> {
        let table = st.db.extension(|_| {
            let table = Arc::new(Standings { chats: Mutex::default(), hub: st.hub.clone() });
            let follows = Arc::downgrade(&table);
            st.hub.follow(Arc::new(move |ev: &Event| {
                if let Some(table) = follows.upgrade() {
                    table.observe(ev);
                }
            }));
            Table(table)
        });
        table.0.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Known>> {
        self.chats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, chat: i64) -> Option<Place> {
        self.lock().get(&chat).and_then(|k| k.place)
    }

    /// Records `place` as of event `version`, unless something newer is known.
    fn set(&self, chat: i64, place: Option<Place>, version: i64) {
        let mut chats = self.lock();
        if chats.get(&chat).is_some_and(|k| k.version >= version) {
            return;
        }
        if chats.len() >= KEPT && !chats.contains_key(&chat) {
            chats.clear();
        }
        chats.insert(chat, Known { place, version });
    }

    /// Follows the changes that move a chat in or out of view.
    fn observe(&self, ev: &Event) {
        let follows = [kind::CONVERSATION_ASSIGNED, kind::CONVERSATION_STATUS, kind::CONVERSATION_MOVED, kind::CONVERSATION_DELETED];
        if !follows.contains(&ev.kind.as_str()) {
            return;
        }
        let Some(change) = ev.payload.as_deref().and_then(|p| Change::parse(&ev.kind, p).ok()) else { return };
        match change {
            Change::ConversationAssigned(a) => {
                let place = Place { assignee: a.assignee_id, closed: a.status == Status::Closed };
                self.set(a.conversation_id, Some(place), ev.id);
            }
            Change::ConversationStatus(s) => {
                if let Some(place) = self.get(s.conversation_id) {
                    self.set(s.conversation_id, Some(Place { closed: s.status == Status::Closed, ..place }), ev.id);
                }
            }
            // Elsewhere now, or gone: read afresh if it ever comes back.
            Change::ConversationMoved(m) => self.set(m.conversation_id, None, ev.id),
            Change::ConversationDeleted(d) => self.set(d.conversation_id, None, ev.id),
            _ => {}
        }
    }
}

#[derive(Debug)]
pub struct OperatorScope {
    /// The inboxes where the agent stands as an operator.
    inboxes: HashSet<i64>,
    standings: Arc<Standings>,
    /// Colleagues' open chats asked about: whether the operator took part in a team
    /// chat about it.
    asked: HashMap<i64, bool>,
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
    pub fn new(inboxes: HashSet<i64>, standings: Arc<Standings>) -> Self {
        OperatorScope { inboxes, standings, asked: HashMap::new() }
    }

    /// New rights (a membership changed): forget what was asked under the old ones.
    pub fn reset(&mut self, inboxes: HashSet<i64>) {
        self.inboxes = inboxes;
        self.asked = HashMap::new();
    }

    /// Whether `ev` may go to the operator `agent_id`. Follows the changes that move a
    /// chat in or out of view first, so a chat's own events are judged in order.
    pub async fn allows(&mut self, db: &Db, agent_id: i64, ev: &Event) -> bool {
        let (Some(inbox), Some(conversation)) = (ev.inbox_id, ev.conversation_id) else { return true };
        if !self.inboxes.contains(&inbox) {
            return true;
        }
        self.standings.observe(ev);
        if !CONTENT.contains(&ev.kind.as_str()) {
            return true;
        }
        let seen = match self.standings.get(conversation) {
            Some(place) => place,
            // Read once for every stream that meets this event without knowing the chat,
            // and recorded by the stream that reads.
            None => {
                let standings = &self.standings;
                let read = || async move {
                    // The read sees every event published before it, and this one.
                    let as_of = standings.hub.published().max(ev.id);
                    let read = chat_standing(db, conversation).await;
                    if let Some((assignee, closed)) = read {
                        standings.set(conversation, Some(Place { assignee, closed }), as_of);
                    }
                    read
                };
                match ev.shared.get_or_read(read).await {
                    Some((assignee, closed)) => Place { assignee, closed },
                    // Gone (deleted or purged), or unreadable now: send nothing about it.
                    None => return false,
                }
            }
        };
        // A whisper goes to the operator holding the chat, and to no other operator.
        if ev.audience == Audience::Whisper {
            return seen.assignee == Some(agent_id);
        }
        if rules::check(Action::Read, Standing::Operator, agent_id, seen.assignee, seen.closed).is_ok() {
            return true;
        }
        // The team chat exception of `handling::visible`, asked once per chat.
        if let Some(&took_part) = self.asked.get(&conversation) {
            return took_part;
        }
        let took_part = Box::pin(handling::took_part_in(db, agent_id, conversation)).await.unwrap_or(false);
        if self.asked.len() >= ASKED {
            self.asked = HashMap::new();
        }
        self.asked.insert(conversation, took_part);
        took_part
    }
}

/// A chat's assignee and whether it is closed; `None` when it cannot be read.
async fn chat_standing(db: &Db, conversation: i64) -> Option<(Option<i64>, bool)> {
    let c = Box::pin(app::conversations::store::get(db, conversation)).await.ok()?;
    Some((c.assignee_id, c.status == Status::Closed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::change::{Assigned, Moved};

    fn event(id: i64, change: Change) -> Event {
        Event {
            id,
            kind: change.kind().into(),
            inbox_id: Some(1),
            conversation_id: Some(7),
            audience: Audience::Agents,
            payload: Some(change.payload()),
            created_at: 0,
            shared: Default::default(),
        }
    }

    fn assigned(id: i64, to: i64) -> Event {
        let a = Assigned {
            conversation_id: 7,
            inbox_id: 1,
            status: Status::Open,
            assignee_id: Some(to),
            assignee_name: None,
            actor_id: to,
            actor_name: "A".into(),
        };
        event(id, Change::ConversationAssigned(a))
    }

    fn moved(id: i64) -> Event {
        let m = Moved {
            conversation_id: 7,
            from_inbox_id: 1,
            to_inbox_id: 2,
            to_inbox_name: "B".into(),
            status: Status::Open,
            actor_name: "A".into(),
        };
        event(id, Change::ConversationMoved(m))
    }

    fn table() -> Standings {
        Standings { chats: Mutex::default(), hub: Arc::default() }
    }

    fn held_by(who: i64) -> Option<Place> {
        Some(Place { assignee: Some(who), closed: false })
    }

    #[test]
    fn a_stream_that_lags_behind_never_takes_the_table_back() {
        let t = table();
        t.observe(&assigned(10, 1));
        t.observe(&assigned(12, 2));
        // A stream replaying from the log meets the older assignment again.
        t.observe(&assigned(10, 1));
        assert_eq!(t.get(7), held_by(2));
        t.observe(&moved(13));
        assert_eq!(t.get(7), None, "moved away: read afresh when met again");
        t.observe(&assigned(12, 2));
        assert_eq!(t.get(7), None, "an older assignment does not bring a moved chat back");
        // A read as of an older point does not win over what the log said since.
        t.set(7, held_by(3), 11);
        assert_eq!(t.get(7), None);
        t.set(7, held_by(3), 14);
        assert_eq!(t.get(7), held_by(3));
    }

    #[test]
    fn the_table_stays_bounded() {
        let t = table();
        for chat in 0..(KEPT as i64 + 10) {
            t.set(chat, held_by(1), chat);
        }
        assert!(t.lock().len() <= KEPT);
        assert_eq!(t.get(KEPT as i64 + 9), held_by(1), "the newest is kept");
    }
}
