//! Runs the real `switchboard` binary as a child process and reads its memory.
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub base: String,
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(3900)
}

pub fn migrate(bin: &Path, url: &str) -> Result<()> {
    let out = Command::new(bin).arg("migrate").env("DATABASE_URL", url).output().context("run switchboard migrate")?;
    if !out.status.success() {
        bail!("switchboard migrate failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

impl Server {
    pub async fn start(bin: &Path, url: &str, data_dir: &Path, site: &Path) -> Result<Server> {
        let port = free_port();
        let log = std::fs::File::create(data_dir.join(format!("server-{port}.log")))?;
        let child = Command::new(bin)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            // All of the benchmark's visitors and agents come from one address with
            // thousands of streams per session: exactly what the visitor rate limits
            // and stream caps exist to refuse. They are tested on their own; here
            // they would measure nothing but 429s.
            .arg("--no-rate-limits")
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ROOT", site)
            // Request logs at info would measure the logger; warnings still show.
            .env("RUST_LOG", std::env::var("SWITCHBOARD_BENCH_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("start {}", bin.display()))?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await {
                if r.status().is_success() {
                    return Ok(server);
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "the server on port {port} did not become ready in 60 s (see {}/server-{port}.log)",
                    data_dir.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

pub fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: the server shuts its streams down and closes the pool.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raises this process's open-file limit to the hard limit; children inherit it.
pub fn raise_fd_limit() -> u64 {
    unsafe {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            return lim.rlim_cur as u64;
        }
    }
    0
}
