//! The audit log: every audited action writes its entry (with before and after for a
//! setting), no route changes an entry, the database refuses an UPDATE, the filters
//! and keyset paging work, and retention deletes only entries past the kept days.
use crate::common::{body_text, json_request, TestApp, T0};
use crate::hardening::inbox;
use crate::live::visitor_start;
use crate::settings::form;
use app::accounts::Role;
use app::audit::{self as audit, Action};
use app::audit_log::{store as log, AuditQuery};
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

type Snapshot = Vec<(i64, i64, Option<i64>, String, String, Option<String>, String)>;

async fn snapshot(app: &TestApp) -> Snapshot {
    sqlx::query_as("SELECT id, at, actor_id, action, target_type, target_id, detail FROM audit_log ORDER BY id")
        .fetch_all(app.db().pool())
        .await
        .unwrap()
}

async fn actions(app: &TestApp) -> Vec<String> {
    snapshot(app).await.into_iter().map(|r| r.3).collect()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap()
}

async fn ok(app: &TestApp, path: &str, body: &str, cookie: &str) -> String {
    let res = app.post_form(path, body, Some(cookie)).await;
    let status = res.status();
    let text = body_text(res).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    text
}

test_both_dbs!(every_audited_action_writes_its_entry_and_none_changes_one, |db| async move {
    let app = TestApp::new(db);
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let ada = app.login("ada@x.io", "password-1").await;
    assert_eq!(app.post_form("/api/login", "email=ada%40x.io&password=wrong-one", None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.post_form("/api/login", "email=nobody%40x.io&password=wrong-one", None).await.status(), StatusCode::UNAUTHORIZED);
    let failed: Vec<(Option<String>, String)> =
        sqlx::query_as("SELECT target_id, detail FROM audit_log WHERE action = 'login.failed' ORDER BY id").fetch_all(app.db().pool()).await.unwrap();
    let ada_id: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = 'ada@x.io'").fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(failed[0].0.as_deref(), Some(ada_id.to_string().as_str()));
    assert!(failed[0].1.contains("wrong password") && !failed[0].1.contains("wrong-one"), "{}", failed[0].1);
    assert!(failed[1].1.contains("unknown email"), "{}", failed[1].1);

    // Agents, inboxes and their settings.
    let kim: i64 = ok(&app, "/api/admin/agents/create", "email=kim%40x.io&name=Kim&role=operator&password=password-1", &ada).await.parse().unwrap();
    let (support, key) = inbox(&app, "Support").await;
    let (sales, _) = inbox(&app, "Sales").await;
    inboxes::set_member(app.db(), support, ada_id, Some(MemberRole::Supervisor)).await.unwrap();
    inboxes::set_member(app.db(), sales, ada_id, Some(MemberRole::Supervisor)).await.unwrap();
    ok(&app, "/api/admin/inboxes/member", &format!("inbox_id={support}&agent_id={kim}&role=operator"), &ada).await;
    // The chat starts before the pre-chat form asks for an email.
    let conv = visitor_start(&app, &key, "visitor-audit-aaaaaaaaaaaaaaaaaaaaaa").await;
    ok(&app, "/api/admin/inboxes/prechat", &format!("inbox_id={support}&enabled=on"), &ada).await;
    let routing = form(&[("inbox_id", &support.to_string()), ("assignment", "auto"), ("capacity", "4"), ("offline_chats", "return")]);
    ok(&app, "/api/admin/routing/save", &routing, &ada).await;
    let before_chats = snapshot(&app).await;

    // A chat: assigned, moved, exported, then deleted; the list exported.
    ok(&app, "/api/conversations/assign", &format!("id={conv}&agent_id={kim}"), &ada).await;
    ok(&app, "/api/conversations/move", &format!("id={conv}&inbox_id={sales}"), &ada).await;
    let export = app.send(get(&format!("/api/conversations/{conv}/export.csv"), &ada)).await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(app.send(get("/api/conversations.csv?status=open", &ada)).await.status(), StatusCode::OK);
    // The customer of another chat: their data downloaded, then erased.
    let other = visitor_start(&app, &key, "visitor-audit-bbbbbbbbbbbbbbbbbbbbbb").await;
    let customer: i64 = sqlx::query_scalar("SELECT customer_id FROM conversations WHERE id = $1").bind(other).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(app.send(get(&format!("/api/customers/{customer}/export.json"), &ada)).await.status(), StatusCode::OK);
    ok(&app, "/api/customers/erase", &format!("customer_id={customer}"), &ada).await;
    ok(&app, "/api/conversations/delete", &format!("id={conv}"), &ada).await;

    // A webhook: subscribed, tested, turned off, removed.
    let sub = ok(&app, "/api/admin/webhooks/create", "url=http%3A%2F%2F127.0.0.1%3A9%2Fhook&events=message.created&allow_private=on", &ada).await;
    let sub: i64 = serde_json::from_str::<serde_json::Value>(&sub).unwrap()["id"].as_i64().unwrap();
    ok(&app, "/api/admin/webhooks/enable", &format!("id={sub}&enabled=false"), &ada).await;
    ok(&app, "/api/admin/webhooks/delete", &format!("id={sub}"), &ada).await;

    // API tokens, the log's own retention, its download, a deactivation and a logout.
    let token = ok(&app, "/api/admin/tokens/create", "name=LMS", &ada).await;
    assert!(token.contains("sbk_"));
    let token_id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'LMS'").fetch_one(app.db().pool()).await.unwrap();
    ok(&app, "/api/admin/tokens/revoke", &format!("id={token_id}"), &ada).await;
    ok(&app, "/api/admin/audit/retention", "days=400", &ada).await;
    let csv = app.send(get("/api/admin/audit.csv?action=conversation.move", &ada)).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = body_text(csv).await;
    assert!(csv.starts_with("id,at,actor,action,target,changes,address"), "{csv}");
    assert!(csv.contains("conversation.move") && csv.contains(&format!("inbox_id: {support} → {sales}")), "{csv}");
    assert!(!csv.contains("agent.create"), "the filter holds: {csv}");
    ok(&app, "/api/admin/agents/active", &format!("id={kim}&active=false"), &ada).await;
    ok(&app, "/api/logout", "", &ada).await;

    let done = actions(&app).await;
    for a in [
        Action::LoginSucceeded, Action::LoginFailed, Action::Logout, Action::AgentCreate, Action::AgentDeactivate,
        Action::InboxMember, Action::InboxPrechat, Action::InboxRouting, Action::ConversationAssign, Action::ConversationMove,
        Action::ConversationExport, Action::ListExport, Action::ConversationDelete, Action::TokenCreate, Action::TokenRevoke,
        Action::AuditRetention, Action::AuditExport, Action::CustomerExport, Action::CustomerErase,
        Action::WebhookCreate, Action::WebhookUpdate, Action::WebhookDelete,
    ] {
        assert!(done.iter().any(|d| d == a.as_str()), "{} was not audited: {done:?}", a.as_str());
    }
    // Settings carry before and after; the assignment names both assignees.
    let detail = |action: &'static str| {
        let db = app.db().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT detail FROM audit_log WHERE action = $1 ORDER BY id DESC")
                .bind(action)
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };
    let routing: serde_json::Value = serde_json::from_str(&detail("inbox.routing").await).unwrap();
    assert_eq!((routing["before"]["assignment"].as_str(), routing["after"]["assignment"].as_str()), (Some("manual"), Some("auto")));
    let assign: serde_json::Value = serde_json::from_str(&detail("conversation.assign").await).unwrap();
    assert_eq!(assign, json!({ "before": { "assignee_id": null }, "after": { "assignee_id": kim } }));
    assert_eq!(detail("audit.retention").await, r#"{"after":{"days":400},"before":{"days":365}}"#);
    let erased = detail("customer.erase").await;
    assert!(!erased.contains("visitor") && erased.contains("messages"), "counts only, never content: {erased}");

    // Nothing that ran changed an entry written before it.
    let now = snapshot(&app).await;
    assert_eq!(&now[..before_chats.len()], &before_chats[..]);
    // And the database refuses a change outright.
    let update = sqlx::query("UPDATE audit_log SET action = 'nothing' WHERE id = $1").bind(now[0].0).execute(app.db().pool()).await;
    assert!(update.is_err(), "an UPDATE of the audit log must fail");
    assert_eq!(snapshot(&app).await, now);
});

test_both_dbs!(audit_filters_page_by_keyset_and_retention_deletes_only_old_entries, |db| async move {
    let app = TestApp::new(db);
    let day = 24 * 3600 * 1000;
    let ada = app.agent("ada@x.io", Role::Admin, "password-1").await;
    for i in 0..120 {
        let (actor, action) = if i % 3 == 0 { (audit::Actor::system(), Action::RetentionPurge) } else { (audit::Actor::agent(ada, Some("10.0.0.1".into())), Action::InboxCsat) };
        let entry = audit::Entry::new(&actor, action, "inbox", i % 4);
        // One entry a day, the oldest 119 days ago.
        audit::record(app.db(), T0 - (119 - i) * day, entry).await.unwrap();
    }
    // Keyset pages: 50, 50, 20, newest first, no entry twice.
    let mut seen = Vec::new();
    let mut q = AuditQuery::default();
    loop {
        let (rows, next) = log::page(app.db(), &q).await.unwrap();
        seen.extend(rows.iter().map(|r| r.id));
        match next {
            Some(n) => q.before = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    assert!(seen.windows(2).all(|w| w[0] > w[1]));

    let count = |q: AuditQuery| {
        let db = app.db().clone();
        async move { log::page(&db, &q).await.unwrap().0.len() }
    };
    assert_eq!(count(AuditQuery { actor: Some(ada), ..Default::default() }).await, 50);
    assert_eq!(count(AuditQuery { action: Some("retention.purge".into()), ..Default::default() }).await, 40);
    assert_eq!(count(AuditQuery { target: Some("inbox:3".into()), ..Default::default() }).await, 30);
    assert_eq!(count(AuditQuery { target: Some("agent".into()), ..Default::default() }).await, 0);
    // The last three days in UTC: T0's day and the two before it.
    let t0_day = app::timefmt::day(T0);
    let from = app::timefmt::day(T0 - 2 * day);
    assert_eq!(count(AuditQuery { from: Some(from), to: Some(t0_day), ..Default::default() }).await, 3);
    assert!(log::page(app.db(), &AuditQuery { action: Some("made.up".into()), ..Default::default() }).await.is_err());
    assert!(log::page(app.db(), &AuditQuery { from: Some("yesterday".into()), ..Default::default() }).await.is_err());
    let line = log::page(app.db(), &AuditQuery { actor: Some(ada), ..Default::default() }).await.unwrap().0[0].line();
    assert_eq!((line.actor.as_str(), line.action.as_str(), line.address.as_deref()), ("ada@x.io", "Satisfaction survey", Some("10.0.0.1")));

    // Retention of 30 days: entries older than that go, the rest stay untouched.
    log::set_retention_days(app.db(), &audit::Actor::agent(ada, None), 30, T0).await.unwrap();
    let removed = log::expire(app.db(), T0).await.unwrap();
    assert_eq!(removed, 89, "days 119 to 31 before now");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(left, 32, "30 days, today, and the retention change itself");
});

test_both_dbs!(only_admins_read_the_audit_log, |db| async move {
    let app = TestApp::new(db);
    app.agent("sam@x.io", Role::Supervisor, "password-1").await;
    let sam = app.login("sam@x.io", "password-1").await;
    assert_eq!(app.send(get("/api/admin/audit.csv", &sam)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.post_form("/api/admin/audit/retention", "days=90", Some(&sam)).await.status(), StatusCode::FORBIDDEN);
    let anon = app.send(json_request("GET", "/api/admin/audit.csv", None, None)).await;
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let ada = app.login("ada@x.io", "password-1").await;
    let res = app.post_form("/api/admin/audit/retention", "days=7", Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(res).await.contains("between 30 and 3650"));
    let res = app.send(get("/api/admin/audit.csv?from=not-a-day", &ada)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
});

test_both_dbs!(a_role_change_is_audited_and_a_demotion_caps_memberships, |db| async move {
    let app = TestApp::new(db);
    app.agent("ada@x.io", Role::Admin, "password-1").await;
    let ada = app.login("ada@x.io", "password-1").await;
    let ada_id: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = 'ada@x.io'").fetch_one(app.db().pool()).await.unwrap();
    let sam = app.agent("sam@x.io", Role::Supervisor, "password-1").await;
    let (support, _) = inbox(&app, "Support").await;
    inboxes::set_member(app.db(), support, sam, Some(MemberRole::Supervisor)).await.unwrap();

    ok(&app, "/api/admin/agents/role", &format!("id={sam}&role=operator"), &ada).await;
    let role: String = sqlx::query_scalar("SELECT role FROM agents WHERE id = $1").bind(sam).fetch_one(app.db().pool()).await.unwrap();
    let member: String = sqlx::query_scalar("SELECT role FROM inbox_members WHERE agent_id = $1").bind(sam).fetch_one(app.db().pool()).await.unwrap();
    assert_eq!((role.as_str(), member.as_str()), ("operator", "operator"), "an operator supervises no inbox");
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'agent.role'").fetch_one(app.db().pool()).await.unwrap();
    assert_eq!(detail, r#"{"after":{"role":"operator"},"before":{"role":"supervisor"}}"#);
    let own = app.post_form("/api/admin/agents/role", &format!("id={ada_id}&role=operator"), Some(&ada)).await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.post_form("/api/admin/agents/role", &format!("id={sam}&role=boss"), Some(&ada)).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app.post_form("/api/admin/agents/role", "id=999999&role=admin", Some(&ada)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
});
