//! Which agents have which chat open, as their signals tell (see [`Opens`]), so that a
//! chat's signals go to the consoles showing that chat and not to every console of
//! its inbox: the console shows typing and viewing marks on the open chat only, and
//! with a thousand chats typing at once, sending each mark to every console of the
//! inbox cost a frame per console per keystroke pause for nothing.
//!
//! Kept in memory on each instance, from the signals it sends and those the other
//! instances relay; a mark lapses unless renewed (a console renews every 10 s).
use super::{Ephemeral, Opens};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// After this many signals, marks of chats no one has sent a signal about since they
/// lapsed are swept out.
const SWEEP_EVERY: u64 = 4096;

#[derive(Debug, Default)]
pub struct Watchers {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Chat → (agent, open until).
    open: HashMap<i64, Vec<(i64, Instant)>>,
    noted: u64,
}

impl Watchers {
    /// Takes note of what `signal` says about its chat, and answers who has the chat
    /// open now.
    pub fn note(&self, signal: &Ephemeral, now: Instant) -> Arc<[i64]> {
        let Some(chat) = signal.conversation_id else { return Arc::default() };
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.noted += 1;
        if inner.noted % SWEEP_EVERY == 0 {
            inner.open.retain(|_, marks| {
                marks.retain(|&(_, until)| until > now);
                !marks.is_empty()
            });
        }
        let marks = inner.open.entry(chat).or_default();
        marks.retain(|&(_, until)| until > now);
        if let Some(Opens { agent_id, for_ms }) = signal.opens {
            let until = now + Duration::from_millis(u64::try_from(for_ms).unwrap_or(0));
            match marks.iter_mut().find(|(a, _)| *a == agent_id) {
                Some(mark) => mark.1 = mark.1.max(until),
                None => marks.push((agent_id, until)),
            }
        }
        let who: Arc<[i64]> = marks.iter().map(|&(a, _)| a).collect();
        if marks.is_empty() {
            inner.open.remove(&chat);
        }
        who
    }

    /// How many chats have a mark (lapsed ones may count until swept).
    pub fn chats(&self) -> usize {
        self.inner.lock().map(|i| i.open.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Audience;

    fn signal(chat: i64, opens: Option<(i64, i64)>) -> Ephemeral {
        Ephemeral {
            kind: "typing".into(),
            inbox_id: Some(1),
            conversation_id: Some(chat),
            audience: Audience::All,
            payload: "{}".into(),
            opens: opens.map(|(agent_id, for_ms)| Opens { agent_id, for_ms }),
            watchers: Arc::default(),
        }
    }

    #[test]
    fn a_chat_is_watched_by_who_said_so_until_the_mark_lapses() {
        let w = Watchers::default();
        let t = Instant::now();
        assert!(w.note(&signal(7, None), t).is_empty(), "no one has chat 7 open yet");
        assert_eq!(&*w.note(&signal(7, Some((2, 25_000))), t), &[2]);
        assert_eq!(&*w.note(&signal(7, Some((3, 5_000))), t), &[2, 3]);
        assert!(w.note(&signal(8, None), t).is_empty(), "marks are per chat");
        // Renewing an agent's mark keeps one entry and never shortens it.
        assert_eq!(&*w.note(&signal(7, Some((2, 1_000))), t + Duration::from_secs(1)), &[2, 3]);
        assert_eq!(&*w.note(&signal(7, None), t + Duration::from_secs(6)), &[2], "agent 3's mark lapsed after 5 s");
        assert!(w.note(&signal(7, None), t + Duration::from_secs(26)).is_empty());
        assert_eq!(w.chats(), 0, "a chat without marks is forgotten");
    }

    #[test]
    fn lapsed_marks_of_quiet_chats_are_swept() {
        let w = Watchers::default();
        let t = Instant::now();
        for chat in 0..100 {
            w.note(&signal(chat, Some((1, 1_000))), t);
        }
        assert_eq!(w.chats(), 100);
        let later = t + Duration::from_secs(2);
        for _ in 0..SWEEP_EVERY {
            w.note(&signal(1_000, None), later);
        }
        assert_eq!(w.chats(), 0, "every mark had lapsed");
    }
}
