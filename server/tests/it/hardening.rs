//! What probing the product as an attacker found, each on both back ends: NUL and
//! control characters, a panic on a visitor's signature, login throttle bypasses,
//! unsafe links, the CSV cursor, names with bidi controls, the stream's first frame,
//! status events for the widget and the console's CSP (rates and caps are in
//! `limits`, random input in `fuzz`). Every test here failed before its fix.
use app::accounts::Role;
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::Visibility;
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_json, body_text, json_request, read_frames, TestApp, T0};
use serde_json::json;
use std::net::SocketAddr;

pub(crate) async fn inbox(app: &TestApp, name: &str) -> (i64, String) {
    let id = inboxes::create(app.db(), name, T0).await.unwrap();
    let key = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(id).fetch_one(app.db().pool()).await.unwrap();
    (id, key)
}

pub(crate) async fn start(app: &TestApp, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let res = app.send(json_request("POST", "/api/widget/conversations", None, Some(body))).await;
    let status = res.status();
    (status, serde_json::from_str(&body_text(res).await).unwrap_or_default())
}

pub(crate) fn from(mut req: Request<Body>, addr: &str) -> Request<Body> {
    let peer: SocketAddr = format!("{addr}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    req
}

pub(crate) fn token(n: usize) -> String {
    format!("visitor-hardening-{n:06}-aaaaaaaa")
}

test_both_dbs!(nul_is_a_clear_400_everywhere_and_stores_nothing, |db| async move {
    let app = TestApp::new(db);
    let (inbox_id, key) = inbox(&app, "Support").await;
    let admin = app.agent("ada@x.io", Role::Admin, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, admin, Some(MemberRole::Supervisor)).await.unwrap();
    let cookie = app.login("ada@x.io", "password-1").await;
    let (_, thread) = start(&app, json!({"inbox": key, "token": token(1)})).await;
    let conv = thread["conversation"]["id"].as_i64().unwrap();

    let mut refused = vec![
        app.post_form("/api/login", "email=a%00b%40x.io&password=whatever-1", None).await,
        app.send(json_request("GET", "/api/widget/config?inbox=%00", None, None)).await,
        app.send(json_request("GET", "/api/attachments/%00", None, None)).await,
        app.send(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(2), "name": "Ro\u{0}bin"})))).await,
        app.send(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(3), "context": {"label": "x\u{0}"}})))).await,
        app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/messages"), Some(&token(1)), Some(json!({"client_id": "n1", "body": "hi\u{0}there"})))).await,
        app.post_form("/api/inbox/page", "query[q]=a%00b", Some(&cookie)).await,
        app.post_form("/api/conversations/reply", &format!("conversation_id={conv}&client_id=n2&body=a%00&internal=false"), Some(&cookie)).await,
        app.send(
            Request::get("/api/conversations.csv?q=%00").header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap(),
        )
        .await,
    ];
    for (i, res) in refused.drain(..).enumerate() {
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "request {i}");
        let text = body_text(res).await;
        assert!(text.contains("U+0000"), "request {i} says why: {text}");
    }
    // Other C0 controls too; tabs and newlines are text.
    let bell = json!({"client_id": "n3", "body": "ding\u{7}"});
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/messages"), Some(&token(1)), Some(bell))).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let fine = json!({"client_id": "n4", "body": "line one\n\tline two"});
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/messages"), Some(&token(1)), Some(fine))).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1").bind(conv).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(stored, 1, "only the good message");
    let convs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations").fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(convs, 1, "no conversation from a refused start");
});

// A batch that the database refuses in bulk is written one by one: only the bad
// send fails. (PostgreSQL refuses NUL in text; the HTTP boundary never lets one
// through, so this drives the store directly.)
test_both_dbs!(one_refused_send_fails_alone_in_its_batch, |db| async move {
    let app = TestApp::new(db.clone());
    let (_, key) = inbox(&app, "Support").await;
    let mut convs = Vec::new();
    for i in 0..10 {
        let (_, t) = start(&app, json!({"inbox": key, "token": token(100 + i)})).await;
        convs.push(t["conversation"]["id"].as_i64().unwrap());
        // A first message each, so the later ones change no status (the bulk path).
        let out = Outgoing { conversation_id: convs[i], author: Author::Customer, client_id: "first", body: "hello", visibility: Visibility::Public, file: None };
        write::send(&db, out, T0).await.unwrap();
    }
    let mut handles = Vec::new();
    for n in 0..80 {
        let (db, conv) = (db.clone(), convs[n % convs.len()]);
        handles.push(tokio::spawn(async move {
            let body = if n % 8 == 3 { format!("bad \u{0} {n}") } else { format!("good {n}") };
            let out = Outgoing { conversation_id: conv, author: Author::Customer, client_id: &format!("c{n}"), body: &body, visibility: Visibility::Public, file: None };
            (n, write::send(&db, out, T0 + n as i64).await)
        }));
    }
    let postgres = db.dialect() == app::db::Dialect::Postgres;
    for h in handles {
        let (n, result) = h.await.unwrap();
        match (n % 8 == 3, result) {
            (false, Ok(_)) => {}
            (false, Err(e)) => panic!("innocent send {n} failed: {e:?}"),
            (true, Err(app::error::AppError::BadRequest(_))) if postgres => {}
            (true, other) if !postgres => assert!(other.is_ok(), "SQLite stores NUL: {other:?}"),
            (true, other) => panic!("NUL send {n}: {other:?}"),
        }
    }
});

test_both_dbs!(identify_with_multibyte_signatures_never_panics, |db| async move {
    let app = TestApp::new(db);
    let (_, key) = inbox(&app, "Support").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(7)})).await;
    let conv = t["conversation"]["id"].as_i64().unwrap();
    for sig in ["aéa", "é", "日本語", "0é0é", "\u{10ffff}a"] {
        let body = json!({"external_id": "u1", "signature": sig});
        let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/identify"), Some(&token(7)), Some(body))).await;
        assert_eq!(res.status(), StatusCode::OK, "{sig:?}");
        assert_eq!(body_json(res).await["verified"], json!(false));
    }
});

test_both_dbs!(the_login_throttle_counts_every_spelling_and_every_attempt_in_flight, |db| async move {
    let app = TestApp::new(db);
    app.agent("jo@x.io", Role::Operator, "password-1").await;
    for _ in 0..5 {
        let res = app.post_form("/api/login", "email=jo%40x.io&password=wrong-one", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Spacing and case once gave fresh guesses, and even logged in during a lockout.
    for email in ["+jo%40x.io", "jo%40x.io+", "JO%40X.IO", "%09jo%40x.io"] {
        let res = app.post_form("/api/login", &format!("email={email}&password=password-1"), None).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
    }

    // Parallel wrong passwords for a fresh account: at most the limit are verified.
    app.agent("kim@x.io", Role::Operator, "password-1").await;
    let mut handles = Vec::new();
    for _ in 0..40 {
        let app = switchboard::router(app.state.clone());
        handles.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = Request::post("/api/login")
                .header(header::HOST, "localhost")
                .header(header::ORIGIN, "http://localhost")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("email=kim%40x.io&password=wrong-one"))
                .unwrap();
            app.oneshot(req).await.unwrap().status()
        }));
    }
    let mut verified = 0;
    for h in handles {
        match h.await.unwrap() {
            StatusCode::UNAUTHORIZED => verified += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(verified <= 5, "{verified} wrong passwords were verified; the limit is 5");
    assert!(verified >= 1);
});

test_both_dbs!(context_links_are_http_only_on_every_route_and_in_the_panel, |db| async move {
    let app = TestApp::new(db);
    let (inbox_id, key) = inbox(&app, "Support").await;
    let sup = app.agent("sam@x.io", Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, sup, Some(MemberRole::Supervisor)).await.unwrap();
    let cookie = app.login("sam@x.io", "password-1").await;
    let evil = ["javascript:alert(document.domain)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "java\tscript:alert(1)", " javascript:alert(1)", "https://ok.example/\u{0a}x"];
    for (i, url) in evil.iter().enumerate() {
        let (status, t) = start(&app, json!({"inbox": key, "token": token(200 + i), "context": {"label": "Order", "url": url}})).await;
        let conv = if status == StatusCode::BAD_REQUEST {
            continue; // control characters are refused outright
        } else {
            t["conversation"]["id"].as_i64().unwrap()
        };
        let stored: Option<String> = sqlx::query_scalar("SELECT context_url FROM conversations WHERE id = $1").bind(conv).fetch_one(app.db().pool()).await.unwrap();
        assert_eq!(stored, None, "{url:?} stored from the start");
        let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/context"), Some(&token(200 + i)), Some(json!({"label": "Order", "url": url})))).await;
        assert!(res.status().is_success() || res.status() == StatusCode::BAD_REQUEST);
        let panel = body_json(app.post_form("/api/customers/panel", &format!("conversation_id={conv}"), Some(&cookie)).await).await;
        assert_eq!(panel["context_link"], json!(null), "{url:?} in the panel");
    }
    let (_, t) = start(&app, json!({"inbox": key, "token": token(299), "context": {"label": "Order", "url": "HTTPS://shop.example/o/1"}})).await;
    let conv = t["conversation"]["id"].as_i64().unwrap();
    let panel = body_json(app.post_form("/api/customers/panel", &format!("conversation_id={conv}"), Some(&cookie)).await).await;
    assert_eq!(panel["context_link"], json!("HTTPS://shop.example/o/1"));
});

test_both_dbs!(names_lose_bidi_controls, |db| async move {
    let app = TestApp::new(db);
    let (_, key) = inbox(&app, "Support").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(300), "name": "Robin\u{202e}nimda"})).await;
    assert_eq!(t["conversation"]["customer_name"], json!("Robinnimda"));
});

test_both_dbs!(the_csv_export_refuses_a_bad_cursor_and_is_never_cached, |db| async move {
    let app = TestApp::new(db);
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let cookie = app.login("ada@x.io", "password-1").await;
    let get = |path: &str| {
        Request::get(path).header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap()
    };
    let res = app.send(get("/api/conversations.csv?after=garbage")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(res).await.contains("cursor"));
    let res = app.send(get("/api/conversations.csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::CACHE_CONTROL).unwrap(), "no-store");
});

// The stream's first frame carries its position, so a browser that loses it before
// any event reconnects with `Last-Event-ID` and gets what happened meanwhile.
test_both_dbs!(the_first_frame_tells_the_position_and_a_reconnect_from_it_misses_nothing, |db| async move {
    let app = TestApp::new(db.clone());
    let (inbox_id, key) = inbox(&app, "Support").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(700)})).await;
    let conv = t["conversation"]["id"].as_i64().unwrap();
    let op = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, op, Some(MemberRole::Operator)).await.unwrap();
    let cookie = app.login("alex@x.io", "password-1").await;
    let stream = || Request::get("/api/events").header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap();
    let res = app.send(stream()).await;
    let mut body = res.into_body();
    let first = {
        use http_body_util::BodyExt;
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame()).await.unwrap().unwrap().unwrap();
        String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap()
    };
    let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events").fetch_one(app.db().pool()).await.unwrap();
    assert!(first.contains(&format!("id: {position}\n")) || first.contains(&format!("id:{position}\n")), "first frame: {first:?}");
    drop(body); // the network drops before any event arrived
    for n in 0..5 {
        let body = json!({"client_id": format!("gap-{n}"), "body": format!("while you were away {n}")});
        let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/messages"), Some(&token(700)), Some(body))).await;
        assert!(res.status().is_success());
    }
    let mut req = stream();
    req.headers_mut().insert("last-event-id", position.to_string().parse().unwrap());
    let mut body = app.send(req).await.into_body();
    let frames = read_frames(&mut body, 5, 5000).await;
    let texts: Vec<String> = frames
        .iter()
        .filter(|f| f.event.as_deref() == Some("message.created"))
        .filter_map(|f| serde_json::from_str::<serde_json::Value>(&f.data).ok())
        .filter_map(|v| v["body"].as_str().map(String::from))
        .filter(|b| b.starts_with("while you were away"))
        .collect();
    assert_eq!(texts, (0..5).map(|n| format!("while you were away {n}")).collect::<Vec<_>>());
});

// Accepting or assigning a New chat opens it, and the customer's widget hears so.
test_both_dbs!(the_widget_hears_every_status_change, |db| async move {
    let app = TestApp::new(db.clone());
    let (inbox_id, key) = inbox(&app, "Support").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(800)})).await;
    let conv = t["conversation"]["id"].as_i64().unwrap();
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/messages"), Some(&token(800)), Some(json!({"client_id": "w1", "body": "hello?"})))).await;
    assert!(res.status().is_success());
    let op = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, op, Some(MemberRole::Operator)).await.unwrap();
    let cookie = app.login("alex@x.io", "password-1").await;
    let st = body_json(app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/stream-token"), Some(&token(800)), None)).await).await;
    let mut body = app.send(json_request("GET", &format!("/api/widget/events?token={}", st["token"].as_str().unwrap()), None, None)).await.into_body();
    let res = app.post_form("/api/conversations/accept", &format!("id={conv}"), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The joined line, who is answering now, and the new status.
    let frames = read_frames(&mut body, 3, 5000).await;
    let of = |kind: &str| {
        let f = frames.iter().find(|f| f.event.as_deref() == Some(kind)).unwrap_or_else(|| panic!("a {kind} event for the widget: {frames:?}"));
        serde_json::from_str::<serde_json::Value>(&f.data).unwrap()
    };
    assert_eq!(of("conversation.status")["status"], json!("open"));
    let agent = of("conversation.agent");
    assert_eq!((agent["conversation_id"].as_i64(), agent["name"].as_str().is_some()), (Some(conv), true));
    // Returned to the queue: nobody is answering, and it is waiting again.
    let res = app.post_form("/api/conversations/assign", &format!("id={conv}"), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let frames = read_frames(&mut body, 2, 5000).await;
    let status = frames.iter().find(|f| f.event.as_deref() == Some("conversation.status")).expect("a status event on unassign");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&status.data).unwrap()["status"], json!("new"));
    let agent = frames.iter().find(|f| f.event.as_deref() == Some("conversation.agent")).expect("who is answering: nobody");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&agent.data).unwrap()["name"], json!(null));
});

// Console pages carry a nonce-based CSP, and the hydration script carries the nonce.
test_both_dbs!(console_pages_have_a_nonce_csp, |db| async move {
    let app = TestApp::new(db);
    let res = app.send(Request::get("/login").header(header::HOST, "localhost").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers().get(header::CONTENT_SECURITY_POLICY).expect("a CSP").to_str().unwrap().to_string();
    for part in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self' 'nonce-"] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    assert!(nonce.len() >= 16);
    let html = body_text(res).await;
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    // A fresh nonce per response.
    let again = app.send(Request::get("/login").header(header::HOST, "localhost").body(Body::empty()).unwrap()).await;
    let csp2 = again.headers().get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_string();
    assert_ne!(csp, csp2);
});
