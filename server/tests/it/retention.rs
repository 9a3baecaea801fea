//! Retention on both back ends: the day boundaries, other inboxes untouched, reruns
//! idempotent, the context rule through its HTTP endpoint, and (SQLite) no copy of
//! the text left in the database file or its WAL.
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Context, Visibility};
use app::db::Db;
use app::retention::{purge, DAY_MS};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{TestApp, T0};
use std::path::Path;

async fn inbox(db: &Db, name: &str, days: Option<i64>) -> String {
    let id = app::inboxes::store::create(db, name, T0).await.unwrap();
    sqlx::query("UPDATE inboxes SET retention_days = $1 WHERE id = $2").bind(days).bind(id).execute(db.pool()).await.unwrap();
    sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(id).fetch_one(db.pool()).await.unwrap()
}

async fn chat(db: &Db, key: &str, text: &str, context: Option<Context>) -> i64 {
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: key, token_hash: &hash, name: Some("Cleo"), email: None, context: context.as_ref() };
    let id = start(db, req, T0).await.unwrap().0.id;
    let out = Outgoing { conversation_id: id, author: Author::Customer, client_id: &app::tokens::random_id(), body: text, visibility: Visibility::Public, file: None };
    send(db, out, T0).await.unwrap();
    id
}

/// An attachment row and its file, as an upload would leave them.
async fn attach(db: &Db, dir: &Path, conv: i64, key: &str) -> std::path::PathBuf {
    let mid: i64 = sqlx::query_scalar("SELECT MAX(id) FROM messages WHERE conversation_id = $1").bind(conv).fetch_one(db.pool()).await.unwrap();
    sqlx::query("INSERT INTO attachments (id, message_id, conversation_id, file_name, content_type, size_bytes, storage_key, created_at)
                 VALUES ($1, $2, $3, 'a.txt', 'text/plain', 1, $1, $4)")
        .bind(key).bind(mid).bind(conv).bind(T0).execute(db.pool()).await.unwrap();
    let path = dir.join("attachments").join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"x").unwrap();
    path
}

async fn exists(db: &Db, id: i64) -> bool {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE id = $1").bind(id).fetch_one(db.pool()).await.unwrap();
    n == 1
}

fn test_context() -> Option<Context> {
    Some(Context { kind: Some("test".into()), id: Some("E-1".into()), label: Some("Exam 1".into()), url: None })
}

test_both_dbs!(boundaries_other_inboxes_reruns_and_the_context_rule, |db| async move {
    let app = TestApp::new(db);
    let db = app.db().clone();
    let dir = app.state.config.data_dir.clone();
    let a = inbox(&db, "A", Some(30)).await;
    let forever = inbox(&db, "Forever", None).await;
    let old = chat(&db, &a, "purge me quokkaword", None).await;
    let file = attach(&db, &dir, old, "file-old").await;
    let kept = chat(&db, &forever, "keep me quokkaword", None).await;
    let linked = chat(&db, &a, "about my exam", test_context()).await;
    let n = 30 * DAY_MS;

    let r = purge::run(&db, &dir, T0 + n - 1000).await.unwrap();
    assert_eq!(r.conversations, 0, "N days - 1 s: kept");
    assert!(exists(&db, old).await);
    let r = purge::run(&db, &dir, T0 + n + 1000).await.unwrap();
    assert_eq!((r.conversations, r.messages, r.files), (1, 1, 1), "N days + 1 s: deleted");
    assert!(!exists(&db, old).await);
    assert!(!file.exists(), "the file is gone");
    assert!(exists(&db, kept).await, "an inbox that keeps forever is untouched");
    assert!(exists(&db, linked).await, "an open context waits");
    let viewer = app::list::query::Viewer { id: 0, role: app::accounts::Role::Admin, inboxes: Vec::new() };
    let q = app::list::ListQuery { q: Some("quokkaword".into()), ..Default::default() };
    let hits: Vec<i64> = app::list::query::page(&db, &viewer, &q, T0).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(hits, vec![kept], "no search hit is left for the purged chat");
    let payloads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND payload LIKE '%quokkaword%'")
        .bind(old).fetch_one(db.pool()).await.unwrap();
    assert_eq!(payloads, 0);
    assert_eq!(purge::run(&db, &dir, T0 + n + 2000).await.unwrap().conversations, 0, "a rerun changes nothing");

    // Completing the context starts the clock, through the API with an admin token.
    let done_at = T0 + 100 * DAY_MS;
    app.clock.advance_ms(done_at - T0);
    let path = "/api/contexts/test/E-1/complete";
    let call = |auth: Option<String>| {
        let mut req = Request::post(path).header(header::HOST, "localhost");
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        req.body(Body::empty()).unwrap()
    };
    assert_eq!(app.send(call(None)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(call(Some("Bearer sbk_wrong".into()))).await.status(), StatusCode::UNAUTHORIZED);
    let admin = app.agent("lms-owner@example.com", app::accounts::Role::Admin, "a-long-password").await;
    let (_, token) = crate::common::api_token(&db, admin, &[app::api_tokens::Scope::Write], &[]).await;
    assert_eq!(app.send(call(Some(format!("Bearer {token}")))).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(purge::run(&db, &dir, done_at + n - 1000).await.unwrap().conversations, 0);
    assert!(exists(&db, linked).await, "N days after completion - 1 s: kept");
    assert_eq!(purge::run(&db, &dir, done_at + n + 1000).await.unwrap().conversations, 1);
    assert!(!exists(&db, linked).await);

    // Only counts reach the audit log; the last purge is on record.
    let details: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'retention.purge'").fetch_all(db.pool()).await.unwrap();
    assert!(details.len() >= 4);
    for d in details {
        let v: serde_json::Value = serde_json::from_str(&d).unwrap();
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["conversations", "files", "messages"]);
    }
    assert_eq!(purge::last(&db).await.unwrap().unwrap().at, done_at + n + 1000);
});

#[tokio::test]
async fn after_a_purge_and_a_checkpoint_the_text_is_in_neither_the_sqlite_file_nor_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("canary.db");
    let db = Db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    db.migrate().await.unwrap();
    let key = inbox(&db, "A", Some(1)).await;
    const CANARY: &str = "CANARY-7f3a9c-purge-me";
    let conv = chat(&db, &key, &format!("my secret {CANARY}"), None).await;
    let out = Outgoing { conversation_id: conv, author: Author::Customer, client_id: "second", body: &format!("{CANARY} again"), visibility: Visibility::Public, file: None };
    send(&db, out, T0).await.unwrap();
    // Some unrelated data, so the pages holding the canary are not simply dropped.
    let other = inbox(&db, "B", None).await;
    for i in 0..20 {
        chat(&db, &other, &format!("filler message number {i}"), None).await;
    }
    let read_all = || {
        let mut bytes = std::fs::read(&file).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("canary.db-wal")) {
            bytes.extend(wal);
        }
        bytes
    };
    let contains = |hay: &[u8]| hay.windows(CANARY.len()).any(|w| w == CANARY.as_bytes());
    assert!(contains(&read_all()), "the canary is on disk before the purge");

    let r = purge::run(&db, dir.path(), T0 + 2 * DAY_MS).await.unwrap();
    assert_eq!(r.conversations, 1);
    assert!(!contains(&read_all()), "no copy left in the file or the WAL");
    db.close().await;
}

test_both_dbs!(requests_keep_their_transcript_unless_the_inbox_purges_it_too, |db| async move {
    let dir = tempfile::tempdir().unwrap();
    let keep_key = inbox(&db, "Keeps transcripts", Some(1)).await;
    let purge_key = inbox(&db, "Purges transcripts", Some(1)).await;
    sqlx::query("UPDATE inboxes SET purge_request_transcripts = 1 WHERE name = 'Purges transcripts'").execute(db.pool()).await.unwrap();
    let admin = app::conversations::handling::Actor { id: 0, name: "Ada".into(), is_admin: true, address: None, token: None };
    let mut requests = Vec::new();
    for key in [&keep_key, &purge_key] {
        let conv = chat(&db, key, "transcript words", None).await;
        let new = app::requests::store::NewRequest { conversation_id: conv, title: "R", description: "", priority: app::requests::Priority::Low };
        sqlx::query("INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES (0, 'ada@x.io', 'Ada', 'admin', 'x', 0) ON CONFLICT (id) DO NOTHING")
            .execute(db.pool()).await.unwrap();
        requests.push(app::requests::store::create(&db, &admin, new, T0).await.unwrap().id);
    }
    assert_eq!(purge::run(&db, dir.path(), T0 + 2 * DAY_MS).await.unwrap().conversations, 2);
    let rows: Vec<(Option<i64>, Option<String>)> = sqlx::query_as("SELECT conversation_id, transcript FROM requests ORDER BY id").fetch_all(db.pool()).await.unwrap();
    assert_eq!(rows[0].0, None, "the chat is gone");
    assert!(rows[0].1.as_deref().unwrap().contains("transcript words"), "kept where the inbox keeps transcripts");
    assert_eq!(rows[1].1, None, "purged where the inbox says so");
});

// One pass erases its due chats together (one statement a step for all of them): each
// chat's messages, files, markers, event payloads and self-declared customer go, each
// gets its own `conversation.deleted` event, and a chat due later in the same inbox,
// with its customer, stays whole.
test_both_dbs!(one_pass_erases_many_chats_each_whole, |db| async move {
    let dir = tempfile::tempdir().unwrap();
    let key = inbox(&db, "A", Some(1)).await;
    let mut due = Vec::new();
    for i in 0..3 {
        due.push(chat(&db, &key, &format!("due line {i}"), None).await);
    }
    let out = Outgoing { conversation_id: due[1], author: Author::Customer, client_id: "second", body: "a second line", visibility: Visibility::Public, file: None };
    send(&db, out, T0).await.unwrap();
    let files = [attach(&db, dir.path(), due[0], "file-a").await, attach(&db, dir.path(), due[2], "file-b").await];
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Later"), email: None, context: None };
    let later = start(&db, req, T0 + DAY_MS).await.unwrap().0.id;
    let customer_of = |id: i64| sqlx::query_scalar::<_, i64>("SELECT customer_id FROM conversations WHERE id = $1").bind(id);
    let due_customers: Vec<i64> = {
        let mut c = Vec::new();
        for id in &due {
            c.push(customer_of(*id).fetch_one(db.pool()).await.unwrap());
        }
        c
    };
    let later_customer = customer_of(later).fetch_one(db.pool()).await.unwrap();

    let r = purge::run(&db, dir.path(), T0 + DAY_MS + 1000).await.unwrap();
    assert_eq!((r.conversations, r.messages, r.files), (3, 4, 2));
    assert!(files.iter().all(|f| !f.exists()), "the files are gone");
    for (id, customer) in due.iter().zip(&due_customers) {
        assert!(!exists(&db, *id).await, "chat {id} erased");
        let left: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM messages WHERE conversation_id = $1) + (SELECT COUNT(*) FROM attachments WHERE conversation_id = $1)
                  + (SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND payload IS NOT NULL AND kind <> 'conversation.deleted')
                  + (SELECT COUNT(*) FROM customers WHERE id = $2)",
        )
        .bind(id).bind(customer).fetch_one(db.pool()).await.unwrap();
        assert_eq!(left, 0, "nothing of chat {id} is left");
        let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'conversation.deleted'")
            .bind(id).fetch_one(db.pool()).await.unwrap();
        assert_eq!(told, 1, "chat {id}'s deletion is told once");
    }
    assert!(exists(&db, later).await, "a chat due later stays");
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE id = $1").bind(later_customer).fetch_one(db.pool()).await.unwrap();
    assert_eq!(kept, 1, "and so does its customer");
});
