//! A batch of sends leaves its chats exactly as the same sends one at a time would.
//! The group committer writes the sends of many chats with a few statements for all
//! of them (customers' lines, agents' replies, both in one chat); each chat here has a
//! twin that gets the same sends, at the same times, one at a time, and the two are
//! compared column by column: activity, preview, who wrote last, the wait, the SLA
//! target, and the cycle's first response and next responses.
use app::conversations::store::{self, StartVisitor};
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::Visibility;
use app::db::Db;
use crate::common::T0;

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct ChatState {
    status: String,
    last_message_at: Option<i64>,
    activity_at: Option<i64>,
    last_message_preview: Option<String>,
    last_customer_message_at: Option<i64>,
    last_agent_message_at: Option<i64>,
    last_agent_id: Option<i64>,
    awaiting_since: Option<i64>,
    sla_target: Option<String>,
    sla_due_at: Option<i64>,
    first_response_at: Option<i64>,
    first_responder_id: Option<i64>,
    first_response_met: Option<i64>,
    next_responses: i64,
    next_responses_met: i64,
    messages: i64,
}

async fn state(db: &Db, chat: i64) -> ChatState {
    sqlx::query_as(
        "SELECT c.status, c.last_message_at, c.activity_at, c.last_message_preview, c.last_customer_message_at,
                c.last_agent_message_at, c.last_agent_id, c.awaiting_since, c.sla_target, c.sla_due_at,
                y.first_response_at, y.first_responder_id, y.first_response_met, y.next_responses, y.next_responses_met,
                (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS messages
         FROM conversations c JOIN conversation_cycles y ON y.id = (SELECT MAX(id) FROM conversation_cycles WHERE conversation_id = c.id)
         WHERE c.id = $1",
    )
    .bind(chat)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

/// One send of a script: who (`None`: the customer), public or a note, and when.
#[derive(Clone, Copy)]
struct Step {
    agent: Option<i64>,
    public: bool,
    at: i64,
}

fn outgoing<'a>(chat: i64, step: Step, client_id: &'a str, body: &'a str) -> Outgoing<'a> {
    Outgoing {
        conversation_id: chat,
        author: match step.agent {
            Some(id) => Author::Agent { id, name: "Agent" },
            None => Author::Customer,
        },
        client_id,
        body,
        visibility: if step.public { Visibility::Public } else { Visibility::Internal },
        file: None,
    }
}

test_both_dbs!(a_batch_leaves_its_chats_as_one_send_at_a_time_would, |db| async move {
    twins(db, false).await;
});

// The batch reads SLA targets only for chats that have any to keep: an inbox policy,
// or a target still pending though the policy is gone (cleared by the next line).
test_both_dbs!(a_batch_clears_a_target_left_pending_without_a_policy, |db| async move {
    twins(db, true).await;
});

async fn twins(db: Db, policy_dropped: bool) {
    let inbox = app::inboxes::store::create(&db, "Support", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let mut agents = Vec::new();
    for email in ["ada@x.io", "bo@x.io"] {
        let id: i64 = sqlx::query_scalar("INSERT INTO agents (email, name, role, password_hash, created_at) VALUES ($1, 'A', 'admin', 'h', 0) RETURNING id")
            .bind(email)
            .fetch_one(db.pool())
            .await
            .unwrap();
        agents.push(id);
    }
    let policy = app::sla::Policy { first_response_ms: Some(60_000), next_response_ms: Some(30_000), resolution_ms: Some(3_600_000), business_hours: false };
    app::sla::store::set_policy(&db, &app::audit::Actor::agent(agents[0], None), inbox, &policy, T0).await.unwrap();
    let (ada, bo) = (Some(agents[0]), Some(agents[1]));
    let t = |ms: i64| T0 + 1_000 + ms;
    let customer = |at| Step { agent: None, public: true, at: t(at) };
    let reply = |agent, at| Step { agent, public: true, at: t(at) };
    let note = |agent, at| Step { agent, public: false, at: t(at) };
    // Every chat: a question, an answer and a second question, one at a time; then one
    // of these, as a batch for one chat of each pair and one at a time for its twin.
    let scripts: Vec<Vec<Step>> = vec![
        vec![customer(100), customer(110)],
        vec![reply(ada, 100)],
        vec![reply(ada, 40_000)], // the next response, late
        vec![reply(bo, 100), reply(ada, 120), note(ada, 130)],
        vec![customer(100), reply(ada, 110)],
        vec![reply(ada, 100), customer(120)],
        vec![note(bo, 100)],
    ];
    let mut pairs = Vec::new();
    for (i, _) in scripts.iter().enumerate() {
        let mut twins = [0; 2];
        for (j, twin) in twins.iter_mut().enumerate() {
            let hash = app::conversations::visitor::hash_token(&format!("batching-visitor-token-{i:02}-{j}"));
            let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
            let chat = store::start(&db, req, T0).await.unwrap().0.id;
            for (n, step) in [customer(0), reply(ada, 10), customer(20)].into_iter().enumerate() {
                write::send(&db, outgoing(chat, step, &format!("setup-{n}"), &format!("setup {n}")), step.at).await.unwrap();
            }
            *twin = chat;
        }
        pairs.push(twins);
    }
    if policy_dropped {
        // Behind the chats' backs (`set_policy` would clear their targets at once).
        sqlx::query("UPDATE inboxes SET sla_first_response_ms = NULL, sla_next_response_ms = NULL, sla_resolution_ms = NULL")
            .execute(db.pool())
            .await
            .unwrap();
        assert!(state(&db, pairs[0][1]).await.sla_target.is_some(), "a target pending");
    }
    // One at a time: each send answered before the next goes.
    for (script, &[alone, _]) in scripts.iter().zip(&pairs) {
        for (n, &step) in script.iter().enumerate() {
            write::send(&db, outgoing(alone, step, &format!("s-{n}"), &format!("line {n}")), step.at).await.unwrap();
        }
    }
    // All together: queued in order (one thread, so in the order spawned), so the
    // committer finds them waiting and writes them in as few batches as it can.
    let mut handles = Vec::new();
    for (script, &[_, batched]) in scripts.iter().zip(&pairs) {
        for (n, &step) in script.iter().enumerate() {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                write::send(&db, outgoing(batched, step, &format!("s-{n}"), &format!("line {n}")), step.at).await
            }));
        }
    }
    for h in handles {
        assert!(h.await.unwrap().unwrap().1, "stored");
    }
    for (i, &[alone, batched]) in pairs.iter().enumerate() {
        let (a, b) = (state(&db, alone).await, state(&db, batched).await);
        assert_eq!(a, b, "script {i}: one at a time (left) and batched (right)");
    }
    if policy_dropped {
        assert_eq!(state(&db, pairs[0][1]).await.sla_target, None, "the batch cleared the pending target");
        return;
    }
    // The scripts did move what is compared.
    let late = state(&db, pairs[2][0]).await;
    assert_eq!((late.next_responses, late.next_responses_met), (1, 0), "a late next response");
    let two = state(&db, pairs[3][0]).await;
    assert_eq!((two.last_agent_id, two.awaiting_since, two.first_responder_id), (ada, None, ada));
    let asked = state(&db, pairs[5][0]).await;
    assert_eq!(asked.awaiting_since, Some(t(120)), "answered, then asked again");
}

/// Two customers' chats in a new inbox.
async fn two_chats(db: &Db) -> Vec<i64> {
    let inbox = app::inboxes::store::create(db, "Support", T0).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let mut chats = Vec::new();
    for i in 0..2 {
        let hash = app::conversations::visitor::hash_token(&format!("two-chats-visitor-token-{i:02}"));
        let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
        chats.push(store::start(db, req, T0).await.unwrap().0.id);
    }
    chats
}

/// A customer's line to each chat of `chats` (client id `line-{n}`, `n` its place),
/// each sent from a task of its own so that they queue together for one batch.
fn spawn_sends(db: &Db, chats: impl IntoIterator<Item = i64>, step: Step) -> Vec<tokio::task::JoinHandle<bool>> {
    let sends = chats.into_iter().enumerate().map(|(n, chat)| {
        let db = db.clone();
        tokio::spawn(async move { write::send(&db, outgoing(chat, step, &format!("line-{n}"), "a customer's line"), step.at).await.unwrap().1 })
    });
    sends.collect()
}

// On PostgreSQL a batch locks its chats and writes them before it takes the writers'
// turn. A writer that holds the turn and then needs one of those chats would wait for
// the batch while the batch waits for it: the batch gives up after its deadline,
// rolls back, and begins again in turn, and both writes land. (On SQLite writers
// take turns for whole transactions, and the batch just waits.)
test_both_dbs!(a_batch_gives_way_to_a_writer_that_holds_the_turn, |db| async move {
    let chats = two_chats(&db).await;
    let step = Step { agent: None, public: true, at: T0 + 10 };
    write::send(&db, outgoing(chats[0], step, "warm-0", "warm"), step.at).await.unwrap();
    // A writer takes the turn first.
    let mut writer = db.begin_write().await.unwrap();
    // Two sends queued together: one batch, which locks both chats.
    let sends = spawn_sends(&db, chats.clone(), step);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    // The writer now needs one of the batch's chats.
    sqlx::query("UPDATE conversations SET subject = 'changed in turn' WHERE id = $1").bind(chats[0]).execute(&mut *writer).await.unwrap();
    writer.commit().await.unwrap();
    for s in sends {
        assert!(s.await.unwrap(), "stored");
    }
    let subject: Option<String> = sqlx::query_scalar("SELECT subject FROM conversations WHERE id = $1").bind(chats[0]).fetch_one(db.pool()).await.unwrap();
    assert_eq!(subject.as_deref(), Some("changed in turn"));
    for &chat in &chats {
        let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND client_id LIKE 'line-%'").bind(chat).fetch_one(db.pool()).await.unwrap();
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'message.created' AND payload LIKE '%line-%'")
            .bind(chat)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!((lines, events), (1, 1), "chat {chat}: its line and its event, once");
    }
});

// A writer that holds the turn and locks two of a batch's chats in the other order
// than the batch (highest id first) closes a circle of row locks before the batch
// takes its turn. PostgreSQL ends the batch's side (it waited first), and the batch
// begins again in turn rather than failing its sends.
test_both_dbs!(a_batch_that_meets_a_circle_of_row_locks_begins_again_in_turn, |db| async move {
    let mut chats = two_chats(&db).await;
    chats.sort();
    let step = Step { agent: None, public: true, at: T0 + 10 };
    let mut writer = db.begin_write().await.unwrap();
    let touch = "UPDATE conversations SET subject = 'in turn' WHERE id = $1";
    sqlx::query(touch).bind(chats[1]).execute(&mut *writer).await.unwrap();
    let sends = spawn_sends(&db, chats.clone(), step);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    // The batch holds the first chat and waits for the second; the writer now wants the first.
    sqlx::query(touch).bind(chats[0]).execute(&mut *writer).await.expect("the writer in turn is not the side ended");
    writer.commit().await.unwrap();
    for s in sends {
        assert!(s.await.unwrap(), "stored");
    }
    for &chat in &chats {
        let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND client_id LIKE 'line-%'").bind(chat).fetch_one(db.pool()).await.unwrap();
        let subject: Option<String> = sqlx::query_scalar("SELECT subject FROM conversations WHERE id = $1").bind(chat).fetch_one(db.pool()).await.unwrap();
        assert_eq!((lines, subject.as_deref()), (1, Some("in turn")), "chat {chat}");
    }
});

// A batch that waits for the writers' turn takes it with the statement that appends
// its events (PostgreSQL): the events are still numbered after the turn, in the order
// of their messages, so a reader following the log sees each chat's lines in order.
// And sends queued together are written on the bulk path, a few statements for all:
// were the batch's read of its chats (on SQLite, sent with its `BEGIN`) to come back
// empty or wrong, they would still be stored, one by one, and only the count of sends
// written in bulk would tell. The committer may take the first send alone before the
// others queue (and on a slow machine one more): four to six of the six.
test_both_dbs!(a_batch_numbers_its_events_in_the_order_of_its_messages, |db| async move {
    let chats = two_chats(&db).await;
    let step = Step { agent: None, public: true, at: T0 + 10 };
    let before = app::conversations::batch::sent_in_bulk(&db);
    let writer = db.begin_write().await.unwrap();
    let sends = spawn_sends(&db, (0..6).map(|n| chats[n % 2]), step);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    writer.commit().await.unwrap();
    for s in sends {
        assert!(s.await.unwrap(), "stored");
    }
    let in_bulk = app::conversations::batch::sent_in_bulk(&db) - before;
    assert!((4..=6).contains(&in_bulk), "{in_bulk} of 6 sends written in bulk");
    let order: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT e.id, m.id FROM events e JOIN messages m ON m.conversation_id = e.conversation_id
           AND e.payload LIKE '%\"client_id\":\"' || m.client_id || '\"%'
         WHERE e.kind = 'message.created' AND m.client_id LIKE 'line-%' ORDER BY e.id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(order.len(), 6, "one event a line: {order:?}");
    assert!(order.windows(2).all(|w| w[0].1 < w[1].1), "events in the order of their messages: {order:?}");
});

// A batch whose bulk statements are refused (one send repeats a line stored before,
// which the unique key turns down) is undone whole, and its sends are written again
// one by one. On SQLite the batch's `COMMIT` goes with those statements, so what is
// checked here is that a refusal before it still leaves nothing half-written, the
// retried send answered with the stored line, and the writer's connection fit for
// the next write.
test_both_dbs!(a_batch_refused_by_its_writes_is_undone_and_each_send_written_alone, |db| async move {
    let chats = two_chats(&db).await;
    let step = Step { agent: None, public: true, at: T0 + 10 };
    let (stored, _) = write::send(&db, outgoing(chats[0], step, "line-2", "a customer's line"), step.at).await.unwrap();
    let writer = db.begin_write().await.unwrap();
    let sends = spawn_sends(&db, (0..6).map(|n| chats[n % 2]), step);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    writer.commit().await.unwrap();
    let mut created = Vec::new();
    for s in sends {
        created.push(s.await.unwrap());
    }
    assert_eq!(created, [true, true, false, true, true, true], "the retried line is the one stored before");
    let lines: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, client_id FROM messages WHERE client_id LIKE 'line-%' ORDER BY client_id").fetch_all(db.pool()).await.unwrap();
    let names: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
    assert_eq!(names, ["line-0", "line-1", "line-2", "line-3", "line-4", "line-5"], "each line once");
    assert_eq!(lines[2].0, stored.id, "the stored line kept its id");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'message.created'").fetch_one(db.pool()).await.unwrap();
    assert_eq!(events, 6, "one event a stored line");
    let (after, new) = write::send(&db, outgoing(chats[1], step, "after", "and then"), step.at).await.unwrap();
    assert!(new && after.id > lines.iter().map(|l| l.0).max().unwrap(), "the next write begins and commits");
});
