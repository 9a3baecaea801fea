//! The site the server serves, inside the binary: `switchboard serve` needs no
//! `target/site` beside it. Built in its own crate so a new console build recompiles
//! this file and relinks, not the server.
use std::borrow::Cow;

#[derive(rust_embed::RustEmbed)]
#[folder = "../target/site"]
#[allow_missing = true]
struct Site;

/// One embedded file.
pub struct Asset {
    pub bytes: Cow<'static, [u8]>,
    pub mime: String,
    /// Hex SHA-256 of the contents, for the ETag.
    pub hash: String,
}

/// The file at `path` (no leading slash), if the site holds it.
pub fn get(path: &str) -> Option<Asset> {
    let file = Site::get(path)?;
    let hash = file.metadata.sha256_hash().iter().map(|b| format!("{b:02x}")).collect();
    Some(Asset { mime: file.metadata.mimetype().to_string(), bytes: file.data, hash })
}

/// How many files were embedded (0 when the site was not built before this crate).
pub fn len() -> usize {
    Site::iter().count()
}
