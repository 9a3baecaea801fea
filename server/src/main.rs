use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc hands freed memory back to the system; glibc kept what a burst of requests
/// had used in each thread's arena (a thousand parallel logins left 230 MB behind).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("SWITCHBOARD_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
    let cli = switchboard::cli::Cli::parse();
    if let Err(e) = switchboard::cli::run(cli).await {
        eprintln!("switchboard: {e}");
        std::process::exit(1);
    }
}
