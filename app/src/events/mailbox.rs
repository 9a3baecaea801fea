//! Where a signal goes. Each open stream has a mailbox, filed under whom it listens
//! for: a chat's customer, or an agent. The hub puts a signal only into the mailboxes
//! of those who will show it (the chat's customer, and the agents who have the chat
//! open: see [`super::watchers`]), and wakes those streams alone. With one channel
//! for every stream, each of a thousand chats' typing marks woke all 1,000 open
//! streams, and the wake-ups alone took both cores.
use super::Ephemeral;
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

/// Signals a stream has not taken yet, at most; older ones are dropped, as a
/// stale typing mark is worth nothing.
const HELD: usize = 64;

#[derive(Debug, Default)]
struct Mailbox {
    queue: Mutex<VecDeque<Arc<Ephemeral>>>,
    ready: Notify,
}

impl Mailbox {
    fn put(&self, signal: Arc<Ephemeral>) {
        {
            let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            if q.len() >= HELD {
                q.pop_front();
            }
            q.push_back(signal);
        }
        self.ready.notify_one();
    }

    fn take(&self) -> Vec<Arc<Ephemeral>> {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.drain(..).collect()
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

    /// Puts `signal` in the mailboxes of everyone in `to`.
    pub fn post(&self, to: &[Listener], signal: Arc<Ephemeral>) {
        let open = self.lock();
        for who in to {
            for mailbox in open.get(who).into_iter().flatten() {
                mailbox.put(signal.clone());
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
    /// The signals that came since the last call, waiting for one if none did.
    /// Cancel-safe: a signal stays in the mailbox until taken.
    pub async fn next(&self) -> Vec<Arc<Ephemeral>> {
        loop {
            let signals = self.mailbox.take();
            if !signals.is_empty() {
                return signals;
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

    fn signal(chat: i64) -> Arc<Ephemeral> {
        Arc::new(Ephemeral {
            kind: "typing".into(),
            inbox_id: Some(1),
            conversation_id: Some(chat),
            audience: Audience::All,
            payload: format!("{chat}"),
            opens: None,
            watchers: Arc::default(),
        })
    }

    fn chats(list: &[Arc<Ephemeral>]) -> Vec<i64> {
        list.iter().filter_map(|s| s.conversation_id).collect()
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
        let got = chats(&slow.next().await);
        assert_eq!(got.len(), HELD);
        assert_eq!(got.first(), Some(&10), "the oldest were dropped");
        // A wait cut short loses nothing: the signal stays in the mailbox.
        boxes.post(&[Listener::Chat(1)], signal(99));
        drop(tokio::time::timeout(Duration::from_millis(1), async { std::future::pending::<()>().await }).await);
        assert_eq!(chats(&slow.next().await), [99]);
    }
}
