//! Business hours: the widget's state, the offline form's chat held until the inbox
//! opens, and routing waking at the opening (no event marks it).
use crate::common::{body_json, body_text, json_request, TestApp};
use crate::hardening::inbox;
use crate::routing::set_online as online;
use crate::settings::form;
use app::accounts::Role;
use app::inboxes::{store as inboxes, MemberRole};
use axum::http::StatusCode;
use std::time::Duration;

async fn config(app: &TestApp, key: &str) -> serde_json::Value {
    let res = app.send(json_request("GET", &format!("/api/widget/config?inbox={key}"), None, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    body_json(res).await
}

test_both_dbs!(outside_hours_chats_wait_and_are_assigned_when_the_inbox_opens, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let ada = app.login("ada@x.io", "password-1").await;
    let alex = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, alex, Some(MemberRole::Operator)).await.unwrap();
    online(&app, alex).await;
    let save = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let ada = ada.clone();
        async move {
            let mut all = vec![("inbox_id", support.to_string())];
            all.extend(fields);
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.post_form("/api/admin/inboxes/hours/save", &form(&pairs), Some(&ada)).await;
            let status = res.status();
            (status, body_text(res).await)
        }
    };
    // T0 is Monday 2026-09-21 14:13:20 UTC. Bad input says why and saves nothing.
    let (status, text) = save(vec![("enabled", "on".into()), ("timezone", "Mars/Base".into()), ("mon", "15:00-17:00".into()), ("tue", "".into()), ("wed", "".into()), ("thu", "".into()), ("fri", "".into()), ("sat", "".into()), ("sun", "".into()), ("holidays", "".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("not a time zone"), "{text}");
    let (status, text) = save(vec![("enabled", "on".into()), ("timezone", "UTC".into()), ("mon", "3pm".into()), ("tue", "".into()), ("wed", "".into()), ("thu", "".into()), ("fri", "".into()), ("sat", "".into()), ("sun", "".into()), ("holidays", "".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("Monday"), "{text}");
    assert!(app::hours::store::hours(app.db(), support).await.unwrap().is_none());
    assert_eq!(config(&app, &key).await["state"], "online", "no schedule: always open");

    let (status, text) = save(vec![("enabled", "on".into()), ("timezone", "UTC".into()), ("mon", "15:00-17:00".into()), ("tue", "".into()), ("wed", "".into()), ("thu", "".into()), ("fri", "".into()), ("sat", "".into()), ("sun", "".into()), ("holidays", "2026-09-28".into())]).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let cfg = config(&app, &key).await;
    assert_eq!(cfg["state"], "offline");
    assert_eq!(cfg["back"]["day"], 0);
    assert_eq!(cfg["back"]["time"], "15:00");
    assert_eq!(cfg["back"]["in_days"], 0);
    assert_eq!(cfg["online"], false);

    // The offline form: a chat with the customer's email, waiting, not assigned.
    let res = app
        .send(json_request("POST", "/api/widget/conversations", None, Some(serde_json::json!({"inbox": key, "token": "visitor-hours-aaaaaaaaaaaaaaaaaaaa", "email": "late@example.com"}))))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let conv = body_json(res).await["conversation"]["id"].as_i64().unwrap();
    let res = app.post_form("/api/admin/routing/save", &form(&[("inbox_id", &support.to_string()), ("assignment", "auto"), ("capacity", "3"), ("offline_chats", "keep")]), Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let assignee = || async {
        let a: Option<i64> = sqlx::query_scalar("SELECT assignee_id FROM conversations WHERE id = $1").bind(conv).fetch_one(app.db().pool()).await.unwrap();
        a
    };
    assert_eq!(assignee().await, None, "held while the inbox is closed");
    let email: Option<String> = sqlx::query_scalar("SELECT cu.email FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = $1")
        .bind(conv)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(email.as_deref(), Some("late@example.com"));

    // A second before opening, routing is told to look again; it sleeps until 15:00 and
    // assigns the chat then, with no event to wake it.
    app.clock.advance_ms((15 * 3600 - (14 * 3600 + 13 * 60 + 20) - 1) * 1000);
    online(&app, alex).await;
    app::routing::board::of(app.db()).reroute();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(assignee().await, None, "still closed at 14:59:59");
    app.clock.advance_ms(2_000);
    online(&app, alex).await;
    let mut waited = 0;
    while assignee().await.is_none() && waited < 5_000 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 50;
    }
    assert_eq!(assignee().await, Some(alex), "assigned when the inbox opened");
    assert_eq!(config(&app, &key).await["state"], "online");

    // Within hours with nobody Online: away. A holiday Monday: offline until the next.
    sqlx::query("UPDATE agents SET presence = 'offline' WHERE id = $1").bind(alex).execute(app.db().pool()).await.unwrap();
    assert_eq!(config(&app, &key).await["state"], "away");
    app.clock.advance_ms(7 * 24 * 3600 * 1000);
    let cfg = config(&app, &key).await;
    assert_eq!(cfg["state"], "offline", "2026-09-28 is a holiday");
    assert_eq!(cfg["back"]["in_days"], 7);
});

test_both_dbs!(the_typical_reply_is_the_median_first_reply_within_hours, |db| async move {
    use app::conversations::write::{self, Author, Outgoing};
    use app::conversations::Visibility;
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let alex = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, alex, Some(MemberRole::Operator)).await.unwrap();
    // Monday 09:00-17:00 UTC; T0 is Monday 14:13:20.
    let week = vec![app::hours::parse_day("09:00-17:00").unwrap()].into_iter().chain(std::iter::repeat_n(vec![], 6)).collect();
    let hours = app::hours::Hours { timezone: "UTC".into(), week, holidays: vec![] };
    app::hours::store::set_hours(app.db(), support, Some(&hours)).await.unwrap();
    // Three chats within hours, answered after 2, 4 and 9 minutes: the median is 4.
    // One started at 17:30, outside hours, waited an hour: it does not count.
    let minute = 60_000;
    let starts = [(0, 2), (5, 4), (10, 9), (197, 60)];
    for (i, (start, wait)) in starts.iter().enumerate() {
        let at = app.state.now() + start * minute;
        let token = format!("visitor-typical-{i:0>16}");
        let (conv, _) = app::conversations::store::start(
            app.db(),
            app::conversations::store::StartVisitor { inbox_key: &key, token_hash: &app::conversations::visitor::hash_token(&token), name: None, email: None, context: None },
            at,
        )
        .await
        .unwrap();
        let client = format!("r-{i}");
        let reply = Outgoing { conversation_id: conv.id, author: Author::Agent { id: alex, name: "Alex" }, client_id: &client, body: "Hello", visibility: Visibility::Public, file: None };
        write::send(app.db(), reply, at + wait * minute).await.unwrap();
    }
    app.clock.advance_ms(300 * minute);
    let typical = app::hours::store::typical_reply(app.db(), support, app.state.now()).await.unwrap();
    assert_eq!(typical, Some(4 * minute));
});
