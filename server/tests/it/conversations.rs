//! The conversation core on both back ends: idempotent starts and sends, the status
//! lifecycle, and the events every change appends.
use app::conversations::store::{self, StartVisitor};
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::{AuthorKind, CloseReason, Context, Status, Visibility};
use app::db::Db;
use app::error::AppError;
use crate::common::{T0};

async fn inbox(db: &Db) -> String {
    let id = app::inboxes::store::create(db, "Support", T0).await.unwrap();
    sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(id).fetch_one(db.pool()).await.unwrap()
}

async fn start(db: &Db, key: &str, token: &str) -> i64 {
    let hash = app::conversations::visitor::hash_token(token);
    let req = StartVisitor { inbox_key: key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
    store::start(db, req, T0).await.unwrap().0.id
}

fn customer<'a>(conversation_id: i64, client_id: &'a str, body: &'a str) -> Outgoing<'a> {
    Outgoing { conversation_id, author: Author::Customer, client_id, body, visibility: Visibility::Public, file: None }
}

async fn count(db: &Db, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(db.pool()).await.unwrap()
}

test_both_dbs!(starting_is_idempotent_even_when_concurrent, |db| async move {
    let key = inbox(&db).await;
    let token = "visitor-token-aaaaaaaaaaaaaaaa";
    let hash = app::conversations::visitor::hash_token(token);
    let ctx = Context { kind: Some("transaction".into()), id: Some("T-9".into()), label: Some("Payment T-9".into()), url: None };
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (db, key, hash, ctx) = (db.clone(), key.clone(), hash.clone(), ctx.clone());
        handles.push(tokio::spawn(async move {
            let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: Some(&ctx) };
            store::start(&db, req, T0).await.unwrap()
        }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for h in handles {
        let (c, new) = h.await.unwrap();
        ids.push(c.id);
        created += new as i32;
        assert_eq!(c.status, Status::New);
        assert_eq!(c.context.label.as_deref(), Some("Payment T-9"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one conversation");
    assert_eq!(created, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM conversations WHERE id > $1", 0).await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM events WHERE conversation_id = $1", ids[0]).await, 1);

    let bad = StartVisitor { inbox_key: "no-such-inbox", token_hash: "h", name: None, email: None, context: None };
    assert_eq!(store::start(&db, bad, T0).await.unwrap_err(), AppError::NotFound);
});

test_both_dbs!(a_retried_send_returns_the_original_and_a_changed_body_is_409, |db| async move {
    let key = inbox(&db).await;
    let conv = start(&db, &key, "visitor-token-bbbbbbbbbbbbbbbb").await;
    let (first, created) = write::send(&db, customer(conv, "c-1", "hello"), T0).await.unwrap();
    assert!(created);
    let (again, created) = write::send(&db, customer(conv, "c-1", "hello"), T0 + 5).await.unwrap();
    assert!(!created);
    assert_eq!(first, again);
    match write::send(&db, customer(conv, "c-1", "hello?"), T0).await {
        Err(AppError::Conflict(_)) => {}
        other => panic!("expected 409, got {other:?}"),
    }
    let agent = Outgoing { conversation_id: conv, author: Author::Agent { id: 1, name: "A" }, client_id: "c-1", body: "hello", visibility: Visibility::Public, file: None };
    assert!(matches!(write::send(&db, agent, T0).await, Err(AppError::Conflict(_))), "another author, same id");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND author_kind = 'customer'", conv).await, 1);
});

test_both_dbs!(ten_concurrent_retries_store_one_message, |db| async move {
    let key = inbox(&db).await;
    let conv = start(&db, &key, "visitor-token-cccccccccccccccc").await;
    let mut handles = Vec::new();
    for _ in 0..10 {
        let db = db.clone();
        handles.push(tokio::spawn(async move { write::send(&db, customer(conv, "same-id", "once"), T0).await.unwrap() }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for h in handles {
        let (m, new) = h.await.unwrap();
        ids.push(m.id);
        created += new as i32;
    }
    ids.dedup();
    assert_eq!((ids.len(), created), (1, 1));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND client_id = 'same-id'", conv).await, 1);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'message.created'", conv).await,
        1,
        "one event for one message"
    );
});

test_both_dbs!(bad_messages_are_refused_and_nothing_is_stored, |db| async move {
    let key = inbox(&db).await;
    let conv = start(&db, &key, "visitor-token-dddddddddddddddd").await;
    let long = "x".repeat(app::conversations::MAX_BODY_CHARS + 1);
    let cases = [("c-1", long.as_str(), 413), ("c-2", "   ", 422), ("bad id!", "hi", 400), ("", "hi", 400)];
    for (client_id, body, status) in cases {
        let err = write::send(&db, customer(conv, client_id, body), T0).await.unwrap_err();
        assert_eq!(err.status(), status, "{client_id:?}");
    }
    let internal = Outgoing { visibility: Visibility::Internal, ..customer(conv, "c-3", "psst") };
    assert_eq!(write::send(&db, internal, T0).await.unwrap_err().status(), 400);
    assert_eq!(write::send(&db, customer(9999, "c-4", "hi"), T0).await.unwrap_err(), AppError::NotFound);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM messages WHERE conversation_id = $1", conv).await, 0);
});

test_both_dbs!(the_status_lifecycle_with_system_lines_and_events, |db| async move {
    let key = inbox(&db).await;
    let conv = start(&db, &key, "visitor-token-eeeeeeeeeeeeeeee").await;
    let status = |db: Db| async move { store::get(&db, conv).await.unwrap().status };
    let agent_id: i64 = sqlx::query_scalar("INSERT INTO agents (email, name, role, password_hash, created_at) VALUES ('x@y.z', 'Alex', 'operator', 'h', 0) RETURNING id").fetch_one(db.pool()).await.unwrap();
    write::send(&db, customer(conv, "c-1", "help"), T0).await.unwrap();
    assert_eq!(status(db.clone()).await, Status::New);

    let note = Outgoing { conversation_id: conv, author: Author::Agent { id: agent_id, name: "Alex" }, client_id: "a-0", body: "internal note", visibility: Visibility::Internal, file: None };
    write::send(&db, note, T0).await.unwrap();
    assert_eq!(status(db.clone()).await, Status::New, "an internal note is not a reply");

    let reply = Outgoing { conversation_id: conv, author: Author::Agent { id: agent_id, name: "Alex" }, client_id: "a-1", body: "on it", visibility: Visibility::Public, file: None };
    write::send(&db, reply, T0 + 1).await.unwrap();
    assert_eq!(status(db.clone()).await, Status::Open);

    let alex = app::conversations::handling::Actor { id: agent_id, name: "Alex".into(), is_admin: true, address: None, token: None };
    let closed = app::conversations::handling::close(&db, conv, &alex, CloseReason::Solved, T0 + 2).await.unwrap();
    assert_eq!((closed.status, closed.close_reason), (Status::Closed, Some(CloseReason::Solved)));
    // Closing again changes nothing and adds no line.
    app::conversations::handling::close(&db, conv, &alex, CloseReason::Closed, T0 + 3).await.unwrap();

    write::send(&db, customer(conv, "c-2", "one more thing"), T0 + 4).await.unwrap();
    let after = store::get(&db, conv).await.unwrap();
    assert_eq!((after.status, after.close_reason), (Status::New, None), "no assignee: back to New");

    // Assignment arrives with the conversation-handling work; set it directly here.
    sqlx::query("UPDATE conversations SET assignee_id = $1 WHERE id = $2").bind(agent_id).bind(conv).execute(db.pool()).await.unwrap();
    app::conversations::handling::close(&db, conv, &alex, CloseReason::Closed, T0 + 4).await.unwrap();
    write::send(&db, customer(conv, "c-3", "still there?"), T0 + 5).await.unwrap();
    assert_eq!(status(db.clone()).await, Status::Open, "assigned: back to Open");

    let visitor_view = store::thread(&db, conv, false).await.unwrap();
    assert!(visitor_view.messages.iter().all(|m| m.visibility == Visibility::Public), "no internal lines for visitors");
    let agent_view = store::thread(&db, conv, true).await.unwrap();
    assert_eq!(agent_view.messages.len(), visitor_view.messages.len() + 1);
    let system: Vec<&str> = agent_view.messages.iter().filter(|m| m.author_kind == AuthorKind::System).map(|m| m.body.as_str()).collect();
    assert_eq!(system.len(), 5, "{system:?}");
    assert!(system[0].contains("Alex opened"), "{system:?}");
    assert!(system[1].contains("solved"), "{system:?}");
    let status_events = count(&db, "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'conversation.status'", conv).await;
    assert_eq!(status_events, 5);
    assert_eq!(after.last_message_preview.as_deref(), Some("one more thing"));
});

// Many plain sends at once take the bulk path: all stored, each answered with its
// own message, one event each.
test_both_dbs!(a_burst_of_plain_sends_is_written_in_bulk, |db| async move {
    let key = inbox(&db).await;
    let conv = start(&db, &key, "bulk-visitor-token-000000001").await;
    let handles: Vec<_> = (0..200)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move { write::send(&db, customer(conv, &format!("k{n}"), &format!("burst {n}")), T0 + n).await })
        })
        .collect();
    for (n, h) in handles.into_iter().enumerate() {
        let (m, created) = h.await.unwrap().unwrap();
        assert!(created);
        assert_eq!((m.client_id.as_str(), m.body.as_str()), (format!("k{n}").as_str(), format!("burst {n}").as_str()));
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM messages WHERE conversation_id = $1", conv).await, 200);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM events WHERE conversation_id = $1", conv).await, 201, "start + 200");
    let preview: Option<String> = sqlx::query_scalar("SELECT last_message_preview FROM conversations WHERE id = $1")
        .bind(conv)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(preview.is_some_and(|p| p.starts_with("burst ")));
    // The chat awaits an answer since its first line, whichever batch wrote it.
    let (awaiting, first): (Option<i64>, i64) = sqlx::query_as(
        "SELECT c.awaiting_since, (SELECT m.created_at FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id LIMIT 1)
         FROM conversations c WHERE c.id = $1",
    )
    .bind(conv)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(awaiting, Some(first));
});

// Sends that arrive together share one transaction (group commit). Each is answered
// with its own result; a failing send takes no other with it; every acknowledged
// message is stored with its event, and events stay in commit order.
test_both_dbs!(concurrent_sends_commit_together_and_fail_alone, |db| async move {
    let key = inbox(&db).await;
    let mut convs = Vec::new();
    for i in 0..6 {
        convs.push(start(&db, &key, &format!("group-commit-visitor-token-{i:02}")).await);
    }
    write::send(&db, customer(convs[0], "taken", "first words"), T0).await.unwrap();
    let mut handles = Vec::new();
    for n in 0..60 {
        let (db, conv, first) = (db.clone(), convs[n % convs.len()], convs[0]);
        handles.push(tokio::spawn(async move {
            let (conv, client_id, body) = match n {
                // The same client id with another body: a 409, for this send only.
                13 => (first, "taken".to_string(), "other words".to_string()),
                // An empty body: refused before it reaches the queue.
                29 => (conv, format!("c{n}"), String::new()),
                _ => (conv, format!("c{n}"), format!("message {n}")),
            };
            write::send(&db, customer(conv, &client_id, &body), T0 + n as i64).await
        }));
    }
    let mut stored = 0;
    for (n, h) in handles.into_iter().enumerate() {
        match (n, h.await.unwrap()) {
            (13, Err(AppError::Conflict(_))) => {}
            (29, Err(AppError::Unprocessable(_))) => {}
            (_, Ok((m, true))) => {
                assert_eq!(m.body, format!("message {n}"));
                stored += 1;
            }
            (n, other) => panic!("send {n}: unexpected {other:?}"),
        }
    }
    assert_eq!(stored, 58);
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE client_id LIKE 'c%'").fetch_one(db.pool()).await.unwrap();
    assert_eq!(messages, 58, "every acknowledged message, and only those");
    let events: Vec<String> = sqlx::query_scalar("SELECT payload FROM events WHERE kind = 'message.created' ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    // Events follow the messages' own order, batch or not.
    let ids: Vec<i64> = events.iter().map(|p| serde_json::from_str::<serde_json::Value>(p).unwrap()["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "event order is message order: {ids:?}");
    // The 58, the first message, and no more than one status line per conversation.
    assert!((59..=59 + 6).contains(&events.len()), "{} message events", events.len());
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM messages WHERE client_id = 'taken'")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(bodies, vec!["first words".to_string()], "the conflicting send changed nothing");
});

// One batch, mixed: a customer reopening a closed chat goes the careful way (a status
// line, in its savepoint), and the other chats' sends still go in bulk beside it.
// Every send gets its own answer, and events stay in the messages' order.
test_both_dbs!(a_reopened_chat_in_a_batch_goes_alone_and_the_rest_in_bulk, |db| async move {
    let key = inbox(&db).await;
    let mut convs = Vec::new();
    for i in 0..6 {
        convs.push(start(&db, &key, &format!("mixed-batch-visitor-token-{i:02}")).await);
    }
    for &c in &convs {
        write::send(&db, customer(c, &format!("first-{c}"), "hello"), T0).await.unwrap();
    }
    let agent_id: i64 = sqlx::query_scalar("INSERT INTO agents (email, name, role, password_hash, created_at) VALUES ('x@y.z', 'Alex', 'admin', 'h', 0) RETURNING id").fetch_one(db.pool()).await.unwrap();
    let alex = app::conversations::handling::Actor { id: agent_id, name: "Alex".into(), is_admin: true, address: None, token: None };
    app::conversations::handling::close(&db, convs[0], &alex, CloseReason::Solved, T0 + 1).await.unwrap();

    let mut handles = Vec::new();
    for n in 0..60 {
        let (db, conv) = (db.clone(), convs[n % convs.len()]);
        handles.push(tokio::spawn(async move { (conv, write::send(&db, customer(conv, &format!("m{n}"), &format!("message {n}")), T0 + 2).await) }));
    }
    for (n, h) in handles.into_iter().enumerate() {
        let (conv, result) = h.await.unwrap();
        let (m, created) = result.unwrap_or_else(|e| panic!("send {n}: {e:?}"));
        assert!(created);
        assert_eq!((m.conversation_id, m.body.as_str()), (conv, format!("message {n}").as_str()), "send {n} has its own answer");
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE client_id LIKE 'm%'").fetch_one(db.pool()).await.unwrap();
    assert_eq!(stored, 60);
    let reopened = store::get(&db, convs[0]).await.unwrap();
    assert_eq!(reopened.status, Status::New, "the closed chat is open again");
    // Closed once, reopened once: two status lines, whichever batch wrote its sends.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'conversation.status'", convs[0]).await, 2);
    for &c in &convs[1..] {
        assert_eq!(store::get(&db, c).await.unwrap().status, Status::New, "untouched");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'conversation.status'", c).await, 0);
    }
    let events: Vec<String> = sqlx::query_scalar("SELECT payload FROM events WHERE kind = 'message.created' ORDER BY id").fetch_all(db.pool()).await.unwrap();
    let ids: Vec<i64> = events.iter().map(|p| serde_json::from_str::<serde_json::Value>(p).unwrap()["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "event order is message order: {ids:?}");
});
