//! Routing: automatic assignment with capacity (event-driven, never over capacity),
//! what an offline agent's chats do, queue positions and the wait estimate.
use crate::common::{body_json, body_text, json_request, read_frames_of, TestApp};
use crate::hardening::inbox;
use crate::live::{stream_request, visitor_start};
use crate::settings::form;
use app::accounts::{presence, Role};
use app::conversations::handling::{self, Actor};
use app::conversations::CloseReason;
use app::inboxes::{store as inboxes, MemberRole};
use app::routing::store as routing;
use axum::http::StatusCode;
use std::time::Duration;

/// An agent of `inbox` with a live console: Online, seen now.
async fn online_agent(app: &TestApp, inbox: i64, email: &str) -> i64 {
    let id = app.agent(email, Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), inbox, id, Some(MemberRole::Operator)).await.unwrap();
    set_online(app, id).await;
    id
}

/// Marks an agent Online with a tab seen now.
pub(crate) async fn set_online(app: &TestApp, id: i64) {
    sqlx::query("UPDATE agents SET availability = 'online', presence = 'online', last_seen_at = $1 WHERE id = $2")
        .bind(app.state.now())
        .bind(id)
        .execute(app.db().pool())
        .await
        .unwrap();
}

async fn admin(app: &TestApp) -> String {
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    app.login("ada@x.io", "password-1").await
}

async fn save_routing(app: &TestApp, cookie: &str, inbox: i64, assignment: &str, capacity: &str, offline: &str) -> (StatusCode, String) {
    let inbox = inbox.to_string();
    let body = form(&[("inbox_id", &inbox), ("assignment", assignment), ("capacity", capacity), ("offline_chats", offline)]);
    let res = app.post_form("/api/admin/routing/save", &body, Some(cookie)).await;
    let status = res.status();
    (status, body_text(res).await)
}

async fn scalar(app: &TestApp, sql: &str, bind: i64) -> i64 {
    sqlx::query_scalar(sql).bind(bind).fetch_one(app.db().pool()).await.unwrap()
}

async fn open_chats(app: &TestApp, agent: i64) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM conversations WHERE assignee_id = $1 AND status <> 'closed'", agent).await
}

async fn assignee(app: &TestApp, conv: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT assignee_id FROM conversations WHERE id = $1").bind(conv).fetch_one(app.db().pool()).await.unwrap()
}

/// Waits (up to 10 s) until `check` holds: routing runs on the events the pump reads.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Reads the stream until a `queue` frame that `want` accepts (other frames pass by).
async fn spot_until(body: &mut axum::body::Body, what: &str, want: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        for f in read_frames_of(body, 1, 1_000, |e| e == "queue").await {
            if f.event.as_deref() == Some("queue") {
                let v: serde_json::Value = serde_json::from_str(&f.data).unwrap();
                if want(&v) {
                    return v;
                }
            }
        }
    }
    panic!("no queue frame: {what}");
}

fn token(i: usize) -> String {
    format!("visitor-routing-{i:0>20}")
}

test_both_dbs!(fifty_concurrent_chats_never_put_an_agent_over_capacity, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let ada = admin(&app).await;
    let alex = online_agent(&app, support, "alex@x.io").await;
    let bo = online_agent(&app, support, "bo@x.io").await;
    // Bad settings are refused, saying why, and change nothing.
    let (status, text) = save_routing(&app, &ada, support, "auto", "0", "keep").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("from 1 to 50"), "{text}");
    assert_eq!(routing::settings(app.db(), support).await.unwrap(), app::routing::Routing::default());
    let (status, text) = save_routing(&app, &ada, support, "auto", "2", "keep").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'inbox.routing' AND actor_id IS NOT NULL AND $1 = $1", 0).await, 1);

    let starts = (0..50).map(|i| {
        let (app, key) = (&app, key.clone());
        async move { visitor_start(app, &key, &token(i)).await }
    });
    let chats = futures::future::join_all(starts).await;
    eventually("both agents are full", || async { open_chats(&app, alex).await == 2 && open_chats(&app, bo).await == 2 }).await;
    // Settle once more, and give the pump time to react to every event: still full.
    routing::settle(app.db(), support, app.state.now()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!((open_chats(&app, alex).await, open_chats(&app, bo).await), (2, 2), "never over capacity");
    let waiting = scalar(&app, "SELECT COUNT(*) FROM conversations WHERE inbox_id = $1 AND assignee_id IS NULL AND status = 'new'", support).await;
    assert_eq!(waiting, 46);
    // Each chat was assigned once, with a line that says how.
    let assigned = scalar(&app, "SELECT COUNT(*) FROM events WHERE kind = 'conversation.assigned' AND inbox_id = $1", support).await;
    assert_eq!(assigned, 4);
    let lines = scalar(&app, "SELECT COUNT(*) FROM messages WHERE body LIKE 'Assigned automatically to %' AND visibility = 'internal' AND $1 = $1", 0).await;
    assert_eq!(lines, 4);

    // Alex solves one: the oldest waiting chat goes to Alex, with no click.
    let mine: i64 = sqlx::query_scalar("SELECT id FROM conversations WHERE assignee_id = $1 ORDER BY id LIMIT 1")
        .bind(alex)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    let alex_actor = Actor { id: alex, name: "alex".into(), is_admin: false, address: None, token: None };
    handling::close(app.db(), mine, &alex_actor, CloseReason::Solved, app.state.now()).await.unwrap();
    let oldest: i64 = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE inbox_id = $1 AND assignee_id IS NULL AND status = 'new' ORDER BY queued_at, id LIMIT 1",
    )
    .bind(support)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    eventually("the oldest waiting chat goes to Alex", || async { assignee(&app, oldest).await == Some(alex) }).await;
    assert_eq!(open_chats(&app, alex).await, 2);
    assert!(chats.contains(&oldest));

    // A raised capacity takes more at once.
    let res = app.post_form("/api/admin/agents/capacity", &format!("agent_id={bo}&capacity=5"), Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::OK);
    eventually("Bo takes three more", || async { open_chats(&app, bo).await == 5 }).await;
    assert_eq!(open_chats(&app, alex).await, 2);
});

test_both_dbs!(only_online_members_with_room_are_eligible, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let (billing, _) = inbox(&app, "Billing").await;
    let ada = admin(&app).await;
    let away = online_agent(&app, support, "away@x.io").await;
    sqlx::query("UPDATE agents SET presence = 'away', availability = 'away' WHERE id = $1").bind(away).execute(app.db().pool()).await.unwrap();
    let elsewhere = online_agent(&app, billing, "elsewhere@x.io").await;
    let gone = online_agent(&app, support, "gone@x.io").await;
    sqlx::query("UPDATE agents SET deactivated_at = 1 WHERE id = $1").bind(gone).execute(app.db().pool()).await.unwrap();
    let stale = online_agent(&app, support, "stale@x.io").await;
    sqlx::query("UPDATE agents SET last_seen_at = $1 WHERE id = $2")
        .bind(app.state.now() - presence::GRACE_MS - 1)
        .bind(stale)
        .execute(app.db().pool())
        .await
        .unwrap();
    let kim = online_agent(&app, support, "kim@x.io").await;
    assert_eq!(save_routing(&app, &ada, support, "auto", "3", "keep").await.0, StatusCode::OK);
    // Kim's own capacity is 1, and a chat assigned by hand counts against it.
    let res = app.post_form("/api/admin/agents/capacity", &format!("agent_id={kim}&capacity=1"), Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(save_routing(&app, &ada, support, "manual", "3", "keep").await.0, StatusCode::OK);
    let first = visitor_start(&app, &key, &token(1)).await;
    let kim_actor = Actor { id: kim, name: "Kim".into(), is_admin: false, address: None, token: None };
    handling::accept(app.db(), first, &kim_actor, app.state.now()).await.unwrap();
    let second = visitor_start(&app, &key, &token(2)).await;
    assert_eq!(save_routing(&app, &ada, support, "auto", "3", "keep").await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(assignee(&app, second).await, None, "Kim is full; nobody else is eligible");
    for id in [away, elsewhere, gone, stale] {
        assert_eq!(open_chats(&app, id).await, 0);
    }
    // Away turns Online: the waiting chat goes to them, driven by the presence event.
    presence::choose(app.db(), away, app::accounts::Availability::Online, app.state.now()).await.unwrap();
    eventually("the waiting chat goes to the agent who came Online", || async { assignee(&app, second).await == Some(away) }).await;
});

test_both_dbs!(an_offline_agents_chats_return_or_stay_as_the_inbox_says, |db| async move {
    let app = TestApp::new(db);
    let (support, skey) = inbox(&app, "Support").await;
    let (billing, bkey) = inbox(&app, "Billing").await;
    let ada = admin(&app).await;
    let alex = online_agent(&app, support, "alex@x.io").await;
    inboxes::set_member(app.db(), billing, alex, Some(MemberRole::Operator)).await.unwrap();
    assert_eq!(save_routing(&app, &ada, support, "auto", "3", "return").await.0, StatusCode::OK);
    assert_eq!(save_routing(&app, &ada, billing, "auto", "3", "keep").await.0, StatusCode::OK);
    let s = visitor_start(&app, &skey, &token(1)).await;
    let b = visitor_start(&app, &bkey, &token(2)).await;
    eventually("both chats go to Alex", || async { assignee(&app, s).await == Some(alex) && assignee(&app, b).await == Some(alex) }).await;

    // Every tab gone past the grace period.
    app.clock.advance_ms(presence::GRACE_MS + 1_000);
    let gone = presence::sweep(app.db(), app.state.now()).await.unwrap();
    assert_eq!(gone, vec![alex]);
    let changed = routing::went_offline(app.db(), alex, app.state.now()).await.unwrap();
    assert_eq!(changed, vec![support]);
    assert_eq!(assignee(&app, s).await, None, "Support returns the chat");
    let status: String = sqlx::query_scalar("SELECT status FROM conversations WHERE id = $1").bind(s).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(status, "new", "waiting again");
    assert_eq!(assignee(&app, b).await, Some(alex), "Billing keeps it with Alex");
    let name: String = sqlx::query_scalar("SELECT name FROM agents WHERE id = $1").bind(alex).fetch_one(app.db().pool()).await.unwrap();
    let returned = format!("{name} went offline; the chat went back to the queue");
    let kept = format!("{name} went offline; the chat stays with them");
    let count = |conv: i64, text: String| {
        let app = &app;
        async move {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND body = $2 AND visibility = 'internal'")
                .bind(conv)
                .bind(text)
                .fetch_one(app.db().pool())
                .await
                .unwrap();
            n
        }
    };
    assert_eq!(count(s, returned).await, 1);
    assert_eq!(count(b, kept.clone()).await, 1);
    // An agent turned Offline whose chats were never returned (the instance stopped in
    // between): routing returns them when it starts.
    let s2 = visitor_start(&app, &skey, &token(3)).await;
    let alex_actor = Actor { id: alex, name: name.clone(), is_admin: false, address: None, token: None };
    handling::accept(app.db(), s2, &alex_actor, app.state.now()).await.unwrap();
    assert_eq!(routing::return_stranded(app.db(), app.state.now()).await.unwrap(), 1);
    assert_eq!(assignee(&app, s2).await, None);
    assert_eq!(routing::return_stranded(app.db(), app.state.now()).await.unwrap(), 0, "nothing left");
    // Run again (another instance's late call): nothing is returned twice.
    assert!(routing::went_offline(app.db(), alex, app.state.now()).await.unwrap().is_empty());
    assert_eq!(count(b, kept).await, 1, "the kept chat is noted once");
});

test_both_dbs!(queue_positions_reach_each_waiting_customer_live, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let (billing, _) = inbox(&app, "Billing").await;
    let sue_id = app.agent("sue@x.io", Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), support, sue_id, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(app.db(), billing, sue_id, Some(MemberRole::Supervisor)).await.unwrap();
    let sue = Actor { id: sue_id, name: "Sue".into(), is_admin: false, address: None, token: None };
    let chats = [
        visitor_start(&app, &key, &token(1)).await,
        visitor_start(&app, &key, &token(2)).await,
        visitor_start(&app, &key, &token(3)).await,
    ];
    let st = app.send(json_request("POST", &format!("/api/widget/conversations/{}/stream-token", chats[2]), Some(&token(3)), None)).await;
    let stream_token = body_json(st).await["token"].as_str().unwrap().to_string();
    let mut third = app.send(stream_request(&format!("/api/widget/events?token={stream_token}"), None, None)).await.into_body();
    let first = spot_until(&mut third, "a first queue frame", |_| true).await;
    assert_eq!(first["position"], 3, "{first}");
    assert_eq!(first["estimate_ms"], serde_json::Value::Null, "no history yet: no estimate");

    // Sue takes the first chat after a minute: the third customer is number 2, and the
    // estimate is the one wait seen so far, less the minute they have waited.
    app.clock.advance_ms(60_000);
    handling::accept(app.db(), chats[0], &sue, app.state.now()).await.unwrap();
    let next = spot_until(&mut third, "no queue frame after an accept", |v| v["position"] == 2).await;
    assert_eq!(next["estimate_ms"], 0, "{next}");
    assert_eq!(scalar(&app, "SELECT wait_avg_ms FROM inboxes WHERE id = $1", support).await, 60_000);

    // The second chat moves to Billing: the third customer is next.
    handling::move_to(app.db(), chats[1], &sue, billing, app.state.now()).await.unwrap();
    let moved = spot_until(&mut third, "no queue frame after a move", |v| v["position"] == 1).await;
    assert_eq!(moved["position"], 1);
    // Taken after another 100 s (160 s in all): the frame says it waits no more, and
    // the average moves a tenth of the way: 0.9·60 s + 0.1·160 s = 70 s.
    app.clock.advance_ms(100_000);
    handling::accept(app.db(), chats[2], &sue, app.state.now()).await.unwrap();
    let gone = spot_until(&mut third, "no queue frame once taken", |v| v["position"].is_null()).await;
    assert!(gone["estimate_ms"].is_null());
    assert_eq!(scalar(&app, "SELECT wait_avg_ms FROM inboxes WHERE id = $1", support).await, 70_000);
});

test_both_dbs!(an_offer_that_lapses_or_is_declined_goes_to_the_next_agent, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let ada = admin(&app).await;
    let first = online_agent(&app, support, "first@x.io").await;
    let second = online_agent(&app, support, "second@x.io").await;
    let inbox_id = support.to_string();
    let save = |offer: &'static str| {
        let (app, ada, inbox_id) = (&app, ada.clone(), inbox_id.clone());
        async move {
            let body = form(&[("inbox_id", &inbox_id), ("assignment", "auto"), ("capacity", "3"), ("offline_chats", "keep"), ("offer_seconds", offer)]);
            app.post_form("/api/admin/routing/save", &body, Some(&ada)).await.status()
        }
    };
    assert_eq!(save("2").await, StatusCode::UNPROCESSABLE_ENTITY, "at least 5 seconds");
    assert_eq!(save("30").await, StatusCode::OK);
    let chat = visitor_start(&app, &key, &token(1)).await;
    let offered_to = || async {
        let v: Option<i64> = sqlx::query_scalar("SELECT offer_agent_id FROM conversations WHERE id = $1").bind(chat).fetch_one(app.db().pool()).await.unwrap();
        v
    };
    eventually("the chat is offered to the first agent", || async { offered_to().await == Some(first) }).await;
    assert_eq!(assignee(&app, chat).await, None, "an offer is not an assignment");
    let offered = scalar(&app, "SELECT COUNT(*) FROM events WHERE kind = 'conversation.offered' AND conversation_id = $1", chat).await;
    assert_eq!(offered, 1);

    // The clock passes the 30 s: the offer lapses, is noted, and goes to the second agent.
    app.clock.advance_ms(31_000);
    set_online(&app, first).await;
    set_online(&app, second).await;
    routing::settle(app.db(), support, app.state.now()).await.unwrap();
    assert_eq!(offered_to().await, Some(second));
    let lapsed = scalar(&app, "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND body = 'Offered to first@x.io; not accepted within 30 s' AND visibility = 'internal'", chat).await;
    assert_eq!(lapsed, 1, "supervisors see the skip in the chat");

    // The second declines: everyone has passed, so a new round offers it to the first again.
    let second_cookie = app.login("second@x.io", "password-1").await;
    let res = app.post_form("/api/conversations/offer/decline", &format!("id={chat}"), Some(&second_cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.post_form("/api/conversations/offer/decline", &format!("id={chat}"), Some(&second_cookie)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "no longer offered to them");
    eventually("a new round offers it to the first agent", || async { offered_to().await == Some(first) }).await;
    // The first accepts: assigned, and the offer is gone.
    let first_actor = Actor { id: first, name: "first@x.io".into(), is_admin: false, address: None, token: None };
    handling::accept(app.db(), chat, &first_actor, app.state.now()).await.unwrap();
    assert_eq!(assignee(&app, chat).await, Some(first));
    assert_eq!(offered_to().await, None);
});
