//! Memory a burst of streams freed goes back to the system. glibc keeps what it frees
//! in its arenas for the next allocation: after 10,000 streams had opened at once,
//! about 17 MiB of the server's 229 MB was such free memory (`malloc_trim` called on
//! the running server at the benchmark's idle peak took it from 234.5 to 216.9 MB), so
//! the resident size said more about how fast the streams had come than about what
//! they hold. Every stream that opens or ends counts as churn; once [`BURST`] of them
//! have come or gone and none for [`QUIET`], the server trims. Nothing runs while no
//! stream comes or goes.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// How many streams must have opened or ended since the last trim.
const BURST: u64 = 1_000;
/// How long the churn must have stopped: a trim in the middle of a burst would free
/// what the next connections allocate again.
const QUIET: Duration = Duration::from_secs(1);

static CHURN: AtomicU64 = AtomicU64::new(0);
static WAKE: Notify = Notify::const_new();

/// A stream opened or ended.
pub fn churn() {
    CHURN.fetch_add(1, Ordering::Relaxed);
    WAKE.notify_one();
}

/// Runs for the life of the server.
pub async fn trim_after_bursts() {
    settle_then(&CHURN, &WAKE, QUIET, BURST, trim).await
}

/// Waits for churn, then for `quiet` without any, and calls `trim` when at least
/// `burst` came or went since it last did.
async fn settle_then(churn: &AtomicU64, wake: &Notify, quiet: Duration, burst: u64, mut trim: impl FnMut()) {
    let mut trimmed_at = churn.load(Ordering::Relaxed);
    loop {
        wake.notified().await;
        let mut seen = churn.load(Ordering::Relaxed);
        loop {
            tokio::time::sleep(quiet).await;
            let now = churn.load(Ordering::Relaxed);
            if now == seen {
                break;
            }
            seen = now;
        }
        if seen.wrapping_sub(trimmed_at) >= burst {
            trim();
            trimmed_at = seen;
        }
    }
}

fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own to the system.
    unsafe {
        libc::malloc_trim(0);
    }
    tracing::debug!("free memory handed back after a burst of streams");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn trims_once_a_burst_has_settled_and_not_for_a_trickle() {
        let churn = Arc::new(AtomicU64::new(0));
        let wake = Arc::new(Notify::new());
        let trims = Arc::new(AtomicUsize::new(0));
        let quiet = Duration::from_millis(30);
        let task = {
            let (churn, wake, trims) = (churn.clone(), wake.clone(), trims.clone());
            tokio::spawn(async move {
                settle_then(&churn, &wake, quiet, 100, || {
                    trims.fetch_add(1, Ordering::SeqCst);
                })
                .await
            })
        };
        let bump = |n: u64| {
            churn.fetch_add(n, Ordering::Relaxed);
            wake.notify_one();
        };
        bump(10);
        tokio::time::sleep(quiet * 4).await;
        assert_eq!(trims.load(Ordering::SeqCst), 0, "ten streams are no burst");

        // A burst that keeps coming: no trim until it stops.
        for _ in 0..5 {
            bump(40);
            tokio::time::sleep(quiet / 3).await;
            assert_eq!(trims.load(Ordering::SeqCst), 0, "still churning");
        }
        tokio::time::sleep(quiet * 4).await;
        assert_eq!(trims.load(Ordering::SeqCst), 1, "one trim once it settled");
        tokio::time::sleep(quiet * 4).await;
        assert_eq!(trims.load(Ordering::SeqCst), 1, "and none while nothing changes");
        task.abort();
    }
}
