//! Every report metric against a fixture computed by hand, on a fixed clock: a first
//! response after a reopening, business hours across a weekend, system lines, notes
//! and whispers not counted as responses, CSAT and its response rate, the heat map,
//! the per-agent table, filters and scope.
use crate::common::TestApp;
use crate::hardening::inbox;
use app::accounts::Role;
use app::conversations::handling::{self, Actor};
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::{CloseReason, Visibility};
use app::hours::{parse_day, Hours};
use app::inboxes::{store as inboxes, MemberRole};
use app::reports::{store as reports, Report, ReportQuery, Stat};

const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
/// Friday 2026-09-18 00:00 UTC.
const FRI: i64 = 1_789_689_600_000;
const SAT: i64 = FRI + 24 * HOUR;
const MON: i64 = FRI + 72 * HOUR;

async fn chat(app: &TestApp, key: &str, n: u32, at: i64) -> i64 {
    let token = app::conversations::visitor::hash_token(&format!("report-visitor-{n}"));
    let req = StartVisitor { inbox_key: key, token_hash: &token, name: Some("Cleo"), email: None, context: None };
    let (conv, _) = start(app.db(), req, at).await.unwrap();
    customer(app, conv.id, &format!("q-{n}-{at}"), at).await;
    conv.id
}

async fn customer(app: &TestApp, conv: i64, client_id: &str, at: i64) {
    let out = Outgoing { conversation_id: conv, author: Author::Customer, client_id, body: "help", visibility: Visibility::Public, file: None };
    write::send(app.db(), out, at).await.unwrap();
}

async fn agent(app: &TestApp, conv: i64, who: &Actor, client_id: &str, visibility: Visibility, at: i64) {
    let out = Outgoing { conversation_id: conv, author: Author::Agent { id: who.id, name: &who.name }, client_id, body: "ok", visibility, file: None };
    write::send(app.db(), out, at).await.unwrap();
}

fn stat(n: i64, median: i64, p90: i64) -> Stat {
    Stat { n, median_ms: Some(median), p90_ms: Some(p90) }
}

fn query(from: &str, to: &str, zone: &str) -> ReportQuery {
    ReportQuery { from: from.into(), to: to.into(), zone: zone.into(), ..Default::default() }
}

test_both_dbs!(report_metrics_match_a_hand_computed_fixture, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let mut week = vec![parse_day("09:00-17:00").unwrap(); 5];
    week.extend([vec![], vec![]]);
    app::hours::store::set_hours(app.db(), support, Some(&Hours { timezone: "UTC".into(), week, holidays: vec![] })).await.unwrap();
    let sam_id = app.agent("sam@x.io", Role::Supervisor, "password-1").await;
    let alex_id = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, sam_id, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(app.db(), support, alex_id, Some(MemberRole::Operator)).await.unwrap();
    let sam = Actor { id: sam_id, name: "Sam".into(), is_admin: false, address: None, token: None };
    let alex = Actor { id: alex_id, name: "Alex".into(), is_admin: false, address: None, token: None };

    // A: Friday 16:00; the accept's lines and a note are no response; Alex answers at
    // 16:10; solved Monday 09:30, rated 5; reopened Monday 10:00, answered 10:04.
    let a = chat(&app, &key, 1, FRI + 16 * HOUR).await;
    handling::accept(app.db(), a, &alex, FRI + 16 * HOUR + MIN).await.unwrap();
    agent(&app, a, &alex, "a-note", Visibility::Internal, FRI + 16 * HOUR + 2 * MIN).await;
    agent(&app, a, &alex, "a-1", Visibility::Public, FRI + 16 * HOUR + 10 * MIN).await;
    handling::close(app.db(), a, &alex, CloseReason::Solved, MON + 9 * HOUR + 30 * MIN).await.unwrap();
    app::csat::store::rate(app.db(), a, 5, None, MON + 9 * HOUR + 31 * MIN).await.unwrap();
    customer(&app, a, "a-again", MON + 10 * HOUR).await;
    agent(&app, a, &alex, "a-2", Visibility::Public, MON + 10 * HOUR + 4 * MIN).await;
    // B: Saturday 10:00, answered 10:20, closed 11:00 (a close asks no rating).
    let b = chat(&app, &key, 2, SAT + 10 * HOUR).await;
    handling::accept(app.db(), b, &alex, SAT + 10 * HOUR + MIN).await.unwrap();
    agent(&app, b, &alex, "b-1", Visibility::Public, SAT + 10 * HOUR + 20 * MIN).await;
    handling::close(app.db(), b, &alex, CloseReason::Closed, SAT + 11 * HOUR).await.unwrap();
    // C: Monday 09:00, never answered.
    chat(&app, &key, 3, MON + 9 * HOUR).await;
    // D: Monday 11:00; Sam's whisper is no response; Sam answers 11:30, solves 12:00,
    // and the customer rates it 2.
    let d = chat(&app, &key, 4, MON + 11 * HOUR).await;
    app::conversations::supervise::whisper(app.db(), &sam, d, "d-w", "psst", MON + 11 * HOUR + MIN).await.unwrap();
    handling::accept(app.db(), d, &sam, MON + 11 * HOUR + 2 * MIN).await.unwrap();
    agent(&app, d, &sam, "d-1", Visibility::Public, MON + 11 * HOUR + 30 * MIN).await;
    handling::close(app.db(), d, &sam, CloseReason::Solved, MON + 12 * HOUR).await.unwrap();
    app::csat::store::rate(app.db(), d, 2, Some("slow"), MON + 12 * HOUR + 5 * MIN).await.unwrap();

    let q = query("2026-09-18", "2026-09-21", "UTC");
    let r: Report = reports::report(app.db(), sam_id, Role::Supervisor, &q).await.unwrap();
    assert!(!r.hourly);
    let labels: Vec<&str> = r.buckets.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["2026-09-18", "2026-09-19", "2026-09-20", "2026-09-21"]);
    let counts: Vec<i64> = r.buckets.iter().map(|b| b.conversations).collect();
    assert_eq!(counts, [1, 1, 0, 3], "Monday: C, A's reopening and D");
    assert_eq!(r.buckets[0].first_response, stat(1, 10 * MIN, 10 * MIN));
    assert_eq!(r.buckets[0].resolution, stat(1, 65 * HOUR + 30 * MIN, 65 * HOUR + 30 * MIN));
    assert_eq!(r.buckets[1].first_response, stat(1, 20 * MIN, 20 * MIN));
    assert_eq!(r.buckets[2].first_response, Stat { n: 0, median_ms: None, p90_ms: None });
    assert_eq!(r.buckets[3].first_response, stat(2, 4 * MIN, 30 * MIN), "the reopening's 4 minutes, and D's 30");
    assert_eq!(r.total.conversations, 5);
    assert_eq!(r.total.first_response, stat(4, 10 * MIN, 30 * MIN));
    assert_eq!(r.total.resolution, stat(3, HOUR, 65 * HOUR + 30 * MIN));
    assert_eq!((r.buckets[3].csat.responses, r.buckets[3].csat.good), (2, 1));
    assert_eq!(r.total.csat.share(), Some(50.0));
    assert_eq!(r.surveyed, 2, "A and D were solved; B's close asked nothing");
    assert_eq!(r.response_rate(), Some(100.0));
    assert_eq!(r.heatmap[4][16], 1);
    assert_eq!(r.heatmap[5][10], 1);
    assert_eq!((r.heatmap[0][9], r.heatmap[0][10], r.heatmap[0][11]), (1, 1, 1));
    assert_eq!(r.heatmap.iter().flatten().sum::<i64>(), 5);
    let per: Vec<(&str, i64)> = r.agents.iter().map(|a| (a.name.as_str(), a.handled)).collect();
    assert_eq!(per, [("alex@x.io", 3), ("sam@x.io", 1)]);
    assert_eq!(r.agents[0].first_response, stat(3, 10 * MIN, 20 * MIN));
    assert_eq!(r.agents[0].resolution, stat(2, HOUR, 65 * HOUR + 30 * MIN));
    assert_eq!((r.agents[0].csat.responses, r.agents[0].csat.good), (1, 1));
    assert_eq!((r.agents[1].csat.responses, r.agents[1].csat.good), (1, 0));

    // Business hours (Monday to Friday, 09–17): the weekend does not count.
    let business = reports::report(app.db(), sam_id, Role::Supervisor, &ReportQuery { business_hours: true, ..q.clone() }).await.unwrap();
    assert_eq!(business.buckets[0].resolution, stat(1, 90 * MIN, 90 * MIN), "Friday 16–17 and Monday 09–09:30");
    assert_eq!(business.buckets[1].first_response, stat(1, 0, 0), "Saturday is closed");
    assert_eq!(business.total.first_response, stat(4, 4 * MIN, 30 * MIN));
    assert_eq!(business.total.resolution, stat(3, HOUR, 90 * MIN));

    // One day is by the hour; another zone moves the hours.
    let monday = reports::report(app.db(), sam_id, Role::Supervisor, &query("2026-09-21", "2026-09-21", "UTC")).await.unwrap();
    assert!(monday.hourly);
    assert_eq!(monday.buckets.len(), 24);
    assert_eq!((monday.buckets[9].conversations, monday.buckets[10].conversations, monday.buckets[11].conversations), (1, 1, 1));
    assert_eq!(monday.buckets[9].csat.responses, 1);
    let oslo = reports::report(app.db(), sam_id, Role::Supervisor, &query("2026-09-18", "2026-09-21", "Europe/Oslo")).await.unwrap();
    assert_eq!(oslo.heatmap[4][18], 1, "16:00 UTC is 18:00 in Oslo in September");

    // Filters: one agent; scope: another inbox, an operator.
    let only_sam = reports::report(app.db(), sam_id, Role::Supervisor, &ReportQuery { agent: Some(sam_id), ..q.clone() }).await.unwrap();
    assert_eq!(only_sam.total.conversations, 1);
    assert_eq!(only_sam.agents.len(), 1);
    assert_eq!(only_sam.surveyed, 1);
    let (sales, _) = inbox(&app, "Sales").await;
    let elsewhere = reports::report(app.db(), sam_id, Role::Supervisor, &ReportQuery { inbox: Some(sales), ..q.clone() }).await;
    assert!(matches!(elsewhere, Err(app::error::AppError::NotFound)));
    let operator = reports::report(app.db(), alex_id, Role::Operator, &q).await;
    assert!(matches!(operator, Err(app::error::AppError::Forbidden)));
    // The CSV of the same tables.
    let cookie = app.login("sam@x.io", "password-1").await;
    let get = |path: &str| {
        axum::http::Request::get(path)
            .header(axum::http::header::HOST, "localhost")
            .header(axum::http::header::COOKIE, format!("sb_session={cookie}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let res = app.send(get("/api/reports.csv?from=2026-09-18&to=2026-09-21&zone=UTC&table=buckets")).await;
    assert_eq!(res.status(), axum::http::StatusCode::OK);
    let csv = crate::common::body_text(res).await;
    assert!(csv.starts_with("bucket,conversations,first_response_median_s"), "{csv}");
    assert!(csv.contains("Total,5,600,1800,3600,235800,50.0,2"), "{csv}");
    let res = app.send(get("/api/reports.csv?from=2026-09-18&to=2026-09-21&zone=UTC&business_hours=true&table=agents")).await;
    let csv = crate::common::body_text(res).await;
    assert!(csv.contains("alex@x.io,3,240,0,100.0,1"), "{csv}");
    let res = app.send(get("/api/reports.csv?from=2026-09-18&to=2026-09-21&zone=UTC&table=pie")).await;
    assert_eq!(res.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);

    for bad in [query("2026-09-21", "2026-09-18", "UTC"), query("2025-01-01", "2026-09-18", "UTC"), query("nope", "2026-09-18", "UTC"), query("2026-09-18", "2026-09-18", "Mars/Base")] {
        assert!(matches!(reports::report(app.db(), sam_id, Role::Supervisor, &bad).await, Err(app::error::AppError::Unprocessable(_))), "{bad:?}");
    }
});
