//! Rules for text that people type or send: which characters are refused, and which
//! are dropped from names that are shown to others.

/// The first character that no text may hold: C0 controls (NUL among them) other than
/// tab, line feed and carriage return. PostgreSQL refuses NUL outright, and the rest
/// are never typed by a person.
pub fn forbidden_control(s: &str) -> Option<char> {
    s.chars().find(|&c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
}

/// Bidirectional overrides, embeddings, isolates and marks: inside a name they make
/// `invoice\u{202e}gnp.txt` show as "invoicetxt.png".
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A name as it may be shown: no bidirectional controls and no control characters.
pub fn display_name(s: &str) -> String {
    s.chars().filter(|&c| !is_bidi_control(c) && !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_other_than_layout_are_refused() {
        assert_eq!(forbidden_control("a\u{0}b"), Some('\u{0}'));
        assert_eq!(forbidden_control("bell\u{7}"), Some('\u{7}'));
        assert_eq!(forbidden_control("tab\tline\nreturn\r"), None);
        assert_eq!(forbidden_control("ünïcode 日本 😀"), None);
    }

    #[test]
    fn names_lose_bidi_controls() {
        assert_eq!(display_name("invoice\u{202e}gnp.txt"), "invoicegnp.txt");
        assert_eq!(display_name("\u{2066}Robin\u{2069}\u{200f}"), "Robin");
        assert_eq!(display_name("Zoë\u{0} Ng"), "Zoë Ng");
    }
}
