//! Reports through `POST /api/reports`, as the console asks: each range and filter the
//! page offers, over the whole seeded history.
use super::Ctx;
use crate::stats::{summarise, Summary};
use anyhow::{bail, Result};
use std::time::Instant;

pub struct ReportFigure {
    pub name: &'static str,
    pub summary: Summary,
    /// Conversations the report counted.
    pub conversations: i64,
    pub buckets: usize,
}

/// `YYYY-MM-DD` in UTC (days since the epoch to a civil date, Howard Hinnant's way).
fn day(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

async fn report(ctx: &Ctx<'_>, fields: &[(&str, String)]) -> Result<serde_json::Value> {
    let form: Vec<(String, String)> = fields.iter().map(|(k, v)| (format!("query[{k}]"), v.clone())).collect();
    super::console_call(ctx, "reports", &ctx.fixture.admin.token, &form).await
}

pub async fn run(ctx: &Ctx<'_>, samples: usize) -> Result<Vec<ReportFigure>> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let today = day(now);
    let ago = |days: i64| day(now - days * 86_400_000);
    let inbox = ctx.fixture.inboxes[0].to_string();
    let base = |from: String| vec![("from", from), ("to", today.clone()), ("zone", "UTC".to_string())];
    let with = |mut v: Vec<(&'static str, String)>, k: &'static str, val: &str| {
        v.push((k, val.to_string()));
        v
    };
    // (name, fields, buckets expected)
    let cases: Vec<(&'static str, Vec<(&'static str, String)>, usize)> = vec![
        ("today", base(today.clone()), 24),
        ("last 7 days", base(ago(6)), 7),
        ("last 30 days", base(ago(29)), 30),
        ("last 30 days, business hours", with(base(ago(29)), "business_hours", "true"), 30),
        ("last 30 days, one inbox", with(base(ago(29)), "inbox", &inbox), 30),
        ("last 30 days, one agent", with(base(ago(29)), "agent", "2"), 30),
        ("last 60 days", base(ago(59)), 60),
    ];
    let mut out = Vec::new();
    for (name, fields, buckets) in cases {
        let v = report(ctx, &fields).await?; // warm-up, and the check
        let got = v["buckets"].as_array().map(|b| b.len()).unwrap_or(0);
        let conversations = v["total"]["conversations"].as_i64().unwrap_or(-1);
        if got != buckets || conversations < 0 {
            bail!("report \"{name}\" gave {got} buckets (expected {buckets}) and {conversations} conversations");
        }
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t = Instant::now();
            report(ctx, &fields).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(ReportFigure { name, summary: summarise(&times), conversations, buckets });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_in_utc() {
        assert_eq!(super::day(0), "1970-01-01");
        assert_eq!(super::day(1_789_689_600_000), "2026-09-18");
        assert_eq!(super::day(951_782_400_000), "2000-02-29");
    }
}
