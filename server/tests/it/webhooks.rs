//! Webhooks on both back ends: every change a subscription wants is delivered once
//! per id, signed the Standard Webhooks way, with no private line in any payload;
//! retries back off and give up after a day; a subscription that keeps failing is
//! disabled; the SSRF guard holds at subscription and at delivery; a delivery log
//! with redelivery and test events; and (a real process) kill -9 right after
//! commits loses no delivery.
use crate::common::process::{client, Server};
use crate::common::T0;
use crate::requests::{actor, setup};
use app::accounts::Role;
use app::conversations::handling;
use app::conversations::CloseReason;
use app::db::Db;
use app::requests::store::{self as requests, NewRequest};
use app::requests::{Priority, RequestStatus};
use app::webhooks::deliver::{check_target, deliver_due, GIVE_UP_AFTER_MS};
use app::webhooks::{derive, sign, store, EventType, NewSubscription, DISABLE_AFTER};
use axum::http::HeaderMap;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on 127.0.0.1 that answers with the given statuses in turn (the last
/// one from then on).
pub(crate) async fn receiver(statuses: Vec<u16>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let answers = Arc::new(Mutex::new(statuses));
    let (s2, a2) = (seen.clone(), answers.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (seen, answers) = (s2.clone(), a2.clone());
            async move {
                seen.lock().unwrap().push((headers, body));
                let mut a = answers.lock().unwrap();
                let code = if a.len() > 1 { a.remove(0) } else { a[0] };
                axum::http::StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

fn subscription(url: &str, events: &[EventType], inbox: Option<i64>) -> NewSubscription {
    NewSubscription { inbox_id: inbox, url: url.into(), events: events.iter().map(|e| e.as_str().to_string()).collect(), allow_private: true }
}

/// Queues what the log holds and sends what is due at `now`.
async fn run(db: &Db, now: i64) {
    while derive::derive(db, now).await.unwrap().is_some() {}
    while deliver_due(db, now).await.unwrap() > 0 {}
}

test_both_dbs!(every_wanted_change_is_delivered_signed_and_no_private_line_leaves, |db| async move {
    let (url, seen) = receiver(vec![200]).await;
    assert!(store::create(&db, &NewSubscription { allow_private: false, ..subscription(&url, EventType::ALL, None) }, T0).await.is_err(),
        "loopback needs the admin's explicit allowance");
    let sub = store::create(&db, &subscription(&url, EventType::ALL, None), T0).await.unwrap();
    // One for another inbox only: it gets nothing of this chat.
    let other_inbox = app::inboxes::store::create(&db, "Elsewhere", T0).await.unwrap();
    let (url2, seen2) = receiver(vec![200]).await;
    store::create(&db, &subscription(&url2, EventType::ALL, Some(other_inbox)), T0).await.unwrap();
    let (inbox, conv, olga, _) = setup(&db).await;
    let ada = actor(&db, "Ada", Role::Admin).await;

    app::conversations::supervise::whisper(&db, &ada, conv, "w-1", "whisper: check the refund policy", T0).await.unwrap();
    handling::assign(&db, conv, &ada, Some(olga.id), T0).await.unwrap();
    let r = requests::create(&db, &olga, NewRequest { conversation_id: conv, title: "Refund", description: "", priority: Priority::Normal }, T0).await.unwrap();
    requests::set_status(&db, &olga, r.id, RequestStatus::Done, T0).await.unwrap();
    handling::close(&db, conv, &olga, CloseReason::Solved, T0).await.unwrap();
    app::csat::store::rate(&db, conv, 5, Some("quick and kind"), T0).await.unwrap();
    run(&db, T0).await;

    let seen = seen.lock().unwrap().clone();
    let mut types: HashMap<String, usize> = HashMap::new();
    for (headers, body) in &seen {
        let id = headers["webhook-id"].to_str().unwrap();
        let ts: i64 = headers["webhook-timestamp"].to_str().unwrap().parse().unwrap();
        let sig = headers["webhook-signature"].to_str().unwrap();
        assert!(sign::verify(&sub.secret, id, ts, body.as_bytes(), sig), "the signature verifies");
        assert!(!sign::verify(&sign::new_secret(), id, ts, body.as_bytes(), sig));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["id"], id, "the body's id is the header's");
        assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
        *types.entry(v["type"].as_str().unwrap().to_string()).or_default() += 1;
        for private in ["looks like fraud", "ask finance", "whisper: check"] {
            assert!(!body.contains(private), "{private:?} left in {body}");
        }
    }
    for t in ["conversation.created", "conversation.assigned", "request.created", "request.status_changed", "csat.submitted"] {
        assert_eq!(types.get(t), Some(&1), "{t}: {types:?}");
    }
    assert_eq!(types.get("conversation.status_changed"), Some(&2), "opened by Olga's first reply, then solved: {types:?}");
    assert_eq!(types.get("message.created"), Some(&2), "the two public lines, nothing else: {types:?}");
    let ids: BTreeSet<String> = seen.iter().map(|(h, _)| h["webhook-id"].to_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), seen.len(), "one delivery per id");
    let request = seen.iter().find(|(_, b)| b.contains("\"request.created\"")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&request.1).unwrap();
    assert_eq!(v["data"]["id"].as_i64(), Some(r.id), "a request's data is the request");
    assert!(seen2.lock().unwrap().is_empty(), "another inbox's subscription got nothing");
    let _ = inbox;

    // Run again: nothing is sent twice.
    run(&db, T0 + 1).await;
    assert_eq!(ids.len(), seen.len());
    let log = store::log(&db, sub.id, None).await.unwrap();
    assert_eq!(log.len(), seen.len());
    assert!(log.iter().all(|d| d.status == "delivered" && d.attempts == 1 && d.last_status == Some(200)));
});

test_both_dbs!(failures_back_off_for_a_day_then_fail_and_a_failing_subscription_is_disabled, |db| async move {
    let (_, conv, olga, _) = setup(&db).await;
    let (url, seen) = receiver(vec![500]).await;
    let sub = store::create(&db, &subscription(&url, &[EventType::RequestCreated], None), T0).await.unwrap();
    let file = |title: &'static str| NewRequest { conversation_id: conv, title, description: "", priority: Priority::Normal };
    requests::create(&db, &olga, file("Refund"), T0).await.unwrap();
    run(&db, T0).await;
    let mut now = T0;
    let mut gaps = Vec::new();
    loop {
        let d = store::log(&db, sub.id, None).await.unwrap().remove(0);
        if d.status != "pending" {
            assert_eq!(d.status, "failed");
            break;
        }
        assert_eq!(deliver_due(&db, d.next_attempt_at - 1).await.unwrap(), 0, "not before its time");
        gaps.push(d.next_attempt_at - now);
        now = d.next_attempt_at;
        run(&db, now).await;
    }
    assert_eq!(&gaps[..4], &[5_000, 10_000, 20_000, 40_000], "exponential backoff");
    assert!(gaps.iter().all(|g| *g <= 2 * 3_600_000), "capped at two hours: {gaps:?}");
    assert!(now - T0 <= GIVE_UP_AFTER_MS && now - T0 > GIVE_UP_AFTER_MS - 2 * 3_600_000, "retried for a day: {}", now - T0);
    let attempts = seen.lock().unwrap().len();
    assert_eq!(attempts, gaps.len() + 1);
    let ids: BTreeSet<String> = seen.lock().unwrap().iter().map(|(h, _)| h["webhook-id"].to_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same id");
    assert_eq!(store::get(&db, sub.id).await.unwrap().failures, 1);

    // A delivery that succeeds resets the count; DISABLE_AFTER failures in a row disable.
    for i in 0..DISABLE_AFTER - 1 {
        let t = now + 1 + i * 2 * GIVE_UP_AFTER_MS;
        store::send_test(&db, sub.id, t).await.unwrap();
        run(&db, t).await;
        run(&db, t + GIVE_UP_AFTER_MS + 1).await;
        let mut at = t;
        while let Some(d) = store::log(&db, sub.id, None).await.unwrap().into_iter().find(|d| d.status == "pending") {
            at = d.next_attempt_at;
            run(&db, at).await;
        }
        let _ = at;
    }
    let s = store::get(&db, sub.id).await.unwrap();
    assert_eq!(s.failures, DISABLE_AFTER);
    assert!(!s.enabled && s.disabled_at.is_some(), "disabled after {DISABLE_AFTER} failed deliveries in a row");
    assert_eq!(store::disabled(&db).await.unwrap(), 1, "the admins' alert counts it");
    // Disabled: new changes are not queued for it.
    let before = store::log(&db, sub.id, None).await.unwrap().len();
    requests::create(&db, &olga, file("Another"), now).await.unwrap();
    run(&db, now + 10 * GIVE_UP_AFTER_MS).await;
    assert_eq!(store::log(&db, sub.id, None).await.unwrap().len(), before);
    // Turned on again: the count starts over.
    let s = store::set_enabled(&db, sub.id, true, now).await.unwrap();
    assert!(s.enabled && s.failures == 0);
});

test_both_dbs!(redeliver_and_test_events_go_out_with_their_ids, |db| async move {
    let (url, seen) = receiver(vec![200]).await;
    let sub = store::create(&db, &subscription(&url, &[EventType::MessageCreated], None), T0).await.unwrap();
    let id = store::send_test(&db, sub.id, T0).await.unwrap();
    run(&db, T0).await;
    let log = store::log(&db, sub.id, None).await.unwrap();
    assert_eq!((log[0].kind.as_str(), log[0].status.as_str(), log[0].msg_id.as_str()), (app::webhooks::TEST_TYPE, "delivered", id.as_str()));
    store::redeliver(&db, sub.id, log[0].id, T0 + 5).await.unwrap();
    assert!(store::redeliver(&db, sub.id + 1, log[0].id, T0 + 5).await.is_err(), "another subscription's delivery is not found");
    run(&db, T0 + 5).await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0["webhook-id"], seen[1].0["webhook-id"], "a redelivery keeps its id");
    assert_eq!(store::log(&db, sub.id, None).await.unwrap()[0].attempts, 2);
    assert!(store::create(&db, &NewSubscription { events: vec!["chat.exploded".into()], ..subscription(&url, &[], None) }, T0).await.is_err());
    assert!(store::create(&db, &subscription(&url, &[], None), T0).await.is_err(), "no event type: refused");
});

test_both_dbs!(a_new_subscription_gets_changes_from_then_on_only, |db| async move {
    let (_, conv, olga, _) = setup(&db).await;
    let (url, seen) = receiver(vec![200]).await;
    let sub = store::create(&db, &subscription(&url, &[EventType::ConversationStatusChanged, EventType::MessageCreated], None), T0).await.unwrap();
    run(&db, T0).await;
    assert!(seen.lock().unwrap().is_empty(), "what happened before it subscribed is not sent");
    handling::close(&db, conv, &olga, CloseReason::Closed, T0).await.unwrap();
    run(&db, T0).await;
    assert_eq!(seen.lock().unwrap().len(), 1);
    // Off, then on again: what happened meanwhile is not sent either.
    store::set_enabled(&db, sub.id, false, T0).await.unwrap();
    handling::assign(&db, conv, &olga, Some(olga.id), T0).await.ok();
    app::conversations::store::get(&db, conv).await.unwrap();
    app::conversations::write::send(&db, app::conversations::write::Outgoing {
        conversation_id: conv, author: app::conversations::write::Author::Customer, client_id: "late", body: "while it was off",
        visibility: app::conversations::Visibility::Public, file: None }, T0).await.unwrap();
    store::set_enabled(&db, sub.id, true, T0).await.unwrap();
    run(&db, T0).await;
    assert!(!seen.lock().unwrap().iter().any(|(_, b)| b.contains("while it was off")));
});

#[tokio::test]
async fn the_ssrf_guard_refuses_internal_targets() {
    for url in ["http://127.0.0.1:9/x", "http://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x", "http://localhost:9/x"] {
        let err = check_target(url, false).await.unwrap_err();
        assert!(err.contains("internal address"), "{url}: {err}");
    }
    assert!(check_target("http://127.0.0.1:9/x", true).await.is_ok(), "an admin may allow them");
    assert!(check_target("ftp://example.com/", false).await.is_err());
    assert!(check_target("not a url", false).await.is_err());
}

test_both_dbs!(a_target_refused_at_delivery_fails_without_being_sent, |db| async move {
    let (_, conv, olga, _) = setup(&db).await;
    let new = NewSubscription { url: "http://169.254.169.254/hook".into(), ..subscription("", &[EventType::ConversationStatusChanged], None) };
    let sub = store::create(&db, &new, T0).await.unwrap();
    // Allowed when stored, withdrawn since: delivery checks again.
    sqlx::query("UPDATE webhook_subscriptions SET allow_private = 0 WHERE id = $1").bind(sub.id).execute(db.pool()).await.unwrap();
    handling::close(&db, conv, &olga, CloseReason::Closed, T0).await.unwrap();
    run(&db, T0).await;
    let d = store::log(&db, sub.id, None).await.unwrap().remove(0);
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert!(d.last_error.unwrap().contains("internal address"));
});

/// kill -9 right after a burst of commits: after the restart every committed
/// message is delivered, and deduplicated by `webhook-id` each arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_right_after_commits_loses_no_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hooks.db", dir.path().display());
    let (hook, seen) = receiver(vec![200]).await;
    let mut server = Server::start_with(&url, &dir.path().join("files"), true, &["--no-rate-limits"]);
    {
        let db = app::db::Db::connect(&url).await.unwrap();
        store::create(&db, &subscription(&hook, &[EventType::MessageCreated], None), T0).await.unwrap();
        db.close().await;
    }
    let c = client();
    let token = "visitor-hooks-aaaaaaaaaaaaaaaaaaaa";
    let res = c.post(format!("{}/api/widget/conversations", server.base))
        .json(&serde_json::json!({"inbox": "demo-support", "token": token})).send().await.unwrap();
    let conv = res.json::<serde_json::Value>().await.unwrap()["conversation"]["id"].as_i64().unwrap();
    let mut acked = Vec::new();
    for i in 0..30 {
        let res = c.post(format!("{}/api/widget/conversations/{conv}/messages", server.base)).bearer_auth(token)
            .json(&serde_json::json!({"client_id": format!("h-{i}"), "body": format!("hook {i}")})).send().await.unwrap();
        assert!(res.status().is_success());
        acked.push(format!("hook {i}"));
    }
    server.signal("-KILL");
    server.wait_exit(Duration::from_secs(5)).expect("killed");

    let _again = Server::start(&url, &dir.path().join("files"), false);
    // Deliveries leased when the process died go out again once the lease ends.
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    let bodies = loop {
        let got: HashMap<String, String> = seen.lock().unwrap().iter()
            .map(|(h, b)| (h["webhook-id"].to_str().unwrap().to_string(), b.clone())).collect();
        if acked.iter().all(|a| got.values().any(|b| b.contains(&format!("\"{a}\"")))) || std::time::Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for a in &acked {
        let n = bodies.values().filter(|b| b.contains(&format!("\"{a}\""))).count();
        assert_eq!(n, 1, "{a:?} delivered once per id (after dropping repeated ids)");
    }
}

// A busy log: one pass of the reader queues 320 messages for two subscriptions (640
// deliveries, several statements of up to 250 rows each) and moves its cursor past
// them all; each delivery then reaches its receiver once.
test_both_dbs!(a_busy_logs_deliveries_are_queued_in_one_pass_and_each_sent_once, |db| async move {
    let (_, conv, _, _) = setup(&db).await;
    let (url_a, seen_a) = receiver(vec![200]).await;
    let (url_b, seen_b) = receiver(vec![200]).await;
    for url in [&url_a, &url_b] {
        store::create(&db, &subscription(url, &[EventType::MessageCreated], None), T0).await.unwrap();
    }
    for i in 0..320 {
        let out = app::conversations::write::Outgoing {
            conversation_id: conv, author: app::conversations::write::Author::Customer, client_id: &format!("busy-{i}"),
            body: &format!("line {i}"), visibility: app::conversations::Visibility::Public, file: None,
        };
        app::conversations::write::send(&db, out, T0).await.unwrap();
    }
    assert_eq!(derive::derive(&db, T0).await.unwrap(), Some(640), "one pass queues every delivery");
    assert_eq!(derive::derive(&db, T0).await.unwrap(), None, "and leaves the cursor at the log's end");
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM events").fetch_one(db.pool()).await.unwrap();
    assert_eq!(derive::cursor(&db).await.unwrap(), newest);
    run(&db, T0).await;
    for seen in [seen_a, seen_b] {
        let seen = seen.lock().unwrap();
        let ids: BTreeSet<String> = seen.iter().map(|(h, _)| h["webhook-id"].to_str().unwrap().to_string()).collect();
        assert_eq!((seen.len(), ids.len()), (320, 320), "each line once to each receiver");
    }
});
