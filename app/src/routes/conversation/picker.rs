//! The reply box's picker: the `/word` (canned responses) or `@word` (a colleague, in
//! a note) being typed at the caret, and what can be picked for it.
use crate::canned::CannedOption;

/// The byte offset of the `n`th UTF-16 unit of `text` (the browser counts a caret in
/// UTF-16 units).
pub(super) fn byte_at_utf16(text: &str, n: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= n {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The `/word` (or `@word`) being typed before the caret (`caret` in bytes): where it
/// starts and what follows the trigger. A trigger inside a word (`and/or`, an email
/// address) opens nothing.
pub(super) fn trigger_token(text: &str, caret: usize, trigger: char) -> Option<(usize, String)> {
    let before = text.get(..caret)?;
    let start = before.char_indices().rev().find(|(_, c)| c.is_whitespace()).map(|(i, c)| i + c.len_utf8()).unwrap_or(0);
    let word = &before[start..];
    word.strip_prefix(trigger).filter(|q| !q.contains(trigger)).map(|q| (start, q.to_string()))
}

/// The word a picker is open for: its byte range in the text, its trigger (`/` for
/// canned responses, `@` for a colleague in a note) and the query.
#[derive(Clone, PartialEq, Debug)]
pub(super) struct Token {
    pub start: usize,
    pub end: usize,
    pub trigger: char,
    pub query: String,
}

/// One line of the picker.
#[derive(Clone, PartialEq, Debug)]
pub(super) enum Pick {
    Canned(CannedOption),
    Member(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_words_open_the_picker() {
        let slash = |t: &str, c: usize| trigger_token(t, c, '/');
        assert_eq!(slash("/ref", 4), Some((0, "ref".into())));
        assert_eq!(slash("Hi /th", 6), Some((3, "th".into())));
        assert_eq!(slash("Hi\n/", 4), Some((3, "".into())));
        assert_eq!(slash("and/or", 6), None);
        assert_eq!(slash("/a/b", 4), None);
        assert_eq!(slash("/ref more", 9), None);
        assert_eq!(slash("é /x", "é /x".len()), Some(("é ".len(), "x".into())));
        assert_eq!(trigger_token("cc @Jo", 6, '@'), Some((3, "Jo".into())));
        assert_eq!(trigger_token("mail jo@x.io", 12, '@'), None);
    }

    #[test]
    fn carets_count_utf16_units() {
        assert_eq!(byte_at_utf16("a😀b", 3), 5);
        assert_eq!(byte_at_utf16("ab", 9), 2);
    }
}
