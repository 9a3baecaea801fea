//! Broadcast: one message in the busy inbox, seen by every console open on it.
use super::{settle, Ctx};
use crate::streams::{self, Who};
use crate::traffic::{analyse, Delivery, Traffic};
use anyhow::Result;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub async fn run(ctx: &Ctx<'_>, subscribers: usize, rounds: usize) -> Result<(Delivery, u64)> {
    let fx = ctx.fixture;
    let busy_inbox = fx.inboxes[0];
    // The inbox's operators, its supervisor and the admin, many tabs each.
    let agents: Vec<_> = fx.busy.iter().chain([&fx.supervisors[0], &fx.admin]).collect();
    let who: Vec<Who> = (0..subscribers).map(|i| Who::Agent(agents[i % agents.len()])).collect();
    let s = streams::open(&ctx.client, &ctx.base, &who).await?;
    let traffic = Traffic::new(ctx.client.clone(), &ctx.base);
    let chats: Vec<_> = fx.conversations.iter().filter(|c| c.inbox == busy_inbox).take(rounds.max(1)).collect();
    for round in 0..rounds {
        let before = s.ready.frames.load(Ordering::SeqCst);
        traffic.send(chats[round % chats.len()], None).await;
        let ready = s.ready.clone();
        settle(10.0, || ready.frames.load(Ordering::SeqCst) >= before + subscribers).await;
        // Space the rounds so each measures one event, not a queue.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let logs = s.close().await;
    let failures = traffic.failures.load(Ordering::SeqCst);
    let sent = traffic.sent.lock().unwrap();
    Ok((analyse(&sent, &logs), failures))
}
