//! Attachments over HTTP on both back ends: limits, sniffing, safe names, download
//! headers and who may fetch what.
use app::accounts::Role;
use app::inboxes::{store as inboxes, MemberRole};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_json, json_request, TestApp, T0};

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41,
    0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
const TOKEN: &str = "visitor-token-files-aaaaaaaaaaaaa";
const OTHER: &str = "visitor-token-files-bbbbbbbbbbbbb";

struct Setup {
    app: TestApp,
    conv: i64,
    other_conv: i64,
    op: String,
    outsider: String,
}

async fn setup(db: app::db::Db) -> Setup {
    let app = TestApp::new(db);
    let a = inboxes::create(app.db(), "Support", T0).await.unwrap();
    let b = inboxes::create(app.db(), "Billing", T0).await.unwrap();
    let op = app.agent("op@x.io", Role::Operator, "password-1").await;
    let out = app.agent("out@x.io", Role::Operator, "password-1").await;
    inboxes::set_member(app.db(), a, op, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(app.db(), b, out, Some(MemberRole::Operator)).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(a).fetch_one(app.db().pool()).await.unwrap();
    let mut ids = Vec::new();
    for t in [TOKEN, OTHER] {
        let res = app.send(json_request("POST", "/api/widget/conversations", None, Some(serde_json::json!({ "inbox": key, "token": t })))).await;
        ids.push(body_json(res).await["conversation"]["id"].as_i64().unwrap());
    }
    let op = app.login("op@x.io", "password-1").await;
    let outsider = app.login("out@x.io", "password-1").await;
    Setup { app, conv: ids[0], other_conv: ids[1], op, outsider }
}

fn agent_upload(conv: i64, name: &str, client: &str, cookie: &str, body: Body) -> Request<Body> {
    Request::post(format!("/api/conversations/{conv}/attachments?name={}&client_id={client}", urlencode(name)))
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::COOKIE, format!("sb_session={cookie}"))
        .body(body)
        .unwrap()
}

fn visitor_upload(conv: i64, name: &str, client: &str, token: &str, bytes: &[u8]) -> Request<Body> {
    Request::post(format!("/api/widget/conversations/{conv}/attachments?name={}&client_id={client}", urlencode(name)))
        .header(header::HOST, "localhost")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(bytes.to_vec()))
        .unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap()
}

test_both_dbs!(over_the_limit_is_413_and_a_disguised_file_is_refused, |db| async move {
    let s = setup(db).await;
    let big = vec![b'a'; s.app.state.config.max_upload_bytes as usize + 1];
    let res = s.app.send(agent_upload(s.conv, "big.txt", "c1", &s.op, Body::from(big))).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // No Content-Length: the stream is cut off at the limit.
    let chunks = (0..11).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 1024 * 1024]));
    let res = s.app.send(agent_upload(s.conv, "big.txt", "c2", &s.op, Body::from_stream(futures_stream(chunks)))).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for (name, bytes) in [
        ("cat.png", &b"<html><script>alert(1)</script></html>"[..]),
        ("cat.png", &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..]),
        ("cat.pdf", PNG),
        ("tool.exe", &b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"[..]),
    ] {
        let res = s.app.send(visitor_upload(s.conv, name, "c3", TOKEN, bytes)).await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(s.app.db().pool()).await.unwrap();
    assert_eq!(n, 0, "nothing stored");
    let dir = s.app.state.config.data_dir.join("attachments");
    assert_eq!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0), 0, "no stray files");
});

fn futures_stream<I: Iterator<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static>(it: I) -> impl tokio_stream::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    tokio_stream::iter(it)
}

test_both_dbs!(names_are_stored_safely_and_downloads_carry_safe_headers, |db| async move {
    let s = setup(db).await;
    let res = s.app.send(visitor_upload(s.conv, "../../../etc/cron.d/photo.png", "v1", TOKEN, PNG)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m = body_json(res).await;
    let att = &m["attachments"][0];
    assert_eq!(att["name"], "photo.png");
    assert_eq!(att["content_type"], "image/png");
    let id = att["id"].as_str().unwrap().to_string();
    let key: String = sqlx::query_scalar("SELECT storage_key FROM attachments WHERE id = $1").bind(&id).fetch_one(s.app.db().pool()).await.unwrap();
    assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{key}");
    assert!(s.app.state.config.data_dir.join("attachments").join(&key).exists());
    // The same client id again is the same message, and no second file.
    let again = s.app.send(visitor_upload(s.conv, "photo.png", "v1", TOKEN, PNG)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(std::fs::read_dir(s.app.state.config.data_dir.join("attachments")).unwrap().count(), 1);

    let res = s.app.send(get(&format!("/api/attachments/{id}"), &s.op)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline; filename=\"photo.png\""));
    assert_eq!(crate::common::body_text_bytes(res).await, PNG);

    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let res = s.app.send(agent_upload(s.conv, "Receipt \"May\".pdf", "a1", &s.op, Body::from(pdf.to_vec()))).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let pdf_id = body_json(res).await["attachments"][0]["id"].as_str().unwrap().to_string();
    let res = s.app.send(get(&format!("/api/attachments/{pdf_id}"), &s.op)).await;
    let cd = res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert!(cd.starts_with("attachment; filename=\"Receipt _May_.pdf\""), "{cd}");
    assert!(cd.contains("filename*=UTF-8''Receipt%20%22May%22.pdf"), "{cd}");
    assert_eq!(res.headers()[header::CONTENT_SECURITY_POLICY], "default-src 'none'; sandbox");

    // The visitor fetches with the file token of their own conversation.
    let st = s.app.send(json_request("POST", &format!("/api/widget/conversations/{}/stream-token", s.conv), Some(TOKEN), None)).await;
    let file_token = body_json(st).await["file_token"].as_str().unwrap().to_string();
    let visitor_get = |id: &str, token: &str| Request::get(format!("/api/widget/attachments/{id}?token={token}")).header(header::HOST, "localhost").body(Body::empty()).unwrap();
    assert_eq!(s.app.send(visitor_get(&pdf_id, &file_token)).await.status(), StatusCode::OK);

    // Thread reads carry the attachments.
    let thread = body_json(s.app.send(json_request("GET", &format!("/api/widget/conversations/{}", s.conv), Some(TOKEN), None)).await).await;
    let names: Vec<_> = thread["messages"].as_array().unwrap().iter().filter_map(|m| m["attachments"][0]["name"].as_str()).collect();
    assert_eq!(names, ["photo.png", "Receipt \"May\".pdf"]);
});

test_both_dbs!(another_conversations_attachment_is_404, |db| async move {
    let s = setup(db).await;
    let res = s.app.send(visitor_upload(s.conv, "photo.png", "v1", TOKEN, PNG)).await;
    let id = body_json(res).await["attachments"][0]["id"].as_str().unwrap().to_string();
    let res = s.app.send(agent_upload(s.conv, "note.txt", "n1", &s.op, Body::from("internal text"))).await;
    let _ = res;
    let note = Request::post(format!("/api/conversations/{}/attachments?name=secret.txt&client_id=n2&internal=true", s.conv))
        .header(header::HOST, "localhost").header(header::ORIGIN, "http://localhost")
        .header(header::COOKIE, format!("sb_session={}", s.op)).body(Body::from("internal only")).unwrap();
    let internal = body_json(s.app.send(note).await).await["attachments"][0]["id"].as_str().unwrap().to_string();

    assert_eq!(s.app.send(get(&format!("/api/attachments/{id}"), &s.outsider)).await.status(), StatusCode::NOT_FOUND, "another inbox's agent");
    assert_eq!(s.app.send(get("/api/attachments/no-such-id", &s.op)).await.status(), StatusCode::NOT_FOUND);
    let st = s.app.send(json_request("POST", &format!("/api/widget/conversations/{}/stream-token", s.other_conv), Some(OTHER), None)).await;
    let other_token = body_json(st).await["file_token"].as_str().unwrap().to_string();
    let visitor_get = |id: &str, token: &str| Request::get(format!("/api/widget/attachments/{id}?token={token}")).header(header::HOST, "localhost").body(Body::empty()).unwrap();
    assert_eq!(s.app.send(visitor_get(&id, &other_token)).await.status(), StatusCode::NOT_FOUND, "another visitor");
    let st = s.app.send(json_request("POST", &format!("/api/widget/conversations/{}/stream-token", s.conv), Some(TOKEN), None)).await;
    let own = body_json(st).await["file_token"].as_str().unwrap().to_string();
    assert_eq!(s.app.send(visitor_get(&id, &own)).await.status(), StatusCode::OK);
    assert_eq!(s.app.send(visitor_get(&internal, &own)).await.status(), StatusCode::NOT_FOUND, "internal files stay internal");
    assert_eq!(s.app.send(visitor_get(&id, "forged.1.x")).await.status(), StatusCode::NOT_FOUND);
    let res = s.app.send(visitor_upload(s.conv, "photo.png", "v9", OTHER, PNG)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "a visitor cannot post into another chat");
});
