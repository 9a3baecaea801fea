//! Delivery latency: R messages a second across conversations with S streams open,
//! customers writing and supervisors replying. With two servers, the streams sit on
//! one and the messages go to the other (cross-instance on PostgreSQL).
//!
//! With `typing`, every chat of the run also gets a typing signal every 2 s from each
//! side (the customer's widget and the replying supervisor's console) for the whole
//! run, and every console says every 10 s that it has one chat of its inbox open, as
//! the console does; the event log is counted around it: signals must add no row. A
//! chat's signals reach the consoles that have it open: here, those of its
//! supervisor (writing in a chat counts as having it open) and the consoles viewing it.
use super::{event_rows, settle, Ctx};
use crate::report::Report;
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
    /// Typing signals sent (and refused) during the run.
    pub typing_sent: u64,
    pub typing_failures: u64,
    /// Rows the event log gained while messages were sent, by kind.
    pub log_rows: std::collections::BTreeMap<String, i64>,
}

/// One typing signal from each side of every chat every 2 s, spread evenly over the
/// 2 s, and from each console a viewing signal for one chat of its inbox every 10 s,
/// until stopped.
fn typing_load(
    ctx: &Ctx<'_>,
    chats: &[crate::seed::Conversation],
    consoles: &[&crate::seed::Agent],
) -> (tokio::task::JoinHandle<()>, Arc<[std::sync::atomic::AtomicU64; 2]>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let counts: Arc<[AtomicU64; 2]> = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let fx = ctx.fixture;
    let pairs: Vec<(crate::seed::Conversation, String)> = chats
        .iter()
        .map(|c| (c.clone(), fx.supervisors[fx.inboxes.iter().position(|&b| b == c.inbox).unwrap_or(0)].token.clone()))
        .collect();
    // Console i has chat i of its inboxes open (the first such chat after i).
    let viewing: Vec<(String, i64)> = consoles
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let mine = |c: &&crate::seed::Conversation| a.inboxes.as_ref().is_none_or(|set| set.contains(&c.inbox));
            let chat = chats[i % chats.len().max(1)..].iter().find(mine).or_else(|| chats.iter().find(mine))?;
            Some((a.token.clone(), chat.id))
        })
        .collect();
    let (client, base, n) = (ctx.client.clone(), ctx.base.clone(), counts.clone());
    let views = {
        let (client, base, n) = (client.clone(), base.clone(), n.clone());
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(10));
            loop {
                every.tick().await;
                for (agent, chat) in &viewing {
                    let req = client
                        .post(format!("{base}/api/conversations/viewing"))
                        .header("cookie", format!("sb_session={agent}"))
                        .header("origin", &base)
                        .form(&[("conversation_id", chat.to_string()), ("viewing", "true".into())]);
                    let n = n.clone();
                    tokio::spawn(async move {
                        let ok = matches!(req.send().await, Ok(r) if r.status().is_success());
                        n[usize::from(!ok)].fetch_add(1, Ordering::Relaxed);
                    });
                }
            }
        }
    };
    // Spread evenly over the 2 s, as real typists are: chat i's turn comes every 2 s.
    let typing = async move {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(2.0 / pairs.len().max(1) as f64));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for (conv, agent) in pairs.iter().cycle() {
            tick.tick().await;
            let visitor = client
                .post(format!("{base}/api/widget/conversations/{}/typing", conv.id))
                .bearer_auth(&conv.visitor_token)
                .json(&serde_json::json!({ "typing": true }));
            let console = client
                .post(format!("{base}/api/conversations/typing"))
                .header("cookie", format!("sb_session={agent}"))
                .header("origin", &base)
                .form(&[("conversation_id", conv.id.to_string()), ("typing", "true".into())]);
            for req in [visitor, console] {
                let n = n.clone();
                tokio::spawn(async move {
                    let ok = matches!(req.send().await, Ok(r) if r.status().is_success());
                    n[usize::from(!ok)].fetch_add(1, Ordering::Relaxed);
                });
            }
        }
    };
    // Both loops end when the task is aborted.
    let task = tokio::spawn(async move {
        tokio::join!(views, typing);
    });
    (task, counts)
}

/// `subscribers` streams on `ctx.base`; messages sent to `send_base` at `rate` a
/// second for `secs`.
pub async fn run(ctx: &Ctx<'_>, send_base: &str, subscribers: usize, rate: u32, secs: f64, typing: bool) -> Result<Live> {
    run_on(ctx, &[ctx.base.clone()], &[send_base.to_string()], subscribers, rate, secs, typing).await
}

/// The same with the streams spread over `stream_bases` and the sends over
/// `send_bases`, each in turn (several instances on one PostgreSQL).
pub async fn run_on(
    ctx: &Ctx<'_>,
    stream_bases: &[String],
    send_bases: &[String],
    subscribers: usize,
    rate: u32,
    secs: f64,
    typing: bool,
) -> Result<Live> {
    let fx = ctx.fixture;
    // One stream in five is a console; the rest are widgets of distinct chats.
    let agents: Vec<_> = std::iter::once(&fx.admin).chain(&fx.supervisors).chain(&fx.busy).collect();
    let consoles = (subscribers / 5).max(1);
    let widgets = subscribers - consoles;
    let chats = &fx.conversations[..widgets.min(fx.conversations.len())];
    let mut who: Vec<Who> = (0..consoles).map(|i| Who::Agent(agents[i % agents.len()])).collect();
    who.extend(chats.iter().map(Who::Visitor));
    let s = streams::open_on(&ctx.client, stream_bases, &who).await?;
    let log_before = event_rows(&ctx.db_url).await?;
    let consoles_of: Vec<_> = who.iter().filter_map(|w| if let Who::Agent(a) = w { Some(*a) } else { None }).collect();
    let typing = typing.then(|| typing_load(ctx, chats, &consoles_of));

    let traffic = Arc::new(Traffic::spread(ctx.client.clone(), send_bases));
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
    let (typing_sent, typing_failures) = match typing {
        Some((task, n)) => {
            task.abort();
            (n[0].load(std::sync::atomic::Ordering::Relaxed), n[1].load(std::sync::atomic::Ordering::Relaxed))
        }
        None => (0, 0),
    };
    let log_after = event_rows(&ctx.db_url).await?;
    let logs = s.close().await;
    let sent = traffic.sent.lock().unwrap();
    let delivery = analyse(&sent, &logs);
    Ok(Live {
        delivery,
        sent: sent.len(),
        failures: traffic.failures.load(std::sync::atomic::Ordering::SeqCst),
        first_failure: traffic.first_failure(),
        ack: sent.values().filter_map(|s| s.ack_ms).collect(),
        typing_sent,
        typing_failures,
        log_rows: super::log_growth(&log_before, &log_after),
    })
}

fn expected_frames(t: &Traffic, scopes: &[crate::sse::Scope]) -> usize {
    let sent = t.sent.lock().unwrap();
    sent.values()
        .filter(|s| s.ack_ms.is_some())
        .map(|s| scopes.iter().filter(|sc| sc.expects(s.inbox, s.conversation)).count())
        .sum()
}

/// What typing signals cost: their rate, and the event log's growth with and without.
pub fn typing_figures(r: &mut Report, backend: &str, without: &Live, with: &Live) {
    let secs = with.sent.max(1) as f64; // per message sent, not per second
    r.figure(
        backend,
        "typing and viewing signals sent during the delivery run",
        with.typing_sent as f64,
        "signals",
        None,
        format!("{} refused; {:.1} per message sent", with.typing_failures, with.typing_sent as f64 / secs),
    );
    let added = |l: &Live| l.log_rows.values().sum::<i64>();
    let created = |l: &Live| l.log_rows.get("message.created").copied().unwrap_or(0);
    let others = |l: &Live| {
        let o: Vec<String> = l.log_rows.iter().filter(|(k, _)| *k != "message.created").map(|(k, n)| format!("{n} {k}")).collect();
        if o.is_empty() { String::new() } else { format!("; also {}", o.join(", ")) }
    };
    // A send can also change the chat's status (a first reply opens it, a customer's
    // line reopens it): one conversation.status row and its system line. The bench's
    // own streams opening and closing move presence (visitor.presence, agent.presence:
    // a typing signal never does), and an agent whose consoles all closed (the idle
    // part's) goes offline a grace period later, with a line on each chat they hold.
    // Nothing else may be added, and the messages written are exactly those sent.
    let kind = |l: &Live, k: &str| l.log_rows.get(k).copied().unwrap_or(0);
    let status = |l: &Live| kind(l, "conversation.status");
    let presence = |l: &Live| kind(l, "visitor.presence") + kind(l, "agent.presence");
    let lines = |l: &Live| kind(l, super::SYSTEM_LINES);
    let only_sends = |l: &Live| {
        added(l) == created(l) + lines(l) + status(l) + presence(l)
            && created(l) == l.ack.len() as i64
            && (lines(l) == status(l) || (lines(l) > status(l) && kind(l, "agent.presence") > 0))
    };
    for (what, l) in [("without typing", without), ("with typing", with)] {
        r.figure(
            backend,
            &format!("event log rows added {what}"),
            added(l) as f64,
            "rows",
            None,
            format!("{} of them messages written, {} messages acknowledged{}", created(l), l.ack.len(), others(l)),
        );
    }
    r.check(
        backend,
        "typing signals write no event: the log grows only by the messages",
        with.typing_sent > 0 && with.typing_failures == 0 && only_sends(with),
        format!(
            "{} signals ({} refused); {} rows added, {} messages written, {} messages acknowledged{}",
            with.typing_sent,
            with.typing_failures,
            added(with),
            created(with),
            with.ack.len(),
            others(with)
        ),
    );
}
