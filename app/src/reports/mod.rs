//! Reports (`/reports`): figures over the per-conversation cycles
//! (`conversations::cycles`), computed exactly from those rows, never from messages.
//! Each metric's definition is in [`DEFINITIONS`], shown beside its chart and in the
//! README.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod compute;
#[cfg(feature = "ssr")]
pub mod store;

/// What a report covers: whole days in the reader's time zone, optionally one inbox or
/// one agent, and with business hours on, time outside the inbox's schedule not counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportQuery {
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    /// An IANA time zone name (the browser's).
    pub zone: String,
    pub inbox: Option<i64>,
    pub agent: Option<i64>,
    #[serde(default)]
    pub business_hours: bool,
}

/// A median and a 90th percentile of durations, nearest-rank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stat {
    pub n: i64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

impl Stat {
    /// Nearest rank: the smallest value with at least p% of the values at or below it.
    pub fn of(mut values: Vec<i64>) -> Stat {
        values.sort_unstable();
        let rank = |p: f64| -> Option<i64> {
            if values.is_empty() {
                return None;
            }
            let k = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
            Some(values[k - 1])
        };
        Stat { n: values.len() as i64, median_ms: rank(0.5), p90_ms: rank(0.9) }
    }
}

/// Survey answers: how many, and how many were 4 or 5.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Csat {
    pub responses: i64,
    pub good: i64,
}

impl Csat {
    /// The share of 4 and 5, in percent.
    pub fn share(&self) -> Option<f64> {
        (self.responses > 0).then(|| 100.0 * self.good as f64 / self.responses as f64)
    }
}

/// How many decided targets were met, of how many (`met`, `of`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Met {
    pub met: i64,
    pub of: i64,
}

impl Met {
    pub fn share(&self) -> Option<f64> {
        (self.of > 0).then(|| 100.0 * self.met as f64 / self.of as f64)
    }
}

/// The SLA targets met by the cycles of a bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaMet {
    pub first_response: Met,
    pub next_response: Met,
    pub resolution: Met,
}

/// One day (or one hour, for a one-day report).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Bucket {
    /// `2026-03-09`, or `14:00` for an hour.
    pub label: String,
    pub conversations: i64,
    pub first_response: Stat,
    pub resolution: Stat,
    pub csat: Csat,
    #[serde(default)]
    pub sla: SlaMet,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentFigures {
    pub id: i64,
    pub name: String,
    /// Cycles they resolved, or answered first if not resolved yet.
    pub handled: i64,
    pub first_response: Stat,
    pub resolution: Stat,
    pub csat: Csat,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Buckets are hours (a one-day report) rather than days.
    pub hourly: bool,
    pub buckets: Vec<Bucket>,
    pub total: Bucket,
    /// New chats by weekday (Monday first) and hour of day, in the reader's zone.
    pub heatmap: Vec<Vec<i64>>,
    pub agents: Vec<AgentFigures>,
    /// Chats whose close asked for a rating (per the inbox's survey setting).
    pub surveyed: i64,
    /// The inboxes and agents the reader may filter by: (id, name).
    pub inboxes: Vec<(i64, String)>,
    pub people: Vec<(i64, String)>,
}

impl Report {
    /// Answers per chat asked, in percent.
    pub fn response_rate(&self) -> Option<f64> {
        (self.surveyed > 0).then(|| 100.0 * self.total.csat.responses as f64 / self.surveyed as f64)
    }
}

/// The metrics' definitions, as the page and the README give them.
pub const DEFINITIONS: [(&str, &str); 6] = [
    ("Conversations", "Chats started, and chats reopened by the customer, in the range (each reopening starts a new cycle). Bucketed by when the cycle started, in your time zone."),
    ("First response time", "From the cycle's start (the chat's start or its reopening) to the first public reply by a person: system lines, notes and whispers do not count. Cycles not yet answered are left out. Median and 90th percentile, nearest rank."),
    ("Resolution time", "From the cycle's start to its solve or close. Cycles still open are left out. Median and 90th percentile, nearest rank."),
    ("CSAT", "Of the survey answers given in the range, the share that scored 4 or 5. The response rate is answers divided by the chats whose solve (or close, if the inbox asks then) offered the survey in the range."),
    ("SLA met", "Of the cycles started in the range whose target was decided (answered, resolved, or each customer message answered), the share within the inbox's SLA target at the time, as the SLA policy counts it (business hours or the clock)."),
    ("Business hours", "With business hours on, only the time inside the inbox's schedule counts toward first response and resolution times (an inbox without a schedule counts every hour)."),
];

/// The longest range a report covers.
pub const MAX_DAYS: i64 = 366;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Stat::of(vec![50, 10, 40, 20, 30]);
        assert_eq!((s.n, s.median_ms, s.p90_ms), (5, Some(30), Some(50)));
        let s = Stat::of(vec![4, 1, 3, 2]);
        assert_eq!((s.median_ms, s.p90_ms), (Some(2), Some(4)));
        let s = Stat::of((1..=10).collect());
        assert_eq!((s.median_ms, s.p90_ms), (Some(5), Some(9)));
        assert_eq!(Stat::of(vec![]), Stat { n: 0, median_ms: None, p90_ms: None });
    }

    #[test]
    fn csat_share_and_response_rate() {
        assert_eq!(Csat { responses: 4, good: 3 }.share(), Some(75.0));
        assert_eq!(Csat::default().share(), None);
        let r = Report { surveyed: 8, total: Bucket { csat: Csat { responses: 2, good: 1 }, ..Default::default() }, ..Default::default() };
        assert_eq!(r.response_rate(), Some(25.0));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn packed_cycles_unpack_field_by_field() {
        use super::compute::unpack;
        let rows = unpack("3,1000,1500,7,,,1,,2,1;4,2000,,,2600,9,,0,0,0").unwrap();
        assert_eq!(rows.len(), 2);
        let (a, b) = (&rows[0], &rows[1]);
        assert_eq!((a.inbox_id, a.started_at, a.first_response_at, a.first_responder_id), (3, 1000, Some(1500), Some(7)));
        assert_eq!((a.resolved_at, a.resolver_id, a.first_response_met, a.resolution_met), (None, None, Some(1), None));
        assert_eq!((a.next_responses, a.next_responses_met), (2, 1));
        assert_eq!((b.first_response_at, b.resolved_at, b.resolver_id, b.resolution_met), (None, Some(2600), Some(9), Some(0)));
        assert!(unpack("").unwrap().is_empty(), "no cycle in the range");
        // A field too many or too few, or one that is not a number, is an error.
        assert!(unpack("3,1000,,,,,,,0,0,5").is_err());
        assert!(unpack("3,1000,,,,,,,0").is_err());
        assert!(unpack("3,x,,,,,,,0,0").is_err());
        assert!(unpack(",1000,,,,,,,0,0").is_err(), "an inbox is required");
    }
}
