//! Service requests and their webhook on both back ends: the transcript leaves out
//! internal lines, scoping, the signature, retries with backoff and the SSRF guard.
use app::accounts::Role;
use app::conversations::handling::Actor;
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Visibility};
use app::db::Db;
use app::error::AppError;
use app::inboxes::{store as inboxes, MemberRole};
use app::requests::store::{self, NewRequest};
use app::requests::webhook::{self, check_target, deliver_due, signature};
use app::requests::{Priority, RequestStatus};
use axum::http::HeaderMap;
use crate::common::{T0};
use std::sync::{Arc, Mutex};

async fn actor(db: &Db, name: &str, role: Role) -> Actor {
    let new = app::accounts::store::NewAgent { email: &format!("{name}@x.io"), name, role, password_hash: "x" };
    let id = app::accounts::store::insert(db, new, T0).await.unwrap();
    Actor { id, name: name.into(), is_admin: role == Role::Admin, address: None }
}

async fn say(db: &Db, conv: i64, author: Author<'_>, text: &str, visibility: Visibility) {
    let out = Outgoing { conversation_id: conv, author, client_id: &app::tokens::random_id(), body: text, visibility, file: None };
    send(db, out, T0).await.unwrap();
}

/// Support (Olga works it) with one chat holding public, internal and off-the-record lines.
async fn setup(db: &Db) -> (i64, i64, Actor, Actor) {
    let a = inboxes::create(db, "Support", T0).await.unwrap();
    let b = inboxes::create(db, "Billing", T0).await.unwrap();
    let olga = actor(db, "Olga", Role::Operator).await;
    let xena = actor(db, "Xena", Role::Operator).await;
    inboxes::set_member(db, a, olga.id, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(db, b, xena.id, Some(MemberRole::Operator)).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(a).fetch_one(db.pool()).await.unwrap();
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
    let conv = start(db, req, T0).await.unwrap().0.id;
    say(db, conv, Author::Customer, "my card was charged twice", Visibility::Public).await;
    say(db, conv, Author::Agent { id: olga.id, name: "Olga" }, "internal: looks like fraud", Visibility::Internal).await;
    say(db, conv, Author::Agent { id: olga.id, name: "Olga" }, "off the record: ask finance", Visibility::OffRecord).await;
    say(db, conv, Author::Agent { id: olga.id, name: "Olga" }, "I have opened a request", Visibility::Public).await;
    (a, conv, olga, xena)
}

test_both_dbs!(a_request_carries_the_public_transcript_only_and_stays_in_its_inboxes, |db| async move {
    let (_, conv, olga, xena) = setup(&db).await;
    let new = NewRequest { conversation_id: conv, title: "Refund double charge", description: "Card charged twice", priority: Priority::High };
    let r = store::create(&db, &olga, new, T0).await.unwrap();
    assert_eq!((r.status, r.priority, r.conversation_id), (RequestStatus::Open, Priority::High, Some(conv)));
    let lines: Vec<String> = r.transcript.clone().unwrap().into_iter().map(|l| l.text).collect();
    assert!(lines.contains(&"my card was charged twice".to_string()));
    assert!(lines.contains(&"I have opened a request".to_string()));
    assert!(!lines.iter().any(|l| l.contains("internal") || l.contains("off the record")), "{lines:?}");

    assert_eq!(store::list(&db, &olga, None).await.unwrap().len(), 1);
    assert_eq!(store::for_conversation(&db, &olga, conv).await.unwrap()[0].id, r.id);
    assert!(store::list(&db, &xena, None).await.unwrap().is_empty(), "another inbox sees nothing");
    assert_eq!(store::set_status(&db, &xena, r.id, RequestStatus::Done, T0).await.unwrap_err(), AppError::NotFound);
    let bad = NewRequest { conversation_id: conv, title: "x", description: "", priority: Priority::Low };
    assert_eq!(store::create(&db, &xena, bad, T0).await.unwrap_err(), AppError::NotFound);
    let moved = store::set_status(&db, &olga, r.id, RequestStatus::InProgress, T0 + 1).await.unwrap();
    assert_eq!(moved.status, RequestStatus::InProgress);
    assert_eq!(store::list(&db, &olga, Some(RequestStatus::Done)).await.unwrap().len(), 0);
    let empty = NewRequest { conversation_id: conv, title: "  ", description: "", priority: Priority::Low };
    assert!(matches!(store::create(&db, &olga, empty, T0).await, Err(AppError::Unprocessable(_))));
});

/// A receiver on 127.0.0.1 that answers with the given statuses in turn.
async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<(HeaderMap, String)>>>) {
    let seen: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let answers = Arc::new(Mutex::new(statuses));
    let (s2, a2) = (seen.clone(), answers.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (seen, answers) = (s2.clone(), a2.clone());
            async move {
                seen.lock().unwrap().push((headers, body));
                let mut a = answers.lock().unwrap();
                let code = if a.len() > 1 { a.remove(0) } else { a[0] };
                axum::http::StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

test_both_dbs!(the_webhook_is_signed_and_retried_with_backoff, |db| async move {
    let (inbox, conv, olga, _) = setup(&db).await;
    let (url, seen) = receiver(vec![500, 200]).await;
    assert!(webhook::configure(&db, inbox, &url, false).await.is_err(), "loopback needs the admin's explicit allowance");
    webhook::configure(&db, inbox, &url, true).await.unwrap();
    let new = NewRequest { conversation_id: conv, title: "Refund", description: "", priority: Priority::Normal };
    let r = store::create(&db, &olga, new, T0).await.unwrap();

    assert_eq!(deliver_due(&db, T0).await.unwrap(), 1);
    let (status, attempts, next): (String, i64, i64) =
        sqlx::query_as("SELECT status, attempts, next_attempt_at FROM webhook_deliveries").fetch_one(db.pool()).await.unwrap();
    assert_eq!((status.as_str(), attempts, next), ("pending", 1, T0 + 10_000), "a 500 is retried after a pause");
    assert_eq!(deliver_due(&db, T0 + 5_000).await.unwrap(), 0, "not before its time");
    assert_eq!(deliver_due(&db, T0 + 10_000).await.unwrap(), 1);
    let (status, attempts, code): (String, i64, Option<i64>) =
        sqlx::query_as("SELECT status, attempts, last_status FROM webhook_deliveries").fetch_one(db.pool()).await.unwrap();
    assert_eq!((status.as_str(), attempts, code), ("delivered", 2, Some(200)));

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let (headers, body) = &seen[1];
    let secret: String = sqlx::query_scalar("SELECT webhook_secret FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let sent = headers["x-switchboard-signature"].to_str().unwrap();
    assert_eq!(sent, format!("sha256={}", signature(&secret, body.as_bytes())), "the signature verifies");
    assert_ne!(sent, format!("sha256={}", signature("wrong secret", body.as_bytes())));
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["request"]["id"].as_i64(), Some(r.id));
    assert!(!body.contains("looks like fraud"), "no internal line leaves the building");
    let log = webhook::settings(&db).await.unwrap();
    assert_eq!(log.iter().find(|w| w.inbox_id == inbox).unwrap().deliveries[0].status, "delivered");
});

#[tokio::test]
async fn the_ssrf_guard_refuses_internal_targets() {
    for url in ["http://127.0.0.1:9/x", "http://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x", "http://localhost:9/x"] {
        let err = check_target(url, false).await.unwrap_err();
        assert!(err.contains("internal address"), "{url}: {err}");
    }
    assert!(check_target("http://127.0.0.1:9/x", true).await.is_ok(), "an admin may allow them");
    assert!(check_target("ftp://example.com/", false).await.is_err());
    assert!(check_target("not a url", false).await.is_err());
}

test_both_dbs!(a_refused_target_fails_after_the_retries_without_sending, |db| async move {
    let (inbox, conv, olga, _) = setup(&db).await;
    // Stored while allowed, then the allowance is withdrawn: delivery re-checks.
    webhook::configure(&db, inbox, "http://169.254.169.254/hook", true).await.unwrap();
    sqlx::query("UPDATE inboxes SET webhook_allow_private = 0 WHERE id = $1").bind(inbox).execute(db.pool()).await.unwrap();
    let new = NewRequest { conversation_id: conv, title: "Refund", description: "", priority: Priority::Normal };
    store::create(&db, &olga, new, T0).await.unwrap();
    let mut now = T0;
    for _ in 0..6 {
        deliver_due(&db, now).await.unwrap();
        now += 4_000_000;
    }
    let (status, attempts, error): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM webhook_deliveries").fetch_one(db.pool()).await.unwrap();
    assert_eq!((status.as_str(), attempts), ("failed", 6));
    assert!(error.unwrap().contains("internal address"));
});
