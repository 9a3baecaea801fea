//! One benchmark run: per database, seed, serve, measure; then the bundle sizes.
use crate::report::{Budget, Machine, Report};
use crate::scenarios::{broadcast, idle, ingest, lists, live, reports, webhooks, Ctx};
use crate::seed::{self, Size};
use crate::server::{self, Server};
use crate::stats::summarise;
use crate::Cli;
use anyhow::{Context, Result};
use sqlx::{Connection, Executor};
use std::path::PathBuf;
use std::time::Duration;

/// The run's sizes: the figures, or `--quick`'s small ones.
struct Params {
    size: Size,
    idle: usize,
    subscribers: usize,
    rate: u32,
    secs: f64,
    broadcast: usize,
    rounds: usize,
    ingest_concurrency: usize,
    ingest_secs: f64,
    list_samples: usize,
    cross_subscribers: usize,
    cross_instances: usize,
    cross_rate: u32,
    /// The delivery and broadcast runs are repeated: their budgets hold in each.
    repeats: usize,
}

impl Params {
    fn from(cli: &Cli) -> Params {
        let q = cli.quick;
        let ten = cli.scale == "10m";
        Params {
            size: Size {
                inboxes: if q { 4 } else { 8 },
                conversations: cli.conversations.unwrap_or(match (q, ten) {
                    (true, _) => 400,
                    (false, false) => 20_000,
                    (false, true) => 200_000,
                }),
                messages: cli.messages.unwrap_or(match (q, ten) {
                    (true, _) => 8_000,
                    (false, false) => 1_000_000,
                    (false, true) => 10_000_000,
                }),
                busy_agents: if q { 12 } else { 200 },
            },
            idle: cli.idle.unwrap_or(if q { 200 } else { 10_000 }),
            subscribers: cli.subscribers.unwrap_or(if q { 100 } else { 1_000 }),
            rate: cli.rate.unwrap_or(if q { 40 } else { 200 }),
            secs: cli.secs.unwrap_or(if q { 4.0 } else { 20.0 }),
            broadcast: cli.broadcast.unwrap_or(if q { 200 } else { 10_000 }),
            rounds: if q { 3 } else { 20 },
            ingest_concurrency: cli.ingest_concurrency.unwrap_or(if q { 8 } else { 64 }),
            ingest_secs: cli.ingest_secs.unwrap_or(if q { 2.0 } else { 10.0 }),
            list_samples: cli.list_samples.unwrap_or(if q { 3 } else { 100 }),
            cross_subscribers: if q { 60 } else { 3_000 },
            cross_instances: 3,
            cross_rate: if q { 30 } else { 1_000 },
            repeats: if q { 1 } else { 3 },
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn command(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

pub async fn all(cli: Cli) -> Result<bool> {
    let fds = server::raise_fd_limit();
    let p = Params::from(&cli);
    let dirty =
        if command("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() { "" } else { "-dirty" };
    let mut report = Report {
        mode: if cli.quick { "quick".into() } else { "full".into() },
        git_revision: format!("{}{dirty}", command("git", &["rev-parse", "--short", "HEAD"])),
        machine: Machine::read(),
        started_at: command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        ..Default::default()
    };
    println!("switchboard-bench ({}), server {}, open files up to {fds}", report.mode, cli.server.display());
    anyhow::ensure!(cli.server.exists(), "no server binary at {} (build it first)", cli.server.display());
    let measures_a_server = ["lists", "reports", "idle", "live", "broadcast", "ingest", "webhooks", "cross"].iter().any(|p| cli.wants(p));
    for backend in cli.backends.iter().filter(|_| measures_a_server) {
        match backend.as_str() {
            "sqlite" | "postgres" => {
                one_backend(&cli, &p, backend, &mut report).await.with_context(|| format!("on {backend}"))?
            }
            other => anyhow::bail!("unknown backend {other:?}: use sqlite or postgres"),
        }
    }
    if cli.wants("sizes") {
        crate::sizes::figures(&cli, &mut report);
    }
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(if cli.quick { "target/bench-quick" } else { "bench/results" }));
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("latest.md"), report.markdown())?;
    std::fs::write(out.join("latest.json"), serde_json::to_string_pretty(&report)?)?;
    println!("wrote {}/latest.md and latest.json", out.display());
    let failed = report.failed_checks();
    if !failed.is_empty() {
        eprintln!("{} correctness checks FAILED", failed.len());
    }
    Ok(failed.is_empty())
}

/// A fresh database: a file in a temporary folder, or a new PostgreSQL database.
async fn fresh_database(cli: &Cli, backend: &str, dir: &std::path::Path) -> Result<(String, Option<String>)> {
    if backend == "sqlite" {
        return Ok((format!("sqlite://{}/bench.db", dir.display()), None));
    }
    let name = format!("sb_bench_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&cli.pg).await.with_context(|| format!("connect to {}", cli.pg))?;
    admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
    let base = cli.pg.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(cli.pg.clone());
    Ok((format!("{base}/{name}"), Some(name)))
}

async fn drop_database(cli: &Cli, name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(&cli.pg).await {
        let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
    }
}

async fn one_backend(cli: &Cli, p: &Params, backend: &str, r: &mut Report) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("sb-bench-{}-{backend}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (url, pg_name) = fresh_database(cli, backend, &dir).await?;
    let result = measure(cli, p, backend, &url, &dir, r).await;
    if let Some(name) = pg_name {
        drop_database(cli, &name).await;
    }
    // Kept after a failure, or when asked, for the server's log.
    if result.is_ok() && std::env::var_os("SWITCHBOARD_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn measure(cli: &Cli, p: &Params, backend: &str, url: &str, dir: &std::path::Path, r: &mut Report) -> Result<()> {
    let full = !cli.quick;
    let sqlite = backend == "sqlite";
    // Budgets are the issue's, for SQLite at full size (and cross-instance on PostgreSQL).
    let budget = |b: Budget| (full && sqlite).then_some(b);
    println!("== {backend}: seeding {} conversations, {} messages", p.size.conversations, p.size.messages);
    server::migrate(&cli.server, url)?;
    let fx = seed::seed(url, &p.size, now_ms()).await?;
    r.figure(
        backend,
        &format!("seed {} conversations, {} messages", p.size.conversations, fx.messages),
        fx.seconds,
        "s",
        budget(Budget::AtMost(600.0)).filter(|_| fx.messages >= 10_000_000),
        format!("bulk SQL, one transaction; {}", fx.phases),
    );

    let a = Server::start(&cli.server, url, dir, &cli.site).await?;
    // Pooled connections are dropped before the server's header timeout (15 s) would
    // close them, so no request goes out on a connection the server is closing.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .pool_idle_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let ctx = Ctx { client: client.clone(), base: a.base.clone(), fixture: &fx, pid: a.pid(), db_url: url.to_string() };

    if cli.wants("lists") {
        println!("== {backend}: list and search");
        for f in lists::run(&ctx, p.list_samples).await? {
            let b = budget(Budget::AtMost(if f.search { 100.0 } else { 20.0 }));
            r.figure(backend, &format!("list {} p50", f.name), f.summary.p50, "ms", None, "");
            r.figure(
                backend,
                &format!("list {} p99", f.name),
                f.summary.p99,
                "ms",
                b,
                format!("{} rows, {} samples", f.rows, f.summary.n),
            );
        }
    }

    if cli.wants("reports") {
        println!("== {backend}: reports");
        for f in reports::run(&ctx, p.list_samples).await? {
            r.figure(backend, &format!("report {} p50", f.name), f.summary.p50, "ms", None, "");
            r.figure(
                backend,
                &format!("report {} p99", f.name),
                f.summary.p99,
                "ms",
                budget(Budget::AtMost(200.0)),
                format!("{} conversations in {} buckets, {} samples", f.conversations, f.buckets, f.summary.n),
            );
        }
    }

    if cli.wants("idle") {
        println!("== {backend}: {} idle subscribers", p.idle);
        let idle = idle::run(&ctx, p.idle).await?;
        let mib = |b: u64| b as f64 / 1048576.0;
        r.figure(
            backend,
            &format!("server RSS with {} idle subscribers", idle.subscribers),
            mib(idle.rss_after),
            "MiB",
            budget(Budget::AtMost(210.0)).filter(|_| idle.subscribers == 10_000),
            format!("{:.0} MiB before opening them; opened in {:.1} s", mib(idle.rss_before), idle.open_secs),
        );
        r.figure(
            backend,
            "RSS per idle subscriber",
            idle.per_subscriber() / 1024.0,
            "KiB",
            None,
            "half consoles, half widgets",
        );
        crate::scenarios::quiet_log(url, 120).await?;
    }
    let mut acked = 0;

    if cli.wants("live") {
        println!("== {backend}: delivery, {} subscribers at {} msg/s for {} s", p.subscribers, p.rate, p.secs);
        let mut runs = Vec::new();
        for k in 1..=p.repeats {
            let l = live::run(&ctx, &a.base, p.subscribers, p.rate, p.secs, false).await?;
            let what = if p.repeats > 1 { format!("send → seen, run {k} of {}", p.repeats) } else { "send → seen".into() };
            delivery_figures(r, backend, &what, &l, budget(Budget::AtMost(25.0)).filter(|_| p.subscribers == 1000 && p.rate == 200));
            acked += l.ack.len();
            runs.push(l);
        }
        let l = runs.pop().expect("at least one run");
        println!("== {backend}: the same with typing signals from both sides of every chat every 2 s");
        let t = live::run(&ctx, &a.base, p.subscribers, p.rate, p.secs, true).await?;
        delivery_figures(r, backend, "send → seen, with typing", &t, None);
        acked += t.ack.len();
        live::typing_figures(r, backend, &l, &t);
    }

    if cli.wants("broadcast") {
        println!("== {backend}: broadcast to {} subscribers", p.broadcast);
        for k in 1..=p.repeats {
            let (d, failures) = broadcast::run(&ctx, p.broadcast, p.rounds).await?;
            let s = summarise(&d.latencies);
            let run = if p.repeats > 1 { format!(", run {k} of {}", p.repeats) } else { String::new() };
            r.figure(backend, &format!("broadcast to {} subscribers{run} p50", p.broadcast), s.p50, "ms", None, "");
            r.figure(
                backend,
                &format!("broadcast to {} subscribers{run} p99", p.broadcast),
                s.p99,
                "ms",
                budget(Budget::AtMost(150.0)).filter(|_| p.broadcast == 10_000),
                format!("max {:.1} ms, {} rounds", s.max, p.rounds),
            );
            r.check(
                backend,
                &format!("broadcast{run}: every subscriber once"),
                d.correct() && failures == 0,
                format!(
                    "{} expected, {} lost, {} duplicated, {} leaked, {failures} failed sends",
                    d.expected, d.lost, d.duplicated, d.unexpected
                ),
            );
        }
    }

    if cli.wants("ingest") {
        println!("== {backend}: durable ingest, concurrency {}", p.ingest_concurrency);
        let ing = ingest::run(&ctx, p.ingest_concurrency, p.ingest_secs).await?;
        let ack = summarise(&ing.ack);
        r.figure(
            backend,
            &format!("durable ingest at concurrency {}", ing.concurrency),
            ing.rate(),
            "msg/s",
            budget(Budget::AtLeast(10_000.0)),
            format!(
                "{} acknowledged in {:.1} s; ack p50 {:.1} ms, p99 {:.1} ms",
                ing.acked, ing.secs, ack.p50, ack.p99
            ),
        );
        r.check(
            backend,
            "ingest: every request answered",
            ing.failures == 0,
            ing.first_failure.clone().unwrap_or_else(|| format!("{} sends", ing.acked)),
        );
        acked += ing.acked;
    }

    if cli.wants("webhooks") {
        println!("== {backend}: durable ingest with a webhook subscription, concurrency {}", p.ingest_concurrency);
        let w = webhooks::run(&ctx, p.ingest_concurrency, p.ingest_secs).await?;
        r.figure(
            backend,
            &format!("durable ingest with webhooks at concurrency {}", w.ingest.concurrency),
            w.ingest.rate(),
            "msg/s",
            None,
            format!("{} acknowledged in {:.1} s, each also delivered to a webhook", w.ingest.acked, w.ingest.secs),
        );
        let lag = summarise(&w.lag);
        for (name, v) in [("p50", lag.p50), ("p99", lag.p99), ("max", lag.max)] {
            r.figure(backend, &format!("webhook commit → delivered {name}"), v, "ms", None, format!("{} deliveries", lag.n));
        }
        r.check(
            backend,
            "webhooks: every acknowledged message delivered, once per id",
            w.delivered == w.ingest.acked && w.ingest.failures == 0,
            format!("{} acknowledged, {} delivered, {} repeated ids", w.ingest.acked, w.delivered, w.repeated),
        );
        acked += w.ingest.acked;
    }

    if !sqlite && cli.wants("cross") {
        let n = p.cross_instances;
        println!(
            "== {backend}: {n} instances, {} subscribers spread over them, {} msg/s sent through all of them",
            p.cross_subscribers, p.cross_rate
        );
        let mut others = Vec::new();
        for _ in 1..n {
            others.push(Server::start(&cli.server, url, dir, &cli.site).await?);
        }
        let bases: Vec<String> = std::iter::once(a.base.clone()).chain(others.iter().map(|s| s.base.clone())).collect();
        // Streams go round the instances one way and sends the other, so a message is
        // mostly seen on an instance other than the one that wrote it.
        let sends: Vec<String> = bases.iter().rev().cloned().collect();
        let c = live::run_on(&ctx, &bases, &sends, p.cross_subscribers, p.cross_rate, p.secs, false).await?;
        let what = format!("{n} instances: send → seen");
        delivery_figures(r, backend, &what, &c, full.then_some(Budget::AtMost(25.0)));
        acked += c.ack.len();
        drop(others);
    }

    // Every acknowledged bench message is in the database.
    let stored = count_bench_messages(url).await?;
    r.check(
        backend,
        "acknowledged messages are stored",
        stored >= acked as i64,
        format!("{stored} bench messages in the database, {acked} acknowledged by the delivery and ingest runs"),
    );
    drop(a);
    Ok(())
}

fn delivery_figures(r: &mut Report, backend: &str, what: &str, l: &live::Live, p99_budget: Option<Budget>) {
    let s = summarise(&l.delivery.latencies);
    for (name, v) in [("p50", s.p50), ("p95", s.p95)] {
        r.figure(backend, &format!("{what} {name}"), v, "ms", None, "");
    }
    r.figure(backend, &format!("{what} p99"), s.p99, "ms", p99_budget, format!("{} samples", s.n));
    r.figure(backend, &format!("{what} max"), s.max, "ms", None, format!("{} messages sent", l.sent));
    // Where the time goes: the write and its answer, against the whole way to a stream.
    let a = summarise(&l.ack);
    r.figure(backend, &format!("{what}: send → answered p50"), a.p50, "ms", None, "");
    r.figure(backend, &format!("{what}: send → answered p99"), a.p99, "ms", None, format!("{} answers", a.n));
    let d = &l.delivery;
    r.check(
        backend,
        &format!("{what}: none lost, none twice, none leaked"),
        d.correct() && d.stream_errors == 0,
        format!(
            "{} expected, {} lost, {} duplicated, {} leaked, {} resyncs, {} stream errors",
            d.expected, d.lost, d.duplicated, d.unexpected, d.resyncs, d.stream_errors
        ),
    );
    r.check(
        backend,
        &format!("{what}: every send answered"),
        l.failures == 0,
        l.first_failure.clone().unwrap_or_else(|| format!("{} sends", l.sent)),
    );
}

async fn count_bench_messages(url: &str) -> Result<i64> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE client_id LIKE 'b%'").fetch_one(&pool).await?;
    pool.close().await;
    Ok(n)
}
