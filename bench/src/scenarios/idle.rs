//! Idle subscribers: the server's resident memory per open stream.
use super::Ctx;
use crate::server::rss_of;
use crate::streams::{self, Who};
use anyhow::Result;

pub struct Idle {
    pub subscribers: usize,
    pub rss_before: u64,
    pub rss_after: u64,
    pub open_secs: f64,
}

impl Idle {
    pub fn per_subscriber(&self) -> f64 {
        self.rss_after.saturating_sub(self.rss_before) as f64 / self.subscribers.max(1) as f64
    }
}

/// Half agents' consoles (several tabs per agent), half visitors' widgets.
pub async fn run(ctx: &Ctx<'_>, n: usize) -> Result<Idle> {
    let fx = ctx.fixture;
    let agents: Vec<_> = std::iter::once(&fx.admin).chain(&fx.supervisors).chain(&fx.busy).collect();
    let who: Vec<Who> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                Who::Agent(agents[(i / 2) % agents.len()])
            } else {
                Who::Visitor(&fx.conversations[(i / 2) % fx.conversations.len()])
            }
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let rss_before = rss_of(ctx.pid);
    let started = std::time::Instant::now();
    let s = streams::open(&ctx.client, &ctx.base, &who).await?;
    let open_secs = started.elapsed().as_secs_f64();
    // Let the presence writes and buffers settle before reading memory.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let rss_after = rss_of(ctx.pid);
    let logs = s.close().await;
    let errors = logs.iter().filter(|(_, l)| l.error.is_some()).count();
    anyhow::ensure!(errors == 0, "{errors} idle streams broke while open");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    Ok(Idle { subscribers: n, rss_before, rss_after, open_secs })
}
