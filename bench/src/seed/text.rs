//! Generated names and message text: a support-chat vocabulary with a long tail, the
//! common term in about one message in three, and deterministic tokens.
use super::{sha256_hex, COMMON_TERM, RARE_TERM};
use rand::rngs::StdRng;
use rand::Rng;

pub const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Eve", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi", "Liam", "Mia", "Noor",
    "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe",
];
pub const LAST: &[&str] = &[
    "Silva", "Novak", "Garcia", "Kim", "Müller", "Rossi", "Dubois", "Nakamura", "Jensen", "Kowalski", "Haddad",
    "Fischer", "Ivanova", "Okafor", "Larsen", "Moreau", "Costa", "Yilmaz", "Berg", "Patel",
];
/// Support-chat vocabulary; the long tail is made of numbered tokens.
const WORDS: &[&str] = &[
    "hello",
    "hi",
    "thanks",
    "please",
    "help",
    "account",
    "password",
    "reset",
    "payment",
    "invoice",
    "refund",
    "delivery",
    "shipping",
    "package",
    "tracking",
    "address",
    "card",
    "charged",
    "twice",
    "cancel",
    "subscription",
    "plan",
    "upgrade",
    "login",
    "email",
    "error",
    "page",
    "app",
    "phone",
    "update",
    "week",
    "today",
    "tomorrow",
    "yesterday",
    "still",
    "waiting",
    "arrived",
    "broken",
    "damaged",
    "replace",
    "return",
    "label",
    "price",
    "discount",
    "code",
    "coupon",
    "works",
    "now",
    "great",
    "sorry",
    "checking",
    "moment",
    "team",
    "support",
    "ticket",
    "number",
    "the",
    "my",
    "your",
    "is",
    "it",
    "can",
    "you",
    "we",
    "not",
    "and",
    "for",
    "with",
    "this",
    "that",
    "was",
];

pub fn body(rng: &mut StdRng, rare: bool) -> String {
    let n = rng.gen_range(4..16);
    let mut words: Vec<String> = (0..n)
        .map(|_| {
            if rng.gen_bool(0.15) {
                format!("t{}", rng.gen_range(0..50_000))
            } else {
                WORDS[(rng.gen::<f64>().powi(2) * WORDS.len() as f64) as usize].to_string()
            }
        })
        .collect();
    if rng.gen_bool(0.33) {
        let at = rng.gen_range(0..words.len());
        words.insert(at, COMMON_TERM.into());
    }
    if rare {
        words.push(RARE_TERM.into());
    }
    words.join(" ")
}

/// A 43-character URL-safe token, as the widget makes them.
pub fn token(kind: &str, i: usize) -> String {
    let h = sha256_hex(&format!("{kind}-{i}"));
    format!("{kind}{}", &h[..40])
}

