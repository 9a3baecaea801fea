use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() {
    tune_malloc();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts")
        .block_on(serve_or_run());
}

/// glibc's allocator, tuned before any thread starts. Left alone, it kept what a burst
/// of requests had used in each thread's arena (a thousand parallel logins left 230 MB
/// behind): its threshold for giving large blocks their own mapping grows with each
/// one freed, until a password check's 19 MiB came from an arena and stayed there. A
/// fixed threshold returns every large block when it is freed. (mimalloc, used before,
/// returned the memory too, but held 34.2 KiB an idle stream against glibc's 27.5;
/// capping glibc at two arenas made it 29.2.)
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

async fn serve_or_run() {
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
