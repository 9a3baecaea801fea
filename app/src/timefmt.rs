//! Time formatting shared by the server and the browser (UTC).

/// (year, month, day, hour, minute) in UTC for milliseconds since the epoch.
pub fn civil(ms: i64) -> (i64, i64, i64, i64, i64) {
    let days = ms.div_euclid(86_400_000);
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d, secs / 3600, secs % 3600 / 60)
}

/// RFC 3339 in UTC, for exports.
#[cfg(feature = "ssr")]
pub fn iso8601(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// "YYYY-MM-DD" in UTC.
pub fn day(ms: i64) -> String {
    let (y, m, d, ..) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

/// "YYYY-MM-DD HH:MM" in UTC.
pub fn short_time(ms: i64) -> String {
    let (_, _, _, h, min) = civil(ms);
    format!("{} {h:02}:{min:02}", day(ms))
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::day(0), "1970-01-01");
        assert_eq!(super::short_time(1_790_000_000_000), "2026-09-21 14:13");
        assert_eq!(super::day(951_782_400_000), "2000-02-29");
    }
}
