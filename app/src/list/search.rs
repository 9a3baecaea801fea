//! Search in the inbox list: the customer's name, email and external id, the chat's
//! page and subject, and the words of its messages. Per-dialect SQL sits side by side.
//!
//! Each word typed must start a word of one message (FTS5 prefix terms on SQLite,
//! `plainto_tsquery` on PostgreSQL). How SQLite should look depends on how common the
//! words are, so [`matches`] estimates that first, cheaply:
//! - **indexed** (few matches anywhere, the text at least three characters): the
//!   conversations are collected from the indexes (FTS5 on the messages, trigrams on
//!   the customer's name and email and the chat's page and subject), then listed; each
//!   is still checked with the conditions below, so the trigrams only say where to look;
//! - **few** matching messages: collect their conversations, and walk the list in its
//!   order checking each against them and the customer's fields;
//! - **many**: walk the list in its order and check each conversation against the set
//!   of matching messages, until the page is full;
//! - **dense** (the words are in at least one recent message in a hundred): walk the
//!   list in its order and read each conversation's messages, until the page is full.
//!   FTS5 is not asked at all: a prefix term makes it merge the lists of every term
//!   that starts so, which for "order" at 10M messages is 3.3M rowids (124 ms) before
//!   the first conversation is checked, and 470 ms with the set built from them.
use super::query::{Bind, Builder};
use super::ListQuery;
use crate::db::{Db, Dialect, Sql};
use crate::error::AppResult;

/// How many messages a search matches, roughly: it decides how SQLite should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matches {
    Few,
    /// Few, and under [`MANY_MATCHES`] in the trigram indexes too (SQLite only).
    Indexed,
    /// At least [`MANY_MATCHES`].
    Many,
    /// In at least [`DENSE_HITS`] of the newest [`SAMPLE`] messages: "order", "thanks".
    Dense,
}

/// Above this many matching messages, collecting their conversations first costs more
/// than checking the list's conversations one by one, in order, until the page is full.
const MANY_MATCHES: i64 = 1000;
/// The newest messages the density is sampled from, and the hits among them that make
/// a search dense (1%: a conversation of 50 messages then holds a match four times in
/// ten, so a page of 50 is full after reading about 125 conversations).
const SAMPLE: i64 = 2000;
const DENSE_HITS: i64 = 20;

/// Estimates the matches: the newest messages' density first (about a millisecond),
/// then FTS5 counts up to the threshold, newest first.
pub async fn matches(db: &Db, q: &ListQuery) -> AppResult<Matches> {
    let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(Matches::Few) };
    let arg = match db.dialect() {
        Dialect::Sqlite => {
            if let Some(words) = plain_words(text) {
                let sample = format!(
                    "SELECT COUNT(*) FROM (SELECT body FROM messages WHERE visibility <> 'off_record' AND whisper = 0
                       ORDER BY id DESC LIMIT $1) m WHERE {}",
                    word_conditions(words.len(), 2)
                );
                let mut query = sqlx::query_scalar(&sample).bind(SAMPLE);
                for w in words {
                    query = query.bind(w);
                }
                let hits: i64 = query.fetch_one(db.pool()).await?;
                if hits >= DENSE_HITS {
                    return Ok(Matches::Dense);
                }
            }
            match fts5_query(text) {
                Some(fts) => fts,
                None => return Ok(Matches::Few),
            }
        }
        Dialect::Postgres => text.to_string(),
    };
    const COUNT: Sql = Sql {
        sqlite: "SELECT COUNT(*) FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH $1 ORDER BY rowid DESC LIMIT $2)",
        postgres: "SELECT COUNT(*)::BIGINT FROM (SELECT 1 FROM messages WHERE body_tsv @@ plainto_tsquery('simple', $1) LIMIT $2) x",
    };
    let n: i64 = sqlx::query_scalar(db.sql(&COUNT)).bind(arg).bind(MANY_MATCHES).fetch_one(db.pool()).await?;
    if n >= MANY_MATCHES {
        return Ok(Matches::Many);
    }
    let Some(phrase) = trigram_phrase(text).filter(|_| db.dialect() == Dialect::Sqlite) else { return Ok(Matches::Few) };
    let fields: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM (SELECT rowid FROM customers_trgm WHERE customers_trgm MATCH $1 LIMIT $2))
              + (SELECT COUNT(*) FROM (SELECT rowid FROM conversations_trgm WHERE conversations_trgm MATCH $1 LIMIT $2))",
    )
    .bind(phrase)
    .bind(MANY_MATCHES)
    .fetch_one(db.pool())
    .await?;
    Ok(if n + fields < MANY_MATCHES { Matches::Indexed } else { Matches::Few })
}

/// The conversations that may match, from the indexes alone (SQLite, [`Matches::Indexed`]):
/// a superset of the matches, since the trigram tables fold case beyond ASCII.
fn candidates(b: &mut Builder, text: &str, exact: &str, fts: String, visible: &str) -> Option<String> {
    let phrase = b.bind(Bind::S(trigram_phrase(text)?));
    let fts = b.bind(Bind::S(fts));
    Some(format!(
        "c.id IN (
           SELECT c2.id FROM conversations c2 WHERE c2.customer_id IN (SELECT rowid FROM customers_trgm WHERE customers_trgm MATCH {phrase})
           UNION ALL SELECT c3.id FROM customers cu3 JOIN conversations c3 ON c3.customer_id = cu3.id WHERE cu3.external_id = {exact}
           UNION ALL SELECT rowid FROM conversations_trgm WHERE conversations_trgm MATCH {phrase}
           UNION ALL SELECT m.conversation_id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
             WHERE messages_fts MATCH {fts} AND {visible})"
    ))
}

pub(super) fn search_clause(b: &mut Builder, dialect: Dialect, text: &str, many: Matches) {
    let like = b.bind(Bind::S(like_pattern(text)));
    let exact = b.bind(Bind::S(text.to_string()));
    const VISIBLE: &str = "m.visibility <> 'off_record' AND m.whisper = 0";
    if let (Dialect::Sqlite, Matches::Indexed, Some(fts)) = (dialect, many, fts5_query(text)) {
        if let Some(c) = candidates(b, text, &exact, fts, VISIBLE) {
            b.wheres.push(c);
        }
    }
    let messages = match (dialect, fts5_query(text), plain_words(text)) {
        (Dialect::Sqlite, Some(_), Some(plain)) if many == Matches::Dense => {
            let first = b.binds.len() + 1;
            for w in plain.iter() {
                b.bind(Bind::S(w.clone()));
            }
            let words = word_conditions(plain.len(), first);
            format!(" OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND {VISIBLE} AND {words})")
        }
        // A common term: each conversation, in the list's order, is checked against the
        // matching rowids, and the scan stops when the page is full. Collecting the
        // conversations of every match first (below) took 150 ms at 1M messages.
        (Dialect::Sqlite, Some(fts), _) if matches!(many, Matches::Many | Matches::Dense) => {
            let p = b.bind(Bind::S(fts));
            format!(
                " OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND {VISIBLE}
                   AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH {p}))"
            )
        }
        (Dialect::Sqlite, Some(fts), _) => {
            let p = b.bind(Bind::S(fts));
            format!(
                " OR c.id IN (SELECT m.conversation_id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
                   WHERE messages_fts MATCH {p} AND {VISIBLE})"
            )
        }
        // PostgreSQL: with many matches the IN list no longer fits a hashed subplan and
        // was re-run for every conversation (over a minute at 1M messages).
        (Dialect::Postgres, Some(_), _) if matches!(many, Matches::Many | Matches::Dense) => format!(
            " OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
               AND m.body_tsv @@ plainto_tsquery('simple', {exact}) AND {VISIBLE})"
        ),
        (Dialect::Postgres, Some(_), _) => format!(
            " OR c.id IN (SELECT m.conversation_id FROM messages m
               WHERE m.body_tsv @@ plainto_tsquery('simple', {exact}) AND {VISIBLE})"
        ),
        (_, None, _) => String::new(),
    };
    b.wheres.push(format!(
        "(lower(cu.name) LIKE {like} ESCAPE '\\' OR lower(cu.email) LIKE {like} ESCAPE '\\' OR cu.external_id = {exact}
          OR lower(c.context_label) LIKE {like} ESCAPE '\\' OR lower(c.subject) LIKE {like} ESCAPE '\\'{messages})"
    ));
}

/// A LIKE pattern that matches `s` literally anywhere, case-insensitively.
fn like_pattern(s: &str) -> String {
    let escaped: String = s.to_lowercase().chars().flat_map(|c| match c {
        '%' | '_' | '\\' => vec!['\\', c],
        c => vec![c],
    }).collect();
    format!("%{escaped}%")
}

/// An FTS5 query that matches every word literally (quotes doubled), as a prefix.
fn fts5_query(s: &str) -> Option<String> {
    let words: Vec<String> = s.split_whitespace().map(|w| format!("\"{}\"*", w.replace('"', "\"\""))).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The text as one FTS5 phrase for the trigram tables (quotes doubled), when it is
/// long enough for them: a trigram index cannot look up fewer than three characters.
fn trigram_phrase(s: &str) -> Option<String> {
    (s.chars().count() >= 3).then(|| format!("\"{}\"", s.replace('"', "\"\"")))
}

/// For words of ASCII letters and digits only: the words, lowercased. Each is matched
/// by a GLOB pattern against `' ' || lower(body)` that holds when a word of the text
/// starts with it (see [`word_conditions`]). FTS5's tokenizer (unicode61) splits the text at every character that is not a
/// letter or a digit, and ASCII letters and digits are the only ASCII characters it
/// keeps, so on ASCII text the two agree: "border" does not start "order", "re-order"
/// and "Orders" do. They differ only beside letters outside ASCII, which SQLite's
/// `lower` leaves alone and FTS5 folds ("Órder" starts "order" for FTS5 only).
fn plain_words(s: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let plain = |w: &&str| w.bytes().all(|c| c.is_ascii_alphanumeric());
    (!words.is_empty() && words.iter().all(plain)).then(|| words.iter().map(|w| w.to_ascii_lowercase()).collect())
}

/// `n` conditions on the message `m`, the words bound from `$first` on: every word
/// starts a word of it. `instr` goes first: it rules out most messages at memchr
/// speed, and the GLOB (whose leading `*[^a-z0-9]` is tried at every position: 15 ms
/// for 2,000 messages, against 1 to 3 ms with `instr` first) runs only on the rest.
fn word_conditions(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("(instr(lower(m.body), ${i}) > 0 AND (' ' || lower(m.body)) GLOB ('*[^a-z0-9]' || ${i} || '*'))"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_input_is_always_literal() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(fts5_query("say \"hi\" OR"), Some("\"say\"* \"\"\"hi\"\"\"* \"OR\"*".into()));
        assert_eq!(fts5_query("   "), None);
    }

    #[test]
    fn only_plain_words_are_matched_by_glob() {
        assert_eq!(plain_words("Order 42"), Some(vec!["order".into(), "42".into()]));
        for not_plain in ["e-mail", "café", "a*b", "[x]", "   "] {
            assert_eq!(plain_words(not_plain), None, "{not_plain}");
        }
        assert_eq!(
            word_conditions(2, 4),
            "(instr(lower(m.body), $4) > 0 AND (' ' || lower(m.body)) GLOB ('*[^a-z0-9]' || $4 || '*')) AND \
             (instr(lower(m.body), $5) > 0 AND (' ' || lower(m.body)) GLOB ('*[^a-z0-9]' || $5 || '*'))"
        );
    }
}
