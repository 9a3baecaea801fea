//! Files on disk, under the data dir. A stored file is named by a generated key,
//! never by anything a client sent, so no path can escape the directory.
use std::path::{Path, PathBuf};

/// Where the attachment with `key` lives; `None` for a key that is not one of ours.
pub fn attachment_path(data_dir: &Path, key: &str) -> Option<PathBuf> {
    let safe = !key.is_empty() && key.len() <= 128 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    safe.then(|| data_dir.join("attachments").join(key))
}

/// Removes stored attachments; a file already gone is fine.
pub async fn remove_attachments(data_dir: &Path, keys: &[String]) {
    for key in keys {
        if let Some(path) = attachment_path(data_dir, key) {
            if let Err(e) = tokio::fs::remove_file(&path).await {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(error = %e, "could not remove an attachment file");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_generated_keys_map_to_paths() {
        let dir = std::path::Path::new("/data");
        assert_eq!(super::attachment_path(dir, "ab-12_c").unwrap(), std::path::Path::new("/data/attachments/ab-12_c"));
        for bad in ["", "../etc/passwd", "a/b", "a.b", ".."] {
            assert!(super::attachment_path(dir, bad).is_none(), "{bad:?}");
        }
    }
}
