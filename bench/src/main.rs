//! `switchboard-bench`: drives a real Switchboard server over HTTP and SSE and
//! reports what it measured against the performance budgets.
//!
//! `--quick` is the small run the test suite includes: it asserts correctness (no
//! lost, duplicated or leaked events; every request answered; every acknowledged
//! message stored) and never asserts a time.
mod report;
mod run;
mod scenarios;
mod seed;
mod server;
mod sizes;
mod sse;
mod stats;
mod streams;
mod traffic;

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "switchboard-bench", about = "Load benchmark for Switchboard")]
pub struct Cli {
    /// A small run (about 2 minutes) that checks correctness only.
    #[arg(long)]
    pub quick: bool,
    /// The server binary to run (build it with `cargo build --release -p switchboard`).
    #[arg(long, default_value = "target/release/switchboard")]
    pub server: PathBuf,
    /// Which databases to run on.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    pub backends: Vec<String>,
    /// A PostgreSQL server where the bench may create and drop a database.
    #[arg(long, env = "SWITCHBOARD_BENCH_PG", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub pg: String,
    /// cargo-leptos's site folder, for the bundle sizes and the server's assets.
    #[arg(long, default_value = "target/site")]
    pub site: PathBuf,
    #[arg(long, default_value = "public")]
    pub public: PathBuf,
    /// Where the markdown and JSON go (default: bench/results, or target/bench-quick).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The seeded history: `1m` (20k conversations, 1M messages) or `10m` (200k
    /// conversations, 10M messages: a busy team's year; about a minute to seed on
    /// SQLite, best run with `--only lists --backends sqlite`).
    #[arg(long, default_value = "1m", value_parser = ["1m", "10m"])]
    pub scale: String,
    #[arg(long)]
    pub conversations: Option<usize>,
    #[arg(long)]
    pub messages: Option<usize>,
    /// Idle subscribers.
    #[arg(long)]
    pub idle: Option<usize>,
    /// Subscribers during the latency run.
    #[arg(long)]
    pub subscribers: Option<usize>,
    /// Messages a second during the latency run.
    #[arg(long)]
    pub rate: Option<u32>,
    /// Seconds of the latency run.
    #[arg(long)]
    pub secs: Option<f64>,
    /// Subscribers of the busy inbox for the broadcast.
    #[arg(long)]
    pub broadcast: Option<usize>,
    #[arg(long)]
    pub ingest_concurrency: Option<usize>,
    #[arg(long)]
    pub ingest_secs: Option<f64>,
    /// Timed requests per list query.
    #[arg(long)]
    pub list_samples: Option<usize>,
    /// Run only these parts: lists, reports, idle, live, broadcast, ingest, webhooks, cross, sizes.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

impl Cli {
    pub fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let code = match run::all(cli).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("switchboard-bench: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

/// The argon2 hash of `seed::PASSWORD`, made once per run.
pub fn password_hash() -> String {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default().hash_password(seed::PASSWORD.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
}
