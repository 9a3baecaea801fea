//! SSE subscribers: each is a task holding one real stream, recording when every
//! bench message (client id `b<seq>`) arrived, and how often.
use futures_util::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Whose stream this is, which decides what it should receive.
#[derive(Clone, Debug)]
pub enum Scope {
    /// An agent's console; `None`: every inbox (the admin).
    Agent { inboxes: Option<Vec<i64>> },
    /// A visitor's widget, bound to one conversation.
    Visitor { conversation: i64 },
}

impl Scope {
    pub fn expects(&self, inbox: i64, conversation: i64) -> bool {
        match self {
            Scope::Agent { inboxes: None } => true,
            Scope::Agent { inboxes: Some(set) } => set.contains(&inbox),
            Scope::Visitor { conversation: c } => *c == conversation,
        }
    }
}

#[derive(Default, Debug)]
pub struct Log {
    /// (sequence number, arrival) for every bench message frame, duplicates included.
    pub seen: Vec<(u64, Instant)>,
    pub resyncs: u32,
    pub error: Option<String>,
}

pub struct Subscriber {
    pub scope: Scope,
    pub task: JoinHandle<Log>,
}

/// Counts streams that are open and past their first byte.
#[derive(Default)]
pub struct Ready {
    pub count: AtomicUsize,
    pub failed: AtomicUsize,
    /// Bench message frames received by all streams together.
    pub frames: AtomicUsize,
    pub changed: Notify,
}

impl Ready {
    pub async fn wait_for(&self, n: usize, secs: u64) -> bool {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let notified = self.changed.notified();
            if self.count.load(Ordering::SeqCst) + self.failed.load(Ordering::SeqCst) >= n {
                return self.failed.load(Ordering::SeqCst) == 0;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return false;
            }
        }
    }
}

/// The bench's sequence number from a `message.created` payload, if it is ours.
fn bench_seq(data: &str) -> Option<u64> {
    let at = data.find("\"client_id\":\"b")? + "\"client_id\":\"b".len();
    let digits: &str = &data[at..];
    let end = digits.find('"')?;
    digits[..end].parse().ok()
}

pub fn spawn(
    client: reqwest::Client,
    url: String,
    cookie: Option<String>,
    scope: Scope,
    ready: Arc<Ready>,
    mut stop: watch::Receiver<bool>,
) -> Subscriber {
    let task = tokio::spawn(async move {
        let mut log = Log::default();
        let mut req = client.get(&url).header("accept", "text/event-stream");
        if let Some(c) = cookie {
            req = req.header("cookie", format!("sb_session={c}"));
        }
        let fail = |log: &mut Log, e: String| {
            log.error = Some(e);
            ready.failed.fetch_add(1, Ordering::SeqCst);
            ready.changed.notify_waiters();
        };
        let res = match req.send().await {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => {
                fail(&mut log, format!("HTTP {}", r.status()));
                return log;
            }
            Err(e) => {
                fail(&mut log, e.to_string());
                return log;
            }
        };
        let mut body = res.bytes_stream();
        let mut buf: Vec<u8> = Vec::with_capacity(1024);
        let mut counted = false;
        loop {
            let chunk = tokio::select! {
                c = body.next() => c,
                _ = stop.changed() => break,
            };
            let chunk = match chunk {
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    log.error = Some(e.to_string());
                    break;
                }
                None => {
                    log.error = Some("the stream ended".into());
                    break;
                }
            };
            let at = Instant::now();
            if !counted {
                counted = true;
                ready.count.fetch_add(1, Ordering::SeqCst);
                ready.changed.notify_waiters();
            }
            buf.extend_from_slice(&chunk);
            while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
                let frame: Vec<u8> = buf.drain(..end + 2).collect();
                let text = String::from_utf8_lossy(&frame);
                let mut event = "";
                let mut data = String::new();
                for line in text.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                match event {
                    "message.created" => {
                        if let Some(seq) = bench_seq(&data) {
                            log.seen.push((seq, at));
                            ready.frames.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    "resync" => log.resyncs += 1,
                    _ => {}
                }
            }
        }
        log
    });
    Subscriber { scope, task }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_sequence_number_of_bench_messages_only() {
        assert_eq!(super::bench_seq(r#"{"id":5,"client_id":"b42","body":"x"}"#), Some(42));
        assert_eq!(super::bench_seq(r#"{"id":5,"client_id":"system-1-abc"}"#), None);
    }
}
