//! Deleting a chat leaves nothing behind; one chat's export is escaped and shows
//! only what the asker may see; agent presence turns Offline after the grace period.
use app::accounts::presence::{self, GRACE_MS};
use app::accounts::{Availability, Role};
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Visibility};
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_text, json_request, TestApp, T0};

const CANARY: &str = "zebracanary";

async fn visitor_chat(app: &TestApp, inbox: i64, token: &str, text: &str) -> i64 {
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(app.db().pool()).await.unwrap();
    let hash = visitor::hash_token(token);
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
    let id = start(app.db(), req, T0).await.unwrap().0.id;
    let out = Outgoing { conversation_id: id, author: Author::Customer, client_id: &app::tokens::random_id(), body: text, visibility: Visibility::Public, file: None };
    send(app.db(), out, T0).await.unwrap();
    id
}

async fn agent_note(app: &TestApp, conv: i64, agent: i64, text: &str, visibility: Visibility) {
    let out = Outgoing { conversation_id: conv, author: Author::Agent { id: agent, name: "Sam" }, client_id: &app::tokens::random_id(), body: text, visibility, file: None };
    send(app.db(), out, T0).await.unwrap();
}

async fn scalar(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(app.db().pool()).await.unwrap()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap()
}

test_both_dbs!(a_deleted_chat_leaves_no_message_file_search_hit_or_event_payload, |db| async move {
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "Support", T0).await.unwrap();
    let sup = app.agent("sup@x.io", Role::Supervisor, "password-1").await;
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), a, sup, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(app.db(), a, op, Some(MemberRole::Operator)).await.unwrap();
    let id = visitor_chat(&app, a, "visitor-token-delete-aaaaaaaaaaaa", &format!("my secret is {CANARY}")).await;
    let keep = visitor_chat(&app, a, "visitor-token-keep-bbbbbbbbbbbbbb", &format!("keep {CANARY} here")).await;
    agent_note(&app, id, sup, &format!("internal {CANARY}"), Visibility::Internal).await;
    let mid = scalar(&app, "SELECT MAX(id) FROM messages WHERE conversation_id = $1", id).await;
    sqlx::query("INSERT INTO attachments (id, message_id, conversation_id, file_name, content_type, size_bytes, storage_key, created_at)
                 VALUES ('att1', $1, $2, 'receipt.pdf', 'application/pdf', 4, 'key-att1', $3)")
        .bind(mid).bind(id).bind(T0).execute(app.db().pool()).await.unwrap();
    let file = app.state.config.data_dir.join("attachments").join("key-att1");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"%PDF").unwrap();
    app::list::counts::mark_read(app.db(), id, sup).await.unwrap();

    let op_cookie = app.login("op@x.io", "password-1").await;
    let res = app.post_form("/api/conversations/delete", &format!("id={id}"), Some(&op_cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "operators do not delete");
    let cookie = app.login("sup@x.io", "password-1").await;
    let res = app.post_form("/api/conversations/delete", &format!("id={id}"), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(res).await);

    for sql in [
        "SELECT COUNT(*) FROM conversations WHERE id = $1",
        "SELECT COUNT(*) FROM messages WHERE conversation_id = $1",
        "SELECT COUNT(*) FROM attachments WHERE conversation_id = $1",
        "SELECT COUNT(*) FROM read_markers WHERE conversation_id = $1",
        "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND payload IS NOT NULL AND kind <> 'conversation.deleted'",
    ] {
        assert_eq!(scalar(&app, sql, id).await, 0, "{sql}");
    }
    assert!(!file.exists(), "the file is removed");
    let leaked: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM events WHERE payload LIKE '%{CANARY}%' AND conversation_id <> $1"))
        .bind(keep).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(leaked, 0, "no event payload keeps the text");
    // Search finds the other chat only.
    let viewer = app::list::query::Viewer { id: sup, role: Role::Supervisor, inboxes: Vec::new() };
    let q = app::list::ListQuery { q: Some(CANARY.into()), ..Default::default() };
    let found: Vec<i64> = app::list::query::page(app.db(), &viewer, &q, T0).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(found, vec![keep]);
    if app.db().dialect() == app::db::Dialect::Sqlite {
        let hits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH $1").bind(CANARY).fetch_one(app.db().pool()).await.unwrap();
        assert_eq!(hits, 1, "one index row left: the kept chat's");
    }
    // The audit entry says who deleted which chat, and nothing of its content.
    let (actor, target, detail): (Option<i64>, Option<String>, String) =
        sqlx::query_as("SELECT actor_id, target_id, detail FROM audit_log WHERE action = 'conversation.delete'")
            .fetch_one(app.db().pool()).await.unwrap();
    assert_eq!((actor, target), (Some(sup), Some(id.to_string())));
    assert!(!detail.contains(CANARY));
    // The visitor's widget finds the chat ended.
    let res = app.send(json_request("GET", &format!("/api/widget/conversations/{id}"), Some("visitor-token-delete-aaaaaaaaaaaa"), None)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let ended: i64 = scalar(&app, "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'conversation.deleted' AND audience = 'all'", id).await;
    assert_eq!(ended, 1, "the widget's stream is told");
});

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
}

test_both_dbs!(one_chat_exports_escaped_with_internal_lines_for_supervisors_only, |db| async move {
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "Support", T0).await.unwrap();
    let b = inboxes::create(app.db(), "Billing", T0).await.unwrap();
    let sup = app.agent("sup@x.io", Role::Supervisor, "password-1").await;
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    let out = app.agent("out@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), a, sup, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(app.db(), a, op, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(app.db(), b, out, Some(MemberRole::Operator)).await.unwrap();
    let token = "visitor-token-export-aaaaaaaaaaaa";
    let id = visitor_chat(&app, a, token, "=HYPERLINK(\"http://evil\",\"x\")").await;
    agent_note(&app, id, sup, "secret internal note", Visibility::Internal).await;
    agent_note(&app, id, sup, "@once, a reply", Visibility::Public).await;
    let other = visitor_chat(&app, a, "visitor-token-other-bbbbbbbbbbbbb", "other chat").await;
    let path = format!("/api/conversations/{id}/export.csv");

    let op_cookie = app.login("op@x.io", "password-1").await;
    let res = app.send(get(&path, &op_cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let rows = parse_csv(&body_text(res).await);
    assert_eq!(rows[0], ["timestamp", "author", "author_role", "visibility", "message", "attachments"]);
    assert!(rows[1][0].ends_with('Z') && rows[1][0].contains('T'), "ISO 8601: {}", rows[1][0]);
    assert_eq!(rows[1][4], "'=HYPERLINK(\"http://evil\",\"x\")", "formula neutralised");
    assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("Cleo", "customer"));
    assert!(rows.iter().all(|r| r[4] != "secret internal note"), "no internal lines for an operator");
    assert!(rows.iter().any(|r| r[4] == "'@once, a reply" && r[2] == "agent"));
    assert_eq!(app.send(get(&format!("{path}?internal=true"), &op_cookie)).await.status(), StatusCode::FORBIDDEN);

    let sup_cookie = app.login("sup@x.io", "password-1").await;
    let rows = parse_csv(&body_text(app.send(get(&format!("{path}?internal=true"), &sup_cookie)).await).await);
    let note = rows.iter().find(|r| r[4] == "secret internal note").expect("the supervisor gets internal lines");
    assert_eq!(note[3], "internal");

    let out_cookie = app.login("out@x.io", "password-1").await;
    assert_eq!(app.send(get(&path, &out_cookie)).await.status(), StatusCode::NOT_FOUND, "another inbox's chat");
    // The visitor: their own chat without internal lines; any other is a 404.
    let res = app.send(json_request("GET", &format!("{path}?internal=true"), Some(token), None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!body_text(res).await.contains("secret internal note"));
    let res = app.send(json_request("GET", &format!("/api/conversations/{other}/export.csv"), Some(token), None)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let anon = Request::get(&path).header(header::HOST, "localhost").body(Body::empty()).unwrap();
    assert_eq!(app.send(anon).await.status(), StatusCode::UNAUTHORIZED);
});

test_both_dbs!(presence_turns_offline_after_the_grace_period_on_a_paused_clock, |db| async move {
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "Support", T0).await.unwrap();
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), a, op, Some(MemberRole::Operator)).await.unwrap();
    let shown = |app: &TestApp| {
        let db = app.db().clone();
        async move { sqlx::query_scalar::<_, String>("SELECT presence FROM agents WHERE id = $1").bind(op).fetch_one(db.pool()).await.unwrap() }
    };
    let now = || app.state.now();

    presence::choose(app.db(), op, Availability::Online, now()).await.unwrap();
    assert_eq!(shown(&app).await, "offline", "chosen Online, but no tab yet");
    assert!(presence::seen(app.db(), op, now()).await.unwrap(), "a tab connects");
    assert_eq!(shown(&app).await, "online");
    assert!(presence::inbox_online(app.db(), a, now()).await.unwrap(), "the widget says online");

    app.clock.advance_ms(GRACE_MS); // the tab went away at T0; exactly the grace period later
    assert_eq!(presence::sweep(app.db(), now()).await.unwrap().len(), 0, "still within the grace period");
    assert_eq!(shown(&app).await, "online");
    app.clock.advance_ms(1);
    assert_eq!(presence::sweep(app.db(), now()).await.unwrap().len(), 1);
    assert_eq!(shown(&app).await, "offline");
    assert!(!presence::inbox_online(app.db(), a, now()).await.unwrap());
    assert_eq!(presence::sweep(app.db(), now()).await.unwrap().len(), 0, "a rerun changes nothing");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'agent.presence' AND audience = 'team'")
        .fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(events, 2, "online, then offline, announced to the team");

    // Back with a tab, as Away: the team sees Away, the widget sees nobody online.
    presence::seen(app.db(), op, now()).await.unwrap();
    presence::choose(app.db(), op, Availability::Away, now()).await.unwrap();
    assert_eq!(shown(&app).await, "away");
    assert!(!presence::inbox_online(app.db(), a, now()).await.unwrap());
    let team = presence::team(app.db(), op, Role::Operator).await.unwrap();
    assert_eq!(team.iter().map(|m| (m.id, m.presence)).collect::<Vec<_>>(), vec![(op, Availability::Away)]);
});

test_both_dbs!(a_burst_of_presence_marks_shares_transactions_and_each_lands, |db| async move {
    use app::conversations::seen::{self, Mark};
    use app::conversations::store::visitor_seen;
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "Support", T0).await.unwrap();
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    let mut chats = Vec::new();
    for i in 0..40 {
        chats.push(visitor_chat(&app, a, &format!("visitor-token-burst-{i:014}"), "hello").await);
    }
    let count = |sql: &'static str| {
        let db = app.db().clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(db.pool()).await.unwrap() }
    };
    let commits = || *app.db().commits().borrow();

    // Forty widgets connect at once: forty marks, a few transactions.
    let before = commits();
    let results = futures::future::join_all(chats.iter().map(|&id| visitor_seen(app.db(), id, true, T0 + 1_000))).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    let written = commits() - before;
    assert!((1..=10).contains(&written), "40 marks in {written} transactions");
    assert_eq!(count("SELECT COUNT(*) FROM conversations WHERE visitor_online = 1 AND visitor_seen_at = 1790000001000").await, 40);
    assert_eq!(count("SELECT COUNT(*) FROM events WHERE kind = 'visitor.presence'").await, 40, "one event a chat that came online");

    // They all go, with the agent's console: every chat offline, the agent's last seen set.
    let mut marks: Vec<Mark> = chats.iter().map(|&conversation_id| Mark::Visitor { conversation_id, online: false }).collect();
    marks.push(Mark::AgentLeft { agent_id: op });
    let results = futures::future::join_all(marks.into_iter().map(|m| seen::write(app.db(), m, T0 + 2_000))).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    assert_eq!(count("SELECT COUNT(*) FROM conversations WHERE visitor_online = 0 AND visitor_seen_at = 1790000002000").await, 40);
    assert_eq!(count("SELECT COUNT(*) FROM events WHERE kind = 'visitor.presence'").await, 80);
    let seen_at: Option<i64> = sqlx::query_scalar("SELECT last_seen_at FROM agents WHERE id = $1").bind(op).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(seen_at, Some(T0 + 2_000));

    // A mark for a chat that is gone is no error and touches nothing else.
    seen::write(app.db(), Mark::Visitor { conversation_id: 999_999, online: true }, T0 + 3_000).await.unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM events WHERE kind = 'visitor.presence'").await, 80);
});
