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
use crate::chat_scope::{OperatorScope, Standings};
use app::events::{store as events, Audience, Ephemeral, Event};
use app::model::change::Change;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{KeepAlive, Sse};
use std::collections::HashSet;
use std::time::Duration;

mod stream;

pub type EventStream = Sse<axum::response::sse::KeepAliveStream<stream::Frames>>;

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

    /// Whether a signal is for this stream: as an event would be, and for an agent
    /// only while they have its chat open (the console shows a chat's marks on that
    /// chat alone; and only an agent who may read the chat can say they have it open).
    fn hears(&self, sig: &Ephemeral) -> bool {
        self.reaches(sig.audience, sig.inbox_id, sig.conversation_id)
            && match self {
                Subscriber::Agent { agent_id, .. } => sig.conversation_id.is_none() || sig.watchers.contains(agent_id),
                Subscriber::Visitor { .. } => true,
            }
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
    let audience = Subscriber::Agent { agent_id: agent.id, token_hash, inboxes, scope: OperatorScope::new(operating, Standings::of(&st)) };
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
    let end = events::last_id(&st.db).await?;
    let conn = stream::Conn::new(st, audience, last, end, slot);
    Ok(Sse::new(conn.into_frames()).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("heartbeat")))
}
