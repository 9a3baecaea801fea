//! Switchboard.identify and setContext: signed identities are verified and shared;
//! unsigned ones stay self-declared and never attach to a verified customer.
use crate::common::{body_json, json_request, TestApp, T0};
use axum::http::StatusCode;
use serde_json::json;

fn sign(secret: &str, external_id: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(external_id.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn start(app: &TestApp, key: &str, token: &str) -> i64 {
    let res = app.send(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token})))).await;
    body_json(res).await["conversation"]["id"].as_i64().unwrap()
}

async fn customer_of(app: &TestApp, conv: i64) -> (i64, Option<String>, i64, Option<String>) {
    sqlx::query_as(
        "SELECT cu.id, cu.name, cu.verified, cu.external_id FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = $1",
    )
    .bind(conv)
    .fetch_one(app.db().pool())
    .await
    .unwrap()
}

test_both_dbs!(signed_identities_are_verified_and_unsigned_ones_never_attach, |db| async move {
    let app = TestApp::new(db);
    let inbox = app::inboxes::store::create(app.db(), "Support", T0).await.unwrap();
    let (key, secret): (String, String) = sqlx::query_as("SELECT public_key, secret FROM inboxes WHERE id = $1")
        .bind(inbox).fetch_one(app.db().pool()).await.unwrap();
    let (t1, t2, t3) = ("tok-one-aaaaaaaaaaaaaaaaaaaa", "tok-two-bbbbbbbbbbbbbbbbbbbb", "tok-three-cccccccccccccccccc");
    let (c1, c2, c3) = (start(&app, &key, t1).await, start(&app, &key, t2).await, start(&app, &key, t3).await);

    let signed = json!({"external_id": "user-42", "name": "Robin", "email": "robin@example.com", "role": "Merchant", "signature": sign(&secret, "user-42")});
    for (conv, token) in [(c1, t1), (c2, t2)] {
        let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/identify"), Some(token), Some(signed.clone()))).await;
        assert_eq!(body_json(res).await["verified"], true);
    }
    let (id1, name1, verified1, ext1) = customer_of(&app, c1).await;
    let (id2, ..) = customer_of(&app, c2).await;
    assert_eq!(id1, id2, "one verified customer for both conversations");
    assert_eq!((name1.as_deref(), verified1, ext1.as_deref()), (Some("Robin"), 1, Some("user-42")));

    // The same external id, unsigned (or wrongly signed): self-declared, apart.
    for sig in [serde_json::Value::Null, json!(sign("wrong secret", "user-42"))] {
        let forged = json!({"external_id": "user-42", "name": "Mallory", "signature": sig});
        let res = app.send(json_request("POST", &format!("/api/widget/conversations/{c3}/identify"), Some(t3), Some(forged))).await;
        assert_eq!(body_json(res).await["verified"], false);
    }
    let (id3, name3, verified3, _) = customer_of(&app, c3).await;
    assert_ne!(id3, id1);
    assert_eq!((name3.as_deref(), verified3), (Some("Mallory"), 0));
    assert_eq!(customer_of(&app, c1).await.1.as_deref(), Some("Robin"), "the verified record is untouched");

    // Someone else's conversation cannot be identified.
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{c1}/identify"), Some(t3), Some(signed))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
});

test_both_dbs!(set_context_is_stored_on_the_conversation, |db| async move {
    let app = TestApp::new(db);
    let inbox = app::inboxes::store::create(app.db(), "Support", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(app.db().pool()).await.unwrap();
    let token = "tok-ctx-aaaaaaaaaaaaaaaaaaaa";
    let conv = start(&app, &key, token).await;
    let ctx = json!({"type": "test", "id": "exam-9", "label": "Final exam", "url": "javascript:alert(1)"});
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/context"), Some(token), Some(ctx))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let c = app::conversations::store::get(app.db(), conv).await.unwrap();
    assert_eq!(c.context.kind.as_deref(), Some("test"));
    assert_eq!(c.context.label.as_deref(), Some("Final exam"));
    assert_eq!(c.context.url, None, "only http(s) links are kept");
});

test_both_dbs!(the_widget_says_offline_until_an_agent_of_the_inbox_is_connected, |db| async move {
    let app = TestApp::new(db);
    let inbox = app::inboxes::store::create(app.db(), "Support", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(app.db().pool()).await.unwrap();
    assert!(!online(&app, &key).await);
    let agent = app.agent("op@x.io", app::accounts::Role::Operator, "password-1").await;
    app::inboxes::store::set_member(app.db(), inbox, agent, Some(app::inboxes::MemberRole::Operator)).await.unwrap();
    let cookie = app.login("op@x.io", "password-1").await;
    let req = axum::http::Request::get("/api/events")
        .header("host", "localhost")
        .header("cookie", format!("sb_session={cookie}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let _stream = app.send(req).await;
    assert!(online(&app, &key).await, "a connected console counts as online");
    app.clock.advance_ms(10 * 60 * 1000);
    assert!(!online(&app, &key).await, "long unseen: offline again");
});

async fn online(app: &TestApp, key: &str) -> bool {
    let req = json_request("GET", &format!("/api/widget/config?inbox={key}"), None, None);
    body_json(app.send(req).await).await["online"].as_bool().unwrap()
}
