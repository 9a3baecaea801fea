//! The agent's toolkit: canned responses (scopes, variables, use in a chat) and the
//! ephemeral typing and viewing signals (live, never stored).
use crate::common::{body_json, body_text, json_request, read_frames, TestApp};
use crate::hardening::inbox;
use crate::live::{operator_of, stream_request, visitor_send, visitor_start};
use crate::settings::form;
use app::accounts::Role;
use app::inboxes::{store as inboxes, MemberRole};
use axum::http::StatusCode;
use serde_json::json;

const VISITOR: &str = "visitor-toolkit-aaaaaaaaaaaaaaaaa";

async fn data_version(c: &mut sqlx::AnyConnection) -> i64 {
    sqlx::query_scalar("PRAGMA data_version").fetch_one(c).await.unwrap()
}

async fn save(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let res = app.post_form("/api/canned/save", &form(fields), Some(cookie)).await;
    let status = res.status();
    (status, body_text(res).await)
}

async fn listed(app: &TestApp, cookie: &str) -> Vec<String> {
    let page = body_json(app.post_form("/api/canned/list", "", Some(cookie)).await).await;
    page["items"].as_array().unwrap().iter().map(|c| c["shortcode"].as_str().unwrap().to_string()).collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db().pool()).await.unwrap()
}

test_both_dbs!(canned_responses_are_scoped_by_role, |db| async move {
    let app = TestApp::new(db);
    let (support, _) = inbox(&app, "Support").await;
    let (billing, _) = inbox(&app, "Billing").await;
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let sue_id = app.agent("sue@x.io", Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), support, sue_id, Some(MemberRole::Supervisor)).await.unwrap();
    let ada = app.login("ada@x.io", "password-1").await;
    let sue = app.login("sue@x.io", "password-1").await;
    let op1 = operator_of(&app, support, "op1@x.io").await;
    let op2 = operator_of(&app, support, "op2@x.io").await;

    let (status, id) = save(&app, &op1, &[("scope", "personal"), ("shortcode", "/Thanks"), ("title", "Thank you"), ("body", "Thanks!")]).await;
    assert_eq!(status, StatusCode::OK, "{id}");
    assert_eq!(listed(&app, &op1).await, ["thanks"]);
    assert!(listed(&app, &op2).await.is_empty(), "another agent's personal response is not listed");
    // Another agent's personal response by id is a 404, to change or to delete.
    let (status, _) = save(&app, &op2, &[("id", &id), ("scope", "personal"), ("shortcode", "x"), ("title", "X"), ("body", "x")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = app.post_form("/api/canned/delete", &format!("id={id}"), Some(&op2)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Inbox responses: its supervisors (a 403 for its operators, a 404 for another inbox).
    let inbox_fields = |inbox: &str| vec![("scope", "inbox".to_string()), ("inbox_id", inbox.to_string()), ("shortcode", "refund".into()), ("title", "Refunds".into()), ("body", "Refunds take 5 days.".into())];
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let f = as_refs(&inbox_fields(&support.to_string()));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(save(&app, &op1, &f).await.0, StatusCode::FORBIDDEN);
    assert_eq!(save(&app, &sue, &f).await.0, StatusCode::OK);
    let fb = as_refs(&inbox_fields(&billing.to_string()));
    let fb: Vec<(&str, &str)> = fb.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(save(&app, &sue, &fb).await.0, StatusCode::NOT_FOUND, "not a member of Billing");
    assert_eq!(save(&app, &ada, &fb).await.0, StatusCode::OK, "an admin keeps every inbox's");
    // Global responses: admins only.
    let global = [("scope", "global"), ("shortcode", "hello"), ("title", "Hello"), ("body", "Hi {{customer.first_name | there}}, {{agent.name}} here from {{inbox.name}}.")];
    assert_eq!(save(&app, &sue, &global).await.0, StatusCode::FORBIDDEN);
    assert_eq!(save(&app, &ada, &global).await.0, StatusCode::OK);
    assert_eq!(listed(&app, &op1).await, ["hello", "refund", "thanks"], "the Billing response is not op1's to see");

    // Unknown variables and a short code used twice are refused, saying why; nothing stored.
    let before = count(&app, "SELECT COUNT(*) FROM canned_responses").await;
    let (status, text) = save(&app, &op1, &[("scope", "personal"), ("shortcode", "nick"), ("title", "Nick"), ("body", "Hi {{customer.nickname}}")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("{{customer.nickname}}"), "{text}");
    let (status, text) = save(&app, &op1, &[("scope", "personal"), ("shortcode", "thanks"), ("title", "Again"), ("body", "x")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("/thanks"), "{text}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM canned_responses").await, before);
    // Shared responses are audited; personal ones are the agent's own business.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'canned.create'").await, 3);
});

test_both_dbs!(a_canned_response_is_filled_in_for_the_chat, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let (billing, _) = inbox(&app, "Billing").await;
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let ada = app.login("ada@x.io", "password-1").await;
    let op = operator_of(&app, support, "op@x.io").await;
    sqlx::query("UPDATE agents SET name = 'Jo Op' WHERE email = 'op@x.io'").execute(app.db().pool()).await.unwrap();
    let hello = [("scope", "global"), ("shortcode", "hello"), ("title", "Hello"), ("body", "Hi {{customer.first_name | there}}, {{agent.name}} here from {{inbox.name}} (#{{conversation.id}}).")];
    let (_, hello_id) = save(&app, &ada, &hello).await;
    let other = [("scope", "inbox"), ("inbox_id", &billing.to_string()), ("shortcode", "bill"), ("title", "Bill"), ("body", "Billing only")];
    let (_, billing_id) = save(&app, &ada, &other).await;
    // A customer whose name looks like a variable.
    let conv = visitor_start(&app, &key, VISITOR).await;
    sqlx::query("UPDATE customers SET name = '{{agent.name}} Smith'").execute(app.db().pool()).await.unwrap();

    let offered = body_json(app.post_form("/api/canned/for-chat", &format!("conversation_id={conv}"), Some(&op)).await).await;
    let codes: Vec<&str> = offered.as_array().unwrap().iter().map(|o| o["shortcode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["hello"], "only what may be used in this chat's inbox");
    let res = app.post_form("/api/canned/use", &format!("conversation_id={conv}&id={billing_id}"), Some(&op)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "another inbox's response");

    let res = app.post_form("/api/canned/use", &format!("conversation_id={conv}&id={hello_id}"), Some(&op)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text: String = body_json(res).await.as_str().unwrap().to_string();
    assert_eq!(text, format!("Hi {{{{agent.name}}}}, Jo Op here from Support (#{conv})."), "values are text, expanded once");
    assert_eq!(count(&app, &format!("SELECT usage_count FROM canned_responses WHERE id = {hello_id}")).await, 1);
    // Someone outside the chat's inbox gets a 404 for the chat.
    let (elsewhere, _) = inbox(&app, "Sales").await;
    let outsider = operator_of(&app, elsewhere, "out@x.io").await;
    let res = app.post_form("/api/canned/use", &format!("conversation_id={conv}&id={hello_id}"), Some(&outsider)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
});

test_both_dbs!(typing_and_viewing_are_live_and_never_stored, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let op = operator_of(&app, support, "op@x.io").await;
    let conv = visitor_start(&app, &key, VISITOR).await;
    assert_eq!(visitor_send(&app, VISITOR, conv, "c-1", "hello").await, StatusCode::CREATED);
    let st = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/stream-token"), Some(VISITOR), None)).await;
    let token = body_json(st).await["token"].as_str().unwrap().to_string();
    let mut visitor_stream = app.send(stream_request(&format!("/api/widget/events?token={token}"), None, None)).await.into_body();
    let mut agent_stream = app.send(stream_request("/api/events", Some(&op), None)).await.into_body();
    // A colleague in the same inbox whose console shows another chat.
    let other = operator_of(&app, support, "other@x.io").await;
    let mut other_stream = app.send(stream_request("/api/events", Some(&other), None)).await.into_body();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let log_before = count(&app, "SELECT COUNT(*) FROM events").await;
    let messages_before = count(&app, "SELECT COUNT(*) FROM messages").await;
    // On SQLite, a connection of our own sees `data_version` change if any other
    // connection commits anything (and so syncs the disk) meanwhile.
    let mut watcher = match app.db().dialect() {
        app::db::Dialect::Sqlite => {
            use sqlx::Connection;
            let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'").fetch_one(app.db().pool()).await.unwrap();
            Some(sqlx::AnyConnection::connect(&format!("sqlite://{file}")).await.unwrap())
        }
        app::db::Dialect::Postgres => None,
    };
    let version_before = match watcher.as_mut() {
        Some(c) => Some(data_version(c).await),
        None => None,
    };
    // The agent opens the chat (the console says so, and renews it every 10 s), then
    // a minute of typing on both sides: one signal every 2 s from each.
    let res = app.post_form("/api/conversations/viewing", &format!("conversation_id={conv}&viewing=true"), Some(&op)).await;
    assert_eq!(res.status(), StatusCode::OK);
    for i in 0..30 {
        let body = json!({"typing": i % 10 != 9});
        let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/typing"), Some(VISITOR), Some(body))).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app.post_form("/api/conversations/typing", &format!("conversation_id={conv}&typing=true"), Some(&op)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    // The agent sees the customer typing (and their own signals, which the console
    // leaves out); the customer sees the agent, by name, and never a viewing mark.
    let frames = read_frames(&mut agent_stream, 61, 5_000).await;
    let customer: Vec<_> = frames.iter().filter(|f| f.event.as_deref() == Some("typing") && f.data.contains("\"agent_id\":null")).collect();
    assert_eq!(customer.len(), 30, "{frames:?}");
    assert!(customer.iter().all(|f| f.id.is_none()), "signals carry no log position");
    assert_eq!(customer.iter().filter(|f| f.data.contains("\"typing\":false")).count(), 3);
    assert!(frames.iter().any(|f| f.event.as_deref() == Some("viewing")));
    let seen = read_frames(&mut visitor_stream, 30, 5_000).await;
    assert_eq!(seen.len(), 30, "{seen:?}");
    assert!(seen.iter().all(|f| f.event.as_deref() == Some("typing") && f.data.contains("\"name\":\"op@x.io\"")), "{seen:?}");
    // The colleague without the chat open got none of it; once they open it, they do.
    let mark = |f: &&crate::common::Frame| matches!(f.event.as_deref(), Some("typing" | "viewing"));
    let none = read_frames(&mut other_stream, 100, 300).await;
    assert_eq!(none.iter().filter(mark).count(), 0, "a console without the chat open gets no marks of it: {none:?}");
    let res = app.post_form("/api/conversations/viewing", &format!("conversation_id={conv}&viewing=true"), Some(&other)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/typing"), Some(VISITOR), Some(json!({"typing": true})))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let now_open = read_frames(&mut other_stream, 2, 5_000).await;
    let kinds: Vec<_> = now_open.iter().filter(mark).filter_map(|f| f.event.as_deref()).collect();
    assert_eq!(kinds, ["viewing", "typing"], "{now_open:?}");
    let agent_sees = read_frames(&mut agent_stream, 2, 5_000).await;
    assert!(agent_sees.iter().any(|f| f.event.as_deref() == Some("viewing") && f.data.contains("other@x.io")), "{agent_sees:?}");

    // Nothing was written: no commit at all on SQLite, no event, no message.
    if let (Some(c), Some(before)) = (watcher.as_mut(), version_before) {
        assert_eq!(data_version(c).await, before, "no connection committed a write during the minute of typing");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, log_before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, messages_before);

    // Someone outside the inbox cannot signal on the chat; a stranger's token neither.
    let (elsewhere, _) = inbox(&app, "Sales").await;
    let outsider = operator_of(&app, elsewhere, "out@x.io").await;
    let res = app.post_form("/api/conversations/typing", &format!("conversation_id={conv}&typing=true"), Some(&outsider)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/typing"), Some("visitor-stranger-bbbbbbbbbbbbbbbbb"), Some(json!({"typing": true})))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
});

test_both_dbs!(seen_marks_for_both_sides_move_forward_only, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let op = operator_of(&app, support, "op@x.io").await;
    let conv = visitor_start(&app, &key, VISITOR).await;
    assert_eq!(visitor_send(&app, VISITOR, conv, "c-1", "hello").await, StatusCode::CREATED);
    let first: i64 = count(&app, &format!("SELECT MAX(id) FROM messages WHERE conversation_id = {conv}")).await;
    let seen_events = || count(&app, "SELECT COUNT(*) FROM events WHERE kind = 'conversation.seen'");
    let visitor_thread = || async { body_json(app.send(json_request("GET", &format!("/api/widget/conversations/{conv}"), Some(VISITOR), None)).await).await };
    assert_eq!(visitor_thread().await["agent_seen"], json!(0));

    // The agent opens the chat: the customer's message is seen, once.
    for _ in 0..2 {
        let res = app.post_form("/api/conversations/read", &format!("id={conv}"), Some(&op)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(visitor_thread().await["agent_seen"], json!(first));
    assert_eq!(seen_events().await, 1);

    // A reply, then a note; the customer's screen can only have seen the reply.
    for (cid, body, internal) in [("r-1", "a reply", "false"), ("n-1", "a private note", "true")] {
        let res = app.post_form("/api/conversations/reply", &format!("conversation_id={conv}&client_id={cid}&body={}&internal={internal}", body.replace(' ', "+")), Some(&op)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let reply: i64 = count(&app, "SELECT id FROM messages WHERE client_id = 'r-1'").await;
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/seen"), Some(VISITOR), Some(json!({"message_id": 1_000_000})))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let thread = body_json(app.post_form("/api/conversations/thread", &format!("id={conv}"), Some(&op)).await).await;
    assert_eq!(thread["customer_seen"], json!(reply), "clamped to the newest public message");
    // Going back is a no-op; another chat's visitor cannot mark this one.
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/seen"), Some(VISITOR), Some(json!({"message_id": first})))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.send(json_request("POST", &format!("/api/widget/conversations/{conv}/seen"), Some("visitor-stranger-bbbbbbbbbbbbbbbbb"), Some(json!({"message_id": reply})))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(seen_events().await, 2);
    let thread = body_json(app.post_form("/api/conversations/thread", &format!("id={conv}"), Some(&op)).await).await;
    assert_eq!(thread["customer_seen"], json!(reply));
    // The note stays out of the customer's thread and out of their export.
    let widget = visitor_thread().await.to_string();
    assert!(widget.contains("a reply") && !widget.contains("a private note"), "{widget}");
});

test_both_dbs!(mentions_alert_members_only_and_open_the_chat_to_them, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let (billing, _) = inbox(&app, "Billing").await;
    let alex = operator_of(&app, support, "alex@x.io").await;
    let jo = operator_of(&app, support, "jo@x.io").await;
    operator_of(&app, billing, "bea@x.io").await;
    for (email, name) in [("alex@x.io", "Alex Op"), ("jo@x.io", "Jo Op"), ("bea@x.io", "Bea Out")] {
        sqlx::query("UPDATE agents SET name = $1 WHERE email = $2").bind(name).bind(email).execute(app.db().pool()).await.unwrap();
    }
    let jo_id = count(&app, "SELECT id FROM agents WHERE email = 'jo@x.io'").await;
    let conv = visitor_start(&app, &key, VISITOR).await;
    assert_eq!(visitor_send(&app, VISITOR, conv, "c-1", "hello").await, StatusCode::CREATED);
    let res = app.post_form("/api/conversations/accept", &format!("id={conv}"), Some(&alex)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Alex holds the chat: Jo, an operator, cannot open it yet.
    let app = &app;
    let thread = |who: String| async move { app.post_form("/api/conversations/thread", &format!("id={conv}"), Some(&who)).await.status() };
    assert_eq!(thread(jo.clone()).await, StatusCode::NOT_FOUND);
    let mut jo_stream = app.send(stream_request("/api/events", Some(&jo), None)).await.into_body();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let note = |cid: &str, body: &str, internal: bool| {
        format!("conversation_id={conv}&client_id={cid}&body={}&internal={internal}", body.replace(' ', "+").replace('@', "%40"))
    };
    // Someone outside the inbox is refused by name, and nothing is stored.
    let res = app.post_form("/api/conversations/reply", &note("n-0", "@Bea Out can you look", true), Some(&alex)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(res).await.contains("Bea Out"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages WHERE client_id = 'n-0'").await, 0);
    // A member is mentioned: Jo's stream alone gets it, and the chat opens to Jo.
    let res = app.post_form("/api/conversations/reply", &note("n-1", "@jo op can you check the refund?", true), Some(&alex)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The note itself may come first: once mentioned, Jo may read the chat.
    let mut frames = Vec::new();
    for _ in 0..3 {
        frames.extend(read_frames(&mut jo_stream, 1, 5_000).await);
        if frames.iter().any(|f| f.event.as_deref() == Some("mention.created")) {
            break;
        }
    }
    let mention = frames.iter().find(|f| f.event.as_deref() == Some("mention.created")).expect("Jo is alerted");
    assert!(mention.data.contains("\"by_name\":\"Alex Op\"") && mention.data.contains("check the refund"), "{}", mention.data);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM events WHERE kind = 'mention.created' AND audience <> 'agent:{jo_id}'")).await, 0);
    assert_eq!(thread(jo.clone()).await, StatusCode::OK);
    // The workspace's Mentions group lists it, though Alex holds it.
    let page = body_json(app.post_form("/api/inbox/page", "query[group]=mentions", Some(&jo)).await).await;
    let ids: Vec<i64> = page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [conv], "{page}");
    let unread = || async { body_json(app.post_form("/api/mentions/unread", "", Some(&jo)).await).await };
    assert_eq!(unread().await, json!(1));
    let listed = body_json(app.post_form("/api/mentions/list", "", Some(&jo)).await).await;
    assert_eq!(listed[0]["conversation_id"], json!(conv));
    assert_eq!(listed[0]["read"], json!(false));
    // A public reply mentions nobody; the note never reaches the customer.
    let res = app.post_form("/api/conversations/reply", &note("r-1", "@Jo Op is here too", false), Some(&alex)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM mentions").await, 1);
    let widget = body_json(app.send(json_request("GET", &format!("/api/widget/conversations/{conv}"), Some(VISITOR), None)).await).await.to_string();
    assert!(!widget.contains("refund"), "{widget}");
    // Jo opens the chat: the mention is read.
    let res = app.post_form("/api/conversations/read", &format!("id={conv}"), Some(&jo)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(unread().await, json!(0));
});
