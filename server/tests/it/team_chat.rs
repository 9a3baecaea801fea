//! Team chat on both back ends: invitations, leaving, the timer on a paused clock,
//! off-the-record lines through every path, transcripts, and strangers kept out.
use app::accounts::Role;
use app::conversations::handling::Actor;
use app::conversations::store::{start, StartVisitor};
use app::conversations::{visitor, Visibility};
use app::db::Db;
use app::error::AppError;
use app::inboxes::{store as inboxes, MemberRole};
use app::team::store::{self, TimerOp};
use app::team::{messages, ParticipantState, INVITE_TIMEOUT_MS};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::{body_text, read_frames, TestApp, T0};

async fn actor(app: &TestApp, name: &str) -> Actor {
    let id = app.agent(&format!("{}@x.io", name.to_lowercase()), Role::Supervisor, "password-1").await;
    sqlx::query("UPDATE agents SET name = $1 WHERE id = $2").bind(name).bind(id).execute(app.db().pool()).await.unwrap();
    Actor { id, name: name.into(), is_admin: false, address: None, token: None }
}

struct World {
    app: TestApp,
    a: Actor,
    b: Actor,
    c: Actor,
    d: Actor,
    conv: i64,
}

async fn world(db: Db) -> World {
    let app = TestApp::new(db);
    let (a, b, c, d) = (actor(&app, "Ann").await, actor(&app, "Ben").await, actor(&app, "Cat").await, actor(&app, "Dan").await);
    let inbox = inboxes::create(app.db(), "Support", T0).await.unwrap();
    inboxes::set_member(app.db(), inbox, a.id, Some(MemberRole::Supervisor)).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(app.db().pool()).await.unwrap();
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
    let conv = start(app.db(), req, T0).await.unwrap().0.id;
    World { app, a, b, c, d, conv }
}

fn state_of(s: &app::team::Session, who: &Actor) -> Option<ParticipantState> {
    s.participants.iter().find(|p| p.agent_id == who.id).map(|p| p.state)
}

test_both_dbs!(invite_accept_decline_leave_and_the_originator_ends_it, |db| async move {
    let w = world(db).await;
    let db = w.app.db();
    let id = store::start(db, &w.a, "Refund for Cleo", Some(w.conv), None, T0).await.unwrap();
    assert_eq!(store::start(db, &w.b, "not my chat", Some(w.conv), None, T0).await.unwrap_err(), AppError::NotFound, "only from a chat one may see");
    store::invite(db, &w.a, id, w.b.id, T0).await.unwrap();
    store::invite(db, &w.a, id, w.c.id, T0).await.unwrap();
    let invites: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'team.invite' AND audience = $1")
        .bind(format!("agent:{}", w.c.id)).fetch_one(db.pool()).await.unwrap();
    assert_eq!(invites, 1, "Cat's pop-up");
    assert_eq!(store::read(db, &w.b, id).await.unwrap_err(), AppError::NotFound, "invited is not yet in");
    store::respond(db, &w.b, id, true, T0 + 1).await.unwrap();
    store::respond(db, &w.c, id, false, T0 + 1).await.unwrap();
    assert!(matches!(store::respond(db, &w.c, id, true, T0 + 2).await, Err(AppError::Conflict(_))), "a declined invitation is spent");
    let s = store::read(db, &w.a, id).await.unwrap();
    assert_eq!((state_of(&s, &w.b), state_of(&s, &w.c)), (Some(ParticipantState::Joined), Some(ParticipantState::Declined)));
    let lines: Vec<String> = s.messages.iter().map(|m| m.body.clone()).collect();
    assert!(lines.contains(&"Ben joined".to_string()) && lines.contains(&"Cat declined the invitation".to_string()), "{lines:?}");
    for stranger in [&w.c, &w.d] {
        assert_eq!(store::read(db, stranger, id).await.unwrap_err(), AppError::NotFound);
        assert_eq!(messages::send(db, stranger, id, "x1", "hi", None, T0).await.unwrap_err(), AppError::NotFound);
    }

    // A participant who leaves is out; the session goes on.
    store::invite(db, &w.a, id, w.d.id, T0 + 3).await.unwrap();
    store::respond(db, &w.d, id, true, T0 + 3).await.unwrap();
    store::leave(db, &w.d, id, T0 + 4).await.unwrap();
    assert!(store::read(db, &w.a, id).await.unwrap().active);
    assert_eq!(messages::send(db, &w.d, id, "x2", "back?", None, T0).await.unwrap_err(), AppError::NotFound);

    // The originator leaves: it ends for everyone.
    store::leave(db, &w.a, id, T0 + 5).await.unwrap();
    let s = store::read(db, &w.b, id).await.unwrap();
    assert!(!s.active && s.ended_at == Some(T0 + 5));
    assert!(matches!(messages::send(db, &w.b, id, "x3", "hello?", None, T0).await, Err(AppError::NotFound) | Err(AppError::Conflict(_))));
    let ended: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'team.ended' AND audience = $1")
        .bind(format!("agent:{}", w.b.id)).fetch_one(db.pool()).await.unwrap();
    assert_eq!(ended, 1, "Ben's window is told");
});

test_both_dbs!(the_timer_pauses_resumes_and_is_set_on_a_paused_clock, |db| async move {
    let w = world(db).await;
    let db = w.app.db();
    let id = store::start(db, &w.a, "Timing", None, None, T0).await.unwrap();
    let t = store::timer(db, &w.a, id, TimerOp::Pause, T0 + 60_000).await.unwrap();
    assert_eq!(t.elapsed(T0 + 500_000), 60_000);
    store::timer(db, &w.a, id, TimerOp::Resume, T0 + 120_000).await.unwrap();
    assert_eq!(store::read(db, &w.a, id).await.unwrap().timer.elapsed(T0 + 150_000), 90_000);
    store::timer(db, &w.a, id, TimerOp::Set(300_000), T0 + 150_000).await.unwrap();
    assert_eq!(store::read(db, &w.a, id).await.unwrap().timer.elapsed(T0 + 160_000), 310_000);
    assert_eq!(store::timer(db, &w.b, id, TimerOp::Pause, T0).await.unwrap_err(), AppError::NotFound);
});

test_both_dbs!(invitations_lapse_after_the_timeout, |db| async move {
    let w = world(db).await;
    let db = w.app.db();
    let id = store::start(db, &w.a, "Anyone?", None, None, T0).await.unwrap();
    store::invite(db, &w.a, id, w.b.id, T0).await.unwrap();
    assert_eq!(store::expire_invites(db, T0 + INVITE_TIMEOUT_MS).await.unwrap(), 0);
    assert_eq!(store::expire_invites(db, T0 + INVITE_TIMEOUT_MS + 1).await.unwrap(), 1);
    let s = store::read(db, &w.a, id).await.unwrap();
    assert_eq!(state_of(&s, &w.b), Some(ParticipantState::Expired));
    assert!(s.messages.iter().any(|m| m.body == "Ben did not answer the invitation"));
});

test_both_dbs!(off_the_record_reaches_its_two_parties_only_by_every_path, |db| async move {
    let w = world(db).await;
    let id = store::start(w.app.db(), &w.a, "Case 77", Some(w.conv), None, T0).await.unwrap();
    for p in [&w.b, &w.c] {
        store::invite(w.app.db(), &w.a, id, p.id, T0).await.unwrap();
        store::respond(w.app.db(), p, id, true, T0).await.unwrap();
    }
    // Cat's live stream, open before anything is said.
    let cookie = w.app.login("cat@x.io", "password-1").await;
    let req = Request::get("/api/events").header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={cookie}")).body(Body::empty()).unwrap();
    let mut cat_stream = w.app.send(req).await.into_body();

    assert!(matches!(messages::send(w.app.db(), &w.a, id, "o0", "psst", Some(w.d.id), T0).await, Err(AppError::Unprocessable(_))), "a non-participant");
    assert!(matches!(messages::send(w.app.db(), &w.a, id, "o1", "psst", Some(w.a.id), T0).await, Err(AppError::Unprocessable(_))), "oneself");
    messages::send(w.app.db(), &w.a, id, "s1", "SECRET-for-ben only", Some(w.b.id), T0).await.unwrap();
    messages::send(w.app.db(), &w.a, id, "n1", "a normal line", None, T0).await.unwrap();

    let frames = read_frames(&mut cat_stream, 1, 5_000).await;
    assert!(frames.iter().any(|f| f.data.contains("a normal line")));
    let more = read_frames(&mut cat_stream, 1, 700).await;
    assert!(frames.iter().chain(more.iter()).all(|f| !f.data.contains("SECRET")), "never pushed to Cat");
    let pushed: Vec<String> = sqlx::query_scalar("SELECT audience FROM events WHERE payload LIKE '%SECRET%' ORDER BY id").fetch_all(w.app.db().pool()).await.unwrap();
    assert_eq!(pushed, vec![format!("agent:{}", w.a.id), format!("agent:{}", w.b.id)]);

    let read = |who: Actor| { let db = w.app.db().clone(); async move { store::read(&db, &who, id).await.unwrap().messages.into_iter().map(|m| m.body).collect::<Vec<_>>() } };
    assert!(read(w.a.clone()).await.iter().any(|b| b.contains("SECRET")));
    assert!(read(w.b.clone()).await.iter().any(|b| b.contains("SECRET")));
    assert!(!read(w.c.clone()).await.iter().any(|b| b.contains("SECRET")), "nor in Cat's history");

    // The transcript attached to the conversation has no off-the-record line.
    store::leave(w.app.db(), &w.a, id, T0 + 65_000).await.unwrap();
    let note: String = sqlx::query_scalar("SELECT body FROM messages WHERE conversation_id = $1 AND visibility = 'internal' AND body LIKE 'Team chat%'")
        .bind(w.conv).fetch_one(w.app.db().pool()).await.unwrap();
    assert!(note.contains("chat time 01:05") && note.contains("a normal line"), "{note}");
    assert!(!note.contains("SECRET"));
    let supervisor = w.app.login("ann@x.io", "password-1").await;
    let export = Request::get(format!("/api/conversations/{}/export.csv?internal=true", w.conv))
        .header(header::HOST, "localhost").header(header::COOKIE, format!("sb_session={supervisor}")).body(Body::empty()).unwrap();
    let res = w.app.send(export).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = body_text(res).await;
    assert!(csv.contains("a normal line") && !csv.contains("SECRET"), "nor in the export");
    let _ = Visibility::Internal;
});

test_both_dbs!(a_session_from_a_request_leaves_its_transcript_there, |db| async move {
    let w = world(db).await;
    let db = w.app.db();
    let new = app::requests::store::NewRequest { conversation_id: w.conv, title: "Refund", description: "", priority: app::requests::Priority::Normal };
    let r = app::requests::store::create(db, &w.a, new, T0).await.unwrap();
    let id = store::start(db, &w.a, "About the refund", None, Some(r.id), T0).await.unwrap();
    store::invite(db, &w.a, id, w.b.id, T0).await.unwrap();
    store::respond(db, &w.b, id, true, T0).await.unwrap();
    messages::send(db, &w.b, id, "b1", "finance approved", None, T0 + 1).await.unwrap();
    messages::send(db, &w.b, id, "b2", "between us: slow team", Some(w.a.id), T0 + 1).await.unwrap();
    store::leave(db, &w.a, id, T0 + 30_000).await.unwrap();
    let t = messages::for_request(db, r.id).await.unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].chat_time_ms, 30_000);
    assert!(t[0].lines.iter().any(|l| l.contains("Ben: finance approved")));
    assert!(!t[0].lines.iter().any(|l| l.contains("slow team")));
});
