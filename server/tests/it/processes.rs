//! What only real processes show: clean SIGTERM, crash durability, and delivery
//! between two instances on one PostgreSQL.
use crate::common::process::{client, login, wait_for_text, Server};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const VISITOR: &str = "visitor-proc-aaaaaaaaaaaaaaaaaaaa";

async fn start_conversation(c: &reqwest::Client, base: &str) -> i64 {
    let res = c
        .post(format!("{base}/api/widget/conversations"))
        .json(&json!({"inbox": "demo-support", "token": VISITOR}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    res.json::<serde_json::Value>().await.unwrap()["conversation"]["id"].as_i64().unwrap()
}

/// Sends `n` messages concurrently; returns the client ids the server acknowledged.
async fn burst(base: &str, conv: i64, n: usize, prefix: &str) -> Vec<String> {
    burst_counting(base, conv, n, prefix, Default::default()).await
}

/// The same, counting acknowledgements in `acks` as they come.
async fn burst_counting(base: &str, conv: i64, n: usize, prefix: &str, acks: Arc<AtomicUsize>) -> Vec<String> {
    let c = client();
    let mut handles = Vec::new();
    for i in 0..n {
        let (c, url, acks) = (c.clone(), format!("{base}/api/widget/conversations/{conv}/messages"), acks.clone());
        let id = format!("{prefix}-{i}");
        handles.push(tokio::spawn(async move {
            let res = c.post(url).bearer_auth(VISITOR).json(&json!({"client_id": id, "body": format!("burst {id}")})).send().await;
            match res {
                Ok(r) if r.status().is_success() => {
                    acks.fetch_add(1, Ordering::SeqCst);
                    Some(id)
                }
                _ => None,
            }
        }));
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut acked = Vec::new();
    for h in handles {
        if let Some(id) = h.await.unwrap() {
            acked.push(id);
        }
    }
    acked
}

async fn stored_client_ids(url: &str, conv: i64) -> Vec<String> {
    let db = app::db::Db::connect(url).await.unwrap();
    let ids = sqlx::query_scalar("SELECT client_id FROM messages WHERE conversation_id = $1")
        .bind(conv)
        .fetch_all(db.pool())
        .await
        .unwrap();
    db.close().await;
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_with_open_streams_and_sends_in_flight_exits_cleanly_and_keeps_acked_messages() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/term.db", dir.path().display());
    // Durability under a burst from one visitor: the visitor rate limits would refuse it.
    let mut server = Server::start_with(&url, &dir.path().join("files"), true, &["--no-rate-limits"]);
    let c = client();
    let cookie = login(&c, &server.base, "alex.operator@example.com", "operator-demo-pass").await;
    let mut stream = c.get(format!("{}/api/events", server.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let conv = start_conversation(&c, &server.base).await;
    assert!(wait_for_text(&mut stream, "conversation.created", Duration::from_secs(5)).await);

    let base = server.base.clone();
    let sends = tokio::spawn(async move { burst(&base, conv, 200, "t").await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.signal("-TERM");
    let status = server.wait_exit(Duration::from_secs(10)).expect("exited within 10 s of SIGTERM");
    assert!(status.success(), "clean exit: {status:?}");
    let acked = sends.await.unwrap();
    let stored = stored_client_ids(&url, conv).await;
    for id in &acked {
        assert!(stored.contains(id), "acknowledged message {id} is stored");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_burst_loses_no_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/crash.db", dir.path().display());
    let mut server = Server::start_with(&url, &dir.path().join("files"), true, &["--no-rate-limits"]);
    let c = client();
    let conv = start_conversation(&c, &server.base).await;
    let base = server.base.clone();
    let acks = Arc::new(AtomicUsize::new(0));
    let counted = acks.clone();
    let sends = tokio::spawn(async move { burst_counting(&base, conv, 300, "k", counted).await });
    // Killed mid-burst, once the first answers are in, however slow the machine.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acks.load(Ordering::SeqCst) < 5 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.signal("-KILL");
    server.wait_exit(Duration::from_secs(5)).expect("killed");
    let acked = sends.await.unwrap();
    assert!(!acked.is_empty(), "some sends were acknowledged before the crash");

    // A restart recovers the WAL; every acknowledged message is there.
    let _again = Server::start(&url, &dir.path().join("files"), false);
    let stored = stored_client_ids(&url, conv).await;
    for id in &acked {
        assert!(stored.contains(id), "acknowledged message {id} survived kill -9");
    }
    let db = app::db::Db::connect(&url).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(db.pool()).await.unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_deliver_each_others_events() {
    let Some((url, name)) = crate::common::create_pg_database().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = Server::start(&url, &dir.path().join("a"), true);
    let b = Server::start(&url, &dir.path().join("b"), false);
    let c = client();
    let cookie = login(&c, &b.base, "alex.operator@example.com", "operator-demo-pass").await;
    let mut on_b = c.get(format!("{}/api/events", b.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(on_b.status(), 200);
    assert!(wait_for_text(&mut on_b, "connected", Duration::from_secs(5)).await);

    let conv = start_conversation(&c, &a.base).await;
    let res = c
        .post(format!("{}/api/widget/conversations/{conv}/messages", a.base))
        .bearer_auth(VISITOR)
        .json(&json!({"client_id": "x-1", "body": "sent through instance A"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(
        wait_for_text(&mut on_b, "sent through instance A", Duration::from_secs(5)).await,
        "instance B's stream got instance A's event"
    );
    drop((a, b));
    crate::common::drop_pg_database(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_typing_signal_reaches_the_other_instance_and_stores_nothing() {
    let Some((url, name)) = crate::common::create_pg_database().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = Server::start(&url, &dir.path().join("a"), true);
    let b = Server::start(&url, &dir.path().join("b"), false);
    let c = client();
    let conv = start_conversation(&c, &a.base).await;
    let cookie = login(&c, &b.base, "alex.operator@example.com", "operator-demo-pass").await;
    let mut on_b = c.get(format!("{}/api/events", b.base)).header("cookie", &cookie).send().await.unwrap();
    assert!(wait_for_text(&mut on_b, "connected", Duration::from_secs(5)).await);
    let db = app::db::Db::connect(&url).await.unwrap();
    let log_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(db.pool()).await.unwrap();

    // The agent's console has the chat open, and says so through instance A: B learns
    // it from A's relay, in order, before the typing mark.
    let res = c
        .post(format!("{}/api/conversations/viewing", a.base))
        .header("cookie", &cookie)
        .header("origin", &a.base)
        .form(&[("conversation_id", conv.to_string()), ("viewing", "true".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c
        .post(format!("{}/api/widget/conversations/{conv}/typing", a.base))
        .bearer_auth(VISITOR)
        .json(&json!({"typing": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(
        wait_for_text(&mut on_b, &format!("\"conversation_id\":{conv},\"name\":null,\"typing\":true"), Duration::from_secs(5)).await,
        "instance B's stream got the typing signal sent to instance A"
    );
    let log_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(db.pool()).await.unwrap();
    assert_eq!(log_after, log_before, "a signal is never an event");
    db.close().await;
    drop((a, b));
    crate::common::drop_pg_database(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_never_assign_a_chat_twice_or_over_capacity() {
    let Some((url, name)) = crate::common::create_pg_database().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = Server::start_with(&url, &dir.path().join("a"), true, &["--no-rate-limits"]);
    let b = Server::start_with(&url, &dir.path().join("b"), false, &["--no-rate-limits"]);
    let db = app::db::Db::connect(&url).await.unwrap();
    let inbox: i64 = sqlx::query_scalar("SELECT id FROM inboxes WHERE public_key = 'demo-support'").fetch_one(db.pool()).await.unwrap();
    const CAPACITY: i64 = 20;
    sqlx::query("UPDATE inboxes SET assignment = 'auto', capacity = $1 WHERE id = $2").bind(CAPACITY).bind(inbox).execute(db.pool()).await.unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let members: Vec<i64> = sqlx::query_scalar(
        "UPDATE agents SET availability = 'online', presence = 'online', last_seen_at = $1
         WHERE id IN (SELECT agent_id FROM inbox_members WHERE inbox_id = $2) AND deactivated_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(inbox)
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert!(members.len() >= 2, "the demo inbox has agents");

    // 200 chats at once, half through each instance.
    let c = client();
    let mut handles = Vec::new();
    for i in 0..200 {
        let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
        let c = c.clone();
        handles.push(tokio::spawn(async move {
            let token = format!("visitor-two-instances-{i:0>12}");
            let res = c.post(format!("{base}/api/widget/conversations")).json(&json!({"inbox": "demo-support", "token": token})).send().await.unwrap();
            assert!(res.status().is_success(), "{}", res.status());
        }));
    }
    for h in handles {
        h.await.unwrap();
    }

    #[derive(sqlx::FromRow, Debug)]
    struct Load {
        id: i64,
        open_chats: i64,
    }
    let loads = || async {
        let rows: Vec<Load> = sqlx::query_as(
            "SELECT a.id, (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status <> 'closed') AS open_chats
             FROM agents a WHERE a.id IN (SELECT agent_id FROM inbox_members WHERE inbox_id = $1) AND a.deactivated_at IS NULL",
        )
        .bind(inbox)
        .fetch_all(db.pool())
        .await
        .unwrap();
        rows
    };
    // Settled: everyone is full (there are more chats than room) and it stays so.
    let mut settled = false;
    for _ in 0..200 {
        if loads().await.iter().all(|l| l.open_chats >= CAPACITY) {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(settled, "every agent was filled: {:?}", loads().await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    for l in loads().await {
        assert_eq!(l.open_chats, CAPACITY, "agent {} is exactly at capacity", l.id);
    }
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT conversation_id FROM events WHERE kind = 'conversation.assigned'
         GROUP BY conversation_id HAVING COUNT(*) > 1) t",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(twice, 0, "no chat was assigned twice");
    let assigned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'conversation.assigned' AND inbox_id = $1")
        .bind(inbox)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let open_before: i64 = members.len() as i64 * CAPACITY;
    assert!(assigned <= open_before, "{assigned} assignments for {open_before} places");
    db.close().await;
    drop((a, b));
    crate::common::drop_pg_database(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_answer_without_a_token_only_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/metrics.db", dir.path().display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let server = Server::start_with(&url, &dir.path().join("files"), true, &["--metrics-bind", &bind]);
    let c = client();
    // One message, so the group commit's histograms have a sample (Prometheus lists a
    // histogram once it has one).
    let conv = start_conversation(&c, &server.base).await;
    let sent = c.post(format!("{}/api/widget/conversations/{conv}/messages", server.base)).bearer_auth(VISITOR)
        .json(&json!({"client_id": "m-1", "body": "hello"})).send().await.unwrap();
    assert_eq!(sent.status(), 201);
    let public = c.get(format!("{}/metrics", server.base)).send().await.unwrap();
    assert_eq!(public.status(), 401, "not on the public address without a token");
    let mut private = None;
    for _ in 0..50 {
        if let Ok(r) = c.get(format!("http://{bind}/metrics")).send().await {
            private = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let private = private.expect("the metrics address answers");
    assert_eq!(private.status(), 200);
    let text = private.text().await.unwrap();
    for family in app::telemetry::FAMILIES {
        assert!(text.contains(family), "{family} missing");
    }
}
