//! The live dashboard's figures: the queue and its longest wait, each agent's open
//! chats against capacity and their presence, the ongoing chats with who waits since
//! when; scoped to the inboxes the reader supervises.
use crate::common::{body_json, TestApp, T0};
use crate::hardening::inbox;
use crate::live::{visitor_send, visitor_start};
use crate::routing::set_online;
use app::accounts::{Availability, Role};
use app::conversations::handling::{self, Actor};
use app::dashboard::store as dashboard;
use app::inboxes::{store as inboxes, MemberRole};
use axum::http::StatusCode;

fn token(n: u32) -> String {
    format!("visitor-dashboard-{n:0>20}")
}

test_both_dbs!(the_dashboard_counts_the_queue_loads_and_waits_of_the_readers_inboxes, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let (_, other_key) = inbox(&app, "Sales").await;
    let sam = app.agent("sam@x.io", Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), support, sam, Some(MemberRole::Supervisor)).await.unwrap();
    let alex = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, alex, Some(MemberRole::Operator)).await.unwrap();
    let jo = app.agent("jo@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, jo, Some(MemberRole::Operator)).await.unwrap();
    set_online(&app, alex).await;
    set_online(&app, jo).await;
    app::accounts::presence::choose(app.db(), jo, Availability::Away, T0).await.unwrap();
    let alex_actor = Actor { id: alex, name: "Alex".into(), is_admin: false, address: None, token: None };

    // Two chats Alex holds: in one the customer wrote last, in the other Alex did.
    let asked = visitor_start(&app, &key, &token(1)).await;
    let answered = visitor_start(&app, &key, &token(2)).await;
    for c in [asked, answered] {
        handling::accept(app.db(), c, &alex_actor, app.state.now()).await.unwrap();
    }
    app.clock.advance_ms(1_000);
    let reply = app.post_form("/api/login", "email=alex%40x.io&password=password-1", None).await;
    assert_eq!(reply.status(), StatusCode::OK);
    let alex_cookie = crate::common::session_token(&reply).unwrap();
    let res = app.post_form("/api/conversations/reply", &format!("conversation_id={answered}&client_id=a-1&body=done&internal=false"), Some(&alex_cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.clock.advance_ms(1_000);
    let asked_at = app.state.now();
    assert_eq!(visitor_send(&app, &token(1), asked, "q-1", "still there?").await, StatusCode::CREATED);
    // Two chats wait in Support, the first for 2 minutes longer; one waits in Sales.
    app.clock.advance_ms(1_000);
    let first_waiting_at = app.state.now();
    let first = visitor_start(&app, &key, &token(3)).await;
    app.clock.advance_ms(120_000);
    let second = visitor_start(&app, &key, &token(4)).await;
    let elsewhere = visitor_start(&app, &other_key, &token(5)).await;

    let d = dashboard::read(app.db(), sam, Role::Supervisor, app.state.now()).await.unwrap();
    assert_eq!(d.waiting, 2, "Sales is not Sam's");
    assert_eq!(d.oldest_waiting_since, Some(first_waiting_at));
    let names: Vec<(&str, Availability, i64, i64)> = d.agents.iter().map(|a| (a.name.as_str(), a.presence, a.open, a.capacity)).collect();
    assert_eq!(
        names,
        vec![("alex@x.io", Availability::Online, 2, 3), ("jo@x.io", Availability::Away, 0, 3), ("sam@x.io", Availability::Offline, 0, 3)]
    );
    assert_eq!(d.presence_counts(), (1, 1, 1));
    assert_eq!(d.online_load(), (2, 3));
    // Ongoing: the queue first, oldest first; then the held chats.
    let ids: Vec<i64> = d.ongoing.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![first, second, asked, answered]);
    assert!(!ids.contains(&elsewhere));
    let by_id = |id: i64| d.ongoing.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by_id(first).assignee, None);
    assert_eq!(by_id(asked).assignee.as_deref(), Some("alex@x.io"));
    assert_eq!(by_id(asked).waiting_since, Some(asked_at), "waits for a reply since the customer's last line");
    assert_eq!(by_id(answered).waiting_since, None, "Alex had the last word");
    assert_eq!(by_id(asked).last_message.as_deref(), Some("still there?"));

    // Accepting one moves it from the queue onto Alex; solving one frees a place.
    handling::accept(app.db(), first, &alex_actor, app.state.now()).await.unwrap();
    handling::close(app.db(), answered, &alex_actor, app::conversations::CloseReason::Solved, app.state.now()).await.unwrap();
    let d = dashboard::read(app.db(), sam, Role::Supervisor, app.state.now()).await.unwrap();
    assert_eq!((d.waiting, d.oldest_waiting_since.is_some()), (1, true));
    assert_eq!(d.agents[0].open, 2);
    assert!(!d.ongoing.iter().any(|c| c.id == answered));

    // An admin sees every inbox; an operator is refused.
    let admin = app.agent("ada@x.io", Role::Admin, "password-1").await;
    let all = dashboard::read(app.db(), admin, Role::Admin, app.state.now()).await.unwrap();
    assert_eq!(all.waiting, 2);
    assert!(all.ongoing.iter().any(|c| c.id == elsewhere));
    assert!(matches!(dashboard::read(app.db(), alex, Role::Operator, app.state.now()).await, Err(app::error::AppError::Forbidden)));
    let res = app.post_form("/api/dashboard", "", Some(&alex_cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let sam_cookie = app.login("sam@x.io", "password-1").await;
    let res = app.post_form("/api/dashboard", "", Some(&sam_cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["waiting"], 1);
});
