//! Random input to every route: never a 5xx, never a panic.
use crate::common::{json_request, TestApp};
use crate::hardening::{inbox, start, token};
use app::accounts::Role;
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

/// A small deterministic generator: the same inputs on every run.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn text(&mut self) -> String {
        const PIECES: [&str; 16] = [
            "é", "日本", "😀", "a", "0", "-1", "9223372036854775808", "\"", "'", "<script>", "%", "%ff", "\u{202e}", " ", "{}", "null",
        ];
        let n = (self.next() % 12) as usize;
        (0..n).map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize]).collect()
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = (self.next() % 40) as usize;
        (0..n).map(|_| (self.next() % 256) as u8).collect()
    }
}

fn form_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The server functions the fuzz test below feeds, with their fields.
const FUNCTIONS: [(&str, &[&str]); 34] = [
    ("login", &["email", "password"]),
    ("me", &[]),
    ("inbox/page", &["query[q]", "query[after]", "query[sort]", "query[status]"]),
    ("inbox/counters", &[]),
    ("conversations/thread", &["id"]),
    ("conversations/handling", &["id"]),
    ("conversations/reply", &["conversation_id", "client_id", "body", "internal"]),
    ("conversations/accept", &["id"]),
    ("conversations/assign", &["id", "agent_id"]),
    ("conversations/move", &["id", "inbox_id"]),
    ("conversations/close", &["id", "reason"]),
    ("conversations/read", &["id"]),
    ("customers/panel", &["conversation_id"]),
    ("requests/create", &["conversation_id", "title", "description", "priority"]),
    ("requests/list", &["status"]),
    ("requests/status", &["id", "status"]),
    ("team/start", &["topic", "conversation_id", "request_id"]),
    ("team/get", &["id"]),
    ("team/send", &["session_id", "client_id", "body", "off_record_to"]),
    ("team/timer", &["session_id", "action"]),
    ("admin/agents/create", &["email", "name", "role", "password"]),
    ("admin/inboxes/create", &["name"]),
    ("admin/inboxes/member", &["inbox_id", "agent_id", "role"]),
    ("admin/inboxes/context-link", &["inbox_id", "template"]),
    ("admin/webhooks/create", &["url", "events", "inbox_id", "allow_private"]),
    ("admin/webhooks/enable", &["id", "enabled"]),
    ("admin/webhooks/redeliver", &["id", "delivery"]),
    ("admin/webhooks/test", &["id"]),
    ("customers/erase", &["customer_id"]),
    ("admin/retention/set", &["inbox_id", "days", "purge_transcripts"]),
    ("admin/tokens/create", &["name", "scopes", "inboxes", "per_minute"]),
    ("admin/tokens/revoke", &["id"]),
    ("me/availability", &["availability"]),
    ("admin/agents/active", &["id", "active"]),
];

// Every widget route and every server function, fed random strings (multi-byte, out
// of range, markup) and bytes that are not UTF-8: never a 5xx, never a panic.
test_both_dbs!(random_input_to_every_route_is_never_a_server_error, |db| async move {
    let app = TestApp::new(db);
    let (inbox_id, key) = inbox(&app, "Support").await;
    let admin = app.agent("ada@x.io", Role::Admin, "password-1").await;
    inboxes::set_member(app.db(), inbox_id, admin, Some(MemberRole::Supervisor)).await.unwrap();
    let cookie = app.login("ada@x.io", "password-1").await;
    let (_, t) = start(&app, json!({"inbox": key, "token": token(9)})).await;
    let conv = t["conversation"]["id"].as_i64().unwrap();
    let mut g = Gen(0x5eed_1234_abcd_0001);
    let mut tried = 0;
    for round in 0..6 {
        for (endpoint, fields) in FUNCTIONS {
            let form = if round % 3 == 2 {
                g.bytes().iter().map(|b| format!("%{b:02X}")).collect::<String>()
            } else {
                fields.iter().map(|f| format!("{}={}", form_encode(f), form_encode(&g.text()))).collect::<Vec<_>>().join("&")
            };
            let res = app.post_form(&format!("/api/{endpoint}"), &form, Some(&cookie)).await;
            assert!(res.status().as_u16() < 500, "{endpoint} with {form:?}: {}", res.status());
            tried += 1;
        }
        let widget: Vec<Request<Body>> = vec![
            json_request("POST", "/api/widget/conversations", None, Some(json!({"inbox": g.text(), "token": g.text(), "name": g.text(), "context": {"url": g.text()}}))),
            json_request("POST", &format!("/api/widget/conversations/{conv}/messages"), Some(&token(9)), Some(json!({"client_id": g.text(), "body": g.text()}))),
            json_request("POST", &format!("/api/widget/conversations/{conv}/identify"), Some(&token(9)), Some(json!({"external_id": g.text(), "name": g.text(), "signature": g.text()}))),
            json_request("POST", &format!("/api/widget/conversations/{conv}/context"), Some(&token(9)), Some(json!({"type": g.text(), "url": g.text()}))),
            json_request("GET", &format!("/api/widget/config?inbox={}", form_encode(&g.text())), None, None),
            json_request("GET", &format!("/api/widget/conversations/{}", form_encode(&g.text())), Some(&token(9)), None),
            json_request("GET", &format!("/api/widget/attachments/{}?token={}", form_encode(&g.text()), form_encode(&g.text())), None, None),
            json_request("GET", &format!("/api/widget/events?token={}", form_encode(&g.text())), None, None),
            json_request("GET", &format!("/api/conversations.csv?after={}", form_encode(&g.text())), None, None),
            // Raw bytes that are not UTF-8, as a JSON body.
            Request::post(format!("/api/widget/conversations/{conv}/messages"))
                .header(header::HOST, "localhost")
                .header(header::AUTHORIZATION, format!("Bearer {}", token(9)))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from([b"{\"client_id\":\"x\",\"body\":\"".as_slice(), &g.bytes(), b"\"}"].concat()))
                .unwrap(),
        ];
        for req in widget {
            let what = format!("{} {}", req.method(), req.uri());
            let res = app.send(req).await;
            assert!(res.status().as_u16() < 500, "{what}: {}", res.status());
            tried += 1;
        }
    }
    assert!(tried > 200);
    let ok = app.send(json_request("GET", "/healthz", None, None)).await;
    assert_eq!(ok.status(), StatusCode::OK);
});

