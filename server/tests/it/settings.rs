//! Settings: the widget's appearance per inbox (through the admin's server function,
//! out through the widget's config), and an agent's own profile and password.
use crate::common::{body_json, body_text, json_request, TestApp};
use crate::hardening::{inbox, start, token};
use app::accounts::Role;
use axum::http::StatusCode;
use serde_json::json;

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencoding(v))).collect::<Vec<_>>().join("&")
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

test_both_dbs!(an_inbox_look_reaches_the_widget_config, |db| async move {
    let app = TestApp::new(db);
    let (inbox_id, key) = inbox(&app, "Support").await;
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    app.agent("op@x.io", Role::Operator, "password-1").await;
    let admin = app.login("ada@x.io", "password-1").await;
    let op = app.login("op@x.io", "password-1").await;
    let config = || async { body_json(app.send(json_request("GET", &format!("/api/widget/config?inbox={key}"), None, None)).await).await };

    // The default look, with white text on the default blue.
    let c = config().await;
    assert_eq!((c["brand_color"].as_str(), c["text_color"].as_str(), c["launcher"].as_str()), (Some("#2f5bea"), Some("#ffffff"), Some("right")));
    assert_eq!(c["title"], json!("Support"));

    let id = inbox_id.to_string();
    let look = |color: &'static str, team: &'static str| {
        form(&[("inbox_id", &id), ("brand_color", color), ("greeting", "Hi! Ask away."), ("launcher", "left"), ("team_name", team)])
    };
    // Only an admin may change it; a bad colour is a 422 that says what is expected.
    let res = app.post_form("/api/admin/inboxes/appearance", &look("#ffe066", "Helpers"), Some(&op)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.post_form("/api/admin/inboxes/appearance", &look("yellow", "Helpers"), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(res).await.contains("#2f5bea"));
    assert_eq!(config().await["brand_color"], json!("#2f5bea"), "nothing stored");

    let res = app.post_form("/api/admin/inboxes/appearance", &look("#FFE066", "Helpers"), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let c = config().await;
    assert_eq!(c["brand_color"], json!("#ffe066"));
    assert_eq!(c["text_color"], json!("#000000"), "dark text on a light brand colour");
    assert_eq!((c["launcher"].as_str(), c["title"].as_str(), c["greeting"].as_str()), (Some("left"), Some("Helpers"), Some("Hi! Ask away.")));
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'inbox.appearance'").fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(audited, 1);
    // Another inbox's id is a 404.
    let res = app.post_form("/api/admin/inboxes/appearance", &form(&[("inbox_id", "9999"), ("brand_color", "#000000"), ("greeting", ""), ("launcher", "right"), ("team_name", "")]), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
});

test_both_dbs!(the_widget_thread_names_who_is_answering, |db| async move {
    let app = TestApp::new(db);
    let (inbox_id, key) = inbox(&app, "Support").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(900)})).await;
    assert_eq!(t["agent_name"], json!(null), "nobody yet");
    let conv = t["conversation"]["id"].as_i64().unwrap();
    let op = app.agent("alex@x.io", Role::Operator, "password-1").await;
    app::inboxes::store::set_member(app.db(), inbox_id, op, Some(app::inboxes::MemberRole::Operator)).await.unwrap();
    let cookie = app.login("alex@x.io", "password-1").await;
    let res = app.post_form("/api/conversations/accept", &format!("id={conv}"), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let thread = body_json(app.send(json_request("GET", &format!("/api/widget/conversations/{conv}"), Some(&token(900)), None)).await).await;
    let name: String = sqlx::query_scalar("SELECT name FROM agents WHERE id = $1").bind(op).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(thread["agent_name"], json!(name));
});

test_both_dbs!(an_agent_changes_their_own_name_and_password, |db| async move {
    let app = TestApp::new(db);
    app.agent("op@x.io", Role::Operator, "password-1").await;
    let here = app.login("op@x.io", "password-1").await;
    let elsewhere = app.login("op@x.io", "password-1").await;

    let res = app.post_form("/api/me/name", "name=Olive%20Operator", Some(&here)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.post_form("/api/me/name", "name=%20%20", Some(&here)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let name: String = sqlx::query_scalar("SELECT name FROM agents WHERE email = 'op@x.io'").fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(name, "Olive Operator");

    // The current password must be right, and the new one long enough.
    let res = app.post_form("/api/me/password", "current=wrong-one&new=password-2", Some(&here)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.post_form("/api/me/password", "current=password-1&new=short", Some(&here)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.post_form("/api/me/password", "current=password-1&new=password-2", Some(&here)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // This session goes on; the other one ended; the new password logs in.
    assert_eq!(app.post_form("/api/me/name", "name=Olive", Some(&here)).await.status(), StatusCode::OK);
    assert_eq!(app.post_form("/api/me/name", "name=Olive", Some(&elsewhere)).await.status(), StatusCode::UNAUTHORIZED);
    app.login("op@x.io", "password-2").await;
});
