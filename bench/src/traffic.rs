//! Sending messages through the real endpoints, and checking what the streams got:
//! every expected (message, stream) pair exactly once, nothing to anyone else.
use crate::seed::{Agent, Conversation};
use crate::sse::{Log, Scope};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub struct Sent {
    pub conversation: i64,
    pub inbox: i64,
    pub from_customer: bool,
    pub at: Instant,
    /// Time to the HTTP acknowledgement; `None` if the request failed.
    pub ack_ms: Option<f64>,
}

/// Sequence numbers are unique across runs: a client id used twice in one
/// conversation is (rightly) answered with the first message, and no new event.
static NEXT: AtomicU64 = AtomicU64::new(1);

pub struct Traffic {
    pub client: reqwest::Client,
    /// Sends go to these servers in turn.
    pub bases: Vec<String>,
    pub sent: Mutex<HashMap<u64, Sent>>,
    pub failures: AtomicU64,
    pub first_failure: Mutex<Option<String>>,
}

impl Traffic {
    pub fn new(client: reqwest::Client, base: &str) -> Self {
        Self::spread(client, &[base.to_string()])
    }

    /// Sends spread over several servers in turn.
    pub fn spread(client: reqwest::Client, bases: &[String]) -> Self {
        Traffic {
            client,
            bases: bases.to_vec(),
            sent: Mutex::new(HashMap::new()),
            failures: AtomicU64::new(0),
            first_failure: Mutex::new(None),
        }
    }

    fn failed(&self, why: String) {
        self.failures.fetch_add(1, Ordering::SeqCst);
        self.first_failure.lock().unwrap().get_or_insert(why);
    }

    /// The visitor of `conv` writes (the widget's endpoint); or, with `agent`, that
    /// agent replies (the console's server function). Returns whether it was acknowledged.
    pub async fn send(&self, conv: &Conversation, agent: Option<&Agent>) -> bool {
        let seq = NEXT.fetch_add(1, Ordering::SeqCst);
        let body = format!("bench message {seq} about the order");
        let at = Instant::now();
        let base = &self.bases[seq as usize % self.bases.len()];
        let req = match agent {
            None => self
                .client
                .post(format!("{base}/api/widget/conversations/{}/messages", conv.id))
                .bearer_auth(&conv.visitor_token)
                .json(&serde_json::json!({ "client_id": format!("b{seq}"), "body": body })),
            Some(a) => self
                .client
                .post(format!("{base}/api/conversations/reply"))
                .header("cookie", format!("sb_session={}", a.token))
                .header("origin", base)
                .form(&[
                    ("conversation_id", conv.id.to_string()),
                    ("client_id", format!("b{seq}")),
                    ("body", body),
                    ("internal", "false".into()),
                ]),
        };
        let result = req.send().await;
        let ack_ms = match result {
            Ok(r) if r.status().is_success() => Some(at.elapsed().as_secs_f64() * 1000.0),
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                self.failed(format!("HTTP {status}: {}", text.chars().take(200).collect::<String>()));
                None
            }
            Err(e) => {
                self.failed(e.to_string());
                None
            }
        };
        let sent = Sent { conversation: conv.id, inbox: conv.inbox, from_customer: agent.is_none(), at, ack_ms };
        self.sent.lock().unwrap().insert(seq, sent);
        ack_ms.is_some()
    }

    pub fn first_failure(&self) -> Option<String> {
        self.first_failure.lock().unwrap().clone()
    }

    pub fn acked(&self) -> usize {
        self.sent.lock().unwrap().values().filter(|s| s.ack_ms.is_some()).count()
    }

    pub fn ack_latencies(&self) -> Vec<f64> {
        self.sent.lock().unwrap().values().filter_map(|s| s.ack_ms).collect()
    }
}

#[derive(Default, Debug)]
pub struct Delivery {
    pub expected: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// Frames a stream got that were not meant for it: a leak.
    pub unexpected: u64,
    pub resyncs: u64,
    pub stream_errors: u64,
    /// Send → first arrival at the other party (agents for a customer's message, the
    /// visitor for an agent's reply), in milliseconds.
    pub latencies: Vec<f64>,
}

impl Delivery {
    pub fn correct(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.unexpected == 0 && self.resyncs == 0
    }
}

pub fn analyse(sent: &HashMap<u64, Sent>, logs: &[(Scope, Log)]) -> Delivery {
    let mut d = Delivery::default();
    for (scope, log) in logs {
        d.resyncs += log.resyncs as u64;
        // A stream the bench closed itself ends without an error.
        if log.error.is_some() {
            d.stream_errors += 1;
        }
        let mut arrivals: HashMap<u64, (u32, Instant)> = HashMap::new();
        for (seq, at) in &log.seen {
            arrivals.entry(*seq).and_modify(|e| e.0 += 1).or_insert((1, *at));
        }
        for (seq, s) in sent {
            if s.ack_ms.is_none() || !scope.expects(s.inbox, s.conversation) {
                continue;
            }
            d.expected += 1;
            match arrivals.get(seq) {
                None => d.lost += 1,
                Some((n, at)) => {
                    d.delivered += 1;
                    if *n > 1 {
                        d.duplicated += 1;
                    }
                    let other_party = matches!(
                        (scope, s.from_customer),
                        (Scope::Agent { .. }, true) | (Scope::Visitor { .. }, false)
                    );
                    if other_party {
                        d.latencies.push(at.duration_since(s.at).as_secs_f64() * 1000.0);
                    }
                }
            }
        }
        d.unexpected += arrivals
            .keys()
            .filter(|seq| sent.get(seq).is_none_or(|s| s.ack_ms.is_some() && !scope.expects(s.inbox, s.conversation)))
            .count() as u64;
    }
    d
}
