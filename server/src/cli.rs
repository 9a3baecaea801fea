//! The `switchboard` command line.
use app::accounts::{password, store as agents, Role};
use app::db::Db;
use app::state::{AppState, Config, SystemClock};
use clap::{Args, Parser, Subcommand};
use leptos::prelude::LeptosOptions;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "switchboard", version, about = "Live chat for support teams")]
pub struct Cli {
    /// Database: sqlite://PATH (created when missing) or postgres://…
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "sqlite://data/switchboard.db")]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the console, the widget and the API.
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage agent accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Delete now every conversation past its inbox's retention (it also runs hourly).
    Purge {
        /// Folder for attachments and other files.
        #[arg(long, env = "SWITCHBOARD_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
    /// Manage API tokens (the REST API at `/api/v1`, completing contexts, metrics).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it; it cannot be shown again.
    Create {
        #[arg(long)]
        name: String,
        /// The agent the token acts as (email); the first admin when left out.
        #[arg(long)]
        agent: Option<String>,
        /// Scopes, comma separated: read, write, admin.
        #[arg(long, default_value = "read,write,admin")]
        scopes: String,
        /// Keep the token to these inboxes (ids, comma separated); every inbox when left out.
        #[arg(long, default_value = "")]
        inboxes: String,
        /// Calls allowed a minute.
        #[arg(long, default_value_t = app::api_tokens::DEFAULT_PER_MINUTE)]
        per_minute: i64,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_BIND")]
    pub bind: Option<SocketAddr>,
    /// Folder for attachments and other files.
    #[arg(long, env = "SWITCHBOARD_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Create demo agents and inboxes when the database has no agents.
    #[arg(long)]
    pub demo: bool,
    /// Mark session cookies Secure (serve behind https).
    #[arg(long, env = "SWITCHBOARD_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Extra origins allowed to send POST requests, comma separated.
    #[arg(long, env = "SWITCHBOARD_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// The largest attachment accepted, in megabytes.
    #[arg(long, env = "SWITCHBOARD_MAX_UPLOAD_MB", default_value_t = 10)]
    pub max_upload_mb: u64,
    /// Reverse proxies (addresses or CIDRs, comma separated) whose X-Forwarded-For
    /// names the client. Without it the header is ignored.
    #[arg(long, env = "SWITCHBOARD_TRUSTED_PROXIES", value_delimiter = ',', value_parser = address_or_cidr)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Message sends that arrive together share one transaction; `off` writes one
    /// transaction per send (for comparison in benchmarks).
    #[arg(long, env = "SWITCHBOARD_GROUP_COMMIT", default_value = "on", value_parser = ["on", "off"])]
    pub group_commit: String,
    /// Also serve `/metrics`, without a token, on this address (keep it private).
    #[arg(long, env = "SWITCHBOARD_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
}

/// Timeouts, connection and rate limits (see the README's Security model).
#[derive(Args, Debug)]
pub struct LimitArgs {
    /// Seconds a connection has to send each request's head (also closes idle
    /// keep-alive connections); event streams in progress are never cut.
    #[arg(long, env = "SWITCHBOARD_HEADER_TIMEOUT_SECS", default_value_t = 15)]
    pub header_timeout_secs: u64,
    /// Seconds a request body may go without sending anything.
    #[arg(long, env = "SWITCHBOARD_BODY_TIMEOUT_SECS", default_value_t = 20)]
    pub body_timeout_secs: u64,
    /// Connections open at once (also capped by the open-file limit).
    #[arg(long, env = "SWITCHBOARD_MAX_CONNECTIONS", default_value_t = 20_000)]
    pub max_connections: usize,
    /// Turn the visitor rate limits and stream caps off (load tests from one address).
    #[arg(long, env = "SWITCHBOARD_NO_RATE_LIMITS")]
    pub no_rate_limits: bool,
    /// New conversations per minute from one address.
    #[arg(long, env = "SWITCHBOARD_STARTS_PER_MINUTE", default_value_t = 20)]
    pub starts_per_minute: u32,
    /// Messages per minute from one visitor.
    #[arg(long, env = "SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE", default_value_t = 60)]
    pub visitor_messages_per_minute: u32,
    /// Visitor messages per minute from one address.
    #[arg(long, env = "SWITCHBOARD_ADDRESS_MESSAGES_PER_MINUTE", default_value_t = 600)]
    pub address_messages_per_minute: u32,
    /// Uploads per minute from one visitor.
    #[arg(long, env = "SWITCHBOARD_VISITOR_UPLOADS_PER_MINUTE", default_value_t = 10)]
    pub visitor_uploads_per_minute: u32,
    /// Event streams one visitor may hold open at once.
    #[arg(long, env = "SWITCHBOARD_STREAMS_PER_VISITOR", default_value_t = 4)]
    pub streams_per_visitor: usize,
    /// Event streams one agent session (all its tabs) may hold open at once.
    #[arg(long, env = "SWITCHBOARD_STREAMS_PER_SESSION", default_value_t = 12)]
    pub streams_per_session: usize,
}

impl LimitArgs {
    fn settings(&self) -> app::limits::LimitSettings {
        app::limits::LimitSettings {
            enabled: !self.no_rate_limits,
            starts_per_address: self.starts_per_minute,
            sends_per_visitor: self.visitor_messages_per_minute,
            sends_per_address: self.address_messages_per_minute,
            uploads_per_visitor: self.visitor_uploads_per_minute,
            identifies_per_visitor: app::limits::LimitSettings::default().identifies_per_visitor,
            streams_per_visitor: self.streams_per_visitor,
            streams_per_session: self.streams_per_session,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an agent; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["admin", "supervisor", "operator"])]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

pub async fn run(cli: Cli) -> Result<(), String> {
    let db = Db::connect(&cli.database_url).await.map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate().await.map_err(|e| format!("migration failed: {e}"))?;
    match cli.command {
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::User { command: UserCommand::Add { email, name, role, .. } } => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
            let pw = line.trim_end_matches(['\r', '\n']).to_string();
            password::validate(&pw).map_err(|e| e.to_string())?;
            let role: Role = role.parse().map_err(|e: app::error::AppError| e.to_string())?;
            let hash = password::hash(pw).await.map_err(|e| e.to_string())?;
            let new = agents::NewAgent { email: &email, name: &name, role, password_hash: &hash };
            let now = app::state::Clock::now_ms(&SystemClock);
            let id = agents::insert(&db, new, now).await.map_err(|e| e.to_string())?;
            println!("created agent {id} <{}> as {}", app::accounts::normalize_email(&email), role.as_str());
            Ok(())
        }
        Command::Purge { data_dir } => {
            let now = app::state::Clock::now_ms(&SystemClock);
            let r = app::retention::purge::run(&db, &data_dir, now).await.map_err(|e| e.to_string())?;
            println!("purged {} conversations, {} messages, {} files", r.conversations, r.messages, r.files);
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { name, agent, scopes, inboxes, per_minute } } => {
            let now = app::state::Clock::now_ms(&SystemClock);
            let agent = match agent {
                Some(email) => agents::find_by_email(&db, &email).await.map_err(|e| e.to_string())?,
                None => agents::list(&db).await.map_err(|e| e.to_string())?.into_iter().find(|a| a.role() == app::accounts::Role::Admin),
            }
            .ok_or("no such agent (create an admin first, or name one with --agent)")?;
            let scopes = app::api_tokens::api::parse_scopes(&scopes).map_err(|e| e.to_string())?;
            let inboxes = app::api_tokens::api::parse_inboxes(&inboxes).map_err(|e| e.to_string())?;
            let new = app::api_tokens::store::NewToken { name: &name, agent_id: agent.id, scopes: &scopes, inboxes: &inboxes, per_minute };
            let (id, token) = app::api_tokens::store::create(&db, new, None, now).await.map_err(|e| e.to_string())?;
            let entry = app::audit::Entry::new(&app::audit::Actor::system(), app::audit::Action::TokenCreate, "api_token", id)
                .detail(serde_json::json!({ "name": name.trim(), "via": "command line", "agent": agent.id }));
            app::audit::record(&db, now, entry).await.map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::Serve(args) => serve(db, cli.database_url.clone(), args).await,
    }
}

/// `10.0.0.0/8`, or one address (`127.0.0.1`, `::1`) as its own network.
fn address_or_cidr(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is neither an address (127.0.0.1) nor a network (10.0.0.0/8)"))
}

fn leptos_options(bind: Option<SocketAddr>) -> LeptosOptions {
    // cargo-leptos bakes LEPTOS_OUTPUT_NAME into its builds; a plain `cargo build`
    // (tests, `switchboard migrate`) has none, so fall back to the defaults.
    let from_cargo_leptos =
        option_env!("LEPTOS_OUTPUT_NAME").is_some() || std::env::var_os("LEPTOS_OUTPUT_NAME").is_some();
    let mut options = from_cargo_leptos
        .then(|| leptos::prelude::get_configuration(None).ok())
        .flatten()
        .map(|c| c.leptos_options)
        .unwrap_or_else(|| {
            let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
            LeptosOptions::builder().output_name("switchboard").site_root(site_root).build()
        });
    if options.output_name.is_empty() {
        options.output_name = "switchboard".into();
    }
    if let Some(addr) = bind {
        options.site_addr = addr;
    }
    options
}

async fn serve(db: Db, database_url: String, args: ServeArgs) -> Result<(), String> {
    let options = leptos_options(args.bind);
    let addr = options.site_addr;
    let clock = Arc::new(SystemClock);
    if args.demo {
        let now = app::state::Clock::now_ms(&*clock);
        if app::demo::seed(&db, now).await.map_err(|e| e.to_string())? {
            println!("Demo data created.");
        }
        println!("Demo logins (email / password):");
        for l in app::demo::LOGINS.iter() {
            println!("  {:<11} {} / {}", l.role.label(), l.email, l.password);
        }
    }
    std::fs::create_dir_all(&args.data_dir).map_err(|e| format!("cannot create {}: {e}", args.data_dir.display()))?;
    let config = Config {
        secure_cookies: args.secure_cookies,
        data_dir: args.data_dir,
        allowed_origins: args.allowed_origins,
        max_upload_bytes: args.max_upload_mb * 1024 * 1024,
        trusted_proxies: args.trusted_proxies.clone(),
        limits: args.limits.settings(),
        body_timeout: Duration::from_secs(args.limits.body_timeout_secs.max(1)),
        group_commit: args.group_commit == "on",
    };
    let connections = crate::listen::ConnectionLimits {
        header_timeout: Duration::from_secs(args.limits.header_timeout_secs.max(1)),
        max_connections: args.limits.max_connections.max(1),
        ..Default::default()
    };
    let state = AppState::new(options, db.clone(), clock, config);
    let jobs = app::jobs::start(&state, Some(database_url.clone()));
    let trimmer = tokio::spawn(crate::memory::trim_after_bursts());
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Switchboard listening on http://{addr}");
    tracing::info!(%addr, "listening");
    if let Some(maddr) = args.metrics_bind {
        let listener = tokio::net::TcpListener::bind(maddr).await.map_err(|e| format!("cannot listen on {maddr}: {e}"))?;
        println!("Metrics on http://{}/metrics", listener.local_addr().map_err(|e| e.to_string())?);
        let router = crate::metrics::private_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let hub = state.hub.clone();
    let shutdown = async move {
        shutdown_signal().await;
        // End the event streams, or graceful shutdown would wait for them forever.
        hub.shut_down();
    };
    crate::listen::serve(listener, crate::router(state), connections, shutdown).await.map_err(|e| e.to_string())?;
    jobs.stop();
    trimmer.abort();
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::address_or_cidr;

    #[test]
    fn a_trusted_proxy_is_an_address_or_a_network() {
        assert_eq!(address_or_cidr("127.0.0.1").unwrap().to_string(), "127.0.0.1/32");
        assert_eq!(address_or_cidr(" 10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(address_or_cidr("::1").unwrap().to_string(), "::1/128");
        assert!(address_or_cidr("proxy.internal").unwrap_err().contains("neither an address"));
    }
}
