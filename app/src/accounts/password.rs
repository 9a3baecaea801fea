//! argon2id password hashes. Hashing is deliberately slow, so it runs on threads of
//! its own and never stalls the async threads.
use crate::error::{AppError, AppResult};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_LEN: usize = 8;

pub fn validate(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_LEN {
        return Err(AppError::Unprocessable(format!("the password needs at least {MIN_LEN} characters")));
    }
    if password.len() > 1024 {
        return Err(AppError::Unprocessable("the password is too long".into()));
    }
    Ok(())
}

pub fn hash_blocking(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::Internal)
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Runs `f` on one of the password threads (one per core). argon2 allocates 19 MiB
/// per run, and glibc keeps freed memory in the arena of the thread that used it: on
/// the open-ended blocking pool, every new thread kept its own 19 MiB (a login flood
/// once left the server at 4 GB). A fixed set of threads bounds that for good.
async fn on_password_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    type Job = Box<dyn FnOnce() + Send>;
    static JOBS: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    let jobs = JOBS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        for i in 0..threads {
            let rx = rx.clone();
            let _ = std::thread::Builder::new().name(format!("password-{i}")).spawn(move || loop {
                let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
        }
        tx
    });
    let (tx, rx) = tokio::sync::oneshot::channel();
    jobs.send(Box::new(move || {
        let _ = tx.send(f());
    }))
    .map_err(|_| AppError::Internal)?;
    rx.await.map_err(|_| AppError::Internal)
}

pub async fn hash(password: String) -> AppResult<String> {
    on_password_thread(move || hash_blocking(&password)).await?
}

/// Verifies against `hash`, or against a dummy hash when there is no such agent, so
/// that a missing account takes as long to reject as a wrong password.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    on_password_thread(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7Hj0m8Nb3hS0b9qv0lq3dH0mE3a0v8Q2f1m0t6y7n9A";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("wrong horse", &h));
        assert_ne!(h, hash_blocking("correct horse").unwrap(), "salts differ");
    }

    #[test]
    fn garbage_hash_never_verifies() {
        assert!(!verify_blocking("x", "not a hash"));
        assert!(!verify_blocking("anything", DUMMY_HASH));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(validate("short").unwrap_err().status(), 422);
        assert!(validate("long enough").is_ok());
    }
}
