//! Login throttling, and the bound on password checks running at once.
//!
//! Every attempt is counted *before* its password is verified, in one step with the
//! check, so requests in flight cannot slip past the limit together. A success takes
//! its attempt back from the address's count and clears the account's, so a team
//! behind one office address can still log in while a guesser is slowed to a crawl.
//! The account key is the caller's: the accounts domain passes the email exactly as
//! its lookup normalises it, so no spelling of an address gets fresh guesses.
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::{Semaphore, SemaphorePermit};

#[derive(Debug)]
pub struct LoginThrottle {
    /// Attempts allowed per (address, account) within a window, successes aside.
    pub per_account: u32,
    /// Attempts allowed per address within a window, whatever the account.
    pub per_address: u32,
    pub window_ms: i64,
    attempts: Mutex<HashMap<String, (u32, i64)>>,
    /// argon2 takes ~19 MiB and a core for a while: at most this many run at once.
    checks: Semaphore,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self::new(5, 50, 15 * 60 * 1000, cores)
    }
}

impl LoginThrottle {
    pub fn new(per_account: u32, per_address: u32, window_ms: i64, concurrent_checks: usize) -> Self {
        Self {
            per_account,
            per_address,
            window_ms,
            attempts: Mutex::default(),
            checks: Semaphore::new(concurrent_checks.max(1)),
        }
    }

    fn keys(addr: &str, account: &str) -> [String; 2] {
        [format!("{addr}|{account}"), format!("{addr}|*")]
    }

    /// Counts an attempt, or refuses it with `Err(seconds)` (until the window ends)
    /// when either limit is already reached. Check and count are one step.
    pub fn attempt(&self, addr: &str, account: &str, now: i64) -> Result<(), u64> {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, start)| now < *start + self.window_ms);
        }
        let keys = Self::keys(addr, account);
        for (key, limit) in keys.iter().zip([self.per_account, self.per_address]) {
            if let Some(&(count, start)) = map.get(key) {
                let ends = start + self.window_ms;
                if now < ends && count >= limit {
                    return Err(((ends - now) as u64).div_ceil(1000).max(1));
                }
            }
        }
        for key in keys {
            let entry = map.entry(key).or_insert((0, now));
            if now >= entry.1 + self.window_ms {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// The attempt was right: the account starts afresh and the address gets its
    /// attempt back.
    pub fn succeeded(&self, addr: &str, account: &str) {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let [account, address] = Self::keys(addr, account);
        map.remove(&account);
        if let Some(entry) = map.get_mut(&address) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    /// A slot for one password check, or `None` when as many run as there are cores:
    /// the caller answers 429 at once rather than queueing without bound.
    pub fn password_check(&self) -> Option<SemaphorePermit<'_>> {
        self.checks.try_acquire().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_reopens_after_the_window() {
        let t = LoginThrottle::new(3, 100, 60_000, 2);
        for _ in 0..3 {
            assert!(t.attempt("1.2.3.4", "a@x", 0).is_ok());
        }
        assert_eq!(t.attempt("1.2.3.4", "a@x", 1_000), Err(59));
        assert!(t.attempt("5.6.7.8", "a@x", 1_000).is_ok(), "another address is not blocked");
        assert!(t.attempt("1.2.3.4", "b@x", 1_000).is_ok(), "another account is not blocked");
        assert!(t.attempt("1.2.3.4", "a@x", 60_000).is_ok(), "the window has passed");
    }

    #[test]
    fn attempts_count_before_they_are_verified() {
        // Many in flight at once (none has finished verifying): only the limit pass.
        let t = LoginThrottle::new(5, 1000, 60_000, 2);
        let passed = (0..40).filter(|_| t.attempt("ip", "a@x", 0).is_ok()).count();
        assert_eq!(passed, 5);
    }

    #[test]
    fn per_address_limit_spans_accounts() {
        let t = LoginThrottle::new(100, 2, 60_000, 2);
        assert!(t.attempt("ip", "a", 0).is_ok());
        assert!(t.attempt("ip", "b", 0).is_ok());
        assert!(t.attempt("ip", "c", 0).is_err());
    }

    #[test]
    fn success_clears_the_account_and_refunds_the_address() {
        let t = LoginThrottle::new(2, 2, 60_000, 2);
        assert!(t.attempt("ip", "a", 0).is_ok());
        t.succeeded("ip", "a");
        assert!(t.attempt("ip", "a", 0).is_ok());
        t.succeeded("ip", "a");
        // Two successes used none of the address's two attempts.
        assert!(t.attempt("ip", "b", 0).is_ok());
        assert!(t.attempt("ip", "c", 0).is_ok());
        assert!(t.attempt("ip", "d", 0).is_err());
    }

    #[test]
    fn password_checks_are_bounded() {
        let t = LoginThrottle::new(5, 50, 60_000, 2);
        let a = t.password_check();
        let b = t.password_check();
        assert!(a.is_some() && b.is_some());
        assert!(t.password_check().is_none(), "a third check while two run");
        drop(a);
        assert!(t.password_check().is_some());
    }
}
