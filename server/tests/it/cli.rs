//! The `switchboard` binary itself: help, migrate, user add, serve and SIGTERM.
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    cmd.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    cmd
}

#[test]
fn help_lists_every_command() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "user"] {
        assert!(text.contains(cmd), "{text}");
    }
    let out = bin().args(["user", "add", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--password-stdin") && text.contains("--role"), "{text}");
}

#[test]
fn migrate_then_user_add_creates_a_working_login() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/cli.db", dir.path().display());
    let out = bin().args(["--database-url", &url, "migrate"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut child = bin()
        .args(["--database-url", &url, "user", "add", "--email", "Lee@Example.com", "--name", "Lee"])
        .args(["--role", "supervisor", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-long-password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("lee@example.com"));

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = app::db::Db::connect(&url).await.unwrap();
        let agent = app::accounts::store::find_by_email(&db, "lee@example.com").await.unwrap().unwrap();
        assert_eq!(agent.role(), app::accounts::Role::Supervisor);
        assert!(app::accounts::password::verify_blocking("a-long-password", &agent.password_hash));
    });
}

#[test]
fn user_add_refuses_bad_input_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let out = bin()
        .args(["--database-url", &url, "user", "add", "--email", "x@y.z", "--name", "X", "--role", "king", "--password-stdin"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("king"));

    let mut child = bin()
        .args(["--database-url", &url, "user", "add", "--email", "x@y.z", "--name", "X", "--role", "operator", "--password-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
}

#[test]
fn serve_answers_health_and_exits_promptly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/serve.db", dir.path().display());
    let mut child = bin()
        .args(["--database-url", &url, "serve", "--demo", "--bind", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path().join("files"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(addr) = line.strip_prefix("Switchboard listening on http://") {
            break addr.to_string();
        }
        printed.push(line);
    };
    assert!(printed.iter().any(|l| l.contains("admin@example.com")), "demo logins are printed: {printed:?}");

    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "clean exit: {status:?}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still running 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn token_create_acts_as_an_agent_within_scopes_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/tokens.db", dir.path().display());
    let out = bin().args(["--database-url", &url, "token", "create", "--name", "CRM"]).output().unwrap();
    assert!(!out.status.success(), "no admin yet: nobody for the token to act as");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such agent"), "{}", String::from_utf8_lossy(&out.stderr));

    let mut child = bin()
        .args(["--database-url", &url, "user", "add", "--email", "ada@example.com", "--name", "Ada", "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-long-password\n").unwrap();
    assert!(child.wait().unwrap().success());
    for bad in [&["--scopes", "read,root"][..], &["--inboxes", "999"], &["--per-minute", "0"]] {
        let out = bin().args(["--database-url", &url, "token", "create", "--name", "CRM"]).args(bad).output().unwrap();
        assert!(!out.status.success(), "{bad:?} is refused");
        assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty(), "{bad:?} says why");
    }
    let out = bin().args(["--database-url", &url, "token", "create", "--name", "CRM", "--scopes", "read"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("sbk_"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = app::db::Db::connect(&url).await.unwrap();
        let found = app::api_tokens::store::find(&db, &token).await.unwrap().expect("stored, by its hash");
        assert_eq!(found.scopes(), vec![app::api_tokens::Scope::Read]);
        let ada = app::accounts::store::find_by_email(&db, "ada@example.com").await.unwrap().unwrap();
        assert_eq!(found.agent_id, Some(ada.id), "acts as the first admin");
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1").bind(&token).fetch_one(db.pool()).await.unwrap();
        assert_eq!(stored, 0, "never stored in clear");
    });
}
