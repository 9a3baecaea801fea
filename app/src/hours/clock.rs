//! Business hours against the clock, in the inbox's time zone (jiff, with the time
//! zone database built in): whether it is open at an instant, and when it next opens.
//! A local opening time that a DST change skips moves forward by the gap (02:30
//! becomes 03:30), as RFC 5545 and JavaScript's Temporal resolve it.
use super::{Back, Hours};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Checks a time zone name.
pub fn zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name.trim()).map_err(|_| format!("{name:?} is not a time zone: use a name such as Europe/Oslo or America/New_York"))
}

fn holiday(h: &Hours, d: Date) -> bool {
    let text = d.to_string();
    h.holidays.iter().any(|x| *x == text)
}

fn day_index(d: Date) -> usize {
    d.weekday().to_monday_zero_offset() as usize
}

/// Whether the inbox is open at `now_ms`.
pub fn is_open(h: &Hours, now_ms: i64) -> bool {
    let Ok(tz) = zone(&h.timezone) else { return true };
    let Ok(ts) = Timestamp::from_millisecond(now_ms) else { return true };
    let local = ts.to_zoned(tz).datetime();
    if holiday(h, local.date()) {
        return false;
    }
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    h.week.get(day_index(local.date())).is_some_and(|spans| spans.iter().any(|s| s.open <= minute && minute < s.close))
}

/// When the inbox next opens after `now_ms` (within four weeks), or `None`.
pub fn next_open(h: &Hours, now_ms: i64) -> Option<Back> {
    let tz = zone(&h.timezone).ok()?;
    let now = Timestamp::from_millisecond(now_ms).ok()?;
    let today = now.to_zoned(tz.clone()).date();
    for offset in 0..28i64 {
        let date = today.checked_add(jiff::Span::new().days(offset)).ok()?;
        if holiday(h, date) {
            continue;
        }
        let Some(spans) = h.week.get(day_index(date)) else { continue };
        for s in spans {
            let start = DateTime::from_parts(date, Time::new((s.open / 60) as i8, (s.open % 60) as i8, 0, 0).ok()?);
            // A start inside a DST gap moves forward by the gap (the "compatible" rule).
            let at = tz.to_ambiguous_zoned(start).compatible().ok()?.timestamp();
            if at > now {
                return Some(Back {
                    day: day_index(date) as u8,
                    time: format!("{:02}:{:02}", s.open / 60, s.open % 60),
                    in_days: offset,
                    at_ms: at.as_millisecond(),
                });
            }
        }
    }
    None
}

/// How much of `[from_ms, to_ms)` falls within the schedule (reports with business
/// hours on). Days past a year into the span are not counted.
pub fn open_ms_between(h: &Hours, from_ms: i64, to_ms: i64) -> i64 {
    if to_ms <= from_ms {
        return 0;
    }
    let (Ok(tz), Ok(from), Ok(to)) = (zone(&h.timezone), Timestamp::from_millisecond(from_ms), Timestamp::from_millisecond(to_ms)) else {
        return to_ms - from_ms;
    };
    let (first, last) = (from.to_zoned(tz.clone()).date(), to.to_zoned(tz.clone()).date());
    let instant = |date: Date, minute: u16| -> Option<i64> {
        let (date, minute) = if minute >= 1440 { (date.tomorrow().ok()?, minute - 1440) } else { (date, minute) };
        let local = DateTime::from_parts(date, Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?);
        Some(tz.to_ambiguous_zoned(local).compatible().ok()?.timestamp().as_millisecond())
    };
    let mut total = 0;
    let mut date = first;
    for _ in 0..=366 {
        if !holiday(h, date) {
            for s in h.week.get(day_index(date)).map(Vec::as_slice).unwrap_or(&[]) {
                if let (Some(open), Some(close)) = (instant(date, s.open), instant(date, s.close)) {
                    total += (close.min(to_ms) - open.max(from_ms)).max(0);
                }
            }
        }
        if date >= last {
            break;
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    total
}

/// The instant at which `ms` of open time have passed since `from_ms` (an SLA target
/// in business hours); `None` when the schedule opens for less than that within a year.
pub fn add_open_ms(h: &Hours, from_ms: i64, ms: i64) -> Option<i64> {
    let tz = zone(&h.timezone).ok()?;
    let mut date = Timestamp::from_millisecond(from_ms).ok()?.to_zoned(tz.clone()).date();
    let instant = |date: Date, minute: u16| -> Option<i64> {
        let (date, minute) = if minute >= 1440 { (date.tomorrow().ok()?, minute - 1440) } else { (date, minute) };
        let local = DateTime::from_parts(date, Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?);
        Some(tz.to_ambiguous_zoned(local).compatible().ok()?.timestamp().as_millisecond())
    };
    let mut left = ms.max(0);
    for _ in 0..=366 {
        if !holiday(h, date) {
            for s in h.week.get(day_index(date)).map(Vec::as_slice).unwrap_or(&[]) {
                let (Some(open), Some(close)) = (instant(date, s.open), instant(date, s.close)) else { continue };
                let start = open.max(from_ms);
                if close <= start {
                    continue;
                }
                if close - start >= left {
                    return Some(start + left);
                }
                left -= close - start;
            }
        }
        date = date.tomorrow().ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::{parse_day, Hours};

    fn oslo(holidays: &[&str]) -> Hours {
        let weekday = parse_day("09:00-17:00").unwrap();
        let mut week = vec![weekday; 5];
        week.push(parse_day("10:00-14:00").unwrap());
        week.push(vec![]);
        Hours { timezone: "Europe/Oslo".into(), week, holidays: holidays.iter().map(|s| s.to_string()).collect() }
    }

    fn at(text: &str) -> i64 {
        // A local Oslo time, as an instant.
        let dt: DateTime = text.parse().unwrap();
        dt.to_zoned(TimeZone::get("Europe/Oslo").unwrap()).unwrap().timestamp().as_millisecond()
    }

    #[test]
    fn the_edges_of_the_day() {
        let h = oslo(&[]);
        // 2026-11-23 is a Monday.
        assert!(!is_open(&h, at("2026-11-23T08:59:59")));
        assert!(is_open(&h, at("2026-11-23T09:00:00")));
        assert!(is_open(&h, at("2026-11-23T16:59:59")));
        assert!(!is_open(&h, at("2026-11-23T17:00:00")), "closing time is closed");
        let back = next_open(&h, at("2026-11-23T17:00:00")).unwrap();
        assert_eq!((back.day, back.time.as_str(), back.in_days), (1, "09:00", 1));
        // Saturday's short day, then nothing until Monday.
        assert!(is_open(&h, at("2026-11-28T13:59:00")));
        let back = next_open(&h, at("2026-11-28T14:00:00")).unwrap();
        assert_eq!((back.day, back.time.as_str(), back.in_days), (0, "09:00", 2));
        assert_eq!(back.at_ms, at("2026-11-30T09:00:00"));
    }

    #[test]
    fn a_holiday_is_closed_all_day() {
        let h = oslo(&["2026-12-24", "2026-12-25"]);
        assert!(!is_open(&h, at("2026-12-24T12:00:00")));
        let back = next_open(&h, at("2026-12-23T18:00:00")).unwrap();
        // Thu 24th and Fri 25th are holidays: Saturday 10:00.
        assert_eq!((back.day, back.time.as_str(), back.in_days), (5, "10:00", 3));
    }

    #[test]
    fn across_a_daylight_saving_change() {
        // Oslo moves from +01:00 to +02:00 at 02:00 on Sunday 2026-03-29.
        let mut h = oslo(&[]);
        h.week[6] = parse_day("02:30-04:00").unwrap(); // Sunday, starting inside the gap
        let before = at("2026-03-28T23:00:00");
        let back = next_open(&h, before).unwrap();
        assert_eq!((back.day, back.in_days), (6, 1));
        // 02:30 does not exist that night: it opens at 03:30 local (+02:00), 01:30 UTC.
        assert_eq!(back.at_ms, Timestamp::from_second(1_774_747_800).unwrap().as_millisecond());
        assert!(is_open(&h, back.at_ms));
        // Monday 09:00 after the change is 07:00 UTC, not 08:00.
        let monday = next_open(&h, at("2026-03-29T05:00:00")).unwrap();
        assert_eq!(monday.at_ms, Timestamp::from_second(1_774_854_000).unwrap().as_millisecond());
    }

    #[test]
    fn open_time_between_two_instants_counts_only_the_schedule() {
        let h = oslo(&["2026-12-24"]);
        let hour = 3_600_000;
        // Friday 16:00 to Monday 10:00: one hour on Friday, four on Saturday, one on Monday.
        assert_eq!(open_ms_between(&h, at("2026-03-06T16:00"), at("2026-03-09T10:00")), 6 * hour);
        // Within one open stretch, it is the wall clock.
        assert_eq!(open_ms_between(&h, at("2026-03-10T09:30"), at("2026-03-10T09:45")), 15 * 60_000);
        // A holiday counts nothing; a closed evening neither.
        assert_eq!(open_ms_between(&h, at("2026-12-24T08:00"), at("2026-12-24T18:00")), 0);
        assert_eq!(open_ms_between(&h, at("2026-03-10T18:00"), at("2026-03-10T23:00")), 0);
        // Across the spring DST change (Sunday 29 March): Friday 17:00 to Monday 10:00.
        assert_eq!(open_ms_between(&h, at("2026-03-27T17:00"), at("2026-03-30T10:00")), 5 * hour);
        assert_eq!(open_ms_between(&h, at("2026-03-10T10:00"), at("2026-03-10T09:00")), 0);
    }

    #[test]
    fn open_time_added_skips_closed_hours() {
        let h = oslo(&[]);
        let hour = 3_600_000;
        // Friday 16:30 plus two open hours: 30 minutes on Friday, then Saturday 10:00–11:30.
        assert_eq!(add_open_ms(&h, at("2026-03-06T16:30"), 2 * hour), Some(at("2026-03-07T11:30")));
        // From a closed evening, the clock starts at the next opening.
        assert_eq!(add_open_ms(&h, at("2026-03-10T20:00"), 30 * 60_000), Some(at("2026-03-11T09:30")));
        assert_eq!(add_open_ms(&h, at("2026-03-10T10:00"), 0), Some(at("2026-03-10T10:00")));
        let never = Hours { timezone: "Europe/Oslo".into(), week: vec![vec![]; 7], holidays: vec![] };
        assert_eq!(add_open_ms(&never, at("2026-03-10T10:00"), hour), None);
        // It inverts open_ms_between.
        let from = at("2026-03-27T15:00");
        let due = add_open_ms(&h, from, 7 * hour).unwrap();
        assert_eq!(open_ms_between(&h, from, due), 7 * hour);
    }
}
