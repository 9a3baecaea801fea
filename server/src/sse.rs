//! Server-sent event streams: `GET /api/events` for agents (by session) and
//! `GET /api/widget/events` for visitors (by a short-lived token).
//!
//! Each stream subscribes to the hub *before* replaying the log after `Last-Event-ID`,
//! so nothing slips between replay and live; ids at or below the cursor are dropped,
//! so nothing arrives twice. An id the log does not know gets a `resync` event.
use app::accounts::{session, store as agents, Role};
use app::error::AppError;
use app::accounts::identity::SignedIn;
use app::accounts::presence;
use app::limits::{StreamKey, StreamSlot};
use crate::chat_scope::OperatorScope;
use app::events::{store as events, Audience, Ephemeral, Event};
use app::model::change::{Change, Empty};
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as Frame, KeepAlive, Sse};
use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub type EventStream = Sse<axum::response::sse::KeepAliveStream<ReceiverStream<Result<Frame, Infallible>>>>;

#[derive(serde::Deserialize, Default)]
pub struct StreamQuery {
    pub last_event_id: Option<i64>,
    pub token: Option<String>,
}

/// Who holds the stream.
enum Subscriber {
    Agent { agent_id: i64, token_hash: String, inboxes: Option<HashSet<i64>>, scope: OperatorScope },
    Visitor { conversation_id: i64 },
}

impl Subscriber {
    fn admits(&self, ev: &Event) -> bool {
        // A purged event (no payload) goes to no one.
        ev.payload.is_some() && self.reaches(ev.audience, ev.inbox_id, ev.conversation_id)
    }

    /// Whether an event or a signal for `audience`, about a chat of `inbox_id`, is for
    /// this stream.
    fn reaches(&self, audience: Audience, inbox_id: Option<i64>, conversation: Option<i64>) -> bool {
        match (self, audience) {
            (_, Audience::Control) => false,
            (Subscriber::Agent { .. }, Audience::Team) => true,
            // Team chat events name their one recipient.
            (Subscriber::Agent { agent_id, .. }, Audience::Agent(to)) => to == *agent_id,
            (Subscriber::Agent { inboxes, .. }, Audience::All | Audience::Agents | Audience::Whisper) => match (inboxes, inbox_id) {
                (None, _) => true,
                (Some(set), Some(inbox)) => set.contains(&inbox),
                (Some(_), None) => false,
            },
            (Subscriber::Visitor { conversation_id }, Audience::All) => conversation == Some(*conversation_id),
            (Subscriber::Visitor { .. }, Audience::Agents | Audience::Team | Audience::Agent(_) | Audience::Whisper) => false,
        }
    }

    /// Re-checks the credentials; `false` ends the stream.
    async fn revalidate(&mut self, st: &AppState) -> bool {
        match self {
            Subscriber::Agent { agent_id, token_hash, inboxes, scope } => {
                match agents::agent_for_session(&st.db, token_hash, st.now()).await {
                    Ok(Some(agent)) if agent.is_active() && agent.id == *agent_id => {
                        let _ = presence::seen(&st.db, agent.id, st.now()).await;
                        match inbox_set(st, &agent).await {
                            // Removed from an inbox: end the stream. The browser
                            // reconnects with Last-Event-ID under the narrower rights.
                            Ok((Some(set), _)) if inboxes.as_ref().is_some_and(|old| !old.is_subset(&set)) => false,
                            Ok((set, operating)) => {
                                *inboxes = set;
                                scope.reset(operating);
                                true
                            }
                            Err(_) => true, // a failed read keeps the old set
                        }
                    }
                    Ok(_) => false,
                    Err(_) => true,
                }
            }
            Subscriber::Visitor { conversation_id } => {
                let _ = app::conversations::store::visitor_seen(&st.db, *conversation_id, true, st.now()).await;
                !matches!(app::conversations::store::get(&st.db, *conversation_id).await, Err(AppError::NotFound))
            }
        }
    }

    /// Whether a control event is about this stream's agent.
    fn concerns(&self, ev: &Event) -> bool {
        match self {
            Subscriber::Agent { agent_id, .. } => ev
                .payload
                .as_deref()
                .and_then(|p| Change::parse(&ev.kind, p).ok())
                .and_then(|c| c.controlled_agent())
                == Some(*agent_id),
            Subscriber::Visitor { .. } => false,
        }
    }
}

/// The inboxes whose events the agent gets (`None`: all, an admin), and those among
/// them where they stand as an operator (see [`OperatorScope`]).
async fn inbox_set(st: &AppState, agent: &agents::AgentRow) -> Result<(Option<HashSet<i64>>, HashSet<i64>), AppError> {
    if agent.role() == Role::Admin {
        return Ok((None, HashSet::new()));
    }
    let list = app::inboxes::store::visible_to(&st.db, agent.id, agent.role()).await?;
    let operating = list.iter().filter(|i| i.my_role == Some(app::inboxes::MemberRole::Operator)).map(|i| i.id).collect();
    Ok((Some(list.into_iter().map(|i| i.id).collect()), operating))
}

fn last_event_id(headers: &HeaderMap, query: &StreamQuery) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .or(query.last_event_id)
}

pub async fn agent_events(
    State(st): State<AppState>,
    SignedIn(agent): SignedIn,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<EventStream, AppError> {
    let token = session::token_from_headers(&headers).ok_or(AppError::Unauthorized)?;
    let (inboxes, operating) = inbox_set(&st, &agent).await?;
    presence::seen(&st.db, agent.id, st.now()).await?;
    let token_hash = session::hash_token(&token);
    let slot = st.limits.open_stream(StreamKey::Session(token_hash.clone()))?;
    let audience = Subscriber::Agent { agent_id: agent.id, token_hash, inboxes, scope: OperatorScope::new(operating) };
    open(st, audience, last_event_id(&headers, &query), slot).await
}

pub async fn visitor_events(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<EventStream, AppError> {
    let token = query.token.as_deref().ok_or(AppError::NotFound)?;
    let key = st.stream_key().await?;
    let conversation_id = app::conversations::visitor::verify_stream_token(&key, token, st.now())?;
    app::conversations::store::get(&st.db, conversation_id).await?;
    let slot = st.limits.open_stream(StreamKey::Visitor(conversation_id))?;
    app::conversations::store::visitor_seen(&st.db, conversation_id, true, st.now()).await?;
    open(st, Subscriber::Visitor { conversation_id }, last_event_id(&headers, &query), slot).await
}

/// Subscribes and fixes the starting point *before* answering, so a stream opened
/// without `Last-Event-ID` starts at the moment of the request, not a little later.
async fn open(st: AppState, audience: Subscriber, last: Option<i64>, slot: StreamSlot) -> Result<EventStream, AppError> {
    let live = st.hub.subscribe();
    let signals = st.hub.subscribe_signals();
    let end = events::last_id(&st.db).await?;
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let who = match &audience {
            Subscriber::Agent { agent_id, .. } => Ok(*agent_id),
            Subscriber::Visitor { conversation_id } => Err(*conversation_id),
        };
        let kind = if who.is_ok() { "agent" } else { "visitor" };
        app::telemetry::stream(kind, 1.0);
        let _ = run(st.clone(), audience, last, end, (live, signals), tx).await;
        app::telemetry::stream(kind, -1.0);
        drop(slot); // the stream's place is free again
        // The grace period (agents) and "offline" (visitors) count from here. Boxed, as
        // are the other rare steps below: an idle stream's task then holds only its
        // select loop, not the state of every query it might make (10k streams).
        let _ = match who {
            Ok(agent) => Box::pin(agents::touch(&st.db, agent, st.now())).await,
            Err(conv) => Box::pin(app::conversations::store::visitor_seen(&st.db, conv, false, st.now())).await,
        };
    });
    Ok(Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("heartbeat")))
}

type Tx = mpsc::Sender<Result<Frame, Infallible>>;

fn frame(ev: &Event) -> Frame {
    Frame::default().id(ev.id.to_string()).event(&ev.kind).data(ev.payload.as_deref().unwrap_or("null"))
}

/// Sends one event if the audience may see it; a control event about this audience
/// re-checks its rights instead. `Err` ends the stream.
async fn deliver(st: &AppState, audience: &mut Subscriber, ev: &Event, tx: &Tx) -> Result<(), ()> {
    if ev.audience == Audience::Control {
        if audience.concerns(ev) && !audience.revalidate(st).await {
            return Err(());
        }
    } else if audience.admits(ev) {
        let scoped = match audience {
            Subscriber::Agent { agent_id, scope, .. } => scope.allows(&st.db, *agent_id, ev).await,
            Subscriber::Visitor { .. } => true,
        };
        if scoped {
            tx.send(Ok(frame(ev))).await.map_err(|_| ())?;
        }
    }
    Ok(())
}

async fn replay(st: &AppState, audience: &mut Subscriber, cursor: &mut i64, tx: &Tx) -> Result<(), ()> {
    loop {
        let batch = match audience {
            Subscriber::Visitor { conversation_id } => {
                events::after_in_conversation(&st.db, *conversation_id, *cursor, 500).await
            }
            Subscriber::Agent { .. } => events::after(&st.db, *cursor, 500).await,
        }
        .map_err(|_| ())?;
        if batch.is_empty() {
            return Ok(());
        }
        for ev in batch {
            deliver(st, audience, &ev, tx).await?;
            *cursor = ev.id;
        }
    }
}

async fn run(
    st: AppState,
    mut audience: Subscriber,
    last: Option<i64>,
    end: i64,
    (mut live, mut signals): (Receiver<Arc<Event>>, Receiver<Arc<Ephemeral>>),
    tx: Tx,
) -> Result<(), ()> {
    let mut shutdown = st.hub.shutdown_signal();
    if *shutdown.borrow() {
        return Ok(());
    }
    let (mut cursor, resync) = match last {
        None => (end, false),
        Some(id) if id <= end && Box::pin(events::is_known(&st.db, id)).await.map_err(|_| ())? => (id, false),
        Some(_) => (end, true),
    };
    // The first frame already tells the client its position in the log: a browser
    // that loses this connection before any event has arrived reconnects with
    // `Last-Event-ID` from here, so what happened meanwhile is replayed, not skipped.
    let hello = Frame::default().retry(Duration::from_secs(3)).id(cursor.to_string()).comment("connected");
    tx.send(Ok(hello)).await.map_err(|_| ())?;
    if resync {
        let change = Change::Resync(Empty {});
        let resync = Frame::default().id(end.to_string()).event(change.kind()).data(change.payload());
        tx.send(Ok(resync)).await.map_err(|_| ())?;
    }
    Box::pin(replay(&st, &mut audience, &mut cursor, &tx)).await?;
    // A waiting customer hears where they stand in the queue, now and on every change.
    let waiting = match audience {
        Subscriber::Visitor { conversation_id } => Some(conversation_id),
        Subscriber::Agent { .. } => None,
    };
    let board = app::routing::board::of(&st.db);
    let mut queue = board.watch();
    let mut told = None;
    if let Some(id) = waiting {
        tell_spot(&st, &board, id, &mut told, &tx).await?;
    }
    let mut recheck = tokio::time::interval(Duration::from_secs(30));
    recheck.tick().await;
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(ev) => {
                    if ev.id <= cursor {
                        continue;
                    }
                    Box::pin(deliver(&st, &mut audience, &ev, &tx)).await?;
                    cursor = ev.id;
                }
                // Too slow to keep up: catch up from the log instead.
                Err(RecvError::Lagged(_)) => Box::pin(replay(&st, &mut audience, &mut cursor, &tx)).await?,
                Err(RecvError::Closed) => return Ok(()),
            },
            // Signals are sent as they come, without an id: never replayed, and
            // the browser's resume position stays the last event's.
            received = signals.recv() => match received {
                Ok(sig) if audience.reaches(sig.audience, sig.inbox_id, sig.conversation_id) => {
                    tx.send(Ok(Frame::default().event(&sig.kind).data(&sig.payload))).await.map_err(|_| ())?;
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
            changed = queue.changed(), if waiting.is_some() => {
                changed.map_err(|_| ())?;
                if let Some(id) = waiting {
                    tell_spot(&st, &board, id, &mut told, &tx).await?;
                }
            }
            _ = recheck.tick() => {
                if !Box::pin(audience.revalidate(&st)).await {
                    return Ok(());
                }
            }
            _ = shutdown.changed() => return Ok(()),
            _ = tx.closed() => return Ok(()),
        }
    }
}

/// Sends the chat's queue spot when it differs from the last one sent (`told`).
async fn tell_spot(
    st: &AppState,
    board: &app::routing::board::Board,
    id: i64,
    told: &mut Option<Option<app::routing::QueueSpot>>,
    tx: &Tx,
) -> Result<(), ()> {
    let spot = board.spot(id, st.now());
    if told.as_ref() == Some(&spot) || (told.is_none() && spot.is_none()) {
        return Ok(());
    }
    *told = Some(spot);
    let data = match spot {
        Some(s) => serde_json::json!({ "position": s.position, "estimate_ms": s.estimate_ms }),
        None => serde_json::json!({ "position": null, "estimate_ms": null }),
    };
    tx.send(Ok(Frame::default().event(app::routing::QUEUE_FRAME).data(data.to_string()))).await.map_err(|_| ())
}
