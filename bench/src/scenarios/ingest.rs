//! Durable ingest: C visitors writing as fast as the server acknowledges, each in
//! their own conversation, through the widget's real send path.
use super::Ctx;
use crate::traffic::Traffic;
use anyhow::Result;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Ingest {
    pub concurrency: usize,
    pub acked: usize,
    pub failures: u64,
    pub first_failure: Option<String>,
    pub secs: f64,
    pub ack: Vec<f64>,
}

impl Ingest {
    pub fn rate(&self) -> f64 {
        self.acked as f64 / self.secs
    }
}

pub async fn run(ctx: &Ctx<'_>, concurrency: usize, secs: f64) -> Result<Ingest> {
    let fx = ctx.fixture;
    let traffic = Arc::new(Traffic::new(ctx.client.clone(), &ctx.base));
    // Chats at the far end of the list: not those the live runs used.
    let chats: Vec<_> = fx.conversations.iter().rev().take(concurrency).cloned().collect();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let workers: Vec<_> = chats
        .into_iter()
        .map(|conv| {
            let t = traffic.clone();
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    t.send(&conv, None).await;
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Ingest {
        concurrency,
        acked: traffic.acked(),
        failures: traffic.failures.load(std::sync::atomic::Ordering::SeqCst),
        first_failure: traffic.first_failure(),
        secs: elapsed,
        ack: traffic.ack_latencies(),
    })
}
