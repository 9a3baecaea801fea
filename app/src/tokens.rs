//! Random identifiers and secrets, and the hashes under which secrets are stored: the
//! one leaf module every domain takes them from (it imports nothing of the crate but
//! the database handle and errors).
use crate::db::Db;
use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// 96 random bits, URL-safe: client ids of system lines, storage keys, public keys.
pub fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(random::<12>())
}

/// 256 random bits, URL-safe: session tokens and other secrets.
pub fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(random::<32>())
}

/// How a secret is stored: its SHA-256, in hex.
pub fn hash(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// A server key kept in the `settings` table under `name`: created once, shared by
/// every instance on the database.
pub async fn server_key(db: &Db, name: &str) -> AppResult<Vec<u8>> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(name)
        .bind(URL_SAFE_NO_PAD.encode(random::<32>()))
        .execute(db.pool())
        .await?;
    let stored: String =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(name).fetch_one(db.pool()).await?;
    URL_SAFE_NO_PAD.decode(stored).map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_and_secrets_differ_and_hash_stably() {
        assert_ne!(super::random_id(), super::random_id());
        assert_eq!(super::random_secret().len(), 43);
        assert_eq!(super::hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
