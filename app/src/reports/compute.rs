//! The report's arithmetic: plain functions over the cycle and rating rows, in the
//! reader's time zone, tested without a database.
use super::{AgentFigures, Bucket, Csat, Met, Report, ReportQuery, SlaMet, Stat, MAX_DAYS};
use crate::error::{AppError, AppResult};
use crate::hours::Hours;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};

/// One cycle, as the report reads it.
#[derive(Debug, Clone)]
pub struct CycleRow {
    pub inbox_id: i64,
    pub started_at: i64,
    pub first_response_at: Option<i64>,
    pub first_responder_id: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolver_id: Option<i64>,
    pub first_response_met: Option<i64>,
    pub resolution_met: Option<i64>,
    pub next_responses: i64,
    pub next_responses_met: i64,
}

/// The cycles as the report's query packs them: one per `;`, their ten fields (as
/// [`CycleRow`] lists them) split by `,`, an empty field for none.
pub fn unpack(packed: &str) -> AppResult<Vec<CycleRow>> {
    let bad = || {
        tracing::error!("a packed cycle did not parse");
        AppError::Internal
    };
    packed
        .split(';')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut fields = line.split(',').map(|v| if v.is_empty() { Ok(None) } else { v.parse::<i64>().map(Some).map_err(|_| bad()) });
            let mut next = || fields.next().ok_or_else(bad)?;
            let row = CycleRow {
                inbox_id: next()?.ok_or_else(bad)?,
                started_at: next()?.ok_or_else(bad)?,
                first_response_at: next()?,
                first_responder_id: next()?,
                resolved_at: next()?,
                resolver_id: next()?,
                first_response_met: next()?,
                resolution_met: next()?,
                next_responses: next()?.ok_or_else(bad)?,
                next_responses_met: next()?.ok_or_else(bad)?,
            };
            match fields.next() {
                None => Ok(row),
                Some(_) => Err(bad()),
            }
        })
        .collect()
}

/// One survey answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub inbox_id: i64,
    pub at: i64,
    pub score: i64,
    pub agent_id: Option<i64>,
}

/// The range in instants, and how it is bucketed.
#[derive(Debug, Clone)]
pub struct Frame {
    pub zone: TimeZone,
    pub from: Date,
    pub start_ms: i64,
    pub end_ms: i64,
    pub days: i64,
}

impl Frame {
    pub fn hourly(&self) -> bool {
        self.days == 1
    }
}

fn day_start(zone: &TimeZone, d: Date) -> AppResult<i64> {
    let z = d.to_zoned(zone.clone()).map_err(|_| AppError::Unprocessable("that day does not exist in your time zone".into()))?;
    Ok(z.timestamp().as_millisecond())
}

/// Checks the query and fixes its instants: 422 for a bad day, zone or range.
pub fn frame(q: &ReportQuery) -> AppResult<Frame> {
    let zone = crate::hours::clock::zone(&q.zone).map_err(AppError::Unprocessable)?;
    let day = |s: &str| -> AppResult<Date> { s.trim().parse().map_err(|_| AppError::Unprocessable(format!("{s:?} is not a date: use YYYY-MM-DD"))) };
    let (from, to) = (day(&q.from)?, day(&q.to)?);
    if to < from {
        return Err(AppError::Unprocessable("the range ends before it starts".into()));
    }
    let days = from.until(to).map(|s| s.get_days() as i64 + 1).unwrap_or(MAX_DAYS + 1);
    if days > MAX_DAYS {
        return Err(AppError::Unprocessable(format!("a report covers at most {MAX_DAYS} days")));
    }
    let end = to.tomorrow().map_err(|_| AppError::Unprocessable("the range is out of bounds".into()))?;
    Ok(Frame { start_ms: day_start(&zone, from)?, end_ms: day_start(&zone, end)?, zone, from, days })
}

/// The bucket an instant falls in, and its (weekday, hour) for the heat map.
fn place(f: &Frame, ms: i64) -> Option<(usize, usize, usize)> {
    let local = Timestamp::from_millisecond(ms).ok()?.to_zoned(f.zone.clone());
    let (date, hour) = (local.date(), local.hour() as usize);
    let weekday = date.weekday().to_monday_zero_offset() as usize;
    let index = if f.hourly() { hour } else { f.from.until(date).ok()?.get_days() as usize };
    Some((index, weekday, hour))
}

fn labels(f: &Frame) -> Vec<String> {
    if f.hourly() {
        return (0..24).map(|h| format!("{h:02}:00")).collect();
    }
    let mut out = Vec::new();
    let mut d = f.from;
    for _ in 0..f.days {
        out.push(d.to_string());
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

/// Everything the report shows, from its rows. `hours` holds the schedules of inboxes
/// that have one (used when `business` is on); `names` the agents' names.
pub fn compute(f: &Frame, cycles: &[CycleRow], ratings: &[RatingRow], hours: &HashMap<i64, Hours>, business: bool, names: &HashMap<i64, String>) -> Report {
    let span = |inbox: i64, a: i64, b: i64| match (business, hours.get(&inbox)) {
        (true, Some(h)) => crate::hours::clock::open_ms_between(h, a, b),
        _ => (b - a).max(0),
    };
    let labels = labels(f);
    let n = labels.len();
    let mut frt: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut res: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut count = vec![0i64; n];
    let mut csat = vec![Csat::default(); n];
    let mut sla = vec![SlaMet::default(); n];
    let mut heat = vec![vec![0i64; 24]; 7];
    #[derive(Default)]
    struct PerAgent {
        handled: i64,
        frt: Vec<i64>,
        res: Vec<i64>,
        csat: Csat,
    }
    let mut agents: BTreeMap<i64, PerAgent> = BTreeMap::new();
    for c in cycles {
        let Some((i, weekday, hour)) = place(f, c.started_at).filter(|p| p.0 < n) else { continue };
        count[i] += 1;
        heat[weekday][hour] += 1;
        let add = |m: &mut Met, met: Option<i64>| {
            if let Some(v) = met {
                m.of += 1;
                m.met += i64::from(v != 0);
            }
        };
        add(&mut sla[i].first_response, c.first_response_met);
        add(&mut sla[i].resolution, c.resolution_met);
        sla[i].next_response.of += c.next_responses;
        sla[i].next_response.met += c.next_responses_met;
        if let Some(at) = c.first_response_at {
            let d = span(c.inbox_id, c.started_at, at);
            frt[i].push(d);
            if let Some(a) = c.first_responder_id {
                agents.entry(a).or_default().frt.push(d);
            }
        }
        if let Some(at) = c.resolved_at {
            let d = span(c.inbox_id, c.started_at, at);
            res[i].push(d);
            if let Some(a) = c.resolver_id {
                agents.entry(a).or_default().res.push(d);
            }
        }
        if let Some(a) = c.resolver_id.filter(|_| c.resolved_at.is_some()).or(c.first_responder_id) {
            agents.entry(a).or_default().handled += 1;
        }
    }
    for r in ratings {
        let Some((i, ..)) = place(f, r.at).filter(|p| p.0 < n) else { continue };
        let good = i64::from(r.score >= 4);
        csat[i].responses += 1;
        csat[i].good += good;
        if let Some(a) = r.agent_id {
            let e = agents.entry(a).or_default();
            e.csat.responses += 1;
            e.csat.good += good;
        }
    }
    let total = Bucket {
        label: "Total".into(),
        conversations: count.iter().sum(),
        first_response: Stat::of(frt.iter().flatten().copied().collect()),
        resolution: Stat::of(res.iter().flatten().copied().collect()),
        csat: Csat { responses: csat.iter().map(|c| c.responses).sum(), good: csat.iter().map(|c| c.good).sum() },
        sla: {
            let sum = |f: fn(&SlaMet) -> Met| Met { met: sla.iter().map(|s| f(s).met).sum(), of: sla.iter().map(|s| f(s).of).sum() };
            SlaMet { first_response: sum(|s| s.first_response), next_response: sum(|s| s.next_response), resolution: sum(|s| s.resolution) }
        },
    };
    let buckets = labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| Bucket {
            label,
            conversations: count[i],
            first_response: Stat::of(std::mem::take(&mut frt[i])),
            resolution: Stat::of(std::mem::take(&mut res[i])),
            csat: csat[i],
            sla: sla[i],
        })
        .collect();
    let mut agents: Vec<AgentFigures> = agents
        .into_iter()
        .map(|(id, a)| AgentFigures {
            id,
            name: names.get(&id).cloned().unwrap_or_else(|| format!("Agent #{id}")),
            handled: a.handled,
            first_response: Stat::of(a.frt),
            resolution: Stat::of(a.res),
            csat: a.csat,
        })
        .collect();
    agents.sort_by(|a, b| b.handled.cmp(&a.handled).then_with(|| a.name.cmp(&b.name)));
    Report { hourly: f.hourly(), buckets, total, heatmap: heat, agents, ..Default::default() }
}
