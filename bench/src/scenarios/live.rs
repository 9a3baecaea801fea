//! Delivery latency: R messages a second across conversations with S streams open,
//! customers writing and supervisors replying. With two servers, the streams sit on
//! one and the messages go to the other (cross-instance on PostgreSQL).
use super::{settle, Ctx};
use crate::streams::{self, Who};
use crate::traffic::{analyse, Delivery, Traffic};
use anyhow::Result;
use std::sync::Arc;
use std::time::Duration;

pub struct Live {
    pub delivery: Delivery,
    pub sent: usize,
    pub failures: u64,
    pub first_failure: Option<String>,
    pub ack: Vec<f64>,
}

/// `subscribers` streams on `ctx.base`; messages sent to `send_base` at `rate` a
/// second for `secs`.
pub async fn run(ctx: &Ctx<'_>, send_base: &str, subscribers: usize, rate: u32, secs: f64) -> Result<Live> {
    let fx = ctx.fixture;
    // One stream in five is a console; the rest are widgets of distinct chats.
    let agents: Vec<_> = std::iter::once(&fx.admin).chain(&fx.supervisors).chain(&fx.busy).collect();
    let consoles = (subscribers / 5).max(1);
    let widgets = subscribers - consoles;
    let chats = &fx.conversations[..widgets.min(fx.conversations.len())];
    let mut who: Vec<Who> = (0..consoles).map(|i| Who::Agent(agents[i % agents.len()])).collect();
    who.extend(chats.iter().map(Who::Visitor));
    let s = streams::open(&ctx.client, &ctx.base, &who).await?;

    let traffic = Arc::new(Traffic::new(ctx.client.clone(), send_base));
    let total = (rate as f64 * secs) as usize;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = Vec::with_capacity(total);
    for i in 0..total {
        tick.tick().await;
        let conv = chats[(i * 7919) % chats.len()].clone();
        // Even: the customer writes; odd: the inbox's supervisor replies.
        let agent =
            (i % 2 == 1).then(|| fx.supervisors[fx.inboxes.iter().position(|&b| b == conv.inbox).unwrap_or(0)].clone());
        let t = traffic.clone();
        sends.push(tokio::spawn(async move { t.send(&conv, agent.as_ref()).await }));
    }
    for h in sends {
        let _ = h.await;
    }
    // Wait until every expected frame is in (or give up after 10 s: those are lost).
    let expected = expected_frames(&traffic, &s.subs.iter().map(|x| x.scope.clone()).collect::<Vec<_>>());
    let ready = s.ready.clone();
    settle(10.0, || ready.frames.load(std::sync::atomic::Ordering::SeqCst) >= expected).await;
    tokio::time::sleep(Duration::from_millis(300)).await; // room for duplicates to show
    let logs = s.close().await;
    let sent = traffic.sent.lock().unwrap();
    let delivery = analyse(&sent, &logs);
    Ok(Live {
        delivery,
        sent: sent.len(),
        failures: traffic.failures.load(std::sync::atomic::Ordering::SeqCst),
        first_failure: traffic.first_failure(),
        ack: sent.values().filter_map(|s| s.ack_ms).collect(),
    })
}

fn expected_frames(t: &Traffic, scopes: &[crate::sse::Scope]) -> usize {
    let sent = t.sent.lock().unwrap();
    sent.values()
        .filter(|s| s.ack_ms.is_some())
        .map(|s| scopes.iter().filter(|sc| sc.expects(s.inbox, s.conversation)).count())
        .sum()
}
