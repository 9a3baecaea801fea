//! Seeds a migrated database in bulk: inboxes, agents with ready-made sessions,
//! customers, conversations and their messages. Plain multi-row INSERTs that match the
//! schema (the same text on SQLite and PostgreSQL), in one transaction, so the FTS5
//! triggers and the tsvector column index every message exactly as the app would.
use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::time::Instant;
use text::{body, token, FIRST, LAST};

mod rows;

mod text;

pub const DAY_MS: i64 = 86_400_000;
/// As in `app/migrations/sqlite/0003_inbox_list.sql`.
const FTS_INSERT_TRIGGER: &str = "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END";
/// One password for every seeded agent, so a person can log in to look around.
pub const PASSWORD: &str = "bench-agent-pass";
/// In roughly one message in three.
pub const COMMON_TERM: &str = "order";
/// In exactly `RARE_COUNT` messages.
pub const RARE_TERM: &str = "zanzibar";
pub const RARE_COUNT: usize = 12;
/// A surname about one customer in a hundred carries.
pub const NAME_TERM: &str = "Okonkwo";

pub struct Size {
    pub inboxes: usize,
    pub conversations: usize,
    pub messages: usize,
    /// Operators of the busy inbox (inbox 0), whose streams the broadcast fills.
    pub busy_agents: usize,
}

#[derive(Clone)]
pub struct Agent {
    pub token: String,
    /// `None` for the admin (every inbox).
    pub inboxes: Option<Vec<i64>>,
}

#[derive(Clone)]
pub struct Conversation {
    pub id: i64,
    pub inbox: i64,
    pub visitor_token: String,
}

pub struct Fixture {
    pub inboxes: Vec<i64>,
    pub admin: Agent,
    /// One per inbox, in inbox order: they reply in the latency runs.
    pub supervisors: Vec<Agent>,
    /// Operators of the busy inbox.
    pub busy: Vec<Agent>,
    /// Open conversations first: they take the live traffic.
    pub conversations: Vec<Conversation>,
    pub messages: usize,
    pub seconds: f64,
    /// Where the seconds went, for the notes.
    pub phases: String,
}

pub fn sha256_hex(s: &str) -> String {
    format!("{:x}", Sha256::digest(s.as_bytes()))
}

use rows::{insert_rows, Value::*};

pub async fn seed(url: &str, size: &Size, now: i64) -> Result<Fixture> {
    sqlx::any::install_default_drivers();
    let pool: AnyPool = AnyPoolOptions::new().max_connections(1).connect(url).await.context("open the database")?;
    let started = Instant::now();
    let sqlite = url.starts_with("sqlite");
    if sqlite {
        // A fixture, not a write anyone was promised: no journal and no fsync while it
        // loads (a crash means seeding again), a large page cache, and the journal
        // back to WAL afterwards as the server expects it.
        sqlx::raw_sql(
            "PRAGMA journal_mode = DELETE; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY;",
        )
        .execute(&pool)
        .await?;
    }
    let mut phases = Vec::new();
    let mut rng = StdRng::seed_from_u64(7);
    let mut tx = pool.begin().await?;
    let hash = crate::password_hash();

    let inboxes: Vec<i64> = (1..=size.inboxes as i64).collect();
    insert_rows(
        &mut tx,
        "inboxes",
        &["id", "name", "public_key", "secret", "retention_days", "created_at"],
        inboxes
            .iter()
            .map(|&i| {
                vec![
                    I(i),
                    S(format!("Inbox {i}")),
                    S(format!("bench-inbox-{i}")),
                    S(token("secret", i as usize)),
                    N(None),
                    I(now - 90 * DAY_MS),
                ]
            })
            .collect(),
    )
    .await?;

    // Agents: the admin, a supervisor per inbox, operators of the busy inbox.
    let mut agents = vec![(1i64, "admin".to_string(), None::<i64>)];
    for (k, &inbox) in inboxes.iter().enumerate() {
        agents.push((2 + k as i64, "supervisor".into(), Some(inbox)));
    }
    let first_op = 2 + inboxes.len() as i64;
    for k in 0..size.busy_agents as i64 {
        agents.push((first_op + k, "operator".into(), Some(inboxes[0])));
    }
    insert_rows(
        &mut tx,
        "agents",
        &["id", "email", "name", "role", "password_hash", "availability", "created_at"],
        agents
            .iter()
            .map(|(id, role, _)| {
                vec![
                    I(*id),
                    S(format!("agent{id}@bench.example")),
                    S(format!("Agent {id}")),
                    S(role.clone()),
                    S(hash.clone()),
                    S("online".into()),
                    I(now - 90 * DAY_MS),
                ]
            })
            .collect(),
    )
    .await?;
    insert_rows(
        &mut tx,
        "inbox_members",
        &["inbox_id", "agent_id", "role"],
        agents.iter().filter_map(|(id, role, inbox)| inbox.map(|i| vec![I(i), I(*id), S(role.clone())])).collect(),
    )
    .await?;
    let tokens: Vec<String> = agents.iter().map(|(id, _, _)| token("session", *id as usize)).collect();
    insert_rows(
        &mut tx,
        "sessions",
        &["token_hash", "agent_id", "created_at", "expires_at"],
        agents
            .iter()
            .zip(&tokens)
            .map(|((id, _, _), t)| vec![S(sha256_hex(t)), I(*id), I(now), I(now + 30 * DAY_MS)])
            .collect(),
    )
    .await?;
    let agent = |k: usize| Agent { token: tokens[k].clone(), inboxes: agents[k].2.map(|i| vec![i]) };

    // Customers and conversations, one each. Conversation k's last activity is k
    // steps back from now, spread over 60 days. The first 10% are waiting, the next
    // 30% open (some assigned), the rest closed.
    let n = size.conversations;
    // Half the open chats are assigned: to an operator in the busy inbox, elsewhere to
    // the inbox's supervisor (agent 2 + inbox index).
    let assignee = |k: usize, busy: bool| match (k % 2, busy && size.busy_agents > 0) {
        (0, true) => Some(first_op + (k % size.busy_agents) as i64),
        (0, false) => Some(2 + (k % inboxes.len()) as i64),
        _ => None,
    };
    let step = (60 * DAY_MS / n.max(1) as i64).max(1);
    let mut customers = Vec::with_capacity(n);
    let mut convs = Vec::with_capacity(n);
    let mut fixture_convs = Vec::with_capacity(n);
    for k in 0..n {
        let id = k as i64 + 1;
        let last = if rng.gen_bool(0.01) { NAME_TERM } else { LAST[rng.gen_range(0..LAST.len())] };
        let name = format!("{} {last}", FIRST[rng.gen_range(0..FIRST.len())]);
        let activity = now - k as i64 * step;
        // The newest chat started a second ago, so "started today" has a row whatever
        // the hour (the others start up to 3 h before their last activity).
        let created = if k == 0 { now - 1_000 } else { activity - rng.gen_range(60_000..3 * 3_600_000) };
        customers.push(vec![
            I(id),
            S(name.clone()),
            O(Some(format!("customer{id}@mail.example"))),
            I(created),
            I(activity),
        ]);
        let inbox = inboxes[k % inboxes.len()];
        let (status, reason, assignee) = match k * 10 / n.max(1) {
            0 => ("new", None, None),
            1..=3 => ("open", None, assignee(k, inbox == inboxes[0])),
            _ => ("closed", Some(["solved", "cancelled", "closed"][k % 3].to_string()), None),
        };
        let visitor = token("visitor", k);
        convs.push(vec![
            I(id),
            I(inbox),
            I(id),
            S(status.into()),
            O(reason),
            N(assignee),
            I(created),
            N(Some(activity)),
            N(Some(activity)),
            N(Some(activity)),
            I(activity),
            S(sha256_hex(&visitor)),
            O(Some(format!("{} — thanks", name))),
        ]);
        // The scenarios send and stream on unassigned chats only: every console of the
        // inbox may read those, operators included, whatever their state does meanwhile.
        // An operator's stream never carries a colleague's open chat (server
        // `chat_scope`), and a customer's message can reopen a closed one: with assigned
        // chats, who should see a message would depend on the order of the run.
        if assignee.is_none() {
            fixture_convs.push(Conversation { id, inbox, visitor_token: visitor });
        }
    }
    insert_rows(&mut tx, "customers", &["id", "name", "email", "first_seen_at", "last_seen_at"], customers).await?;
    insert_rows(
        &mut tx,
        "conversations",
        &[
            "id",
            "inbox_id",
            "customer_id",
            "status",
            "close_reason",
            "assignee_id",
            "created_at",
            "last_message_at",
            "last_customer_message_at",
            "awaiting_since",
            "activity_at",
            "visitor_token_hash",
            "last_message_preview",
        ],
        convs,
    )
    .await?;

    phases.push(format!("rows before the messages {:.1} s", started.elapsed().as_secs_f64()));
    let at = Instant::now();
    // Messages: `size.messages` spread over the conversations the scenarios use
    // (assigned chats have none), alternating customer and agent, in time order
    // within each conversation.
    let with_messages = fixture_convs.len().max(1);
    let per = size.messages / with_messages;
    let mut extra = size.messages - per * with_messages;
    let rare_every = (size.messages / RARE_COUNT).max(1);
    let mut written = 0usize;
    if sqlite {
        // One FTS5 rebuild after the load is several times faster than a trigger
        // per row; the triggers come back exactly as migration 0003 wrote them.
        sqlx::query("DROP TRIGGER messages_fts_insert").execute(&mut *tx).await?;
    }
    let mut batch = Vec::with_capacity(20_000);
    for (k, conv) in fixture_convs.iter().enumerate() {
        let count = per
            + if extra > 0 {
                extra -= 1;
                1
            } else {
                0
            };
        let activity = now - k as i64 * step;
        for j in 0..count {
            let customer = j % 2 == 0;
            let rare = written % rare_every == rare_every / 2 && written / rare_every < RARE_COUNT;
            batch.push(vec![
                I(conv.id),
                S(if customer { "customer" } else { "agent" }.into()),
                N(if customer { None } else { Some(2 + (k % inboxes.len()) as i64) }),
                O(Some(if customer { "Customer".into() } else { "Agent".into() })),
                S(body(&mut rng, rare)),
                S(format!("seed-{j}")),
                I(activity - (count - j) as i64 * 30_000),
            ]);
            written += 1;
            if batch.len() == 20_000 {
                insert_rows(
                    &mut tx,
                    "messages",
                    &["conversation_id", "author_kind", "author_id", "author_name", "body", "client_id", "created_at"],
                    std::mem::take(&mut batch),
                )
                .await?;
            }
        }
    }
    insert_rows(
        &mut tx,
        "messages",
        &["conversation_id", "author_kind", "author_id", "author_name", "body", "client_id", "created_at"],
        batch,
    )
    .await?;
    phases.push(format!("messages {:.1} s", at.elapsed().as_secs_f64()));
    if sqlite {
        let at = Instant::now();
        sqlx::query("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')").execute(&mut *tx).await?;
        sqlx::query(FTS_INSERT_TRIGGER).execute(&mut *tx).await?;
        phases.push(format!("full-text index {:.1} s", at.elapsed().as_secs_f64()));
    }
    let at = Instant::now();
    // The reports' figures, as the write path keeps them: a cycle per chat, answered
    // 10 s to 30 min after it started (waiting chats not yet), resolved at the last
    // activity when closed; a rating on every third solved chat.
    sqlx::query(
        "INSERT INTO conversation_cycles (conversation_id, started_at, first_response_at, first_responder_id, resolved_at, close_reason, resolver_id)
         SELECT id, created_at,
                CASE WHEN status <> 'new' THEN created_at + 10000 + (id * 7919) % 1790000 END,
                CASE WHEN status <> 'new' THEN COALESCE(assignee_id, 2 + (id % 3)) END,
                CASE WHEN status = 'closed' THEN activity_at END,
                close_reason,
                CASE WHEN status = 'closed' THEN 2 + (id % 3) END
         FROM conversations",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE conversations SET csat_score = 1 + (id * 31) % 5, csat_at = activity_at + 60000
         WHERE status = 'closed' AND close_reason = 'solved' AND id % 3 = 0",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    phases.push(format!("report rows and commit {:.1} s", at.elapsed().as_secs_f64()));
    let at = Instant::now();
    // What a long-running server's statistics would know by now.
    sqlx::query("ANALYZE").execute(&pool).await?;
    if sqlite {
        sqlx::raw_sql("PRAGMA journal_mode = WAL").execute(&pool).await?;
    }
    phases.push(format!("ANALYZE {:.1} s", at.elapsed().as_secs_f64()));
    pool.close().await;

    // Open conversations take the live traffic: put them first.
    fixture_convs.sort_by_key(|c| {
        let k = (c.id - 1) as usize;
        (k * 10 / n.max(1) != 1 && k * 10 / n.max(1) != 2 && k * 10 / n.max(1) != 3, c.id)
    });
    Ok(Fixture {
        inboxes: inboxes.clone(),
        admin: agent(0),
        supervisors: (1..=inboxes.len()).map(agent).collect(),
        busy: (1 + inboxes.len()..agents.len()).map(agent).collect(),
        conversations: fixture_convs,
        messages: written,
        seconds: started.elapsed().as_secs_f64(),
        phases: phases.join(", "),
    })
}
