//! Visitor rate limits, trusted proxies and stream caps.
use crate::common::{body_json, json_request, TestApp};
use crate::hardening::{from, inbox, start, token};
use axum::http::{header, StatusCode};
use serde_json::json;

test_both_dbs!(visitors_are_rate_limited_by_address_and_by_conversation, |db| async move {
    let app = TestApp::new(db);
    let (_, key) = inbox(&app, "Support").await;
    let starts = app.state.limits.settings.starts_per_address as usize;
    for i in 0..starts {
        let res = app.send(from(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(400 + i)}))), "203.0.113.5")).await;
        assert_eq!(res.status(), StatusCode::CREATED, "start {i}");
    }
    let res = app.send(from(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(499)}))), "203.0.113.5")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers().get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // A returning visitor is not starting anything new; another address has its own budget.
    let res = app.send(from(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(400)}))), "203.0.113.5")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.send(from(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(499)}))), "198.51.100.7")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // X-Forwarded-For from an untrusted peer changes nothing.
    let mut req = from(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(498)}))), "203.0.113.5");
    req.headers_mut().insert("x-forwarded-for", "192.0.2.99".parse().unwrap());
    assert_eq!(app.send(req).await.status(), StatusCode::TOO_MANY_REQUESTS);

    // Sends per visitor.
    let (_, t) = start(&app, json!({"inbox": key, "token": token(400)})).await;
    let id = t["conversation"]["id"].as_i64().unwrap();
    // The budget refills at its rate while the sends run (each waits for its
    // commit), so the refusal comes at the burst or a little after it.
    let per_visitor = app.state.limits.settings.sends_per_visitor as usize;
    let mut accepted = 0;
    let mut refused = None;
    for n in 0..per_visitor * 2 {
        let body = json!({"client_id": format!("r{n}"), "body": "hi"});
        let res = app.send(from(json_request("POST", &format!("/api/widget/conversations/{id}/messages"), Some(&token(400)), Some(body)), "203.0.113.5")).await;
        match res.status() {
            StatusCode::CREATED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refused = Some(res.headers().get(header::RETRY_AFTER).unwrap().to_str().unwrap().to_string());
                break;
            }
            other => panic!("send {n}: {other}"),
        }
    }
    assert!(refused.is_some(), "{accepted} sends and no 429");
    assert!(accepted >= per_visitor, "refused after only {accepted}");
});

test_both_dbs!(trusted_proxies_name_the_client, |db| async move {
    let mut app = TestApp::new(db.clone());
    let mut config = (*app.state.config).clone();
    config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let options = (*app.state.leptos_options).clone();
    app.state = app::state::AppState::new(options, db, app.clock.clone(), config);
    let (_, key) = inbox(&app, "Support").await;
    let starts = app.state.limits.settings.starts_per_address as usize;
    let via_proxy = |n: usize, client: &str| {
        let mut req = from(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token(n)}))), "10.1.1.1");
        req.headers_mut().insert("x-forwarded-for", client.parse().unwrap());
        req
    };
    for i in 0..starts {
        assert_eq!(app.send(via_proxy(500 + i, "192.0.2.1")).await.status(), StatusCode::CREATED);
    }
    assert_eq!(app.send(via_proxy(598, "192.0.2.1")).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.send(via_proxy(599, "192.0.2.2")).await.status(), StatusCode::CREATED, "another client behind the proxy");
});

test_both_dbs!(streams_are_capped_per_visitor, |db| async move {
    let app = TestApp::new(db);
    let (_, key) = inbox(&app, "Support").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(600)})).await;
    let id = t["conversation"]["id"].as_i64().unwrap();
    let st = body_json(app.send(json_request("POST", &format!("/api/widget/conversations/{id}/stream-token"), Some(&token(600)), None)).await).await;
    let path = format!("/api/widget/events?token={}", st["token"].as_str().unwrap());
    let cap = app.state.limits.settings.streams_per_visitor;
    let mut open = Vec::new();
    for _ in 0..cap {
        let res = app.send(json_request("GET", &path, None, None)).await;
        assert_eq!(res.status(), StatusCode::OK);
        open.push(res);
    }
    let res = app.send(json_request("GET", &path, None, None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    // Closing one frees its place.
    drop(open.pop());
    let mut ok = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let res = app.send(json_request("GET", &path, None, None)).await;
        if res.status() == StatusCode::OK {
            ok = true;
            break;
        }
    }
    assert!(ok, "a closed stream's place was never freed");
});


test_both_dbs!(streams_are_capped_per_agent_session, |db| async move {
    let app = TestApp::new(db);
    app.agent("ana@x.io", app::accounts::Role::Operator, "password-1").await;
    let cookie = app.login("ana@x.io", "password-1").await;
    let stream = || {
        axum::http::Request::get("/api/events")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, format!("sb_session={cookie}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let cap = app.state.limits.settings.streams_per_session;
    let mut open = Vec::new();
    for _ in 0..cap {
        let res = app.send(stream()).await;
        assert_eq!(res.status(), StatusCode::OK);
        open.push(res);
    }
    let res = app.send(stream()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "tab {} of one session", cap + 1);
    // Another session of the same agent has its own places.
    let other = app.login("ana@x.io", "password-1").await;
    let res = app
        .send(
            axum::http::Request::get("/api/events")
                .header(header::HOST, "localhost")
                .header(header::COOKIE, format!("sb_session={other}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
});
