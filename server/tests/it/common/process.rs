//! Real `switchboard serve` processes, for tests of what only a process can show:
//! signals, crashes, and several instances sharing one database.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(database_url: &str, data_dir: &std::path::Path, demo: bool) -> Server {
        Self::start_with(database_url, data_dir, demo, &[])
    }

    /// Starts a server with extra `serve` arguments.
    pub fn start_with(database_url: &str, data_dir: &std::path::Path, demo: bool, extra: &[&str]) -> Server {
        Self::spawn(Command::new(env!("CARGO_BIN_EXE_switchboard")), database_url, data_dir, demo, extra)
    }

    /// Starts a server that may open at most `files` files (soft and hard limit).
    pub fn start_with_file_limit(database_url: &str, data_dir: &std::path::Path, files: u64, extra: &[&str]) -> Server {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        // SAFETY: setrlimit is async-signal-safe, as pre_exec requires.
        unsafe {
            cmd.pre_exec(move || {
                let lim = libc::rlimit { rlim_cur: files, rlim_max: files };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Self::spawn(cmd, database_url, data_dir, true, extra)
    }

    pub fn spawn(mut cmd: Command, database_url: &str, data_dir: &std::path::Path, demo: bool, extra: &[&str]) -> Server {
        cmd.env("RUST_LOG", "warn")
            .args(["--database-url", database_url, "serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::piped());
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd.spawn().expect("spawn switchboard");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("the server printed its address").unwrap();
            if let Some(a) = line.strip_prefix("Switchboard listening on http://") {
                break a.to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base: format!("http://{addr}") }
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill").args([sig, &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill {sig}");
    }

    /// Waits for the process to end; `None` if it is still running after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }
}

impl Server {
    /// The process's peak resident memory so far, in KiB (Linux).
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    /// The process's resident memory now, in KiB (Linux).
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that keeps cookies and sends the Origin the console would.
pub fn client() -> reqwest::Client {
    // Idle pooled connections go before the server's header timeout closes them.
    reqwest::Client::builder().timeout(Duration::from_secs(20)).pool_idle_timeout(Duration::from_secs(5)).build().unwrap()
}

/// Logs in and returns the `Cookie` header value.
pub async fn login(c: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let res = c
        .post(format!("{base}/api/login"))
        .header("origin", base)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "login {email}");
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Reads a streaming response until `needle` shows up or the time runs out.
pub async fn wait_for_text(res: &mut reqwest::Response, needle: &str, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    let mut seen = String::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if seen.contains(needle) {
            return true;
        }
    }
    false
}
