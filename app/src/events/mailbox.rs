//! Where a live event or a signal goes. Each open stream has a mailbox, filed under
//! whom it listens for: a chat's customer, or an agent. The hub puts a signal only
//! into the mailboxes of those who will show it (the chat's customer, and the agents
//! who have the chat open: see [`super::watchers`]), and a chat's events for its
//! customer into that chat's mailbox alone, and wakes those streams alone. With one
//! channel for every stream, each of a thousand chats' typing marks woke all 1,000
//! open streams, and the wake-ups alone took both cores; each message woke every
//! customer's widget of the instance, though only one of them shows it.
//!
//! Agents' consoles still take events from the hub's broadcast: each of them is
//! sent nearly every event of its inboxes.
use super::{Ephemeral, Event};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Whom a stream listens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listener {
    /// The customer of a chat.
    Chat(i64),
    /// An agent, in each of their consoles.
    Agent(i64),
}

/// What a mailbox holds.
#[derive(Debug, Clone)]
pub enum Item {
    /// An event of the log, in the log's order.
    Event(Arc<Event>),
    Signal(Arc<Ephemeral>),
}

/// What a stream takes from its mailbox at once.
#[derive(Debug, Default)]
pub struct Taken {
    pub items: Vec<Item>,
    /// Events were dropped since the last take (the stream did not read while its
    /// mailbox filled): the stream must catch up from the log.
    pub lagged: bool,
}

/// Items a stream has not taken yet, at most. Older ones are dropped: a stale typing
/// mark is worth nothing, and a dropped event is read again from the log.
const HELD: usize = 64;

#[derive(Debug, Default)]
struct Queue {
    items: VecDeque<Item>,
    lagged: bool,
}

#[derive(Debug, Default)]
struct Mailbox {
    queue: Mutex<Queue>,
    ready: Notify,
}

impl Mailbox {
    fn put(&self, item: Item) {
        {
            let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            if q.items.len() >= HELD {
                if let Some(Item::Event(_)) = q.items.pop_front() {
                    q.lagged = true;
                }
            }
            q.items.push_back(item);
        }
        self.ready.notify_one();
    }

    fn take(&self) -> Taken {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        Taken { items: q.items.drain(..).collect(), lagged: std::mem::take(&mut q.lagged) }
    }
}

/// Every open stream's mailbox, by whom it listens for.
#[derive(Debug, Default)]
pub struct Mailboxes {
    open: Mutex<HashMap<Listener, Vec<Arc<Mailbox>>>>,
}

impl Mailboxes {
    /// A mailbox for a stream that listens for `who`, until the subscription drops.
    pub fn open(self: &Arc<Self>, who: Listener) -> Subscription {
        let mailbox = Arc::new(Mailbox::default());
        self.lock().entry(who).or_default().push(mailbox.clone());
        Subscription { who, mailbox, boxes: self.clone() }
    }

    /// Puts `item` in the mailboxes of everyone in `to`.
    pub fn post(&self, to: &[Listener], item: Item) {
        let open = self.lock();
        for who in to {
            for mailbox in open.get(who).into_iter().flatten() {
                mailbox.put(item.clone());
            }
        }
    }
    /// How many streams have a mailbox.
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Listener, Vec<Arc<Mailbox>>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One stream's mailbox.
#[derive(Debug)]
pub struct Subscription {
    who: Listener,
    mailbox: Arc<Mailbox>,
    boxes: Arc<Mailboxes>,
}

impl Subscription {
    /// What came since the last call, waiting for something if nothing did.
    /// Cancel-safe: an item stays in the mailbox until taken.
    pub async fn next(&self) -> Taken {
        loop {
            let taken = self.mailbox.take();
            if !taken.items.is_empty() || taken.lagged {
                return taken;
            }
            self.mailbox.ready.notified().await;
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut open = self.boxes.lock();
        if let Some(list) = open.get_mut(&self.who) {
            list.retain(|m| !Arc::ptr_eq(m, &self.mailbox));
            if list.is_empty() {
                open.remove(&self.who);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Audience;
    use std::time::Duration;

    fn signal(chat: i64) -> Item {
        Item::Signal(Arc::new(Ephemeral {
            kind: "typing".into(),
            inbox_id: Some(1),
            conversation_id: Some(chat),
            audience: Audience::All,
            payload: format!("{chat}"),
            opens: None,
            watchers: Arc::default(),
        }))
    }

    fn chats(taken: &Taken) -> Vec<i64> {
        let chat = |item: &Item| match item {
            Item::Signal(s) => s.conversation_id,
            Item::Event(e) => e.conversation_id,
        };
        taken.items.iter().filter_map(chat).collect()
    }

    fn event(id: i64, chat: i64) -> Item {
        Item::Event(Arc::new(Event {
            id,
            kind: "message.created".into(),
            inbox_id: Some(1),
            conversation_id: Some(chat),
            audience: Audience::All,
            payload: Some("{}".into()),
            created_at: 0,
            shared: Default::default(),
        }))
    }

    #[tokio::test]
    async fn a_signal_reaches_only_the_mailboxes_it_is_posted_to() {
        let boxes = Arc::new(Mailboxes::default());
        let (a1, a2, b, customer) = (
            boxes.open(Listener::Agent(1)),
            boxes.open(Listener::Agent(1)),
            boxes.open(Listener::Agent(2)),
            boxes.open(Listener::Chat(7)),
        );
        boxes.post(&[Listener::Agent(1), Listener::Chat(7)], signal(7));
        boxes.post(&[Listener::Agent(3)], signal(8));
        assert_eq!(chats(&a1.next().await), [7]);
        assert_eq!(chats(&a2.next().await), [7], "each of an agent's consoles");
        assert_eq!(chats(&customer.next().await), [7]);
        let none = tokio::time::timeout(Duration::from_millis(50), b.next()).await;
        assert!(none.is_err(), "agent 2 was not posted anything");
        // A wait that started before the post wakes for it.
        let waiting = tokio::spawn(async move { chats(&b.next().await) });
        tokio::time::sleep(Duration::from_millis(20)).await;
        boxes.post(&[Listener::Agent(2)], signal(9));
        assert_eq!(waiting.await.unwrap(), [9]);
        assert_eq!(boxes.len(), 4 - 1, "a dropped subscription closes its mailbox");
        drop((a1, a2, customer));
        assert!(boxes.is_empty());
    }

    #[tokio::test]
    async fn a_stream_that_does_not_read_keeps_only_the_newest_signals() {
        let boxes = Arc::new(Mailboxes::default());
        let slow = boxes.open(Listener::Chat(1));
        for chat in 0..(HELD as i64 + 10) {
            boxes.post(&[Listener::Chat(1)], signal(chat));
        }
        let got = slow.next().await;
        assert!(!got.lagged, "dropped signals need no catching up");
        let got = chats(&got);
        assert_eq!(got.len(), HELD);
        assert_eq!(got.first(), Some(&10), "the oldest were dropped");
        // A wait cut short loses nothing: what comes after stays in the mailbox.
        assert!(tokio::time::timeout(Duration::from_millis(5), slow.next()).await.is_err());
        boxes.post(&[Listener::Chat(1)], signal(99));
        assert_eq!(chats(&slow.next().await), [99]);
    }

    #[tokio::test]
    async fn a_chats_events_reach_its_customer_in_order_and_an_overflow_says_so() {
        let boxes = Arc::new(Mailboxes::default());
        let (customer, other) = (boxes.open(Listener::Chat(1)), boxes.open(Listener::Chat(2)));
        boxes.post(&[Listener::Chat(1)], event(10, 1));
        boxes.post(&[Listener::Chat(1)], signal(1));
        boxes.post(&[Listener::Chat(1)], event(11, 1));
        let taken = customer.next().await;
        let kinds: Vec<Option<i64>> = taken.items.iter().map(|i| match i { Item::Event(e) => Some(e.id), Item::Signal(_) => None }).collect();
        assert_eq!(kinds, [Some(10), None, Some(11)], "in the order posted");
        assert!(!taken.lagged);
        assert!(tokio::time::timeout(Duration::from_millis(20), other.next()).await.is_err(), "another chat's customer hears nothing");
        // A stream that does not read while its chat has more than HELD events is
        // told to catch up from the log: an event is never dropped silently.
        for id in 0..(HELD as i64 + 1) {
            boxes.post(&[Listener::Chat(1)], event(100 + id, 1));
        }
        let taken = customer.next().await;
        assert!(taken.lagged);
        assert_eq!(taken.items.len(), HELD);
        assert!(!customer.mailbox.take().lagged, "said once");
    }
}
