//! `/reports`: a range in the reader's time zone, inbox and agent filters and the
//! business-hours toggle; then each metric as an SVG chart with its definition, its
//! data table and a CSV download of that table.
use crate::components::chart::{BarChart, HeatMap, LineChart, Series};
use crate::dashboard::wait_label;
use crate::error::AppError;
use crate::reports::api::get_report;
use crate::reports::{Report, ReportQuery, Stat, DEFINITIONS};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// The browser's IANA time zone ("UTC" on the server).
fn browser_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        if let Some(zone) = js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|v| v.as_string()) {
            return zone;
        }
    }
    "UTC".into()
}

/// The local date `days_ago` days before today, as `YYYY-MM-DD`.
fn local_day(days_ago: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new_0();
        d.set_date(d.get_date() - days_ago as u32);
        return format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date());
    }
    #[allow(unreachable_code)]
    {
        crate::timefmt::day(days_ago)
    }
}

fn range(preset: &str) -> (String, String) {
    match preset {
        "yesterday" => (local_day(1), local_day(1)),
        "7" => (local_day(6), local_day(0)),
        "30" => (local_day(29), local_day(0)),
        _ => (local_day(0), local_day(0)),
    }
}

fn minutes(ms: Option<i64>) -> Option<f64> {
    ms.map(|m| m as f64 / 60_000.0)
}

fn dur(ms: Option<i64>) -> String {
    ms.map(wait_label).unwrap_or_else(|| "—".into())
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}%")).unwrap_or_else(|| "—".into())
}

fn definition(name: &str) -> &'static str {
    DEFINITIONS.iter().find(|(n, _)| *n == name).map(|(_, d)| *d).unwrap_or("")
}

/// The query as a query string (for the CSV links).
fn query_string(q: &ReportQuery) -> String {
    let mut s = format!("from={}&to={}&zone={}&business_hours={}", q.from, q.to, q.zone.replace('/', "%2F"), q.business_hours);
    if let Some(i) = q.inbox {
        s += &format!("&inbox={i}");
    }
    if let Some(a) = q.agent {
        s += &format!("&agent={a}");
    }
    s
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let preset = RwSignal::new("7".to_string());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let inbox = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let business = RwSignal::new(false);
    let report = RwSignal::new(None::<Result<Report, AppError>>);
    // Presets fill the days; "custom" leaves them to the date fields.
    Effect::new(move |_| {
        let p = preset.get();
        if p != "custom" {
            let (f, t) = range(&p);
            from.set(f);
            to.set(t);
        }
    });
    let query = Memo::new(move |_| ReportQuery {
        from: from.get(),
        to: to.get(),
        zone: browser_zone(),
        inbox: inbox.get().parse().ok(),
        agent: agent.get().parse().ok(),
        business_hours: business.get(),
    });
    Effect::new(move |_| {
        let q = query.get();
        if q.from.is_empty() {
            return;
        }
        spawn_local(async move { report.set(Some(get_report(q).await)) });
    });
    let options = move |pick: fn(&Report) -> Vec<(i64, String)>| {
        report.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).map(pick).unwrap_or_default())
    };
    view! {
        <Title text="Reports · Switchboard"/>
        <h1>"Reports"</h1>
        <form class="filters report-filters" role="search" aria-label="Report range and filters" on:submit=|ev| ev.prevent_default()>
            <label class="field">"Range"
                <select name="range" on:change=move |ev| preset.set(event_target_value(&ev))>
                    {[("today", "Today"), ("yesterday", "Yesterday"), ("7", "Last 7 days"), ("30", "Last 30 days"), ("custom", "Custom")]
                        .into_iter().map(|(v, l)| view! { <option value=v selected=move || preset.get() == v>{l}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">"From"<input type="date" name="from" prop:value=move || from.get()
                on:change=move |ev| { preset.set("custom".into()); from.set(event_target_value(&ev)); }/></label>
            <label class="field">"To"<input type="date" name="to" prop:value=move || to.get()
                on:change=move |ev| { preset.set("custom".into()); to.set(event_target_value(&ev)); }/></label>
            <label class="field">"Inbox"
                <select name="inbox" on:change=move |ev| inbox.set(event_target_value(&ev))>
                    <option value="">"All my inboxes"</option>
                    {move || options(|r| r.inboxes.clone()).into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">"Agent"
                <select name="agent" on:change=move |ev| agent.set(event_target_value(&ev))>
                    <option value="">"Everyone"</option>
                    {move || options(|r| r.people.clone()).into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
            </label>
            <label class="check"><input type="checkbox" name="business_hours" prop:checked=move || business.get()
                on:change=move |ev| business.set(event_target_checked(&ev))/>"Business hours only"</label>
        </form>
        {move || match report.get() {
            None => view! { <p class="loading">"Loading the report…"</p> }.into_any(),
            Some(Err(AppError::Forbidden)) => view! { <p class="error" role="alert">"Reports are for supervisors and admins."</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            Some(Ok(r)) => view! { <Figures r q=query.get_untracked()/> }.into_any(),
        }}
    }
}

/// One chart in a figure: title, definition, the chart, its table and CSV link.
#[component]
fn Metric(title: &'static str, definition: &'static str, csv: String, chart: AnyView, table: AnyView) -> impl IntoView {
    view! {
        <figure class="report-figure">
            <figcaption><h2>{title}</h2><p class="definition">{definition}</p></figcaption>
            {chart}
            <details>
                <summary>{format!("{title}: data table")}</summary>
                {table}
            </details>
            <a href=csv download="" rel="external">{format!("Download {} as CSV", title.to_lowercase())}</a>
        </figure>
    }
}

#[component]
fn Figures(r: Report, q: ReportQuery) -> impl IntoView {
    let labels: Vec<String> = r.buckets.iter().map(|b| b.label.clone()).collect();
    let per = if r.hourly { "hour" } else { "day" };
    let csv = |table: &str| format!("/api/reports.csv?{}&table={table}", query_string(&q));
    let series = |name: &'static str, class: &'static str, f: &dyn Fn(&Stat) -> Option<i64>, pick: fn(&crate::reports::Bucket) -> Stat| Series {
        name,
        class,
        values: r.buckets.iter().map(|b| minutes(f(&pick(b)))).collect(),
    };
    let frt = vec![
        series("Median", "s1", &|s| s.median_ms, |b| b.first_response),
        series("90th percentile", "s2", &|s| s.p90_ms, |b| b.first_response),
    ];
    let res = vec![
        series("Median", "s1", &|s| s.median_ms, |b| b.resolution),
        series("90th percentile", "s2", &|s| s.p90_ms, |b| b.resolution),
    ];
    let counts = Series { name: "Conversations", class: "s1", values: r.buckets.iter().map(|b| Some(b.conversations as f64)).collect() };
    let csat = Series { name: "CSAT", class: "s3", values: r.buckets.iter().map(|b| b.csat.share()).collect() };
    // Each chart's data table: its own columns, a row per bucket and the total.
    type Column = (&'static str, fn(&crate::reports::Bucket) -> String);
    let table = |cols: Vec<Column>| {
        let rows: Vec<crate::reports::Bucket> = r.buckets.iter().cloned().chain(std::iter::once(r.total.clone())).collect();
        view! {
            <table class="team report-table">
                <thead><tr><th scope="col">{if r.hourly { "Hour" } else { "Day" }}</th>
                    {cols.iter().map(|(h, _)| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|b| view! {
                        <tr><th scope="row">{b.label.clone()}</th>{cols.iter().map(|(_, f)| view! { <td>{f(&b)}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let count_table = table(vec![("Conversations", |b| b.conversations.to_string())]);
    let frt_table = table(vec![
        ("Median", |b| dur(b.first_response.median_ms)),
        ("90th percentile", |b| dur(b.first_response.p90_ms)),
        ("Answered", |b| b.first_response.n.to_string()),
    ]);
    let res_table = table(vec![
        ("Median", |b| dur(b.resolution.median_ms)),
        ("90th percentile", |b| dur(b.resolution.p90_ms)),
        ("Resolved", |b| b.resolution.n.to_string()),
    ]);
    let csat_table = table(vec![("Share of 4 and 5", |b| pct(b.csat.share())), ("Answers", |b| b.csat.responses.to_string())]);
    let heat_table = {
        let grid = r.heatmap.clone();
        view! {
            <table class="team report-table heat-table">
                <thead><tr><th scope="col">"Day"</th>{(0..24).map(|h| view! { <th scope="col">{format!("{h:02}")}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {grid.into_iter().zip(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]).map(|(row, d)| view! {
                        <tr><th scope="row">{d}</th>{row.into_iter().map(|n| view! { <td>{n}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <section class="tiles" aria-label="Totals">
            <div class="tile"><span class="tile-label">"Conversations"</span><strong class="tile-value">{r.total.conversations}</strong></div>
            <div class="tile"><span class="tile-label">"First response, median"</span><strong class="tile-value">{dur(r.total.first_response.median_ms)}</strong></div>
            <div class="tile"><span class="tile-label">"Resolution, median"</span><strong class="tile-value">{dur(r.total.resolution.median_ms)}</strong></div>
            <div class="tile"><span class="tile-label">"CSAT (4 and 5)"</span><strong class="tile-value">{pct(r.total.csat.share())}</strong>
                <span class="muted">{format!("{} answers · response rate {}", r.total.csat.responses, pct(r.response_rate()))}</span></div>
        </section>
        <Metric title="Conversations" definition=definition("Conversations") csv=csv("buckets")
            chart=view! { <BarChart label=format!("Conversations per {per}") labels=labels.clone() series=counts unit="chats"/> }.into_any()
            table=count_table/>
        <Metric title="First response time" definition=definition("First response time") csv=csv("buckets")
            chart=view! { <LineChart label=format!("First response time per {per}, in minutes") labels=labels.clone() series=frt unit="min"/> }.into_any()
            table=frt_table/>
        <Metric title="Resolution time" definition=definition("Resolution time") csv=csv("buckets")
            chart=view! { <LineChart label=format!("Resolution time per {per}, in minutes") labels=labels.clone() series=res unit="min"/> }.into_any()
            table=res_table/>
        <Metric title="CSAT" definition=definition("CSAT") csv=csv("buckets")
            chart=view! { <BarChart label=format!("Share of 4 and 5 per {per}, in percent") labels=labels.clone() series=csat unit="%"/> }.into_any()
            table=csat_table/>
        <Metric title="New chats by weekday and hour" definition="Cycles started (chats started or reopened), by weekday and hour in your time zone." csv=csv("heatmap")
            chart=view! { <HeatMap label="New chats by weekday and hour".to_string() grid=r.heatmap.clone()/> }.into_any()
            table=heat_table.into_any()/>
        <section class="report-figure" aria-labelledby="sla-met-heading">
            <h2 id="sla-met-heading">"SLA met"</h2>
            <p class="definition">{definition("SLA met")}</p>
            <table class="team report-table">
                <thead><tr><th scope="col">"Target"</th><th scope="col">"Met"</th><th scope="col">"Of"</th><th scope="col">"Share"</th></tr></thead>
                <tbody>
                    {[("First response", r.total.sla.first_response), ("Next response", r.total.sla.next_response), ("Resolution", r.total.sla.resolution)]
                        .into_iter().map(|(name, m)| view! {
                            <tr><th scope="row">{name}</th><td>{m.met}</td><td>{m.of}</td><td>{pct(m.share())}</td></tr>
                        }).collect_view()}
                </tbody>
            </table>
        </section>
        <section aria-labelledby="per-agent-heading">
            <h2 id="per-agent-heading">"Per agent"</h2>
            <table class="team report-table">
                <thead><tr><th scope="col">"Agent"</th><th scope="col">"Chats handled"</th><th scope="col">"First response, median"</th>
                    <th scope="col">"Resolution, median"</th><th scope="col">"CSAT"</th></tr></thead>
                <tbody>
                    {r.agents.into_iter().map(|a| view! {
                        <tr><th scope="row">{a.name}</th><td>{a.handled}</td><td>{dur(a.first_response.median_ms)}</td>
                            <td>{dur(a.resolution.median_ms)}</td><td>{format!("{} ({} answers)", pct(a.csat.share()), a.csat.responses)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <a href=csv("agents") download="" rel="external">"Download the per-agent table as CSV"</a>
        </section>
        <p class="muted">{definition("Business hours")}</p>
    }
}
