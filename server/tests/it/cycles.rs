//! The per-conversation figures reports read stay right through every handling
//! action: start, notes, whispers and system lines (no response), the first public
//! reply, solve, a reopening, a move, a close and a delete.
use crate::common::TestApp;
use crate::hardening::inbox;
use crate::live::{visitor_send, visitor_start};
use app::accounts::Role;
use app::conversations::handling::{self, Actor};
use app::conversations::write::{self, Author, Outgoing};
use app::conversations::{CloseReason, Visibility};
use app::inboxes::{store as inboxes, MemberRole};
use axum::http::StatusCode;

const VISITOR: &str = "visitor-cycles-aaaaaaaaaaaaaaaaaaaa";

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Cycle {
    started_at: i64,
    reopened: i64,
    first_response_at: Option<i64>,
    first_responder_id: Option<i64>,
    resolved_at: Option<i64>,
    close_reason: Option<String>,
    resolver_id: Option<i64>,
}

async fn cycles(app: &TestApp, conv: i64) -> Vec<Cycle> {
    sqlx::query_as(
        "SELECT started_at, reopened, first_response_at, first_responder_id, resolved_at, close_reason, resolver_id
         FROM conversation_cycles WHERE conversation_id = $1 ORDER BY id",
    )
    .bind(conv)
    .fetch_all(app.db().pool())
    .await
    .unwrap()
}

async fn say(app: &TestApp, conv: i64, who: &Actor, client_id: &str, visibility: Visibility) {
    let out = Outgoing {
        conversation_id: conv,
        author: Author::Agent { id: who.id, name: &who.name },
        client_id,
        body: "words",
        visibility,
        file: None,
    };
    write::send(app.db(), out, app.state.now()).await.unwrap();
}

test_both_dbs!(cycles_follow_every_handling_action, |db| async move {
    let app = TestApp::new(db);
    let (support, key) = inbox(&app, "Support").await;
    let (sales, _) = inbox(&app, "Sales").await;
    let sam_id = app.agent("sam@x.io", Role::Supervisor, "password-1").await;
    let alex_id = app.agent("alex@x.io", Role::Operator, "password-1").await;
    for inbox in [support, sales] {
        inboxes::set_member(app.db(), inbox, sam_id, Some(MemberRole::Supervisor)).await.unwrap();
        inboxes::set_member(app.db(), inbox, alex_id, Some(MemberRole::Operator)).await.unwrap();
    }
    let sam = Actor { id: sam_id, name: "Sam".into(), is_admin: false, address: None, token: None };
    let alex = Actor { id: alex_id, name: "Alex".into(), is_admin: false, address: None, token: None };
    let t0 = app.state.now();
    let conv = visitor_start(&app, &key, VISITOR).await;
    assert_eq!(visitor_send(&app, VISITOR, conv, "c-1", "hello").await, StatusCode::CREATED);
    let open = Cycle { started_at: t0, reopened: 0, first_response_at: None, first_responder_id: None, resolved_at: None, close_reason: None, resolver_id: None };
    assert_eq!(cycles(&app, conv).await, vec![open]);

    // A note, a whisper and the accept's system lines are no response.
    app.clock.advance_ms(10_000);
    handling::accept(app.db(), conv, &alex, app.state.now()).await.unwrap();
    say(&app, conv, &alex, "n-1", Visibility::Internal).await;
    app::conversations::supervise::whisper(app.db(), &sam, conv, "w-1", "psst", app.state.now()).await.unwrap();
    assert_eq!(cycles(&app, conv).await[0].first_response_at, None);

    // The first public reply answers the cycle; the next does not move it.
    app.clock.advance_ms(50_000);
    let answered = app.state.now();
    say(&app, conv, &alex, "r-1", Visibility::Public).await;
    app.clock.advance_ms(5_000);
    say(&app, conv, &sam, "r-2", Visibility::Public).await;
    let c = &cycles(&app, conv).await[0];
    assert_eq!((c.first_response_at, c.first_responder_id), (Some(answered), Some(alex_id)));

    // Solved: resolved, by the assignee.
    app.clock.advance_ms(60_000);
    let solved = app.state.now();
    handling::close(app.db(), conv, &alex, CloseReason::Solved, solved).await.unwrap();
    let c = &cycles(&app, conv).await[0];
    assert_eq!((c.resolved_at, c.close_reason.as_deref(), c.resolver_id), (Some(solved), Some("solved"), Some(alex_id)));
    // Closing a closed chat changes nothing.
    handling::close(app.db(), conv, &alex, CloseReason::Closed, solved + 1).await.unwrap();
    assert_eq!(cycles(&app, conv).await.len(), 1);

    // The customer writes again: a new cycle from the reopening.
    app.clock.advance_ms(3_600_000);
    let reopened = app.state.now();
    assert_eq!(visitor_send(&app, VISITOR, conv, "c-2", "one more thing").await, StatusCode::CREATED);
    let all = cycles(&app, conv).await;
    assert_eq!(all.len(), 2);
    assert_eq!((all[1].started_at, all[1].reopened, all[1].first_response_at), (reopened, 1, None));
    assert_eq!(all[0].resolved_at, Some(solved), "the first cycle keeps its figures");

    // A move keeps the cycle; a take-over's lines are no response; the reply is.
    handling::move_to(app.db(), conv, &sam, sales, app.state.now()).await.unwrap();
    app::conversations::supervise::take_over(app.db(), &sam, conv, app.state.now()).await.unwrap();
    assert_eq!(cycles(&app, conv).await[1].first_response_at, None);
    app.clock.advance_ms(30_000);
    let second_answer = app.state.now();
    say(&app, conv, &sam, "r-3", Visibility::Public).await;
    app.clock.advance_ms(30_000);
    handling::close(app.db(), conv, &sam, CloseReason::Closed, app.state.now()).await.unwrap();
    let all = cycles(&app, conv).await;
    assert_eq!((all[1].first_response_at, all[1].first_responder_id), (Some(second_answer), Some(sam_id)));
    assert_eq!((all[1].close_reason.as_deref(), all[1].resolver_id), (Some("closed"), Some(sam_id)));

    // Deleting the chat takes its figures with it.
    handling::delete(app.db(), conv, &sam, app.state.now()).await.unwrap();
    assert!(cycles(&app, conv).await.is_empty());
});
