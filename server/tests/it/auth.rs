//! Logins, sessions and the request guards, through the real router.
use app::accounts::Role;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_text, session_token, TestApp};

test_both_dbs!(login_sets_a_hardened_cookie_and_logout_ends_the_session, |db| async move {
    let app = TestApp::new(db);
    app.agent("ana@x.io", Role::Operator, "password-1").await;
    let res = app.post_form("/api/login", "email=ana%40x.io&password=password-1", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let token = session_token(&res).unwrap();

    let behind_https = Request::post("/api/login")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://localhost")
        .header("x-forwarded-proto", "https")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=ana%40x.io&password=password-1"))
        .unwrap();
    let res = app.send(behind_https).await;
    let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "behind https: {cookie}");

    let me = body_text(app.post_form("/api/me", "", Some(&token)).await).await;
    assert!(me.contains("\"email\":\"ana@x.io\""), "{me}");

    assert_eq!(app.post_form("/api/logout", "", Some(&token)).await.status(), StatusCode::OK);
    let me = body_text(app.post_form("/api/me", "", Some(&token)).await).await;
    assert_eq!(me, "null", "the old token no longer works");
});

test_both_dbs!(wrong_password_is_401_without_a_session, |db| async move {
    let app = TestApp::new(db);
    app.agent("ana@x.io", Role::Operator, "password-1").await;
    for form in ["email=ana%40x.io&password=nope-nope", "email=nobody%40x.io&password=password-1"] {
        let res = app.post_form("/api/login", form, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{form}");
        assert!(session_token(&res).is_none());
    }
    let res = app.post_form("/api/login", "email=&password=", None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.post_form("/api/login", "garbage", None).await;
    assert!(res.status().is_client_error(), "ill-formed form: {}", res.status());
});

test_both_dbs!(failed_logins_are_rate_limited_with_retry_after, |db| async move {
    let app = TestApp::new(db);
    app.agent("ana@x.io", Role::Operator, "password-1").await;
    for _ in 0..5 {
        let res = app.post_form("/api/login", "email=ana%40x.io&password=wrong-one", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the limit holds.
    let res = app.post_form("/api/login", "email=ana%40x.io&password=password-1", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers().get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(session_token(&res).is_none());

    app.clock.advance_ms(15 * 60 * 1000);
    app.login("ana@x.io", "password-1").await;
});

test_both_dbs!(the_session_id_rotates_at_login, |db| async move {
    let app = TestApp::new(db);
    app.agent("ana@x.io", Role::Operator, "password-1").await;
    let first = app.login("ana@x.io", "password-1").await;
    let res = app.post_form("/api/login", "email=ana%40x.io&password=password-1", Some(&first)).await;
    let second = session_token(&res).unwrap();
    assert_ne!(first, second);
    assert_eq!(body_text(app.post_form("/api/me", "", Some(&first)).await).await, "null");
    assert!(body_text(app.post_form("/api/me", "", Some(&second)).await).await.contains("ana@x.io"));
});

test_both_dbs!(a_deactivated_agent_is_rejected_on_the_next_request, |db| async move {
    let app = TestApp::new(db);
    app.agent("root@x.io", Role::Admin, "password-1").await;
    let op = app.agent("op@x.io", Role::Operator, "password-2").await;
    let admin = app.login("root@x.io", "password-1").await;
    let op_token = app.login("op@x.io", "password-2").await;

    let res = app.post_form("/api/admin/agents/active", &format!("id={op}&active=false"), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(app.post_form("/api/me", "", Some(&op_token)).await).await, "null");
    let res = app.post_form("/api/admin/agents", "", Some(&op_token)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.post_form("/api/login", "email=op%40x.io&password=password-2", None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a deactivated agent cannot log in");
    assert!(session_token(&res).is_none());
});

test_both_dbs!(an_operator_calling_admin_functions_gets_403, |db| async move {
    let app = TestApp::new(db);
    app.agent("op@x.io", Role::Operator, "password-2").await;
    let token = app.login("op@x.io", "password-2").await;
    let calls = [
        ("/api/admin/agents", String::new()),
        ("/api/admin/agents/create", "email=new%40x.io&name=New&role=admin&password=password-3".into()),
        ("/api/admin/agents/active", "id=1&active=false".into()),
        ("/api/admin/inboxes", String::new()),
        ("/api/admin/inboxes/create", "name=Mine".into()),
        ("/api/admin/inboxes/member", "inbox_id=1&agent_id=1&role=supervisor".into()),
    ];
    for (path, form) in calls {
        let res = app.post_form(path, &form, Some(&token)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // And with no session at all: 401.
    assert_eq!(app.post_form("/api/admin/agents", "", None).await.status(), StatusCode::UNAUTHORIZED);
    assert!(app::accounts::store::find_by_email(app.db(), "new@x.io").await.unwrap().is_none());
});

test_both_dbs!(admin_creates_agents_and_inboxes_with_clear_errors, |db| async move {
    let app = TestApp::new(db);
    app.agent("root@x.io", Role::Admin, "password-1").await;
    let admin = app.login("root@x.io", "password-1").await;
    let res = app.post_form("/api/admin/agents/create", "email=new%40x.io&name=New&role=operator&password=password-3", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let again = app.post_form("/api/admin/agents/create", "email=NEW%40x.io&name=New&role=operator&password=password-3", Some(&admin)).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let bad_role = app.post_form("/api/admin/agents/create", "email=b%40x.io&name=B&role=king&password=password-3", Some(&admin)).await;
    assert_eq!(bad_role.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(bad_role).await.contains("unknown role"));
    let short = app.post_form("/api/admin/agents/create", "email=c%40x.io&name=C&role=operator&password=x", Some(&admin)).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_a_number = app.post_form("/api/admin/agents/active", "id=abc&active=false", Some(&admin)).await;
    assert_eq!(not_a_number.status(), StatusCode::BAD_REQUEST);

    let res = app.post_form("/api/admin/inboxes/create", "name=Sales", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let audit = app::audit_log::store::recent(app.db(), 10).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "agent.create"));
    assert!(audit.iter().any(|a| a.action == "inbox.create"));
});

test_both_dbs!(cross_origin_posts_are_refused, |db| async move {
    let app = TestApp::new(db);
    app.agent("ana@x.io", Role::Operator, "password-1").await;
    let forged = |origin: Option<&str>, site: Option<&str>| {
        let mut req = Request::post("/api/login")
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        req.body(Body::from("email=ana%40x.io&password=password-1")).unwrap()
    };
    for (origin, site) in [(Some("http://evil.example"), None), (Some("null"), None), (None, Some("cross-site"))] {
        let res = app.send(forged(origin, site)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin:?} {site:?}");
        assert!(session_token(&res).is_none());
    }
    assert_eq!(app.send(forged(Some("http://localhost"), Some("same-origin"))).await.status(), StatusCode::OK);
});

test_both_dbs!(server_functions_refuse_get_and_health_endpoints_answer, |db| async move {
    let app = TestApp::new(db);
    let get = |path: &str| Request::get(path).header(header::HOST, "localhost").body(Body::empty()).unwrap();
    assert_eq!(app.send(get("/api/admin/agents/create")).await.status(), StatusCode::METHOD_NOT_ALLOWED);
    let health = app.send(get("/healthz")).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.headers()["x-frame-options"], "DENY");
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
    let frame = app.send(get("/widget/frame")).await;
    assert!(frame.headers().get("x-frame-options").is_none(), "the widget page is made to be framed");
    assert!(frame.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(app.send(get("/readyz")).await.status(), StatusCode::OK);
    app.db().close().await;
    assert_eq!(app.send(get("/readyz")).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.send(get("/healthz")).await.status(), StatusCode::OK);
});
