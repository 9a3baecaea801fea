//! SLA targets on a paused clock: the pending target and its due time through every
//! change, the 80% alert and the breach sent once each (a breach is an event), the
//! cycle's met figures, business hours across a weekend, and the policy's save.
use crate::common::{body_text, TestApp};
use crate::hardening::inbox;
use app::accounts::Role;
use app::conversations::handling::{self, Actor};
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::{CloseReason, Visibility};
use app::hours::{parse_day, Hours};
use app::inboxes::{store as inboxes, MemberRole};
use app::sla::{store as sla, Policy, Target};
use axum::http::StatusCode;

const MIN: i64 = 60_000;
/// Friday 2026-09-18 00:00 UTC.
const FRI: i64 = 1_789_689_600_000;

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Pending {
    sla_target: Option<String>,
    sla_due_at: Option<i64>,
    sla_warn_at: Option<i64>,
    sla_warned_at: Option<i64>,
    sla_breached_at: Option<i64>,
}

async fn pending(app: &TestApp, conv: i64) -> Pending {
    sqlx::query_as("SELECT sla_target, sla_due_at, sla_warn_at, sla_warned_at, sla_breached_at FROM conversations WHERE id = $1")
        .bind(conv)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn chat(app: &TestApp, key: &str, n: u32, at: i64) -> i64 {
    let token = app::conversations::visitor::hash_token(&format!("sla-visitor-{n}"));
    let req = StartVisitor { inbox_key: key, token_hash: &token, name: Some("Cleo"), email: None, context: None };
    start(app.db(), req, at).await.unwrap().0.id
}

async fn say(app: &TestApp, conv: i64, who: Option<&Actor>, client_id: &str, at: i64) {
    let author = match who {
        Some(a) => Author::Agent { id: a.id, name: &a.name },
        None => Author::Customer,
    };
    let out = Outgoing { conversation_id: conv, author, client_id, body: "words", visibility: Visibility::Public, file: None };
    write::send(app.db(), out, at).await.unwrap();
}

/// The Support inbox, its admin Ada and Alex, an operator of it.
async fn team(app: &TestApp) -> (i64, String, i64, Actor) {
    let (support, key) = inbox(app, "Support").await;
    let ada = app.agent("ada@x.io", Role::Admin, "password-1").await;
    let alex_id = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, alex_id, Some(MemberRole::Operator)).await.unwrap();
    (support, key, ada, Actor { id: alex_id, name: "Alex".into(), is_admin: false, address: None, token: None })
}

test_both_dbs!(sla_targets_alert_at_80_percent_and_record_breaches, |db| async move {
    let app = TestApp::new(db);
    let (support, key, admin, alex) = team(&app).await;
    let policy = Policy { first_response_ms: Some(10 * MIN), next_response_ms: Some(5 * MIN), resolution_ms: Some(60 * MIN), business_hours: false };
    // A chat that exists before the policy is due under it once it is saved.
    // From the paused clock on, so the background watcher (on the same clock) finds nothing due.
    let t0 = app.state.now();
    let early = chat(&app, &key, 0, t0).await;
    assert_eq!(pending(&app, early).await.sla_due_at, None);
    sla::set_policy(app.db(), &app::audit::Actor::agent(admin, None), support, &policy, t0).await.unwrap();
    assert_eq!(pending(&app, early).await.sla_due_at, Some(t0 + 10 * MIN));

    let conv = chat(&app, &key, 1, t0).await;
    say(&app, conv, None, "c-1", t0).await;
    let p = pending(&app, conv).await;
    assert_eq!((p.sla_target.as_deref(), p.sla_warn_at, p.sla_due_at), (Some("first_response"), Some(t0 + 8 * MIN), Some(t0 + 10 * MIN)));

    // Nothing before 80%; the alert at 80%, once; the breach at the due time, once.
    assert!(sla::tick(app.db(), t0 + 7 * MIN).await.unwrap().is_empty());
    let alerts = sla::tick(app.db(), t0 + 8 * MIN).await.unwrap();
    let mine: Vec<_> = alerts.iter().filter(|a| a.conversation_id == conv).collect();
    assert_eq!(mine.len(), 1);
    assert!(!mine[0].breached && mine[0].target == Target::FirstResponse && mine[0].due_at == t0 + 10 * MIN);
    assert!(sla::tick(app.db(), t0 + 9 * MIN).await.unwrap().is_empty());
    let wake = sla::next_wake(app.db()).await.unwrap();
    assert_eq!(wake, Some(t0 + 10 * MIN), "the next look is the due time");
    let breaches = sla::tick(app.db(), t0 + 10 * MIN).await.unwrap();
    assert!(breaches.iter().any(|a| a.conversation_id == conv && a.breached));
    assert_eq!(pending(&app, conv).await.sla_breached_at, Some(t0 + 10 * MIN));
    assert!(sla::tick(app.db(), t0 + 11 * MIN).await.unwrap().is_empty());
    let logged: Vec<String> = sqlx::query_scalar("SELECT payload FROM events WHERE kind = 'conversation.sla' AND conversation_id = $1 ORDER BY id")
        .bind(conv)
        .fetch_all(app.db().pool())
        .await
        .unwrap();
    assert_eq!(logged.len(), 2);
    assert!(logged[1].contains("\"breached\":true"), "{logged:?}");

    // Alex answers late: the first response missed; resolution is pending now.
    handling::accept(app.db(), conv, &alex, t0 + 11 * MIN).await.unwrap();
    assert_eq!(pending(&app, conv).await.sla_target.as_deref(), Some("first_response"), "the accept's line is no response");
    say(&app, conv, Some(&alex), "a-1", t0 + 12 * MIN).await;
    let p = pending(&app, conv).await;
    assert_eq!((p.sla_target.as_deref(), p.sla_due_at, p.sla_breached_at), (Some("resolution"), Some(t0 + 60 * MIN), None));
    // The customer writes: the next response is due in 5 minutes; Alex answers in 2.
    say(&app, conv, None, "c-2", t0 + 20 * MIN).await;
    let p = pending(&app, conv).await;
    assert_eq!((p.sla_target.as_deref(), p.sla_due_at), (Some("next_response"), Some(t0 + 25 * MIN)));
    say(&app, conv, Some(&alex), "a-2", t0 + 22 * MIN).await;
    assert_eq!(pending(&app, conv).await.sla_target.as_deref(), Some("resolution"));
    // The customer writes twice: the clock runs from the first unanswered line, so the
    // second does not push the deadline back, and an answer 6 minutes after the first
    // (2 after the second) is late.
    say(&app, conv, None, "c-2b", t0 + 23 * MIN).await;
    say(&app, conv, None, "c-2c", t0 + 27 * MIN).await;
    let p = pending(&app, conv).await;
    assert_eq!((p.sla_target.as_deref(), p.sla_due_at), (Some("next_response"), Some(t0 + 28 * MIN)));
    say(&app, conv, Some(&alex), "a-2b", t0 + 29 * MIN).await;
    assert_eq!(pending(&app, conv).await.sla_target.as_deref(), Some("resolution"));
    // Solved in time: nothing pending; the cycle says what was met.
    handling::close(app.db(), conv, &alex, CloseReason::Solved, t0 + 30 * MIN).await.unwrap();
    assert_eq!(pending(&app, conv).await, Pending { sla_target: None, sla_due_at: None, sla_warn_at: None, sla_warned_at: None, sla_breached_at: None });
    let met: (Option<i64>, Option<i64>, i64, i64) = sqlx::query_as(
        "SELECT first_response_met, resolution_met, next_responses, next_responses_met FROM conversation_cycles WHERE conversation_id = $1",
    )
    .bind(conv)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(met, (Some(0), Some(1), 2, 1));
    // Reopened: a new first-response target from the reopening.
    say(&app, conv, None, "c-3", t0 + 90 * MIN).await;
    assert_eq!(pending(&app, conv).await.sla_due_at, Some(t0 + 100 * MIN));
    // Reports count what was met.
    let day = app::timefmt::day(t0);
    let q = app::reports::ReportQuery { from: day.clone(), to: day, zone: "UTC".into(), ..Default::default() };
    let r = app::reports::store::report(app.db(), admin, Role::Admin, &q).await.unwrap();
    use app::reports::Met;
    assert_eq!(r.total.sla.first_response, Met { met: 0, of: 1 });
    assert_eq!(r.total.sla.next_response, Met { met: 1, of: 2 });
    assert_eq!(r.total.sla.resolution, Met { met: 1, of: 1 });
});

test_both_dbs!(sla_in_business_hours_skips_the_weekend_and_the_policy_saves_over_http, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let mut week = vec![parse_day("09:00-17:00").unwrap(); 5];
    week.extend([vec![], vec![]]);
    app::hours::store::set_hours(app.db(), support, Some(&Hours { timezone: "UTC".into(), week, holidays: vec![] })).await.unwrap();
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let ada = app.login("ada@x.io", "password-1").await;
    let save = |form: String| {
        let ada = ada.clone();
        let app = &app;
        async move { app.post_form("/api/admin/inboxes/sla/save", &form, Some(&ada)).await }
    };
    let bad = save(format!("inbox_id={support}&first_response=0&next_response=&resolution=")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(bad).await.contains("minutes from 0.1"));
    let ok = save(format!("inbox_id={support}&first_response=60&next_response=&resolution=480&business_hours=on")).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let audited: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'inbox.sla'").fetch_one(app.db().pool()).await.unwrap();
    assert!(audited.contains("\"first_response_ms\":3600000") && audited.contains("\"business_hours\":true"), "{audited}");

    // Friday 16:30: an hour of business time is 30 minutes on Friday and 30 on Monday.
    let conv = chat(&app, &key, 1, FRI + 16 * 60 * MIN + 30 * MIN).await;
    let monday = FRI + 3 * 24 * 60 * MIN;
    let p = pending(&app, conv).await;
    assert_eq!((p.sla_target.as_deref(), p.sla_due_at), (Some("first_response"), Some(monday + 9 * 60 * MIN + 30 * MIN)));
    assert_eq!(p.sla_warn_at, Some(monday + 9 * 60 * MIN + 18 * MIN), "80% is 48 minutes of open time");
    // Nothing is due over the weekend.
    assert!(sla::tick(app.db(), FRI + 2 * 24 * 60 * MIN).await.unwrap().is_empty());
});

test_both_dbs!(the_list_sorts_by_sla_due_and_filters_breaches_and_the_dashboard_counts_them, |db| async move {
    let app = TestApp::new(db);
    let (support, key, ada, alex) = team(&app).await;
    let policy = Policy { first_response_ms: Some(10 * MIN), ..Policy::default() };
    let t0 = app.state.now();
    sla::set_policy(app.db(), &app::audit::Actor::agent(ada, None), support, &policy, t0).await.unwrap();
    let answered = chat(&app, &key, 1, t0).await;
    say(&app, answered, None, "c-1", t0).await;
    say(&app, answered, Some(&alex), "a-1", t0 + MIN).await;
    let later = chat(&app, &key, 2, t0 + 5 * MIN).await;
    let first = chat(&app, &key, 3, t0).await;
    let cookie = app.login("ada@x.io", "password-1").await;
    let ids = |form: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let res = app.post_form("/api/inbox/page", form, Some(&cookie)).await;
            assert_eq!(res.status(), StatusCode::OK);
            let v = crate::common::body_json(res).await;
            v["rows"].as_array().unwrap().iter().map(|r| (r["id"].as_i64().unwrap(), r["sla_breached"].as_bool().unwrap())).collect::<Vec<_>>()
        }
    };
    // Due first: the chat started first, then the later one, then the answered one.
    assert_eq!(ids("query[sort]=sla_due").await, vec![(first, false), (later, false), (answered, false)]);
    // At t0+13: the first is breached, the later one past 80%.
    let sent = sla::tick(app.db(), t0 + 13 * MIN).await.unwrap();
    let mut got: Vec<(i64, bool)> = sent.iter().map(|a| (a.conversation_id, a.breached)).collect();
    got.sort();
    let mut want = vec![(later, false), (first, true)];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(ids("query[sla]=breached").await, vec![(first, true)]);
    let d = app::dashboard::store::read(app.db(), ada, Role::Admin, t0 + 13 * MIN).await.unwrap();
    assert_eq!((d.sla_at_risk, d.sla_breached), (1, 1));
    let row = d.ongoing.iter().find(|c| c.id == first).unwrap();
    assert_eq!((row.sla_due_at, row.sla_breached), (Some(t0 + 10 * MIN), true));
});

// Customer sends that arrive together are written as one batch (one UPDATE of their
// chats, one read of their targets): each chat ends as if its sends had been written
// one by one, in the order they were stored: it shows its last line and awaits an
// answer since its first.
test_both_dbs!(batched_customer_sends_move_each_chat_like_single_sends, |db| async move {
    let app = TestApp::new(db);
    let (support, key, ada, alex) = team(&app).await;
    let policy = Policy { first_response_ms: Some(10 * MIN), next_response_ms: Some(5 * MIN), ..Policy::default() };
    let t0 = app.state.now();
    sla::set_policy(app.db(), &app::audit::Actor::agent(ada, None), support, &policy, t0).await.unwrap();
    let mut chats = Vec::new();
    for n in 0..4 {
        let conv = chat(&app, &key, 10 + n, t0).await;
        say(&app, conv, None, "c-0", t0).await;
        handling::accept(app.db(), conv, &alex, t0 + MIN).await.unwrap();
        say(&app, conv, Some(&alex), "a-0", t0 + 2 * MIN).await;
        chats.push(conv);
    }
    let mut handles = Vec::new();
    for n in 0..48i64 {
        let (db, conv) = (app.db().clone(), chats[n as usize % chats.len()]);
        handles.push(tokio::spawn(async move {
            let client_id = format!("burst-{n}");
            let body = format!("burst line {n}");
            let out = Outgoing { conversation_id: conv, author: Author::Customer, client_id: &client_id, body: &body, visibility: Visibility::Public, file: None };
            write::send(&db, out, t0 + 3 * MIN + n * 1000).await.map(|_| ())
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    for conv in chats {
        // The last line stored in the chat is what the chat shows, and times its target.
        let (body, at): (String, i64) =
            sqlx::query_as("SELECT body, created_at FROM messages WHERE conversation_id = $1 AND author_kind = 'customer' ORDER BY id DESC LIMIT 1")
                .bind(conv)
                .fetch_one(app.db().pool())
                .await
                .unwrap();
        let shown: (Option<String>, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT last_message_preview, last_customer_message_at, last_message_at FROM conversations WHERE id = $1",
        )
        .bind(conv)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
        assert_eq!(shown, (Some(body), Some(at), Some(at)));
        // The first line stored after the reply starts the next-response clock.
        let first: i64 = sqlx::query_scalar("SELECT created_at FROM messages WHERE conversation_id = $1 AND client_id LIKE 'burst-%' ORDER BY id LIMIT 1")
            .bind(conv)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
        let p = pending(&app, conv).await;
        assert_eq!((p.sla_target.as_deref(), p.sla_due_at), (Some("next_response"), Some(first + 5 * MIN)));
    }
});
