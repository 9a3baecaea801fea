//! GDPR on both back ends: a customer's export holds their identity, attributes,
//! every chat with its public lines, attachment names and CSAT answers (never a note
//! or whisper); erasure leaves no message, file, search row, event payload or webhook
//! delivery, renames them "Erased customer", keeps the counts reports use, is audited
//! without content, and (SQLite) leaves the text in neither the file nor its WAL.
use crate::common::T0;
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Visibility};
use app::customers::gdpr;
use app::db::Db;

const SECRET: &str = "CANARY-gdpr-4b1d";

async fn chat(db: &Db, key: &str, who: (&str, &str), text: &str) -> i64 {
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: key, token_hash: &hash, name: Some(who.0), email: Some(who.1), context: None };
    let id = start(db, req, T0).await.unwrap().0.id;
    say(db, id, Author::Customer, text, Visibility::Public).await;
    id
}

async fn say(db: &Db, conv: i64, author: Author<'_>, text: &str, visibility: Visibility) {
    let out = Outgoing { conversation_id: conv, author, client_id: &app::tokens::random_id(), body: text, visibility, file: None };
    send(db, out, T0).await.unwrap();
}

/// Cleo with a chat holding public lines, a note and an attachment.
async fn cleo(db: &Db) -> (i64, i64, i64) {
    let inbox = app::inboxes::store::create(db, "Support", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let agent = app::accounts::store::insert(db, app::accounts::store::NewAgent { email: "olga@x.io", name: "Olga", role: app::accounts::Role::Admin, password_hash: "x" }, T0).await.unwrap();
    let conv = chat(db, &key, ("Cleo Customer", "cleo@example.com"), &format!("my passport number is {SECRET}")).await;
    say(db, conv, Author::Agent { id: agent, name: "Olga" }, "internal: verify identity", Visibility::Internal).await;
    say(db, conv, Author::Agent { id: agent, name: "Olga" }, "Thanks, checking", Visibility::Public).await;
    let customer: i64 = sqlx::query_scalar("SELECT customer_id FROM conversations WHERE id = $1").bind(conv).fetch_one(db.pool()).await.unwrap();
    let msg: i64 = sqlx::query_scalar("SELECT MIN(id) FROM messages WHERE conversation_id = $1").bind(conv).fetch_one(db.pool()).await.unwrap();
    sqlx::query("INSERT INTO attachments (id, message_id, conversation_id, file_name, content_type, size_bytes, storage_key, created_at)
                 VALUES ('att-1', $1, $2, 'passport.png', 'image/png', 10, 'key-1', $3)")
        .bind(msg).bind(conv).bind(T0).execute(db.pool()).await.unwrap();
    sqlx::query("UPDATE customers SET attributes = '{\"plan\":\"gold\"}' WHERE id = $1").bind(customer).execute(db.pool()).await.unwrap();
    sqlx::query("UPDATE conversations SET csat_score = 5, csat_comment = 'lovely' WHERE id = $1").bind(conv).execute(db.pool()).await.unwrap();
    (customer, conv, agent)
}

test_both_dbs!(the_export_holds_everything_public_about_the_customer, |db| async move {
    let (customer, conv, _) = cleo(&db).await;
    let data = gdpr::export(&db, customer, T0).await.unwrap();
    assert_eq!(data.customer.name.as_deref(), Some("Cleo Customer"));
    assert_eq!(data.customer.email.as_deref(), Some("cleo@example.com"));
    assert_eq!(data.customer.attributes["plan"], "gold");
    assert_eq!(data.conversations.len(), 1);
    let c = &data.conversations[0];
    assert_eq!((c.id, c.csat_score, c.csat_comment.as_deref()), (conv, Some(5), Some("lovely")));
    let bodies: Vec<&str> = c.messages.iter().map(|m| m.body.as_str()).collect();
    assert!(bodies.iter().any(|b| b.contains(SECRET)) && bodies.contains(&"Thanks, checking"), "{bodies:?}");
    assert!(!bodies.iter().any(|b| b.contains("internal")), "no note in an export: {bodies:?}");
    assert_eq!(c.messages[0].attachments, vec!["passport.png".to_string()]);
    assert_eq!(c.messages[0].author_name.as_deref(), Some("Cleo Customer"));
    assert!(gdpr::export(&db, customer + 1000, T0).await.is_err());
});

test_both_dbs!(erasing_leaves_nothing_but_the_counts, |db| async move {
    let (customer, conv, _) = cleo(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1").bind(conv).fetch_one(db.pool()).await.unwrap();
    let erased = gdpr::erase(&db, customer, dir.path(), T0 + 5).await.unwrap();
    assert_eq!((erased.conversations, erased.messages, erased.files), (1, lines as u64, 1));
    let c = gdpr::get(&db, customer).await.unwrap();
    assert_eq!(c.name.as_deref(), Some(gdpr::ERASED_NAME));
    assert!(c.email.is_none() && c.attributes.is_empty() && c.erased_at == Some(T0 + 5));
    for (sql, what) in [
        ("SELECT COUNT(*) FROM messages WHERE conversation_id = $1", "messages"),
        ("SELECT COUNT(*) FROM attachments WHERE conversation_id = $1", "attachments"),
        ("SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND payload LIKE '%CANARY%'", "event payloads"),
        ("SELECT COUNT(*) FROM conversations WHERE id = $1 AND csat_comment IS NOT NULL", "CSAT comments"),
    ] {
        let n: i64 = sqlx::query_scalar(sql).bind(conv).fetch_one(db.pool()).await.unwrap();
        assert_eq!(n, 0, "{what} left");
    }
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE id = $1 AND csat_score = 5").bind(conv).fetch_one(db.pool()).await.unwrap();
    assert_eq!(kept, 1, "the chat and its score stay for the reports");
    let cycles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversation_cycles WHERE conversation_id = $1").bind(conv).fetch_one(db.pool()).await.unwrap();
    assert_eq!(cycles, 1, "the reports' cycles stay");
    let viewer = app::list::query::Viewer { id: 0, role: app::accounts::Role::Admin, inboxes: Vec::new() };
    let q = app::list::ListQuery { q: Some(SECRET.into()), ..Default::default() };
    assert!(app::list::query::page(&db, &viewer, &q, T0).await.unwrap().rows.is_empty(), "no search hit left");
    assert!(matches!(gdpr::set_attributes(&db, customer, Default::default(), T0).await, Err(app::error::AppError::Conflict(_))));
});

#[tokio::test]
async fn after_an_erase_the_text_is_in_neither_the_sqlite_file_nor_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gdpr.db");
    let db = Db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    db.migrate().await.unwrap();
    let (customer, _, _) = cleo(&db).await;
    let inbox = app::inboxes::store::create(&db, "Other", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    for i in 0..20 {
        chat(&db, &key, ("Finn Filler", "finn@example.com"), &format!("filler message number {i}")).await;
    }
    let read_all = || {
        let mut bytes = std::fs::read(&file).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("gdpr.db-wal")) {
            bytes.extend(wal);
        }
        bytes
    };
    let contains = |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains(&read_all(), SECRET), "the text is on disk before");
    gdpr::erase(&db, customer, dir.path(), T0).await.unwrap();
    let bytes = read_all();
    for gone in [SECRET, "cleo@example.com", "passport.png"] {
        assert!(!contains(&bytes, gone), "{gone} left in the file or the WAL");
    }
    db.close().await;
}

// A send finds its chat by the visitor's token without a read once the instance has
// seen the token; the write transaction still checks it, so a token revoked by an
// erase since (or another chat's token) sends nothing, alone or in a batch.
test_both_dbs!(a_remembered_visitor_token_sends_nothing_once_its_customer_is_erased, |db| async move {
    use app::conversations::{visitor_keys, write::send_as_visitor};
    use app::error::AppError;
    let inbox = app::inboxes::store::create(&db, "Support", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let mut chats = Vec::new();
    for n in 0..3 {
        let hash = visitor::hash_token(&format!("remembered-visitor-token-{n}"));
        let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Vera"), email: None, context: None };
        let id = start(&db, req, T0).await.unwrap().0.id;
        assert_eq!(visitor_keys::chat_of(&db, &hash).await.unwrap(), Some(id));
        chats.push((id, hash));
    }
    let out = |conv: i64, client_id: &'static str| Outgoing { conversation_id: conv, author: Author::Customer, client_id, body: "hello", visibility: Visibility::Public, file: None };
    send_as_visitor(&db, out(chats[0].0, "v-0"), &chats[0].1, T0).await.unwrap();
    assert!(matches!(send_as_visitor(&db, out(chats[1].0, "v-x"), &chats[0].1, T0).await, Err(AppError::NotFound)), "another chat's token");
    let customer: i64 = sqlx::query_scalar("SELECT customer_id FROM conversations WHERE id = $1").bind(chats[0].0).fetch_one(db.pool()).await.unwrap();
    gdpr::erase(&db, customer, tempfile::tempdir().unwrap().path(), T0 + 1).await.unwrap();
    assert_eq!(visitor_keys::chat_of(&db, &chats[0].1).await.unwrap(), Some(chats[0].0), "still remembered");
    assert!(matches!(send_as_visitor(&db, out(chats[0].0, "v-1"), &chats[0].1, T0 + 2).await, Err(AppError::NotFound)));
    // Together, as one batch: the others' sends are stored, the revoked one is not.
    let mut handles = Vec::new();
    for n in 0..30usize {
        let (db, (conv, hash)) = (db.clone(), chats[n % 3].clone());
        handles.push(tokio::spawn(async move {
            let client_id = format!("b-{n}");
            let out = Outgoing { conversation_id: conv, author: Author::Customer, client_id: &client_id, body: "again", visibility: Visibility::Public, file: None };
            send_as_visitor(&db, out, &hash, T0 + 3).await.map(|_| ())
        }));
    }
    for (n, h) in handles.into_iter().enumerate() {
        let result = h.await.unwrap();
        if n % 3 == 0 {
            assert!(matches!(result, Err(AppError::NotFound)), "send {n}: {result:?}");
        } else {
            result.unwrap();
        }
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1").bind(chats[0].0).fetch_one(db.pool()).await.unwrap();
    assert_eq!(stored, 0, "nothing in the erased chat");
    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE client_id LIKE 'b-%'").fetch_one(db.pool()).await.unwrap();
    assert_eq!(others, 20);
});
