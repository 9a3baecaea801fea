//! Failed-login throttling. Only failures count, so a team behind one office IP can
//! still log in while a password guesser is slowed to a crawl.
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
pub struct LoginThrottle {
    /// Failures allowed per (address, email) within a window.
    pub per_account: u32,
    /// Failures allowed per address within a window, whatever the email.
    pub per_address: u32,
    pub window_ms: i64,
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(5, 50, 15 * 60 * 1000)
    }
}

impl LoginThrottle {
    pub fn new(per_account: u32, per_address: u32, window_ms: i64) -> Self {
        Self { per_account, per_address, window_ms, failures: Mutex::default() }
    }

    fn keys(addr: &str, email: &str) -> [(String, u32); 2] {
        [(format!("{addr}|{}", email.to_lowercase()), 0), (format!("{addr}|*"), 1)]
    }

    /// `Err(seconds)` while either limit is reached: how long until the window ends.
    pub fn check(&self, addr: &str, email: &str, now: i64) -> Result<(), u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (key, which) in Self::keys(addr, email) {
            let limit = if which == 0 { self.per_account } else { self.per_address };
            if let Some(&(count, start)) = map.get(&key) {
                let ends = start + self.window_ms;
                if now < ends && count >= limit {
                    return Err(((ends - now) as u64).div_ceil(1000).max(1));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, addr: &str, email: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, start)| now < *start + self.window_ms);
        }
        for (key, _) in Self::keys(addr, email) {
            let entry = map.entry(key).or_insert((0, now));
            if now >= entry.1 + self.window_ms {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn record_success(&self, addr: &str, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&Self::keys(addr, email)[0].0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_reopens_after_the_window() {
        let t = LoginThrottle::new(3, 100, 60_000);
        for _ in 0..3 {
            assert!(t.check("1.2.3.4", "a@x", 0).is_ok());
            t.record_failure("1.2.3.4", "a@x", 0);
        }
        assert_eq!(t.check("1.2.3.4", "A@X", 1_000), Err(59));
        assert!(t.check("5.6.7.8", "a@x", 1_000).is_ok(), "another address is not blocked");
        assert!(t.check("1.2.3.4", "b@x", 1_000).is_ok(), "another account is not blocked");
        assert!(t.check("1.2.3.4", "a@x", 60_000).is_ok(), "the window has passed");
    }

    #[test]
    fn per_address_limit_spans_accounts() {
        let t = LoginThrottle::new(100, 2, 60_000);
        t.record_failure("ip", "a", 0);
        t.record_failure("ip", "b", 0);
        assert!(t.check("ip", "c", 0).is_err());
    }

    #[test]
    fn success_clears_the_account_counter() {
        let t = LoginThrottle::new(2, 100, 60_000);
        t.record_failure("ip", "a", 0);
        t.record_success("ip", "a");
        t.record_failure("ip", "a", 0);
        assert!(t.check("ip", "a", 0).is_ok());
    }
}
