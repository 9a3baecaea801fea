//! File attachments, both ways. A file is checked against an allowlist by its magic
//! bytes (never by its name or declared type), stored under a generated key, and
//! served by id with `Content-Disposition` and `nosniff`.
#[cfg(feature = "ssr")]
pub mod store;


pub use crate::model::attachment::AttachmentRef;

/// Images a browser may show inline (never SVG: it can carry script).
pub fn is_inline_image(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg" | "image/gif" | "image/webp")
}

/// "12 KB", "3.4 MB".
pub fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The allowed types and the name extensions each may carry.
#[cfg(feature = "ssr")]
const ALLOWED: [(&str, &[&str]); 6] = [
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    ("application/pdf", &["pdf"]),
    ("text/plain", &["txt", "log", "csv", "md"]),
];

/// Plain text: valid UTF-8 without NUL bytes, and nothing a browser would take for
/// markup (a leading `<`).
#[cfg(feature = "ssr")]
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    !text.contains('\0') && !text.trim_start_matches('\u{feff}').trim_start().starts_with('<')
}

/// The type of `bytes` if it is on the allowlist, and agrees with `name`'s extension.
#[cfg(feature = "ssr")]
pub fn check_type(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let sniffed = match infer::get(bytes).map(|t| t.mime_type()) {
        Some(m) => ALLOWED.iter().map(|(t, _)| *t).find(|t| *t == m),
        None if !bytes.is_empty() && is_plain_text(bytes) => Some("text/plain"),
        None => None,
    };
    let Some(kind) = sniffed else {
        return Err("this type of file is not accepted: send images (PNG, JPEG, GIF, WebP), PDF or plain text".into());
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if let Some(ext) = ext {
        let fits = ALLOWED.iter().any(|(t, exts)| *t == kind && exts.contains(&ext.as_str()));
        if !fits {
            return Err(format!("the file's content ({kind}) does not match its name"));
        }
    }
    Ok(kind)
}

/// A display name from what the client sent: no directories, no control or
/// bidirectional characters,
/// at most 120 characters. It is only ever shown, never used as a path.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = crate::text::display_name(base).trim().trim_start_matches('.').to_string();
    let cleaned: String = cleaned.chars().take(120).collect();
    if cleaned.is_empty() { "file".into() } else { cleaned }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

    #[test]
    fn types_come_from_the_bytes_and_must_match_the_name() {
        assert_eq!(check_type("photo.PNG", PNG), Ok("image/png"));
        assert_eq!(check_type("photo", PNG), Ok("image/png"));
        assert!(check_type("photo.pdf", PNG).is_err(), "a PNG named .pdf");
        assert!(check_type("evil.png", b"<html><script>alert(1)</script>").is_err(), "HTML passed off as PNG");
        assert!(check_type("evil.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_err(), "SVG passed off as PNG");
        assert!(check_type("notes.txt", b"  <b>hi</b>").is_err(), "markup is not plain text");
        assert_eq!(check_type("notes.txt", "plain words, ünïcode".as_bytes()), Ok("text/plain"));
        assert_eq!(check_type("doc.pdf", b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert!(check_type("a.exe", b"MZ\x90\x00\x03\x00\x00\x00").is_err());
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("..\u{0}"), "file");
        assert_eq!(clean_name("a\nb.txt"), "ab.txt");
        assert_eq!(clean_name("invoice\u{202e}gnp.txt"), "invoicegnp.txt", "a right-to-left override");
        assert_eq!(human_size(2048), "2 KB");
    }
}
