//! The inbox list query on both back ends: visibility by role, groups, filters with a
//! fixed clock, search on every field, hostile input, and keyset pages.
use app::accounts::{store as agents, Role};
use app::conversations::store::{start, StartVisitor};
use app::conversations::handling::{close, Actor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, CloseReason, Context, Status, Visibility};
use app::db::Db;
use app::list::query::{page, Viewer};
use app::list::{FollowUp, Group, ListQuery, Sort, Started};
use app::inboxes::{store as inboxes, MemberRole};
use crate::common::{T0};

const HOUR: i64 = 3_600_000;

struct World {
    admin: Viewer,
    sup: Viewer,
    op1: Viewer,
    op2: Viewer,
    outsider: Viewer,
    a_key: String,
    b_key: String,
}

async fn agent(db: &Db, email: &str, role: Role) -> Viewer {
    let new = agents::NewAgent { email, name: email, role, password_hash: "h" };
    Viewer { id: agents::insert(db, new, T0).await.unwrap(), role, inboxes: Vec::new() }
}

async fn world(db: &Db) -> World {
    let a = inboxes::create(db, "A", T0).await.unwrap();
    let b = inboxes::create(db, "B", T0).await.unwrap();
    let w = World {
        admin: agent(db, "admin@x.io", Role::Admin).await,
        sup: agent(db, "sup@x.io", Role::Supervisor).await,
        op1: agent(db, "op1@x.io", Role::Operator).await,
        op2: agent(db, "op2@x.io", Role::Operator).await,
        outsider: agent(db, "out@x.io", Role::Operator).await,
        a_key: key(db, a).await,
        b_key: key(db, b).await,
    };
    inboxes::set_member(db, a, w.sup.id, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(db, a, w.op1.id, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(db, a, w.op2.id, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(db, b, w.outsider.id, Some(MemberRole::Operator)).await.unwrap();
    w
}

async fn key(db: &Db, id: i64) -> String {
    sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(id).fetch_one(db.pool()).await.unwrap()
}

/// A conversation started at `at` by `name`, with one customer message.
async fn chat(db: &Db, key: &str, name: &str, at: i64, text: &str, ctx: Option<&str>) -> i64 {
    let hash = visitor::hash_token(&format!("{name}-{at}-{}", app::tokens::random_id()));
    let context = ctx.map(|l| Context { label: Some(l.into()), ..Context::default() });
    let email = format!("{}@mail.test", name.to_lowercase().replace(' ', "."));
    let req = StartVisitor { inbox_key: key, token_hash: &hash, name: Some(name), email: Some(&email), context: context.as_ref() };
    let id = start(db, req, at).await.unwrap().0.id;
    let out = Outgoing { conversation_id: id, author: Author::Customer, client_id: "q", body: text, visibility: Visibility::Public, file: None };
    send(db, out, at).await.unwrap();
    id
}

async fn reply(db: &Db, conv: i64, who: &Viewer, at: i64) {
    let out = Outgoing { conversation_id: conv, author: Author::Agent { id: who.id, name: "Agent" }, client_id: &format!("r{at}"), body: "on it", visibility: Visibility::Public, file: None };
    send(db, out, at).await.unwrap();
}

async fn assign(db: &Db, conv: i64, who: &Viewer) {
    sqlx::query("UPDATE conversations SET assignee_id = $1 WHERE id = $2").bind(who.id).bind(conv).execute(db.pool()).await.unwrap();
}

async fn ids(db: &Db, v: &Viewer, q: ListQuery, now: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = page(db, v, &q, now).await.unwrap().rows.into_iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

test_both_dbs!(visibility_and_groups_follow_roles, |db| async move {
    let w = world(&db).await;
    let mine = chat(&db, &w.a_key, "Mine One", T0, "help", None).await;
    assign(&db, mine, &w.op1).await;
    let theirs = chat(&db, &w.a_key, "Theirs Two", T0, "help", None).await;
    assign(&db, theirs, &w.op2).await;
    let free = chat(&db, &w.a_key, "Free Three", T0, "help", None).await;
    let done = chat(&db, &w.a_key, "Done Four", T0, "help", None).await;
    assign(&db, done, &w.op2).await;
    let op2 = Actor { id: w.op2.id, name: "Op2".into(), is_admin: false, address: None, token: None };
    close(&db, done, &op2, CloseReason::Solved, T0 + 1).await.unwrap();
    let other_inbox = chat(&db, &w.b_key, "Elsewhere Five", T0, "help", None).await;
    let all = ListQuery::default;

    assert_eq!(ids(&db, &w.op1, all(), T0).await, vec![mine, free, done], "no colleague's open chat, no other inbox");
    assert_eq!(ids(&db, &w.sup, all(), T0).await, vec![mine, theirs, free, done]);
    assert_eq!(ids(&db, &w.admin, all(), T0).await, vec![mine, theirs, free, done, other_inbox]);
    assert_eq!(ids(&db, &w.outsider, all(), T0).await, vec![other_inbox]);

    let group = |g| ListQuery { group: g, ..all() };
    assert_eq!(ids(&db, &w.op1, group(Group::Mine), T0).await, vec![mine]);
    assert_eq!(ids(&db, &w.op1, group(Group::Unassigned), T0).await, vec![free]);
    assert_eq!(ids(&db, &w.op1, group(Group::Closed), T0).await, vec![done]);
    assert_eq!(ids(&db, &w.sup, ListQuery { status: Some(Status::Closed), ..all() }, T0).await, vec![done]);
    // An inbox filter never widens what the viewer may see.
    let b_id: i64 = sqlx::query_scalar("SELECT id FROM inboxes WHERE name = 'B'").fetch_one(db.pool()).await.unwrap();
    assert!(ids(&db, &w.op1, ListQuery { inbox: Some(b_id), ..all() }, T0).await.is_empty());
});

test_both_dbs!(started_dates_use_the_agents_time_zone, |db| async move {
    let w = world(&db).await;
    // Agent in UTC+10. T0 is 2026-09-21 14:13 UTC = 2026-09-22 00:13 there.
    let tz = 600;
    let midnight = app::list::query::day_start(T0, tz);
    let today = chat(&db, &w.a_key, "Today", midnight + 1_000, "x", None).await;
    let yesterday_late = chat(&db, &w.a_key, "Yesterday", midnight - 1_000, "x", None).await;
    let yesterday_early = chat(&db, &w.a_key, "Yesterday Early", midnight - 24 * HOUR, "x", None).await;
    let last_week = chat(&db, &w.a_key, "Last Week", midnight - 6 * 24 * HOUR, "x", None).await;
    let old = chat(&db, &w.a_key, "Old", midnight - 40 * 24 * HOUR, "x", None).await;
    let q = |started| ListQuery { started, tz, ..ListQuery::default() };
    assert_eq!(ids(&db, &w.sup, q(Started::Today), T0).await, vec![today]);
    assert_eq!(ids(&db, &w.sup, q(Started::Yesterday), T0).await, vec![yesterday_late, yesterday_early]);
    assert_eq!(ids(&db, &w.sup, q(Started::Last7), T0).await, vec![today, yesterday_late, yesterday_early, last_week]);
    assert_eq!(ids(&db, &w.sup, q(Started::Last30), T0).await.len(), 4);
    assert_eq!(ids(&db, &w.sup, q(Started::All), T0).await.len(), 5);
    assert!(!ids(&db, &w.sup, q(Started::Last30), T0).await.contains(&old));
    // In UTC the same instant is still the 21st: "Today" starts 10 hours earlier.
    let utc = ListQuery { started: Started::Today, tz: 0, ..ListQuery::default() };
    assert_eq!(ids(&db, &w.sup, utc, T0).await, vec![today, yesterday_late]);
});

test_both_dbs!(follow_up_semantics, |db| async move {
    let w = world(&db).await;
    let waiting = chat(&db, &w.a_key, "Waiting", T0, "hello?", None).await;
    let by_me = chat(&db, &w.a_key, "By Me", T0, "hello?", None).await;
    reply(&db, by_me, &w.op1, T0 + 10).await;
    let by_other = chat(&db, &w.a_key, "By Other", T0, "hello?", None).await;
    reply(&db, by_other, &w.op2, T0 + 10).await;
    let again = chat(&db, &w.a_key, "Again", T0, "hello?", None).await;
    reply(&db, again, &w.op1, T0 + 10).await;
    let out = Outgoing { conversation_id: again, author: Author::Customer, client_id: "q2", body: "and?", visibility: Visibility::Public, file: None };
    send(&db, out, T0 + 20).await.unwrap();
    let q = |f| ListQuery { follow_up: Some(f), ..ListQuery::default() };
    assert_eq!(ids(&db, &w.sup, q(FollowUp::Awaiting), T0).await, vec![waiting, again]);
    assert_eq!(ids(&db, &w.op1, q(FollowUp::ByMe), T0).await, vec![by_me, again]);
    assert_eq!(ids(&db, &w.op1, q(FollowUp::ByOthers), T0).await, vec![by_other]);
    // Combinations narrow each other.
    let open_awaiting = ListQuery { follow_up: Some(FollowUp::Awaiting), status: Some(app::conversations::Status::Open), ..ListQuery::default() };
    assert_eq!(ids(&db, &w.sup, open_awaiting, T0).await, vec![again]);
    let new_today = ListQuery { status: Some(app::conversations::Status::New), started: Started::Today, group: Group::Unassigned, ..ListQuery::default() };
    assert_eq!(ids(&db, &w.sup, new_today, T0).await, vec![waiting]);
    let mine_by_me = ListQuery { group: Group::Mine, follow_up: Some(FollowUp::ByMe), ..ListQuery::default() };
    assert!(ids(&db, &w.op1, mine_by_me, T0).await.is_empty(), "nothing is assigned to op1 here");
});

test_both_dbs!(search_covers_every_field_and_stays_literal, |db| async move {
    let w = world(&db).await;
    let robin = chat(&db, &w.a_key, "Robin Hood", T0, "my parcel never arrived", Some("Order 77")).await;
    let other = chat(&db, &w.a_key, "Maid Marian", T0, "the 50% discount_code fails", None).await;
    let hidden = chat(&db, &w.b_key, "Robin Other", T0, "parcel in inbox B", None).await;
    sqlx::query("UPDATE customers SET external_id = 'cust-9' WHERE name = 'Maid Marian'").execute(db.pool()).await.unwrap();
    let s = |text: &str| ListQuery { q: Some(text.into()), ..ListQuery::default() };
    assert_eq!(ids(&db, &w.sup, s("robin"), T0).await, vec![robin], "name; inbox B stays hidden");
    assert_eq!(ids(&db, &w.admin, s("robin"), T0).await, vec![robin, hidden]);
    assert_eq!(ids(&db, &w.sup, s("maid.marian@mail"), T0).await, vec![other], "email");
    assert_eq!(ids(&db, &w.sup, s("cust-9"), T0).await, vec![other], "external id");
    assert_eq!(ids(&db, &w.sup, s("order 77"), T0).await, vec![robin], "context label");
    assert_eq!(ids(&db, &w.sup, s("parcel"), T0).await, vec![robin], "message text");
    assert_eq!(ids(&db, &w.sup, s("never arrived"), T0).await, vec![robin], "two words");
    assert_eq!(ids(&db, &w.sup, s("50%"), T0).await, vec![other], "% is literal");
    for hostile in ["%", "_", "' OR 1=1 --", "\"", "*", "parcel\" OR \"x", "NEAR(", "\\", ");DROP TABLE messages;--"] {
        let found = page(&db, &w.sup, &s(hostile), T0).await;
        assert!(found.is_ok(), "{hostile:?}: {found:?}");
        let n = found.unwrap().rows.len();
        assert!(n <= 1, "{hostile:?} matched {n} rows literally at most");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(db.pool()).await.unwrap();
    assert!(n >= 3, "nothing was dropped");
});

test_both_dbs!(keyset_pages_cover_everything_once_in_every_sort, |db| async move {
    let w = world(&db).await;
    let mut all = Vec::new();
    for i in 0..63 {
        // Equal keys in pairs, so the id tie-breaker is exercised.
        all.push(chat(&db, &w.a_key, &format!("Customer {:02}", i / 2), T0 + (i / 2) * HOUR, "hi", None).await);
    }
    all.sort();
    for sort in [Sort::Activity, Sort::Started, Sort::NameAsc, Sort::NameDesc] {
        let mut seen = Vec::new();
        let mut q = ListQuery { sort, size: 25, ..ListQuery::default() };
        let mut pages = Vec::new();
        loop {
            let p = page(&db, &w.sup, &q, T0).await.unwrap();
            seen.extend(p.rows.iter().map(|r| r.id));
            pages.push(p.clone());
            match p.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        assert_eq!(pages.len(), 3, "{sort:?}");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, all, "{sort:?}: every row exactly once");
        // And back: the previous page of page 3 is page 2.
        let back = ListQuery { sort, size: 25, before: pages[2].prev.clone(), ..ListQuery::default() };
        let p = page(&db, &w.sup, &back, T0).await.unwrap();
        assert_eq!(p.rows, pages[1].rows, "{sort:?}");
        assert!(pages[0].prev.is_none());
    }
    let bad = ListQuery { after: Some("garbage".into()), ..ListQuery::default() };
    assert_eq!(page(&db, &w.sup, &bad, T0).await.unwrap_err().status(), 400);
    let bad = ListQuery { size: 7, ..ListQuery::default() };
    assert_eq!(page(&db, &w.sup, &bad, T0).await.unwrap_err().status(), 422);
});

test_both_dbs!(a_page_is_one_statement_that_walks_the_activity_index, |db| async move {
    let w = world(&db).await;
    for i in 0..30 {
        chat(&db, &w.a_key, &format!("Plan {i}"), T0 + i, "hi", None).await;
    }
    let plan = app::list::query::explain(&db, &w.admin, &ListQuery::default(), T0).await.unwrap();
    let text = plan.join("\n");
    if db.dialect() == app::db::Dialect::Sqlite {
        assert!(text.contains("conversations_activity_key_idx"), "uses the activity index: {text}");
        assert!(!text.contains("TEMP B-TREE FOR ORDER BY"), "no sort step: {text}");
    } else {
        assert!(!text.is_empty(), "PostgreSQL explains the statement: {text}");
    }
    // Chats started this week, newest activity first: the activity index again, no sort.
    let week = ListQuery { started: app::list::Started::Last7, ..ListQuery::default() };
    let text = app::list::query::explain(&db, &w.admin, &week, T0).await.unwrap().join("\n");
    if db.dialect() == app::db::Dialect::Sqlite {
        assert!(text.contains("conversations_activity_key_idx") && !text.contains("TEMP B-TREE FOR ORDER BY"), "{text}");
    }
    let started = ListQuery { sort: Sort::Started, ..ListQuery::default() };
    let text = app::list::query::explain(&db, &w.admin, &started, T0).await.unwrap().join("\n");
    if db.dialect() == app::db::Dialect::Sqlite {
        assert!(text.contains("conversations_created_key_idx"), "{text}");
    }
});

test_both_dbs!(every_way_of_searching_finds_the_same_chats, |db| async move {
    use app::list::query::{matches, page_as, Matches};
    let w = world(&db).await;
    let texts = [
        "my order is late", "border control", "please re-order it", "Orders: 2", "ORDERED twice",
        "preorder only", "order42 arrived", "where is 42", "the order, 42 days late", "nothing here",
    ];
    let mut by_text = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let page = (i == 9).then_some("Returns page");
        by_text.push(chat(&db, &w.a_key, &format!("Buyer {i}"), T0 + i as i64, t, page).await);
    }
    // A line the customer never saw matches nothing.
    let secret = chat(&db, &w.a_key, "Quiet One", T0 + 50, "hello", None).await;
    sqlx::query(
        "INSERT INTO messages (conversation_id, author_kind, author_id, author_name, body, client_id, visibility, whisper, created_at)
         VALUES ($1, 'agent', $2, 'Sup', 'order secretly', 'x1', 'off_record', 0, $3)",
    )
    .bind(secret).bind(w.sup.id).bind(T0 + 51).execute(db.pool()).await.unwrap();
    let s = |text: &str| ListQuery { q: Some(text.into()), ..ListQuery::default() };
    let expect = |picks: &[usize]| { let mut v: Vec<i64> = picks.iter().map(|&i| by_text[i]).collect(); v.sort(); v };
    let cases: [(&str, Vec<i64>); 8] = [
        ("order", expect(&[0, 2, 3, 4, 6, 8])),
        ("ORD", expect(&[0, 2, 3, 4, 6, 8])),
        ("order 42", expect(&[8])),
        ("42", expect(&[7, 8])),
        ("secretly", vec![]),
        // Inside the customer's name and email, and the chat's page.
        ("uyer 3", expect(&[3])),
        ("BUYER.7@MAIL", expect(&[7])),
        ("eturns pa", expect(&[9])),
    ];
    for (text, want) in cases {
        let mut found = Vec::new();
        for how in [Matches::Few, Matches::Indexed, Matches::Many, Matches::Dense] {
            let mut got: Vec<i64> = page_as(&db, &w.sup, &s(text), T0, how).await.unwrap().rows.iter().map(|r| r.id).collect();
            got.sort();
            found.push(got);
        }
        assert!(found.iter().all(|f| *f == found[0]), "{text:?}: every way agrees: {found:?}");
        // PostgreSQL matches whole words ('simple' text search), SQLite word starts.
        if db.dialect() == app::db::Dialect::Sqlite {
            assert_eq!(found[0], want, "{text:?}");
        }
    }
    let sqlite = db.dialect() == app::db::Dialect::Sqlite;
    let rare = if sqlite { Matches::Indexed } else { Matches::Few };
    assert_eq!(matches(&db, &s("zanzibar")).await.unwrap(), rare);
    assert_eq!(matches(&db, &s("zq")).await.unwrap(), Matches::Few, "too short for a trigram");
    // The trigram indexes follow a renamed customer and a changed page.
    sqlx::query("UPDATE customers SET name = 'Renamed Person' WHERE name = 'Buyer 3'").execute(db.pool()).await.unwrap();
    sqlx::query("UPDATE conversations SET context_label = 'Billing page' WHERE id = $1").bind(by_text[9]).execute(db.pool()).await.unwrap();
    for (text, want) in [("enamed pers", expect(&[3])), ("uyer 3", vec![]), ("illing pa", expect(&[9])), ("eturns pa", vec![])] {
        assert_eq!(matches(&db, &s(text)).await.unwrap(), rare, "{text:?}");
        let got: Vec<i64> = page(&db, &w.sup, &s(text), T0).await.unwrap().rows.iter().map(|r| r.id).collect();
        assert_eq!(got, want, "{text:?}");
    }
    if sqlite {
        // A rare search starts from the indexes' candidates, not from every chat in order.
        let plan = app::list::query::explain(&db, &w.sup, &s("zanzibar"), T0).await.unwrap().join("\n");
        assert!(plan.contains("SEARCH c USING INTEGER PRIMARY KEY") && plan.contains("customers_trgm"), "{plan}");
    }
    // Twenty recent lines with the word: walking the list beats asking the index.
    for i in 0..20 {
        chat(&db, &w.a_key, &format!("Later {i}"), T0 + 100 + i, "another order please", None).await;
    }
    let dense = if db.dialect() == app::db::Dialect::Sqlite { Matches::Dense } else { Matches::Few };
    assert_eq!(matches(&db, &s("order")).await.unwrap(), dense);
    let all = ListQuery { size: 50, ..s("order") };
    // The twenty, and the earlier chats with the word: six as word starts, three whole.
    let earlier = if db.dialect() == app::db::Dialect::Sqlite { 6 } else { 3 };
    assert_eq!(page(&db, &w.sup, &all, T0).await.unwrap().rows.len(), 20 + earlier);
});
