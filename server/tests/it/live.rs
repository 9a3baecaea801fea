//! Live delivery: the widget API, visitor isolation, and SSE replay, on both back ends.
use app::accounts::Role;
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::Visibility;
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_json, json_request, read_frames, read_frames_of, TestApp, T0};
use serde_json::json;

async fn inbox(app: &TestApp, name: &str) -> (i64, String) {
    let id = inboxes::create(app.db(), name, T0).await.unwrap();
    let key = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(id).fetch_one(app.db().pool()).await.unwrap();
    (id, key)
}

pub(crate) async fn visitor_start(app: &TestApp, key: &str, token: &str) -> i64 {
    let res = app.send(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": token, "name": "Cleo"})))).await;
    assert!(res.status().is_success(), "{}", res.status());
    body_json(res).await["conversation"]["id"].as_i64().unwrap()
}

pub(crate) async fn visitor_send(app: &TestApp, token: &str, conv: i64, client_id: &str, body: &str) -> StatusCode {
    let path = format!("/api/widget/conversations/{conv}/messages");
    app.send(json_request("POST", &path, Some(token), Some(json!({"client_id": client_id, "body": body})))).await.status()
}

pub(crate) fn stream_request(path: &str, cookie: Option<&str>, last_event_id: Option<i64>) -> Request<Body> {
    let mut req = Request::get(path).header(header::HOST, "localhost");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("sb_session={c}"));
    }
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id.to_string());
    }
    req.body(Body::empty()).unwrap()
}

pub(crate) async fn operator_of(app: &TestApp, inbox_id: i64, email: &str) -> String {
    let id = app.agent(email, Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, id, Some(MemberRole::Operator)).await.unwrap();
    app.login(email, "password-1").await
}

const TOKEN_A: &str = "visitor-a-aaaaaaaaaaaaaaaaaaaaaa";
const TOKEN_B: &str = "visitor-b-bbbbbbbbbbbbbbbbbbbbbb";

test_both_dbs!(a_visitor_token_only_reaches_its_own_conversation, |db| async move {
    let app = TestApp::new(db);
    let (_, key) = inbox(&app, "Support").await;
    let a = visitor_start(&app, &key, TOKEN_A).await;
    let b = visitor_start(&app, &key, TOKEN_B).await;
    assert_ne!(a, b);
    assert_eq!(visitor_send(&app, TOKEN_B, b, "b-1", "secret of B").await, StatusCode::CREATED);

    let read = app.send(json_request("GET", &format!("/api/widget/conversations/{b}"), Some(TOKEN_A), None)).await;
    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    assert_eq!(visitor_send(&app, TOKEN_A, b, "a-1", "hi").await, StatusCode::NOT_FOUND);
    let st = app.send(json_request("POST", &format!("/api/widget/conversations/{b}/stream-token"), Some(TOKEN_A), None)).await;
    assert_eq!(st.status(), StatusCode::NOT_FOUND);
    // A's own stream token, edited to name B, is refused too.
    let own = app.send(json_request("POST", &format!("/api/widget/conversations/{a}/stream-token"), Some(TOKEN_A), None)).await;
    let token = body_json(own).await["token"].as_str().unwrap().to_string();
    let forged = token.replacen(&format!("{a}."), &format!("{b}."), 1);
    let res = app.send(stream_request(&format!("/api/widget/events?token={forged}"), None, None)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.send(stream_request("/api/widget/events", None, None)).await.status(), StatusCode::NOT_FOUND);
    // No token at all, or a malformed one: 401.
    let anon = app.send(json_request("GET", &format!("/api/widget/conversations/{a}"), None, None)).await;
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);

    let mine = body_json(app.send(json_request("GET", &format!("/api/widget/conversations/{a}"), Some(TOKEN_A), None)).await).await;
    assert_eq!(mine["messages"].as_array().unwrap().len(), 0, "nothing of B's");
});

test_both_dbs!(the_widget_api_gives_clear_errors, |db| async move {
    let app = TestApp::new(db);
    let (_, key) = inbox(&app, "Support").await;
    let bad_token = app.send(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": key, "token": "short"})))).await;
    assert_eq!(bad_token.status(), StatusCode::BAD_REQUEST);
    let no_inbox = app.send(json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": "nope", "token": TOKEN_A})))).await;
    assert_eq!(no_inbox.status(), StatusCode::NOT_FOUND);
    let garbage = Request::post("/api/widget/conversations").header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json").body(Body::from("{not json")).unwrap();
    assert!(app.send(garbage).await.status().is_client_error());
    let a = visitor_start(&app, &key, TOKEN_A).await;
    assert_eq!(visitor_send(&app, TOKEN_A, a, "m-1", &"x".repeat(6000)).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(visitor_send(&app, TOKEN_A, a, "m-1", "ok").await, StatusCode::CREATED);
    assert_eq!(visitor_send(&app, TOKEN_A, a, "m-1", "ok").await, StatusCode::OK, "a retry");
    assert_eq!(visitor_send(&app, TOKEN_A, a, "m-1", "changed").await, StatusCode::CONFLICT);
    let cfg = app.send(json_request("GET", &format!("/api/widget/config?inbox={key}"), None, None)).await;
    assert_eq!(body_json(cfg).await["name"], "Support");
});

test_both_dbs!(replay_after_last_event_id_is_exactly_once_and_in_order, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let cookie = operator_of(&app, support, "op@x.io").await;
    let conv = visitor_start(&app, &key, TOKEN_A).await;
    for i in 0..5 {
        assert_eq!(visitor_send(&app, TOKEN_A, conv, &format!("m-{i}"), &format!("message {i}")).await, StatusCode::CREATED);
    }
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM events WHERE kind = 'message.created' ORDER BY id")
        .fetch_all(app.db().pool()).await.unwrap();
    assert_eq!(ids.len(), 5);

    let res = app.send(stream_request("/api/events", Some(&cookie), Some(ids[1]))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = res.into_body();
    let replayed = read_frames(&mut body, 3, 5_000).await;
    assert_eq!(replayed.iter().map(|f| f.id.unwrap()).collect::<Vec<_>>(), ids[2..].to_vec());
    assert!(replayed[0].data.contains("message 2"));

    for i in 5..7 {
        visitor_send(&app, TOKEN_A, conv, &format!("m-{i}"), &format!("message {i}")).await;
    }
    let live = read_frames(&mut body, 2, 5_000).await;
    let texts: Vec<&str> = live.iter().map(|f| f.data.as_str()).collect();
    assert!(texts[0].contains("message 5") && texts[1].contains("message 6"), "{texts:?}");
    assert!(live[0].id.unwrap() > ids[4] && live[1].id.unwrap() > live[0].id.unwrap());
    assert!(read_frames(&mut body, 1, 500).await.is_empty(), "nothing twice");
});

test_both_dbs!(an_unknown_last_event_id_gets_resync, |db| async move {
    let app = TestApp::new(db);
    let (support, _) = inbox(&app, "Support").await;
    let cookie = operator_of(&app, support, "op@x.io").await;
    let res = app.send(stream_request("/api/events", Some(&cookie), Some(987_654))).await;
    let mut body = res.into_body();
    let frames = read_frames(&mut body, 1, 5_000).await;
    assert_eq!(frames[0].event.as_deref(), Some("resync"));
    let unauth = app.send(stream_request("/api/events", None, None)).await;
    assert_eq!(unauth.status(), StatusCode::UNAUTHORIZED);
});

test_both_dbs!(agents_get_only_their_inboxes_events_and_visitors_only_public_lines, |db| async move {
    let app = TestApp::new(db);
    let (support, support_key) = inbox(&app, "Support").await;
    let (_, billing_key) = inbox(&app, "Billing").await;
    let cookie = operator_of(&app, support, "op@x.io").await;
    let mut agent_stream = app.send(stream_request("/api/events", Some(&cookie), None)).await.into_body();

    let billing_conv = visitor_start(&app, &billing_key, TOKEN_B).await;
    visitor_send(&app, TOKEN_B, billing_conv, "b-1", "billing question").await;
    let support_conv = visitor_start(&app, &support_key, TOKEN_A).await;

    let st = app.send(json_request("POST", &format!("/api/widget/conversations/{support_conv}/stream-token"), Some(TOKEN_A), None)).await;
    let token = body_json(st).await["token"].as_str().unwrap().to_string();
    let mut visitor_stream = app.send(stream_request(&format!("/api/widget/events?token={token}"), None, None)).await.into_body();

    visitor_send(&app, TOKEN_A, support_conv, "a-1", "support question").await;
    let frames = read_frames(&mut agent_stream, 2, 5_000).await;
    let kinds: Vec<_> = frames.iter().map(|f| f.event.clone().unwrap()).collect();
    assert_eq!(kinds, ["conversation.created", "message.created"]);
    assert!(frames.iter().all(|f| !f.data.contains("billing")), "{frames:?}");

    let note = Outgoing { conversation_id: support_conv, author: Author::Agent { id: 1, name: "Op" }, client_id: "n-1", body: "internal only", visibility: Visibility::Internal, file: None };
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = 'op@x.io'").fetch_one(app.db().pool()).await.unwrap();
    let note = Outgoing { author: Author::Agent { id: agent_id, name: "Op" }, ..note };
    write::send(app.db(), note, T0).await.unwrap();
    let reply = Outgoing { conversation_id: support_conv, author: Author::Agent { id: agent_id, name: "Op" }, client_id: "r-1", body: "public reply", visibility: Visibility::Public, file: None };
    write::send(app.db(), reply, T0).await.unwrap();

    let seen = read_frames(&mut visitor_stream, 4, 5_000).await;
    let data: Vec<&str> = seen.iter().map(|f| f.data.as_str()).collect();
    assert!(data.iter().any(|d| d.contains("support question")), "{data:?}");
    assert!(data.iter().any(|d| d.contains("public reply")), "{data:?}");
    assert!(data.iter().all(|d| !d.contains("internal only") && !d.contains("billing")), "{data:?}");
});

test_both_dbs!(an_agent_stream_ends_at_logout, |db| async move {
    let app = TestApp::new(db);
    let (support, _) = inbox(&app, "Support").await;
    let cookie = operator_of(&app, support, "op@x.io").await;
    let mut body = app.send(stream_request("/api/events", Some(&cookie), None)).await.into_body();
    use http_body_util::BodyExt;
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame()).await.unwrap();
    assert!(first.is_some(), "the stream opened");
    assert_eq!(app.post_form("/api/logout", "", Some(&cookie)).await.status(), StatusCode::OK);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(Ok(_)) = body.frame().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream closed after logout");
});

test_both_dbs!(an_agent_stream_ends_on_deactivation_and_on_removal_from_an_inbox, |db| async move {
    use http_body_util::BodyExt;
    let app = TestApp::new(db);
    let (support, _) = inbox(&app, "Support").await;
    app.agent("root@x.io", Role::Admin, "password-0").await;
    let admin = app.login("root@x.io", "password-0").await;
    let ends = |mut body: Body| async move {
        let first = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame()).await.unwrap();
        assert!(first.is_some(), "the stream opened");
        (body, ())
    };
    for (email, action) in [("gone@x.io", "remove"), ("off@x.io", "deactivate")] {
        let cookie = operator_of(&app, support, email).await;
        let agent_id: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = $1").bind(email).fetch_one(app.db().pool()).await.unwrap();
        let (mut body, _) = ends(app.send(stream_request("/api/events", Some(&cookie), None)).await.into_body()).await;
        let form = match action {
            "remove" => (("/api/admin/inboxes/member"), format!("inbox_id={support}&agent_id={agent_id}&role=none")),
            _ => (("/api/admin/agents/active"), format!("id={agent_id}&active=false")),
        };
        assert_eq!(app.post_form(form.0, &form.1, Some(&admin)).await.status(), StatusCode::OK);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while let Some(Ok(_)) = body.frame().await {}
        })
        .await;
        assert!(ended.is_ok(), "the stream closed after {action}");
    }
});

test_both_dbs!(event_streams_are_never_compressed_but_pages_are, |db| async move {
    let app = TestApp::new(db);
    let (support, _) = inbox(&app, "Support").await;
    let cookie = operator_of(&app, support, "op@x.io").await;
    let mut req = stream_request("/api/events", Some(&cookie), None);
    req.headers_mut().insert(header::ACCEPT_ENCODING, "br, gzip".parse().unwrap());
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none(), "SSE must not be buffered by a compressor");
    let page = Request::get("/login").header(header::HOST, "localhost").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let res = app.send(page).await;
    assert_eq!(res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
});

/// An inbox with two operators: its widget key, Jo's session, and Alex's id.
async fn two_operators(app: &TestApp) -> (String, String, i64) {
    let (support, key) = inbox(app, "Support").await;
    let jo = operator_of(app, support, "jo@x.io").await;
    let alex = app.agent("alex@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), support, alex, Some(MemberRole::Operator)).await.unwrap();
    (key, jo, alex)
}

// An operator's stream carries nothing of a colleague's open chat but the changes that
// move it (assignee, status), live and on replay; the chats they may open stream in full.
test_both_dbs!(an_operator_never_streams_a_colleagues_open_chat, |db| async move {
    let app = TestApp::new(db);
    let (key, jo, alex) = two_operators(&app).await;
    let mut live = app.send(stream_request("/api/events", Some(&jo), Some(0))).await.into_body();

    let theirs = visitor_start(&app, &key, TOKEN_A).await;
    let free = visitor_start(&app, &key, TOKEN_B).await;
    let actor = app::conversations::handling::Actor { id: alex, name: "Alex".into(), is_admin: false, address: None, token: None };
    app::conversations::handling::accept(app.db(), theirs, &actor, T0).await.unwrap();
    let note = Outgoing { conversation_id: theirs, author: Author::Agent { id: alex, name: "Alex" }, client_id: "n-1", body: "SECRET internal note", visibility: Visibility::Internal, file: None };
    write::send(app.db(), note, T0).await.unwrap();
    visitor_send(&app, TOKEN_A, theirs, "a-1", "SECRET customer line").await;
    visitor_send(&app, TOKEN_B, free, "b-1", "a free chat's line").await;

    let check = |frames: &[crate::common::Frame], what: &str| {
        assert!(frames.iter().all(|f| !f.data.contains("SECRET")), "{what}: {frames:?}");
        assert!(frames.iter().any(|f| f.data.contains("a free chat's line")), "{what}: the free chat streams");
        let assigned = frames.iter().find(|f| f.event.as_deref() == Some("conversation.assigned")).expect("the hand-over itself");
        assert!(assigned.data.contains(&format!("\"assignee_id\":{alex}")), "{what}");
    };
    // Two chats created; the hand-over (assigned, agent, status); the free chat's line.
    let frames = read_frames(&mut live, 6, 5_000).await;
    check(&frames, "live");
    // A reconnect from the start replays under the same rule.
    let mut replay = app.send(stream_request("/api/events", Some(&jo), Some(0))).await.into_body();
    let frames = read_frames(&mut replay, 6, 5_000).await;
    check(&frames, "replay");
    // Back in the queue, the chat is Jo's to read again: its next line streams.
    app::conversations::handling::assign(app.db(), theirs, &actor, None, T0).await.unwrap();
    visitor_send(&app, TOKEN_A, theirs, "a-2", "back in the queue").await;
    // (The hand-back's own line may come first: it is judged by what the instance
    // knows when the stream meets it, and by then the chat may be back in the queue.)
    let mut lines = Vec::new();
    while !lines.iter().any(|f: &crate::common::Frame| f.data.contains("back in the queue")) {
        let next = read_frames_of(&mut live, 1, 5_000, |e| e == "message.created").await;
        assert!(!next.is_empty() && lines.len() < 2, "{lines:?}");
        lines.extend(next);
    }
});

// The instance keeps what its streams know of chats in one table: a chat a colleague
// took while none of the operator's consoles was open is followed all the same.
test_both_dbs!(a_chat_taken_while_an_operator_was_away_stays_closed_to_them, |db| async move {
    let app = TestApp::new(db);
    let (key, jo, alex) = two_operators(&app).await;
    let chat = visitor_start(&app, &key, TOKEN_A).await;
    let free = visitor_start(&app, &key, TOKEN_B).await;
    let lines = |e: &str| e == "message.created";
    // Jo's console meets the chat while it waits in the queue, then closes.
    let mut first = app.send(stream_request("/api/events", Some(&jo), None)).await.into_body();
    visitor_send(&app, TOKEN_A, chat, "a-1", "waiting in the queue").await;
    let frames = read_frames_of(&mut first, 1, 5_000, lines).await;
    assert!(frames[0].data.contains("waiting in the queue"), "{frames:?}");
    drop(first);
    let actor = app::conversations::handling::Actor { id: alex, name: "Alex".into(), is_admin: false, address: None, token: None };
    app::conversations::handling::accept(app.db(), chat, &actor, T0).await.unwrap();
    // Jo comes back after the hand-over: Alex's chat is not theirs to read.
    let mut again = app.send(stream_request("/api/events", Some(&jo), None)).await.into_body();
    visitor_send(&app, TOKEN_A, chat, "a-2", "SECRET now Alex's").await;
    visitor_send(&app, TOKEN_B, free, "b-1", "a free chat's line").await;
    let frames = read_frames_of(&mut again, 1, 5_000, lines).await;
    assert!(frames[0].data.contains("a free chat's line"), "{frames:?}");
});

// A customer's widget takes its chat's events from a mailbox of its own, which holds
// a few dozen; one that does not read while more arrive catches up from the log.
test_both_dbs!(a_widget_that_falls_behind_gets_every_event_once_in_order, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    operator_of(&app, support, "op@x.io").await;
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = 'op@x.io'").fetch_one(app.db().pool()).await.unwrap();
    let conv = visitor_start(&app, &key, TOKEN_A).await;
    let st = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/stream-token"), Some(TOKEN_A), None)).await;
    let token = body_json(st).await["token"].as_str().unwrap().to_string();
    let mut stream = app.send(stream_request(&format!("/api/widget/events?token={token}"), None, None)).await.into_body();
    visitor_send(&app, TOKEN_A, conv, "a-1", "hello").await;
    let first = read_frames(&mut stream, 1, 5_000).await;
    assert!(first[0].data.contains("hello"), "{first:?}");

    // Live now; a burst while nobody reads, more than the mailbox holds.
    for i in 0..100 {
        let reply = Outgoing { conversation_id: conv, author: Author::Agent { id: agent_id, name: "Op" }, client_id: &format!("r-{i}"), body: &format!("reply {i}"), visibility: Visibility::Public, file: None };
        write::send(app.db(), reply, T0).await.unwrap();
    }
    // The first reply also opens the chat, which says so in a line of its own.
    let frames = read_frames_of(&mut stream, 101, 10_000, |e| e == "message.created").await;
    let replies: Vec<&str> = frames.iter().map(|f| f.data.as_str()).filter(|d| d.contains("\"body\":\"reply ")).collect();
    assert_eq!(replies.len(), 100, "{} of 100 replies", replies.len());
    for (i, data) in replies.iter().enumerate() {
        assert!(data.contains(&format!("\"reply {i}\"")), "reply {i} in its place: {data}");
    }
    let ids: Vec<i64> = frames.iter().filter_map(|f| f.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in the log's order, none twice: {ids:?}");
    assert!(read_frames_of(&mut stream, 1, 300, |e| e == "message.created").await.is_empty(), "nothing more");
});
