//! The widget's words, one table per language: English and Norwegian Bokmål. The
//! language comes from `Switchboard('boot', {locale})` (the loader passes it in the
//! frame's address), else the browser's, else English.
use std::cell::Cell;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Lang {
    En,
    Nb,
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Picks the language from a locale tag such as `nb`, `nb-NO`, `no` or `nn`.
pub(crate) fn pick(tag: &str) -> Option<Lang> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some(Lang::En),
        "nb" | "no" | "nn" => Some(Lang::Nb),
        _ => None,
    }
}

/// Sets the language: the first of `wanted` (boot's locale, then the browser's
/// languages) that has a table.
pub(crate) fn choose<'a>(wanted: impl IntoIterator<Item = &'a str>) -> Lang {
    let lang = wanted.into_iter().find_map(pick).unwrap_or(Lang::En);
    LANG.with(|l| l.set(lang));
    lang
}

pub(crate) fn lang() -> Lang {
    LANG.with(|l| l.get())
}

macro_rules! table {
    ($($key:ident => $en:literal, $nb:literal;)+) => {
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Key { $($key,)+ }

        /// The text for `key` in the chosen language.
        pub(crate) fn t(key: Key) -> &'static str {
            match (lang(), key) {
                $((Lang::En, Key::$key) => $en, (Lang::Nb, Key::$key) => $nb,)+
            }
        }
    };
}

table! {
    OpenChat => "Open chat", "Åpne chat";
    CloseChat => "Close chat", "Lukk chat";
    Chat => "Chat", "Chat";
    ChatWithUs => "Chat with us", "Chat med oss";
    Messages => "Messages", "Meldinger";
    YourName => "Your name", "Navnet ditt";
    YourEmail => "Your email", "E-postadressen din";
    Message => "Message", "Melding";
    WriteAMessage => "Write a message…", "Skriv en melding …";
    Send => "Send", "Send";
    AttachAFile => "Attach a file", "Legg ved en fil";
    Sending => "Sending…", "Sender …";
    Retry => "Retry", "Prøv igjen";
    Seen => "Seen", "Sett";
    Visitor => "Visitor", "Besøkende";
    Waiting => "Waiting for an agent", "Venter på en medarbeider";
    Open => "Open", "Åpen";
    Cancelled => "Cancelled by support — write to reopen", "Avbrutt av kundeservice — skriv for å åpne igjen";
    Solved => "Solved — write to reopen", "Løst — skriv for å åpne igjen";
    Closed => "Closed — write to reopen", "Lukket — skriv for å åpne igjen";
    Ended => "This chat has ended", "Denne chatten er avsluttet";
    EndedNotice => "This chat has ended. Write below to start a new one.", "Denne chatten er avsluttet. Skriv nedenfor for å starte en ny.";
    Unavailable => "Chat is unavailable", "Chatten er ikke tilgjengelig";
    OfflineNotice => "We're away right now. Leave a message and we'll answer here.", "Vi er borte akkurat nå. Legg igjen en melding, så svarer vi her.";
    SurveyTitle => "How was your chat?", "Hvordan var chatten?";
    SurveyScale => "Your rating, from 1 (very poor) to 5 (excellent)", "Din vurdering, fra 1 (svært dårlig) til 5 (utmerket)";
    Score1 => "1 of 5: very poor", "1 av 5: svært dårlig";
    Score2 => "2 of 5: poor", "2 av 5: dårlig";
    Score3 => "3 of 5: okay", "3 av 5: greit";
    Score4 => "4 of 5: good", "4 av 5: bra";
    Score5 => "5 of 5: excellent", "5 av 5: utmerket";
    WhatWentWrong => "What went wrong? (optional)", "Hva gikk galt? (valgfritt)";
    SendRating => "Send rating", "Send vurdering";
    ChangeRating => "Change rating", "Endre vurdering";
    RatingFailed => "The rating was not saved. Check your connection and try again.", "Vurderingen ble ikke lagret. Sjekk tilkoblingen og prøv igjen.";
    LessThanAMinute => "less than a minute", "under ett minutt";
    EmailNeeded => "Leave your email so we can write back.", "Legg igjen e-postadressen din, så vi kan svare deg.";
}

const WEEKDAYS: [[&str; 7]; 2] = [
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
];

/// "We're back Monday at 09:00. Leave your email and a message…" (offline).
pub(crate) fn back(day: Option<u8>, time: Option<String>, in_days: Option<i64>) -> String {
    let l = if lang() == Lang::Nb { 1 } else { 0 };
    let when = match (day, time, in_days) {
        (_, Some(t), Some(0)) => [format!("today at {t}"), format!("i dag kl. {t}")][l].clone(),
        (_, Some(t), Some(1)) => [format!("tomorrow at {t}"), format!("i morgen kl. {t}")][l].clone(),
        (Some(d), Some(t), _) if d < 7 => [format!("{} at {t}", WEEKDAYS[0][d as usize]), format!("{} kl. {t}", WEEKDAYS[1][d as usize])][l].clone(),
        _ => return ["We're closed right now. Leave your email and a message, and we'll write back.".to_string(),
            "Vi er stengt nå. Legg igjen e-postadressen din og en melding, så svarer vi.".to_string()][l].clone(),
    };
    match lang() {
        Lang::En => format!("We're back {when}. Leave your email and a message, and we'll write back."),
        Lang::Nb => format!("Vi er tilbake {when}. Legg igjen e-postadressen din og en melding, så svarer vi."),
    }
}

/// "We typically reply in about 4 minutes".
pub(crate) fn typically(ms: f64) -> String {
    let min = (ms / 60_000.0).round().max(1.0) as i64;
    match (lang(), min) {
        (Lang::En, 1) => "We typically reply in about a minute".into(),
        (Lang::En, m) => format!("We typically reply in about {m} minutes"),
        (Lang::Nb, 1) => "Vi svarer vanligvis i løpet av et minutt".into(),
        (Lang::Nb, m) => format!("Vi svarer vanligvis i løpet av {m} minutter"),
    }
}

/// "Not sent (reason)."
pub(crate) fn not_sent(reason: &str) -> String {
    match lang() {
        Lang::En => format!("Not sent ({reason}). "),
        Lang::Nb => format!("Ikke sendt ({reason}). "),
    }
}

/// "Alex is typing…"
pub(crate) fn typing(name: &str) -> String {
    match lang() {
        Lang::En => format!("{name} is typing…"),
        Lang::Nb => format!("{name} skriver …"),
    }
}

/// The launcher's name with unread messages.
pub(crate) fn unread_label(n: u32) -> String {
    match (lang(), n) {
        (Lang::En, 1) => "Open chat, 1 unread message".into(),
        (Lang::En, n) => format!("Open chat, {n} unread messages"),
        (Lang::Nb, 1) => "Åpne chat, 1 ulest melding".into(),
        (Lang::Nb, n) => format!("Åpne chat, {n} uleste meldinger"),
    }
}

/// "You are number 3 in line · wait: about 2 min" ("—" with no history yet).
pub(crate) fn queue_line(position: u32, estimate_ms: Option<f64>) -> String {
    let wait = match estimate_ms {
        None => "—".to_string(),
        Some(ms) if ms < 60_000.0 => t(Key::LessThanAMinute).to_string(),
        Some(ms) => {
            let min = (ms / 60_000.0).round() as i64;
            match lang() {
                Lang::En => format!("about {min} min"),
                Lang::Nb => format!("omtrent {min} min"),
            }
        }
    };
    match lang() {
        Lang::En => format!("You are number {position} in line · wait: {wait}"),
        Lang::Nb => format!("Du er nummer {position} i køen · ventetid: {wait}"),
    }
}

/// "Thank you! You rated this chat 4 out of 5."
pub(crate) fn rated(score: i64) -> String {
    match lang() {
        Lang::En => format!("Thank you! You rated this chat {score} out of 5."),
        Lang::Nb => format!("Takk! Du ga chatten {score} av 5."),
    }
}

pub(crate) fn score_label(n: i64) -> &'static str {
    t(match n {
        1 => Key::Score1,
        2 => Key::Score2,
        3 => Key::Score3,
        4 => Key::Score4,
        _ => Key::Score5,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_pick_a_table() {
        assert_eq!(pick("nb-NO"), Some(Lang::Nb));
        assert_eq!(pick("no"), Some(Lang::Nb));
        assert_eq!(pick("en_GB"), Some(Lang::En));
        assert_eq!(pick("de"), None);
        assert_eq!(choose(["de", "nb"]), Lang::Nb);
        assert_eq!(t(Key::OpenChat), "Åpne chat");
        assert_eq!(queue_line(3, Some(120_000.0)), "Du er nummer 3 i køen · ventetid: omtrent 2 min");
        assert_eq!(choose(["fr"]), Lang::En, "no table: English");
        assert_eq!(queue_line(1, None), "You are number 1 in line · wait: —");
        assert_eq!(back(Some(0), Some("09:00".into()), Some(3)), "We're back Monday at 09:00. Leave your email and a message, and we'll write back.");
        assert_eq!(typically(240_000.0), "We typically reply in about 4 minutes");
    }
}
