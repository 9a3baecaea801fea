//! Opening many streams at once, agents' and visitors'.
use crate::seed::{Agent, Conversation};
use crate::sse::{self, Log, Ready, Scope, Subscriber};
use anyhow::{bail, Context, Result};
use std::sync::Arc;
use tokio::sync::watch;

pub enum Who<'a> {
    Agent(&'a Agent),
    Visitor(&'a Conversation),
}

pub struct Streams {
    pub subs: Vec<Subscriber>,
    pub ready: Arc<Ready>,
    stop: watch::Sender<bool>,
}

/// A visitor's stream URL: the widget first trades its visitor token for a
/// short-lived stream token.
async fn visitor_url(client: &reqwest::Client, base: &str, conv: &Conversation) -> Result<String> {
    let res = client
        .post(format!("{base}/api/widget/conversations/{}/stream-token", conv.id))
        .bearer_auth(&conv.visitor_token)
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("stream token for conversation {}: HTTP {}", conv.id, res.status());
    }
    let v: serde_json::Value = res.json().await?;
    let token = v["token"].as_str().context("no token in the answer")?;
    Ok(format!("{base}/api/widget/events?token={token}"))
}

/// Opens one stream per entry and waits until every one has its first byte.
pub async fn open(client: &reqwest::Client, base: &str, who: &[Who<'_>]) -> Result<Streams> {
    open_on(client, &[base.to_string()], who).await
}

/// The same, spread over several servers in turn (instances on one database).
pub async fn open_on(client: &reqwest::Client, bases: &[String], who: &[Who<'_>]) -> Result<Streams> {
    let ready = Arc::new(Ready::default());
    let (stop, stop_rx) = watch::channel(false);
    // Opening is itself work for the server (a session check, a presence touch):
    // open a few hundred at a time, as a reconnect storm after a deploy might.
    let mut subs = Vec::with_capacity(who.len());
    for chunk in who.chunks(256) {
        for w in chunk {
            let base = &bases[subs.len() % bases.len()];
            let (url, cookie, scope) = match w {
                Who::Agent(a) => {
                    (format!("{base}/api/events"), Some(a.token.clone()), Scope::Agent { inboxes: a.inboxes.clone() })
                }
                Who::Visitor(c) => (visitor_url(client, base, c).await?, None, Scope::Visitor { conversation: c.id }),
            };
            subs.push(sse::spawn(client.clone(), url, cookie, scope, ready.clone(), stop_rx.clone()));
        }
        if !ready.wait_for(subs.len(), 120).await {
            let up = ready.count.load(std::sync::atomic::Ordering::SeqCst);
            let first = first_error(&mut subs).await;
            bail!("only {up} of {} streams opened: {first}", subs.len());
        }
    }
    Ok(Streams { subs, ready, stop })
}

/// Why a stream failed to open, for the error message.
async fn first_error(subs: &mut Vec<Subscriber>) -> String {
    for s in subs.drain(..) {
        if s.task.is_finished() {
            if let Ok(log) = s.task.await {
                if let Some(e) = log.error {
                    return e;
                }
            }
        } else {
            s.task.abort();
        }
    }
    "timed out".into()
}

impl Streams {
    /// Closes every stream and returns what each received.
    pub async fn close(self) -> Vec<(Scope, Log)> {
        let _ = self.stop.send(true);
        let mut out = Vec::with_capacity(self.subs.len());
        for s in self.subs {
            let log = s.task.await.unwrap_or_default();
            out.push((s.scope, log));
        }
        out
    }
}
