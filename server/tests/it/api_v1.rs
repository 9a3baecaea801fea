//! The REST API on both back ends, through the real router: each route's scope and
//! inbox checks (403 / 404), idempotent sends, problem+json on every error, the
//! per-token rate, the OpenAPI document listing every route, `/metrics` and `/readyz`.
use crate::common::{api_token, json_request, TestApp, T0};
use app::accounts::Role;
use app::api_tokens::Scope::{Admin, Read, Write};
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Visibility};
use app::db::Db;
use app::inboxes::MemberRole;
use axum::http::{header, StatusCode};

/// Every operation of the API, as the document must list it.
const OPERATIONS: [(&str, &str); 18] = [
    ("get", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/{id}"),
    ("get", "/api/v1/conversations/{id}/messages"),
    ("post", "/api/v1/conversations/{id}/messages"),
    ("post", "/api/v1/conversations/{id}/status"),
    ("post", "/api/v1/conversations/{id}/assign"),
    ("post", "/api/v1/conversations/{id}/move"),
    ("get", "/api/v1/customers/{id}"),
    ("post", "/api/v1/customers/{id}/attributes"),
    ("get", "/api/v1/customers/{id}/export"),
    ("post", "/api/v1/customers/{id}/erase"),
    ("get", "/api/v1/inboxes"),
    ("get", "/api/v1/inboxes/{id}/members"),
    ("get", "/api/v1/agents"),
    ("get", "/api/v1/canned"),
    ("get", "/api/v1/requests"),
    ("get", "/api/v1/requests/{id}"),
    ("post", "/api/v1/requests/{id}/status"),
];

async fn chat(db: &Db, inbox: i64, text: &str) -> i64 {
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
    let id = start(db, req, T0).await.unwrap().0.id;
    let out = Outgoing { conversation_id: id, author: Author::Customer, client_id: &app::tokens::random_id(), body: text, visibility: Visibility::Public, file: None };
    send(db, out, T0).await.unwrap();
    id
}

struct World {
    app: TestApp,
    a: i64,
    b: i64,
    conv_a: i64,
    conv_b: i64,
    customer_a: i64,
    olga: i64,
}

/// Inboxes A (Olga operates it) and B, a chat in each; Ada is an admin.
async fn world(db: Db) -> World {
    let app = TestApp::new(db.clone());
    let a = app::inboxes::store::create(&db, "A", T0).await.unwrap();
    let b = app::inboxes::store::create(&db, "B", T0).await.unwrap();
    let olga = app.agent("olga@x.io", Role::Operator, "a-long-password").await;
    app::inboxes::store::set_member(&db, a, olga, Some(MemberRole::Operator)).await.unwrap();
    let conv_a = chat(&db, a, "hello from A").await;
    let conv_b = chat(&db, b, "hello from B").await;
    let customer_a: i64 = sqlx::query_scalar("SELECT customer_id FROM conversations WHERE id = $1").bind(conv_a).fetch_one(db.pool()).await.unwrap();
    World { app, a, b, conv_a, conv_b, customer_a, olga }
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>, body: Option<serde_json::Value>) -> (StatusCode, serde_json::Value, Option<String>) {
    let mut req = json_request(method, path, token, body);
    req.headers_mut().remove(header::ORIGIN);
    let res = app.send(req).await;
    let status = res.status();
    let kind = res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string());
    let text = crate::common::body_text(res).await;
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)), kind)
}

fn is_problem(status: StatusCode, body: &serde_json::Value, kind: &Option<String>) {
    assert_eq!(kind.as_deref(), Some("application/problem+json"), "{status}: {body}");
    assert_eq!(body["status"].as_u64(), Some(status.as_u16() as u64));
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(), "{body}");
}

test_both_dbs!(scopes_and_inboxes_decide_as_for_agents, |db| async move {
    let w = world(db.clone()).await;
    let ada = w.app.agent("ada@x.io", Role::Admin, "a-long-password").await;
    let (_, read) = api_token(&db, w.olga, &[Read], &[]).await;
    let (_, write_a) = api_token(&db, w.olga, &[Read, Write], &[w.a]).await;
    let (_, admin) = api_token(&db, ada, &[Read, Write, Admin], &[]).await;
    let (_, admin_b) = api_token(&db, ada, &[Read, Write, Admin], &[w.b]).await;
    let (_, write_only) = api_token(&db, ada, &[Write], &[]).await;
    let (a, ca, cb, cust) = (w.a, w.conv_a, w.conv_b, w.customer_a);
    let ada_actor = app::conversations::handling::Actor { id: ada, name: "Ada".into(), is_admin: true, address: None, token: None };
    let filed = app::requests::store::NewRequest { conversation_id: cb, title: "Refund", description: "", priority: app::requests::Priority::Normal };
    let rb = app::requests::store::create(&db, &ada_actor, filed, T0).await.unwrap().id;
    let done = || Some(serde_json::json!({"status": "done"}));
    let reply = |id: &str| serde_json::json!({"body": "On it", "client_id": id});
    let cases: Vec<(&str, String, &str, Option<serde_json::Value>, StatusCode)> = vec![
        ("GET", format!("/api/v1/conversations/{ca}"), read.as_str(), None, StatusCode::OK),
        ("GET", format!("/api/v1/conversations/{cb}"), read.as_str(), None, StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/conversations/{ca}"), admin_b.as_str(), None, StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/conversations/{cb}"), admin_b.as_str(), None, StatusCode::OK),
        ("GET", format!("/api/v1/conversations/{ca}/messages"), read.as_str(), None, StatusCode::OK),
        ("GET", format!("/api/v1/conversations/{cb}/messages"), write_a.as_str(), None, StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/conversations/{ca}/messages"), read.as_str(), Some(reply("r1")), StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/conversations/{cb}/messages"), write_a.as_str(), Some(reply("r2")), StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/conversations/{ca}/assign"), read.as_str(), Some(serde_json::json!({"agent_id": null})), StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/conversations/{ca}/move"), write_a.as_str(), Some(serde_json::json!({"inbox_id": w.b})), StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/customers/{cust}"), read.as_str(), None, StatusCode::OK),
        ("GET", format!("/api/v1/customers/{cust}"), admin_b.as_str(), None, StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/customers/{cust}/attributes"), read.as_str(), Some(serde_json::json!({"attributes": {"plan": "gold"}})), StatusCode::FORBIDDEN),
        ("GET", format!("/api/v1/customers/{cust}/export"), write_a.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", format!("/api/v1/customers/{cust}/export"), admin_b.as_str(), None, StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/customers/{cust}/export"), admin.as_str(), None, StatusCode::OK),
        ("POST", format!("/api/v1/customers/{cust}/erase"), write_a.as_str(), Some(serde_json::json!({"confirm": true})), StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/customers/{cust}/erase"), admin.as_str(), Some(serde_json::json!({"confirm": false})), StatusCode::UNPROCESSABLE_ENTITY),
        ("POST", format!("/api/v1/customers/{cust}/attributes"), write_a.as_str(), Some(serde_json::json!({"attributes": {"plan": "gold"}})), StatusCode::OK),
        ("GET", format!("/api/v1/inboxes/{}/members", w.b), write_a.as_str(), None, StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/inboxes/{a}/members"), write_a.as_str(), None, StatusCode::OK),
        ("GET", "/api/v1/requests/999999".into(), admin.as_str(), None, StatusCode::NOT_FOUND),
        ("GET", "/api/v1/agents".into(), read.as_str(), None, StatusCode::OK),
        ("GET", "/api/v1/canned".into(), read.as_str(), None, StatusCode::OK),
        ("GET", "/api/v1/requests".into(), read.as_str(), None, StatusCode::OK),
        ("GET", "/api/v1/reports/summary?from=2026-09-01&to=2026-09-30".into(), write_a.as_str(), None, StatusCode::UNPROCESSABLE_ENTITY),
        ("GET", "/api/v1/reports/summary?from=2026-09-01&to=2026-09-30".into(), admin.as_str(), None, StatusCode::OK),
        ("GET", "/api/v1/reports/summary?from=2026-09-01&to=2026-09-30".into(), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/conversations/{ca}/status"), read.as_str(), Some(serde_json::json!({"status": "closed"})), StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/conversations/{ca}/status"), admin_b.as_str(), Some(serde_json::json!({"status": "closed"})), StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/conversations/{ca}/move"), read.as_str(), Some(serde_json::json!({"inbox_id": a})), StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/conversations/{ca}/assign"), admin_b.as_str(), Some(serde_json::json!({"agent_id": null})), StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/customers/{cust}/erase"), admin_b.as_str(), Some(serde_json::json!({"confirm": true})), StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/customers/{cust}/attributes"), admin_b.as_str(), Some(serde_json::json!({"attributes": {"plan": "gold"}})), StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/conversations/{ca}"), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", "/api/v1/conversations".into(), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", "/api/v1/inboxes".into(), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", "/api/v1/agents".into(), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", "/api/v1/canned".into(), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", "/api/v1/requests".into(), write_only.as_str(), None, StatusCode::FORBIDDEN),
        ("GET", format!("/api/v1/requests/{rb}"), write_a.as_str(), None, StatusCode::NOT_FOUND),
        ("GET", format!("/api/v1/requests/{rb}"), admin_b.as_str(), None, StatusCode::OK),
        ("POST", format!("/api/v1/requests/{rb}/status"), read.as_str(), done(), StatusCode::FORBIDDEN),
        ("POST", format!("/api/v1/requests/{rb}/status"), write_a.as_str(), done(), StatusCode::NOT_FOUND),
        ("POST", format!("/api/v1/requests/{rb}/status"), admin_b.as_str(), done(), StatusCode::OK),
        ("GET", format!("/api/v1/reports/summary?from=2026-09-01&to=2026-09-30&inbox={}", w.b), write_a.as_str(), None, StatusCode::NOT_FOUND),
    ];
    for (method, path, token, body, want) in cases {
        let (status, json, kind) = call(&w.app, method, &path, Some(token), body).await;
        assert_eq!(status, want, "{method} {path}: {json}");
        if !status.is_success() {
            is_problem(status, &json, &kind);
        }
    }
    // Lists are kept to the token's inboxes.
    let (_, page, _) = call(&w.app, "GET", "/api/v1/conversations", Some(&admin_b), None).await;
    let ids: Vec<i64> = page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![cb]);
    let (_, page, _) = call(&w.app, "GET", "/api/v1/conversations?size=25&sort=started", Some(&admin), None).await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 2);
    let (_, inboxes, _) = call(&w.app, "GET", "/api/v1/inboxes", Some(&admin_b), None).await;
    assert_eq!(inboxes.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![w.b]);
});

test_both_dbs!(sends_are_idempotent_and_actions_are_the_tokens_agent, |db| async move {
    let w = world(db.clone()).await;
    let (token_id, write) = api_token(&db, w.olga, &[Read, Write], &[]).await;
    let path = format!("/api/v1/conversations/{}/messages", w.conv_a);
    let body = serde_json::json!({"body": "Refund sent", "client_id": "crm-42"});
    let (s1, m1, _) = call(&w.app, "POST", &path, Some(&write), Some(body.clone())).await;
    let (s2, m2, _) = call(&w.app, "POST", &path, Some(&write), Some(body)).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(m1["id"], m2["id"], "the same client_id returns the first message");
    assert_eq!(m1["author_id"].as_i64(), Some(w.olga));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE client_id = 'crm-42'").fetch_one(db.pool()).await.unwrap();
    assert_eq!(n, 1);
    let (_, page, _) = call(&w.app, "GET", &format!("{path}?limit=1"), Some(&write), None).await;
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    let next = page["next"].as_i64().expect("a next cursor");
    let (_, page2, _) = call(&w.app, "GET", &format!("{path}?limit=50&after={next}"), Some(&write), None).await;
    let bodies: Vec<&str> = page2["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert!(bodies.contains(&"Refund sent"), "{bodies:?}");
    assert!(page2["next"].is_null());
    // A note stays a note; status and assignment act as Olga, audited with the token.
    let (s, _, _) = call(&w.app, "POST", &path, Some(&write), Some(serde_json::json!({"body": "note", "client_id": "n1", "internal": true}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, conv, _) = call(&w.app, "POST", &format!("/api/v1/conversations/{}/assign", w.conv_a), Some(&write), Some(serde_json::json!({"agent_id": w.olga}))).await;
    assert_eq!(s, StatusCode::OK, "{conv}");
    assert_eq!(conv["assignee_id"].as_i64(), Some(w.olga));
    let by_token: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'conversation.assign' AND token_id = $1 AND actor_id = $2")
        .bind(token_id).bind(w.olga).fetch_one(db.pool()).await.unwrap();
    assert_eq!(by_token, 1, "the audit log names the agent and the token");
    let (s, conv, _) = call(&w.app, "POST", &format!("/api/v1/conversations/{}/status", w.conv_a), Some(&write), Some(serde_json::json!({"status": "closed", "reason": "solved"}))).await;
    assert_eq!(s, StatusCode::OK, "{conv}");
    assert_eq!((conv["status"].as_str(), conv["close_reason"].as_str()), (Some("closed"), Some("solved")));
});

test_both_dbs!(every_error_is_a_problem_and_the_rate_is_the_tokens, |db| async move {
    let w = world(db.clone()).await;
    let (_, read) = api_token(&db, w.olga, &[Read, Write], &[]).await;
    let path = format!("/api/v1/conversations/{}/messages", w.conv_a);
    let cases: Vec<(&str, String, Option<&str>, Option<serde_json::Value>, StatusCode)> = vec![
        ("GET", "/api/v1/agents".into(), None, None, StatusCode::UNAUTHORIZED),
        ("GET", "/api/v1/agents".into(), Some("sbk_not-a-token"), None, StatusCode::UNAUTHORIZED),
        ("GET", "/api/v1/nothing-here".into(), Some(&read), None, StatusCode::NOT_FOUND),
        ("POST", path.clone(), Some(&read), Some(serde_json::json!({"body": 5})), StatusCode::UNPROCESSABLE_ENTITY),
        ("POST", path.clone(), Some(&read), Some(serde_json::json!({"body": "", "client_id": "e1"})), StatusCode::UNPROCESSABLE_ENTITY),
        ("GET", format!("{path}?limit=0"), Some(&read), None, StatusCode::UNPROCESSABLE_ENTITY),
        ("GET", "/api/v1/conversations/not-a-number".into(), Some(&read), None, StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/conversations?size=7".into(), Some(&read), None, StatusCode::UNPROCESSABLE_ENTITY),
        ("DELETE", "/api/v1/agents".into(), Some(&read), None, StatusCode::METHOD_NOT_ALLOWED),
    ];
    for (method, path, token, body, want) in cases {
        let (status, json, kind) = call(&w.app, method, &path, token, body).await;
        assert_eq!(status, want, "{method} {path}: {json}");
        is_problem(status, &json, &kind);
    }
    // A token's own rate: two calls a minute, then 429 with Retry-After.
    let new = app::api_tokens::store::NewToken { name: "slow", agent_id: w.olga, scopes: &[Read], inboxes: &[], per_minute: 2 };
    let (_, slow) = app::api_tokens::store::create(&db, new, None, T0).await.unwrap();
    for _ in 0..2 {
        assert_eq!(call(&w.app, "GET", "/api/v1/agents", Some(&slow), None).await.0, StatusCode::OK);
    }
    let mut req = json_request("GET", "/api/v1/agents", Some(&slow), None);
    req.headers_mut().remove(header::ORIGIN);
    let res = w.app.send(req).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    let _ = w.a;
});

test_both_dbs!(the_openapi_document_lists_every_route_and_each_answers, |db| async move {
    let w = world(db.clone()).await;
    let (_, read) = api_token(&db, w.olga, &[Read], &[]).await;
    let (status, doc, _) = call(&w.app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in OPERATIONS.iter().chain([("get", "/api/v1/reports/summary")].iter()) {
        assert!(paths.get(*path).and_then(|p| p.get(*method)).is_some(), "{method} {path} is documented");
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, OPERATIONS.len() + 1, "and nothing else");
    // Every documented operation is routed: none answers the API's fallback.
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", &w.conv_a.to_string());
            let (_, body, _) = call(&w.app, &method.to_uppercase(), &concrete, Some(&read), Some(serde_json::json!({}))).await;
            assert_ne!(body["detail"], "no such API route", "{method} {path}");
        }
    }
    let (status, html, _) = call(&w.app, "GET", "/api/docs", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let html = html.as_str().unwrap().to_string();
    assert!(html.contains("/api/v1/conversations/{id}/messages") && !html.contains("<script"), "the reference lists routes, with no script");
});

test_both_dbs!(metrics_need_an_admin_token_and_expose_every_family, |db| async move {
    let w = world(db.clone()).await;
    let ada = w.app.agent("ada@x.io", Role::Admin, "a-long-password").await;
    let (_, admin) = api_token(&db, ada, &[Read, Admin], &[]).await;
    let (_, read) = api_token(&db, w.olga, &[Read, Admin], &[]).await;
    assert_eq!(call(&w.app, "GET", "/metrics", None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&w.app, "GET", "/metrics", Some(&read), None).await.0, StatusCode::FORBIDDEN, "an operator's token is not enough");
    call(&w.app, "GET", "/api/v1/agents", Some(&admin), None).await;
    let (status, text, kind) = call(&w.app, "GET", "/metrics", Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.unwrap().starts_with("text/plain"));
    let text = text.as_str().map(String::from).unwrap_or_else(|| text.to_string());
    for family in app::telemetry::FAMILIES {
        assert!(text.contains(family), "{family} missing from:\n{text}");
    }
    assert!(text.contains("route=\"/api/v1/agents\""), "requests are counted by route pattern");
    let (status, ready, _) = call(&w.app, "GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ready["database"], "ok");
    assert!(ready["event_pump_lag"].is_i64() && ready["webhook_backlog"].is_i64() && ready["webhook_reader_lag"].is_i64(), "{ready}");
});
