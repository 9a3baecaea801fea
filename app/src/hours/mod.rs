//! Business hours: each inbox's weekly schedule in its own time zone, and holidays.
//! Outside them the widget says when the team is back and takes an offline message,
//! and automatic assignment holds chats until the inbox opens.
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// Monday first, as the schedule is written.
pub const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Opening hours within a day, in minutes after local midnight (`close` may be 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub open: u16,
    pub close: u16,
}

/// An inbox's schedule. An inbox without one is always open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// An IANA time zone name, such as `Europe/Oslo`.
    pub timezone: String,
    /// Monday to Sunday; an empty day is closed.
    pub week: Vec<Vec<Span>>,
    /// Whole days closed, as `YYYY-MM-DD` in the inbox's time zone.
    pub holidays: Vec<String>,
}

fn hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn show(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// Parses one day as typed: `09:00-17:00`, several spans with commas
/// (`09:00-12:00, 13:00-17:00`), or empty (closed).
pub fn parse_day(text: &str) -> Result<Vec<Span>, String> {
    let mut spans = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').ok_or_else(|| format!("{part:?}: write hours as 09:00-17:00"))?;
        let (open, close) = match (hhmm(a), hhmm(b)) {
            (Some(o), Some(c)) => (o, c),
            _ => return Err(format!("{part:?}: write hours as 09:00-17:00")),
        };
        if open >= close {
            return Err(format!("{part:?}: a span closes after it opens"));
        }
        spans.push(Span { open, close });
    }
    spans.sort_by_key(|s| s.open);
    if spans.windows(2).any(|w| w[1].open < w[0].close) {
        return Err(format!("{text:?}: the spans overlap"));
    }
    Ok(spans)
}

/// A day as the form shows it.
pub fn format_day(spans: &[Span]) -> String {
    spans.iter().map(|s| format!("{}-{}", show(s.open), show(s.close))).collect::<Vec<_>>().join(", ")
}

/// Parses the holiday list: one `YYYY-MM-DD` per line (or comma-separated).
pub fn parse_holidays(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for d in text.split(|c: char| c == '\n' || c == ',').map(str::trim).filter(|d| !d.is_empty()) {
        let ok = d.len() == 10
            && d.as_bytes()[4] == b'-'
            && d.as_bytes()[7] == b'-'
            && d.split('-').all(|p| p.chars().all(|c| c.is_ascii_digit()))
            && matches!(d[5..7].parse::<u8>(), Ok(1..=12))
            && matches!(d[8..10].parse::<u8>(), Ok(1..=31));
        if !ok {
            return Err(format!("{d:?}: write holidays as YYYY-MM-DD, one per line"));
        }
        out.push(d.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Whether the inbox can take chats now, as the widget shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Presence {
    /// Within hours and someone Online: `reply_ms` is the typical first reply (the
    /// median over the last 7 days), when known.
    Online { reply_ms: Option<i64> },
    /// Within hours, but nobody Online.
    Away,
    /// Outside hours: back on `day` (0 = Monday) at `time` (`HH:MM`, local to the
    /// inbox), `in_days` from today; `None` when the schedule never opens.
    Offline { back: Option<Back> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Back {
    pub day: u8,
    pub time: String,
    pub in_days: i64,
    /// The instant it opens (ms), for whoever needs to wake then.
    pub at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_print_back() {
        assert_eq!(parse_day("").unwrap(), vec![]);
        let spans = parse_day("13:00-17:30, 09:00-12:00").unwrap();
        assert_eq!(spans, vec![Span { open: 540, close: 720 }, Span { open: 780, close: 1050 }]);
        assert_eq!(format_day(&spans), "09:00-12:00, 13:00-17:30");
        assert_eq!(parse_day("00:00-24:00").unwrap(), vec![Span { open: 0, close: 1440 }]);
        assert!(parse_day("9-5").is_err());
        assert!(parse_day("17:00-09:00").unwrap_err().contains("closes after"));
        assert!(parse_day("09:00-12:00, 11:00-13:00").unwrap_err().contains("overlap"));
        assert!(parse_day("25:00-26:00").is_err());
    }

    #[test]
    fn holidays_are_dates() {
        assert_eq!(parse_holidays("2026-12-25\n2026-12-24, 2026-12-25").unwrap(), vec!["2026-12-24", "2026-12-25"]);
        assert!(parse_holidays("25.12.2026").is_err());
        assert!(parse_holidays("2026-13-01").is_err());
    }
}
