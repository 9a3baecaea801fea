//! Satisfaction ratings: asked once a chat is solved, one per chat, editable for 7
//! days, seen by the agents (a private line and the panel), never by others.
use crate::common::{body_json, json_request, TestApp};
use crate::hardening::inbox;
use crate::live::visitor_start;
use app::accounts::Role;
use app::conversations::handling::{self, Actor};
use app::conversations::CloseReason;
use app::inboxes::{store as inboxes, MemberRole};
use axum::http::StatusCode;
use serde_json::json;

const VISITOR: &str = "visitor-csat-aaaaaaaaaaaaaaaaaaaaa";
const OTHER: &str = "visitor-csat-bbbbbbbbbbbbbbbbbbbbb";

async fn rate(app: &TestApp, token: &str, conv: i64, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/csat"), Some(token), Some(body))).await;
    let status = res.status();
    (status, body_json(res).await)
}

async fn survey(app: &TestApp, token: &str, conv: i64) -> serde_json::Value {
    let res = app.send(json_request("GET", &format!("/api/widget/conversations/{conv}/csat"), Some(token), None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    body_json(res).await["survey"].clone()
}

test_both_dbs!(one_rating_per_chat_editable_for_seven_days, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let sue_id = app.agent("sue@x.io", Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), support, sue_id, Some(MemberRole::Supervisor)).await.unwrap();
    let sue = Actor { id: sue_id, name: "Sue".into(), is_admin: false, address: None, token: None };
    let conv = visitor_start(&app, &key, VISITOR).await;
    let other = visitor_start(&app, &key, OTHER).await;

    // Not before the chat has ended.
    assert!(survey(&app, VISITOR, conv).await.is_null());
    let (status, body) = rate(&app, VISITOR, conv, json!({"score": 5})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    handling::accept(app.db(), conv, &sue, app.state.now()).await.unwrap();
    handling::close(app.db(), conv, &sue, CloseReason::Solved, app.state.now()).await.unwrap();
    assert_eq!(survey(&app, VISITOR, conv).await, json!({"score": null, "comment": null, "editable": true}));

    // A score outside 1–5 says why and stores nothing.
    let (status, body) = rate(&app, VISITOR, conv, json!({"score": 9})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("1 to 5"), "{body}");
    // Another visitor's token cannot rate this chat.
    let (status, _) = rate(&app, OTHER, conv, json!({"score": 1})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = rate(&app, VISITOR, conv, json!({"score": 2, "comment": "  Slow <b>reply</b>  "})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["survey"], json!({"score": 2, "comment": "Slow <b>reply</b>", "editable": true}));
    // Changed within the week: still one rating, and a second line says so.
    app.clock.advance_ms(6 * 24 * 3600 * 1000);
    let (status, _) = rate(&app, VISITOR, conv, json!({"score": 4})).await;
    assert_eq!(status, StatusCode::OK);
    let row: (Option<i64>, Option<String>) = sqlx::query_as("SELECT csat_score, csat_comment FROM conversations WHERE id = $1")
        .bind(conv)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(row, (Some(4), None));
    let lines: Vec<(String, String)> =
        sqlx::query_as("SELECT body, visibility FROM messages WHERE conversation_id = $1 AND body LIKE 'The customer %' ORDER BY id")
            .bind(conv)
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    assert_eq!(
        lines,
        vec![
            ("The customer rated this chat 2/5: “Slow <b>reply</b>”".to_string(), "internal".to_string()),
            ("The customer changed their rating to 4/5".to_string(), "internal".to_string()),
        ],
        "private lines: the widget never gets them"
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'conversation.rated' AND audience = 'agents' AND conversation_id = $1")
        .bind(conv)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(events, 2);

    // Seven days after the first rating it is final.
    app.clock.advance_ms(24 * 3600 * 1000);
    assert_eq!(survey(&app, VISITOR, conv).await["editable"], false);
    let (status, body) = rate(&app, VISITOR, conv, json!({"score": 5})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"].as_str().unwrap().contains("7 days"), "{body}");

    // The panel shows it to the agents.
    let panel = app::customers::panel::load(app.db(), conv, sue_id, false).await.unwrap();
    assert_eq!(panel.rating, Some(4));

    // A cancelled chat is not rated; with the survey off, neither is a solved one.
    handling::close(app.db(), other, &sue, CloseReason::Cancelled, app.state.now()).await.unwrap();
    assert!(survey(&app, OTHER, other).await.is_null());
    app::csat::store::set_ask(app.db(), support, app::csat::Ask::Off).await.unwrap();
    assert!(survey(&app, VISITOR, conv).await.is_null());
});
