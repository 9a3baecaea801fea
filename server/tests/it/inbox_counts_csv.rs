//! Counters, read markers and the CSV download, on both back ends.
use app::accounts::Role;
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Visibility};
use app::list::counts::{counters, mark_read};
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_text, TestApp, T0};

async fn chat(app: &TestApp, inbox: i64, name: &str, text: &str) -> i64 {
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(app.db().pool()).await.unwrap();
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some(name), email: None, context: None };
    let id = start(app.db(), req, T0).await.unwrap().0.id;
    customer_says(app, id, text).await;
    id
}

async fn customer_says(app: &TestApp, conv: i64, text: &str) {
    let out = Outgoing { conversation_id: conv, author: Author::Customer, client_id: &app::tokens::random_id(), body: text, visibility: Visibility::Public, file: None };
    send(app.db(), out, T0).await.unwrap();
}

test_both_dbs!(counters_follow_roles_and_read_markers, |db| async move {
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "A", T0).await.unwrap();
    let b = inboxes::create(app.db(), "B", T0).await.unwrap();
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    let sup = app.agent("sup@x.io", Role::Supervisor, "password-1").await;
    inboxes::set_member(app.db(), a, op, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(app.db(), b, sup, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(app.db(), a, sup, Some(MemberRole::Operator)).await.unwrap();

    let assigned = chat(&app, a, "Assigned", "hi").await;
    sqlx::query("UPDATE conversations SET assignee_id = $1, status = 'open' WHERE id = $2").bind(op).bind(assigned).execute(app.db().pool()).await.unwrap();
    chat(&app, a, "Free in A", "hi").await;
    chat(&app, b, "Free in B", "hi").await;

    let c = counters(app.db(), op, Role::Operator).await.unwrap();
    assert_eq!((c.red, c.blue), (1, 1), "op: one unread assigned; one new unassigned in A");
    let c = counters(app.db(), sup, Role::Supervisor).await.unwrap();
    assert_eq!((c.red, c.blue), (1, 2), "supervises B (1 unassigned); member of A and B for blue");

    mark_read(app.db(), assigned, op).await.unwrap();
    assert_eq!(counters(app.db(), op, Role::Operator).await.unwrap().red, 0, "opening it marks it read");
    customer_says(&app, assigned, "still there?").await;
    assert_eq!(counters(app.db(), op, Role::Operator).await.unwrap().red, 1, "a new message makes it unread again");

    let page = app::list::query::page(app.db(), &app::list::query::Viewer { id: op, role: Role::Operator, inboxes: Vec::new() }, &Default::default(), T0).await.unwrap();
    let row = page.rows.iter().find(|r| r.id == assigned).unwrap();
    assert_eq!(row.unread, 1, "per-row unread count since the marker");
});

fn csv_request(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap()
}

test_both_dbs!(the_csv_download_is_scoped_escaped_and_parses, |db| async move {
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "A", T0).await.unwrap();
    let b = inboxes::create(app.db(), "B", T0).await.unwrap();
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), a, op, Some(MemberRole::Operator)).await.unwrap();
    chat(&app, a, "=HYPERLINK(\"http://evil\")", "+1 call me, \"now\"\nplease").await;
    for i in 0..120 {
        chat(&app, a, &format!("Bulk {i:03}"), "hello").await;
    }
    chat(&app, b, "Secret in B", "hidden").await;
    let cookie = app.login("op@x.io", "password-1").await;

    let res = app.send(csv_request("/api/conversations.csv", &cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let text = body_text(res).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().next(), Some("started"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 121, "every row of inbox A across pages, none of B");
    assert!(rows.iter().all(|r| &r[3] != "Secret in B"));
    let evil = rows.iter().find(|r| r[3].contains("HYPERLINK")).unwrap();
    assert_eq!(&evil[3], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&evil[2], "'+1 call me, \"now\"\nplease");
    assert!(evil[0].ends_with('Z') && evil[0].contains('T'), "ISO 8601: {}", &evil[0]);

    let filtered = body_text(app.send(csv_request("/api/conversations.csv?q=bulk%20007", &cookie)).await).await;
    assert_eq!(filtered.lines().count(), 2, "the same filters as the list: {filtered}");
    for bad in ["/api/conversations.csv?status=bogus", "/api/conversations.csv?nonsense=1", "/api/conversations.csv?size=7"] {
        assert!(app.send(csv_request(bad, &cookie)).await.status().is_client_error(), "{bad}");
    }
    let anon = Request::get("/api/conversations.csv").header(header::HOST, "localhost").body(Body::empty()).unwrap();
    assert_eq!(app.send(anon).await.status(), StatusCode::UNAUTHORIZED);
});
