//! Monitoring: a supervisor whispers to the chat's assignee (never to the customer,
//! another operator, an export, a transcript or a search), joins the chat, takes it
//! over, and each of these is in the audit log.
use crate::common::{body_json, body_text, json_request, keep_reading, read_frames, TestApp};
use crate::hardening::inbox;
use crate::live::{operator_of, stream_request, visitor_send, visitor_start};
use app::accounts::Role;
use app::conversations::store;
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

const VISITOR: &str = "visitor-supervise-aaaaaaaaaaaaaaaa";

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap()
}

async fn supervisor_of(app: &TestApp, inbox_id: i64, email: &str) -> (i64, String) {
    let id = app.agent(email, Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, id, Some(MemberRole::Supervisor)).await.unwrap();
    (id, app.login(email, "password-1").await)
}

/// Every message body a stream replays from the start of the log, read for a moment.
async fn replayed(app: &TestApp, path: &str, cookie: Option<&str>) -> Vec<String> {
    let mut body = app.send(stream_request(path, cookie, Some(0))).await.into_body();
    bodies(read_frames(&mut body, 1000, 1_500).await)
}

fn bodies(frames: Vec<crate::common::Frame>) -> Vec<String> {
    frames
        .into_iter()
        .filter(|f| f.event.as_deref() == Some("message.created"))
        .map(|f| serde_json::from_str::<serde_json::Value>(&f.data).unwrap()["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn thread_bodies(app: &TestApp, conv: i64, cookie: &str) -> (StatusCode, Vec<String>) {
    let res = app.post_form("/api/conversations/thread", &format!("id={conv}"), Some(cookie)).await;
    let status = res.status();
    if status != StatusCode::OK {
        return (status, vec![]);
    }
    let v = body_json(res).await;
    (status, v["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_string()).collect())
}

test_both_dbs!(a_whisper_reaches_the_assignee_and_supervisors_and_nobody_else, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let alex = operator_of(&app, support, "alex@x.io").await;
    let jo = operator_of(&app, support, "jo@x.io").await;
    let (_, sam) = supervisor_of(&app, support, "sam@x.io").await;
    // Jo's console is open throughout (a replay would judge by the chat's state now).
    let (jo_done, jo_stream) = keep_reading(app.send(stream_request("/api/events", Some(&jo), None)).await.into_body());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let conv = visitor_start(&app, &key, VISITOR).await;
    assert_eq!(visitor_send(&app, VISITOR, conv, "c-1", "my order is late").await, StatusCode::CREATED);

    // While the chat waits, Jo (an operator) may read it, but not a whisper on it.
    let w1 = app.post_form("/api/conversations/whisper", &format!("conversation_id={conv}&client_id=w-1&body=whisper+one+zebrafish"), Some(&sam)).await;
    assert_eq!(w1.status(), StatusCode::OK, "{}", body_text(w1).await);
    // Alex takes it; the second whisper is for Alex too.
    assert_eq!(app.post_form("/api/conversations/accept", &format!("id={conv}"), Some(&alex)).await.status(), StatusCode::OK);
    let w2 = app.post_form("/api/conversations/whisper", &format!("conversation_id={conv}&client_id=w-2&body=whisper+two"), Some(&sam)).await;
    assert_eq!(w2.status(), StatusCode::OK);
    // The same client id again stores and audits nothing twice.
    let again = app.post_form("/api/conversations/whisper", &format!("conversation_id={conv}&client_id=w-2&body=whisper+two"), Some(&sam)).await;
    assert_eq!(again.status(), StatusCode::OK);
    let note = app.post_form("/api/conversations/reply", &format!("conversation_id={conv}&client_id=n-1&body=a+note&internal=true"), Some(&alex)).await;
    assert_eq!(note.status(), StatusCode::OK);
    let reply = app.post_form("/api/conversations/reply", &format!("conversation_id={conv}&client_id=r-1&body=on+its+way&internal=false"), Some(&alex)).await;
    assert_eq!(reply.status(), StatusCode::OK);

    // Operators may not whisper.
    let refused = app.post_form("/api/conversations/whisper", &format!("conversation_id={conv}&client_id=w-3&body=hi"), Some(&alex)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Threads: the assignee and the supervisor see both whispers; the customer none.
    let (_, alex_sees) = thread_bodies(&app, conv, &alex).await;
    assert!(alex_sees.contains(&"whisper one zebrafish".to_string()) && alex_sees.contains(&"whisper two".to_string()), "{alex_sees:?}");
    let (_, sam_sees) = thread_bodies(&app, conv, &sam).await;
    assert!(sam_sees.contains(&"whisper two".to_string()));
    let widget = body_json(app.send(json_request("GET", &format!("/api/widget/conversations/{conv}"), Some(VISITOR), None)).await).await;
    let widget = widget.to_string();
    assert!(widget.contains("on its way") && !widget.contains("whisper") && !widget.contains("a note"), "{widget}");

    // Streams, replayed from the start: the customer's never carries one; Jo's carried
    // neither (the first while the chat waited, the second once it was Alex's).
    let st = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/stream-token"), Some(VISITOR), None)).await;
    let token = body_json(st).await["token"].as_str().unwrap().to_string();
    let customer = replayed(&app, &format!("/api/widget/events?token={token}"), None).await;
    assert!(customer.contains(&"on its way".to_string()) && !customer.iter().any(|b| b.contains("whisper")), "{customer:?}");
    let _ = jo_done.send(());
    let jo_got = bodies(jo_stream.await.unwrap());
    assert!(jo_got.contains(&"my order is late".to_string()), "Jo saw the waiting chat: {jo_got:?}");
    assert!(!jo_got.iter().any(|b| b.contains("whisper")), "{jo_got:?}");
    let alex_got = replayed(&app, "/api/events", Some(&alex)).await;
    assert!(alex_got.contains(&"whisper two".to_string()), "{alex_got:?}");
    let sam_got = replayed(&app, "/api/events", Some(&sam)).await;
    assert!(sam_got.contains(&"whisper one zebrafish".to_string()) && sam_got.contains(&"whisper two".to_string()), "{sam_got:?}");

    // Exports (even with internal lines), transcripts and search leave them out.
    let export = body_text(app.send(get(&format!("/api/conversations/{conv}/export.csv?internal=true"), &sam)).await).await;
    assert!(export.contains("a note") && !export.contains("whisper"), "{export}");
    let rows = app::conversations::transcript::rows(app.db(), conv, true).await.unwrap();
    assert!(!format!("{rows:?}").contains("whisper"));
    let thread = store::thread(app.db(), conv, true).await.unwrap();
    assert!(thread.messages.iter().all(|m| !m.body.contains("whisper")));
    let search = body_text(app.send(get("/api/conversations.csv?q=zebrafish", &sam)).await).await;
    assert_eq!(search.lines().count(), 1, "a whisper's words find nothing: {search}");

    // Audited without their text, once each.
    let whispers: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'conversation.whisper'").fetch_all(app.db().pool()).await.unwrap();
    assert_eq!(whispers.len(), 2);
    assert!(whispers.iter().all(|d| !d.contains("whisper")), "{whispers:?}");
});

test_both_dbs!(a_supervisor_supervises_joins_and_takes_over, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let alex = operator_of(&app, support, "alex@x.io").await;
    let (sam_id, sam) = supervisor_of(&app, support, "sam@x.io").await;
    let conv = visitor_start(&app, &key, VISITOR).await;
    assert_eq!(app.post_form("/api/conversations/accept", &format!("id={conv}"), Some(&alex)).await.status(), StatusCode::OK);
    let count = |action: &'static str| {
        let db = app.db().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };

    // Opening Alex's chat is supervising it: audited once a day, not on every open.
    assert_eq!(thread_bodies(&app, conv, &sam).await.0, StatusCode::OK);
    assert_eq!(thread_bodies(&app, conv, &sam).await.0, StatusCode::OK);
    assert_eq!(count("conversation.supervise").await, 1);
    app.clock.advance_ms(25 * 3600 * 1000);
    assert_eq!(thread_bodies(&app, conv, &sam).await.0, StatusCode::OK);
    assert_eq!(count("conversation.supervise").await, 2);
    // Alex opening their own chat is not supervising.
    assert_eq!(thread_bodies(&app, conv, &alex).await.0, StatusCode::OK);
    assert_eq!(count("conversation.supervise").await, 2);

    // Join: the customer sees Sam join, once; an operator may not.
    assert_eq!(app.post_form("/api/conversations/join", &format!("id={conv}"), Some(&alex)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.post_form("/api/conversations/join", &format!("id={conv}"), Some(&sam)).await.status(), StatusCode::OK);
    assert_eq!(app.post_form("/api/conversations/join", &format!("id={conv}"), Some(&sam)).await.status(), StatusCode::OK);
    let widget = body_json(app.send(json_request("GET", &format!("/api/widget/conversations/{conv}"), Some(VISITOR), None)).await).await;
    let joined = widget["messages"].as_array().unwrap().iter().filter(|m| m["body"] == "sam@x.io joined the chat").count();
    assert_eq!(joined, 1, "{widget}");
    assert_eq!(count("conversation.join").await, 1);
    let reply = app.post_form("/api/conversations/reply", &format!("conversation_id={conv}&client_id=s-1&body=Sam+here&internal=false"), Some(&sam)).await;
    assert_eq!(reply.status(), StatusCode::OK);

    // Take over: one click, the chat is Sam's; agents see from whom.
    let res = app.post_form("/api/conversations/take-over", &format!("id={conv}"), Some(&sam)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["assignee_id"], sam_id);
    let (_, lines) = thread_bodies(&app, conv, &sam).await;
    assert!(lines.contains(&"sam@x.io took over the chat from alex@x.io".to_string()), "{lines:?}");
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'conversation.take_over'").fetch_one(app.db().pool()).await.unwrap();
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["after"]["assignee_id"], sam_id);
    assert!(detail["before"]["assignee_id"].is_i64());
    // An operator cannot take over; Alex now gets a 404 for Sam's chat.
    assert_eq!(app.post_form("/api/conversations/take-over", &format!("id={conv}"), Some(&alex)).await.status(), StatusCode::NOT_FOUND);
});
