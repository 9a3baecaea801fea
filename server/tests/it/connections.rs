//! What only real sockets show: slow and silent clients are cut, the connection cap
//! holds, event streams outlive the header timeout, and a login flood stays bounded
//! in memory while signed-in agents carry on. (The database plays no part here:
//! these run on SQLite.)
use crate::common::process::{client, login, wait_for_text, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn addr(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the socket; how long that took, or `None` if it
/// was still open after `limit`.
fn closed_within(mut sock: TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    sock.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match sock.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(start.elapsed()), // reset
        }
    }
    None
}

fn serve(dir: &tempfile::TempDir, extra: &[&str]) -> Server {
    let url = format!("sqlite://{}/conn.db", dir.path().display());
    Server::start_with(&url, &dir.path().join("files"), true, extra)
}

#[test]
fn silent_trickling_and_idle_connections_are_cut_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--header-timeout-secs", "1"]);
    // Connects and says nothing.
    let silent = TcpStream::connect(addr(&server)).unwrap();
    assert!(closed_within(silent, Duration::from_secs(5)).is_some(), "a silent socket stayed open");
    // Trickles a header, a byte at a time.
    let mut slow = TcpStream::connect(addr(&server)).unwrap();
    let cut = std::thread::spawn(move || {
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(150));
        }
        false
    });
    assert!(cut.join().unwrap(), "a trickled header was never cut");
    // Keep-alive: one request answered, then idle.
    let mut idle = TcpStream::connect(addr(&server)).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(closed_within(idle, Duration::from_secs(5)).is_some(), "an idle keep-alive connection stayed open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_outlive_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--header-timeout-secs", "1"]);
    let c = client();
    let cookie = login(&c, &server.base, "alex.operator@example.com", "operator-demo-pass").await;
    let mut stream = c.get(format!("{}/api/events", server.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let res = c
        .post(format!("{}/api/widget/conversations", server.base))
        .json(&serde_json::json!({"inbox": "demo-support", "token": "visitor-conn-aaaaaaaaaaaaaaaaaaaaaa"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert!(wait_for_text(&mut stream, "conversation.created", Duration::from_secs(5)).await, "the stream was cut");
}

#[test]
fn a_body_that_stops_arriving_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--body-timeout-secs", "1"]);
    let mut sock = TcpStream::connect(addr(&server)).unwrap();
    sock.write_all(
        b"POST /api/widget/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{\"inbox\":",
    )
    .unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n) = sock.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&answer);
    assert!(start.elapsed() < Duration::from_secs(6), "held open for {:?}", start.elapsed());
    assert!(head.starts_with("HTTP/1.1 408") || head.is_empty(), "answered {head:?}");
}

#[test]
fn the_connection_cap_holds_and_recovers_when_silent_sockets_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &["--max-connections", "8", "--header-timeout-secs", "2"]);
    let squatters: Vec<TcpStream> = (0..8).map(|_| TcpStream::connect(addr(&server)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    // Over the cap: closed at once rather than left hanging.
    let mut extra = TcpStream::connect(addr(&server)).unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = [0u8; 256];
    extra.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let n = extra.read(&mut buf).unwrap_or(0);
    assert!(!String::from_utf8_lossy(&buf[..n]).contains("200 OK"), "served over the cap");
    // The silent ones are cut by the header timeout, and the server answers again.
    let start = Instant::now();
    let mut healthy = false;
    while start.elapsed() < Duration::from_secs(8) {
        std::thread::sleep(Duration::from_millis(250));
        if let Ok(mut s) = TcpStream::connect(addr(&server)) {
            s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
            if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").is_ok() {
                let mut out = String::new();
                let _ = s.read_to_string(&mut out);
                if out.starts_with("HTTP/1.1 200") {
                    healthy = true;
                    break;
                }
            }
        }
    }
    drop(squatters);
    assert!(healthy, "never answered again after the silent sockets were cut");
}

/// The report: under `ulimit -n 512`, 600 silent sockets made `/healthz` and login
/// unreachable for good. Now the cap stays under the file limit and the silent ones
/// are cut by the header timeout.
#[test]
fn six_hundred_silent_sockets_under_a_512_file_limit_do_not_lock_the_server_out() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/conn.db", dir.path().display());
    let server = Server::start_with_file_limit(&url, &dir.path().join("files"), 512, &["--header-timeout-secs", "2"]);
    let silent: Vec<TcpStream> = (0..600).filter_map(|_| TcpStream::connect(addr(&server)).ok()).collect();
    assert!(silent.len() >= 500, "only {} sockets connected", silent.len());
    let start = Instant::now();
    let mut answered = None;
    while start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(250));
        let Ok(mut s) = TcpStream::connect(addr(&server)) else { continue };
        s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let login = "email=alex.operator%40example.com&password=operator-demo-pass";
        let req = format!(
            "POST /api/login HTTP/1.1\r\nHost: {0}\r\nOrigin: http://{0}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {1}\r\nConnection: close\r\n\r\n{login}",
            addr(&server),
            login.len()
        );
        if s.write_all(req.as_bytes()).is_ok() {
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.1 200") {
                answered = Some(start.elapsed());
                break;
            }
        }
    }
    drop(silent);
    assert!(answered.is_some(), "login never answered while 600 silent sockets were held");
    let mut s = TcpStream::connect(addr(&server)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_stays_bounded_and_agents_carry_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir, &[]);
    let c = client();
    let cookie = login(&c, &server.base, "alex.operator@example.com", "operator-demo-pass").await;
    let before = server.peak_rss_kib();
    let mut flood = Vec::new();
    for i in 0..1000 {
        let (c, base) = (c.clone(), server.base.clone());
        flood.push(tokio::spawn(async move {
            let email = format!("guess{}@example.com", i % 7);
            let res = c.post(format!("{base}/api/login")).header("origin", &base).form(&[("email", email.as_str()), ("password", "wrong-guess")]).send().await;
            res.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    // While the flood runs, a signed-in agent's requests are answered. (Their time is
    // printed, not asserted: speed is the benchmark's to measure.)
    let mut agent_ok = 0;
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let t = Instant::now();
        let res = c.post(format!("{}/api/inbox/counters", server.base)).header("origin", &server.base).header("cookie", &cookie).send().await.unwrap();
        slowest = slowest.max(t.elapsed());
        if res.status() == 200 {
            agent_ok += 1;
        }
    }
    eprintln!("an agent's slowest request during the flood: {slowest:?}");
    let mut counts = std::collections::BTreeMap::new();
    for h in flood {
        *counts.entry(h.await.unwrap()).or_insert(0) += 1;
    }
    let peak = server.peak_rss_kib();
    let after = server.rss_kib();
    eprintln!("login flood: {counts:?}; RSS {before} KiB before, peak {peak} KiB, {after} KiB after");
    assert_eq!(agent_ok, 5, "the agent was turned away during the flood");
    assert!(counts.keys().all(|s| [401, 429].contains(s)), "only 401 and 429: {counts:?}");
    assert!(counts.get(&429).copied().unwrap_or(0) >= 900, "the flood was not refused: {counts:?}");
    // A thousand requests at once cost their buffers while they last; unbounded
    // password checks cost 19 MiB each and kept it (4 GB before the fix).
    assert!(peak < before + 256 * 1024, "memory peaked at {peak} KiB from {before} KiB");
    assert!(after < before + 96 * 1024, "memory stayed at {after} KiB from {before} KiB");
}
