//! One event stream, as the response body itself: no task and no channel of its own.
//! Each poll returns the next frame: a frame already due, or the next step of the
//! stream's work (the start, one batch of replay, or waiting on the hub). The frames
//! of one step wait in a short queue (at most one replay batch), so a slow client
//! holds the stream back, the hub's buffer lags and the stream catches up from the
//! log, as before. When the client goes, hyper drops the body, and [`Closing`]
//! runs what follows a closed stream.
use super::Subscriber;
use app::conversations::seen::Mark;
use app::events::mailbox::{Item, Listener, Subscription};
use app::events::{store as events, Event};
use app::limits::StreamSlot;
use app::model::change::{Change, Empty};
use app::routing::board::Board;
use app::state::AppState;
use axum::response::sse::Event as Frame;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::sync::watch;

/// How many events one replay step reads from the log.
const REPLAY_BATCH: i64 = 500;

pub type Frames = std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Frame, Infallible>> + Send>>;

enum Phase {
    /// Not yet started: where the client says it is, and the log's end at the request.
    Start { last: Option<i64>, end: i64 },
    /// Catching up from the log; `then_spot`: tell a waiting customer their place after.
    Replay { then_spot: bool },
    Live,
    Done,
}

pub struct Conn {
    st: AppState,
    audience: Subscriber,
    cursor: i64,
    phase: Phase,
    /// Every event as it is published: an agent's console. A customer's widget takes
    /// its chat's events from its mailbox instead.
    live: Option<Receiver<Arc<Event>>>,
    /// Signals for this stream and, for a customer, their chat's events.
    mailbox: Subscription,
    shutdown: watch::Receiver<bool>,
    recheck: tokio::time::Interval,
    /// A waiting customer's chat: the queue board, its changes, and the spot last told.
    queue: Option<Box<Queue>>,
    out: VecDeque<Frame>,
    _closing: Closing,
}

struct Queue {
    conversation_id: i64,
    board: Arc<Board>,
    changes: watch::Receiver<u64>,
    told: Option<Option<app::routing::QueueSpot>>,
}

/// Runs when the stream ends, however it ends: the open-streams gauge, the stream's
/// place under its cap, and the presence mark the grace period counts from.
struct Closing {
    st: AppState,
    who: Result<i64, i64>,
    _slot: StreamSlot,
}

impl Closing {
    fn kind(&self) -> &'static str {
        if self.who.is_ok() { "agent" } else { "visitor" }
    }
}

impl Drop for Closing {
    fn drop(&mut self) {
        app::telemetry::stream(self.kind(), -1.0);
        crate::memory::churn();
        let (st, who) = (self.st.clone(), self.who);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let mark = match who {
                    Ok(agent_id) => Mark::AgentLeft { agent_id },
                    Err(conversation_id) => Mark::Visitor { conversation_id, online: false },
                };
                let _ = app::conversations::seen::write(&st.db, mark, st.now()).await;
            });
        }
    }
}

impl Conn {
    /// Subscribes to the hub now, so nothing committed after `end` is missed.
    pub fn new(st: AppState, audience: Subscriber, last: Option<i64>, end: i64, slot: StreamSlot) -> Conn {
        let who = match &audience {
            Subscriber::Agent { agent_id, .. } => Ok(*agent_id),
            Subscriber::Visitor { conversation_id } => Err(*conversation_id),
        };
        let mailbox = st.hub.listen(match who {
            Ok(agent_id) => Listener::Agent(agent_id),
            Err(conversation_id) => Listener::Chat(conversation_id),
        });
        let closing = Closing { st: st.clone(), who, _slot: slot };
        app::telemetry::stream(closing.kind(), 1.0);
        crate::memory::churn();
        let queue = who.err().map(|conversation_id| {
            let board = app::routing::board::of(&st.db);
            let changes = board.watch();
            Box::new(Queue { conversation_id, board, changes, told: None })
        });
        let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_secs(30), Duration::from_secs(30));
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Conn {
            live: who.is_ok().then(|| st.hub.subscribe()),
            mailbox,
            shutdown: st.hub.shutdown_signal(),
            st,
            audience,
            cursor: end,
            phase: Phase::Start { last, end },
            recheck,
            queue,
            out: VecDeque::new(),
            _closing: closing,
        }
    }

    pub fn into_frames(self) -> Frames {
        Box::pin(futures_util::stream::unfold(self, |mut conn| async move {
            let frame = conn.next().await?;
            Some((Ok(frame), conn))
        }))
    }

    /// The next frame; `None` ends the stream.
    async fn next(&mut self) -> Option<Frame> {
        loop {
            if let Some(f) = self.out.pop_front() {
                return Some(f);
            }
            let step = match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Done => return None,
                Phase::Start { last, end } => Box::pin(self.start(last, end)).await,
                Phase::Replay { then_spot } => Box::pin(self.replay_step(then_spot)).await,
                Phase::Live => self.wait().await,
            };
            if step.is_err() {
                self.phase = Phase::Done;
            }
        }
    }

    async fn start(&mut self, last: Option<i64>, end: i64) -> Result<(), ()> {
        if *self.shutdown.borrow() {
            return Err(());
        }
        let (cursor, resync) = match last {
            None => (end, false),
            Some(id) if id <= end && events::is_known(&self.st.db, id).await.map_err(|_| ())? => (id, false),
            Some(_) => (end, true),
        };
        self.cursor = cursor;
        // The first frame already tells the client its position in the log: a browser
        // that loses this connection before any event has arrived reconnects with
        // `Last-Event-ID` from here, so what happened meanwhile is replayed, not skipped.
        self.out.push_back(Frame::default().retry(Duration::from_secs(3)).id(cursor.to_string()).comment("connected"));
        if resync {
            let change = Change::Resync(Empty {});
            self.out.push_back(Frame::default().id(end.to_string()).event(change.kind()).data(change.payload()));
        }
        self.phase = Phase::Replay { then_spot: self.queue.is_some() };
        Ok(())
    }

    /// One batch from the log after the cursor; stays in replay while batches are full.
    async fn replay_step(&mut self, then_spot: bool) -> Result<(), ()> {
        let batch = match self.audience {
            Subscriber::Visitor { conversation_id } => {
                events::after_in_conversation(&self.st.db, conversation_id, self.cursor, REPLAY_BATCH).await
            }
            Subscriber::Agent { .. } => events::after(&self.st.db, self.cursor, REPLAY_BATCH).await,
        }
        .map_err(|_| ())?;
        let more = batch.len() as i64 >= REPLAY_BATCH;
        for ev in batch {
            self.deliver(&ev).await?;
            self.cursor = ev.id;
        }
        if more {
            self.phase = Phase::Replay { then_spot };
        } else {
            // A waiting customer hears where they stand in the queue, now and on every change.
            if then_spot {
                self.tell_spot();
            }
            self.phase = Phase::Live;
        }
        Ok(())
    }

    /// Sends one event if the audience may see it; a control event about this audience
    /// re-checks its rights instead. `Err` ends the stream.
    async fn deliver(&mut self, ev: &Event) -> Result<(), ()> {
        if ev.audience == app::events::Audience::Control {
            if self.audience.concerns(ev) && !self.audience.revalidate(&self.st).await {
                return Err(());
            }
        } else if self.audience.admits(ev) {
            let scoped = match &mut self.audience {
                Subscriber::Agent { agent_id, scope, .. } => scope.allows(&self.st.db, *agent_id, ev).await,
                Subscriber::Visitor { .. } => true,
            };
            if scoped {
                self.out.push_back(Frame::default().id(ev.id.to_string()).event(&ev.kind).data(ev.payload.as_deref().unwrap_or("null")));
            }
        }
        Ok(())
    }

    /// Waits for the next thing that happens to the stream and handles it.
    async fn wait(&mut self) -> Result<(), ()> {
        let queue = &mut self.queue;
        let queue_changed = async move {
            match queue.as_mut() {
                Some(q) => q.changes.changed().await,
                None => std::future::pending().await,
            }
        };
        let live = &mut self.live;
        let published = async move {
            match live.as_mut() {
                Some(live) => live.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            received = published => match received {
                Ok(ev) => {
                    if ev.id > self.cursor {
                        Box::pin(self.deliver(&ev)).await?;
                        self.cursor = ev.id;
                    }
                }
                // Too slow to keep up: catch up from the log instead.
                Err(RecvError::Lagged(_)) => self.phase = Phase::Replay { then_spot: false },
                Err(RecvError::Closed) => return Err(()),
            },
            // Signals are sent as they come, without an id: never replayed, and
            // the browser's resume position stays the last event's.
            taken = self.mailbox.next() => {
                for item in taken.items {
                    match item {
                        Item::Signal(sig) if self.audience.hears(&sig) => {
                            self.out.push_back(Frame::default().event(&sig.kind).data(&sig.payload));
                        }
                        Item::Signal(_) => {}
                        // After an overflow the log has these events, and the
                        // older ones the mailbox dropped, in order.
                        Item::Event(_) if taken.lagged => {}
                        Item::Event(ev) => {
                            if ev.id > self.cursor {
                                Box::pin(self.deliver(&ev)).await?;
                                self.cursor = ev.id;
                            }
                        }
                    }
                }
                if taken.lagged {
                    self.phase = Phase::Replay { then_spot: false };
                }
            },
            changed = queue_changed => {
                changed.map_err(|_| ())?;
                self.tell_spot();
            }
            _ = self.recheck.tick() => {
                if !Box::pin(self.audience.revalidate(&self.st)).await {
                    return Err(());
                }
            }
            _ = self.shutdown.changed() => return Err(()),
        }
        if matches!(self.phase, Phase::Done) {
            self.phase = Phase::Live;
        }
        Ok(())
    }

    /// Queues the chat's queue spot when it differs from the last one told.
    fn tell_spot(&mut self) {
        let Some(q) = self.queue.as_mut() else { return };
        let spot = q.board.spot(q.conversation_id, self.st.now());
        if q.told.as_ref() == Some(&spot) || (q.told.is_none() && spot.is_none()) {
            return;
        }
        q.told = Some(spot);
        let data = match spot {
            Some(s) => serde_json::json!({ "position": s.position, "estimate_ms": s.estimate_ms }),
            None => serde_json::json!({ "position": null, "estimate_ms": null }),
        };
        self.out.push_back(Frame::default().event(app::routing::QUEUE_FRAME).data(data.to_string()));
    }
}
