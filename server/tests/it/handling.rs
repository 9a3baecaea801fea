//! Conversation handling on both back ends: the role × membership matrix, the race
//! on accept, status changes and close reasons, and moves.
use app::accounts::Role;
use app::conversations::handling::{self, Actor};
use app::conversations::rules::Action;
use app::conversations::store::{self, start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, CloseReason, Status, Visibility};
use app::db::Db;
use app::error::AppError;
use app::inboxes::{store as inboxes, MemberRole};
use crate::common::{T0};

pub struct World {
    a: i64,
    b: i64,
    admin: Actor,
    sup: Actor,
    op1: Actor,
    op2: Actor,
    outsider: Actor,
}

async fn actor(db: &Db, name: &str, role: Role) -> Actor {
    let new = app::accounts::store::NewAgent { email: &format!("{name}@x.io"), name, role, password_hash: "x" };
    let id = app::accounts::store::insert(db, new, T0).await.unwrap();
    Actor { id, name: name.into(), is_admin: role == Role::Admin, address: None, token: None }
}

/// A: Sam supervises, Olga and Otto operate. B: Sam and Otto operate, and so does
/// Xena, who has nothing to do with A. The admin belongs to neither.
async fn world(db: &Db) -> World {
    let a = inboxes::create(db, "Support", T0).await.unwrap();
    let b = inboxes::create(db, "Billing", T0).await.unwrap();
    let w = World {
        a,
        b,
        admin: actor(db, "Ada", Role::Admin).await,
        sup: actor(db, "Sam", Role::Supervisor).await,
        op1: actor(db, "Olga", Role::Operator).await,
        op2: actor(db, "Otto", Role::Operator).await,
        outsider: actor(db, "Xena", Role::Operator).await,
    };
    for (inbox, who, role) in [
        (a, &w.sup, MemberRole::Supervisor),
        (a, &w.op1, MemberRole::Operator),
        (a, &w.op2, MemberRole::Operator),
        (b, &w.sup, MemberRole::Operator),
        (b, &w.op2, MemberRole::Operator),
        (b, &w.outsider, MemberRole::Operator),
    ] {
        inboxes::set_member(db, inbox, who.id, Some(role)).await.unwrap();
    }
    w
}

pub async fn chat_in(db: &Db, inbox: i64, text: &str) -> i64 {
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(inbox).fetch_one(db.pool()).await.unwrap();
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo Customer"), email: None, context: None };
    let id = start(db, req, T0).await.unwrap().0.id;
    let out = Outgoing { conversation_id: id, author: Author::Customer, client_id: &app::tokens::random_id(), body: text, visibility: Visibility::Public, file: None };
    send(db, out, T0).await.unwrap();
    id
}

/// A chat in A that Otto has taken.
async fn ottos_chat(db: &Db, w: &World) -> i64 {
    let id = chat_in(db, w.a, "hello").await;
    handling::accept(db, id, &w.op2, T0).await.unwrap();
    id
}

fn outcome<T>(r: Result<T, AppError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(AppError::Forbidden) => "403",
        Err(AppError::NotFound) => "404",
        Err(AppError::Conflict(_)) => "409",
        Err(AppError::Unprocessable(_)) => "422",
        Err(e) => panic!("unexpected {e:?}"),
    }
}

test_both_dbs!(every_action_follows_the_role_and_membership_matrix, |db| async move {
    let w = world(&db).await;
    let actors = [&w.admin, &w.sup, &w.op1, &w.op2, &w.outsider];
    // Expected outcome per actor: admin, supervisor of A, another operator, the assignee, an outsider.
    // A colleague's open chat is hidden from another operator, as in their list;
    // accepting it too late is told who was faster.
    let expect = |action: &str| -> [&str; 5] {
        match action {
            "read" | "reply" | "export" => ["ok", "ok", "404", "ok", "404"],
            "accept" => ["409", "409", "409", "ok", "404"],
            "assign" | "unassign" | "move" | "solve" | "cancel" => ["ok", "ok", "404", "ok", "404"],
            "delete" | "export_internal" => ["ok", "ok", "404", "403", "404"],
            _ => unreachable!(),
        }
    };
    for action in ["read", "reply", "export", "export_internal", "accept", "assign", "unassign", "move", "solve", "cancel", "delete"] {
        for (who, want) in actors.iter().zip(expect(action)) {
            let id = ottos_chat(&db, &w).await;
            let got = match action {
                "read" => outcome(handling::visible(&db, who, id, Action::Read).await),
                "reply" => outcome(handling::visible(&db, who, id, Action::Reply).await),
                "export" => outcome(handling::visible(&db, who, id, Action::Export).await),
                "export_internal" => outcome(handling::visible(&db, who, id, Action::ExportInternal).await),
                "accept" => outcome(handling::accept(&db, id, who, T0).await),
                "assign" => outcome(handling::assign(&db, id, who, Some(w.sup.id), T0).await),
                "unassign" => outcome(handling::assign(&db, id, who, None, T0).await),
                "move" => outcome(handling::move_to(&db, id, who, w.b, T0).await),
                "solve" => outcome(handling::close(&db, id, who, CloseReason::Solved, T0).await),
                "cancel" => outcome(handling::close(&db, id, who, CloseReason::Cancelled, T0).await),
                "delete" => outcome(handling::delete(&db, id, who, T0).await),
                _ => unreachable!(),
            };
            assert_eq!(got, want, "{action} by {}", who.name);
        }
    }
    // Operators take free chats, and move them to inboxes they work in, only.
    let free = chat_in(&db, w.a, "anyone?").await;
    assert_eq!(outcome(handling::move_to(&db, free, &w.op1, w.b, T0).await), "404", "Olga is not in B");
    assert_eq!(outcome(handling::assign(&db, free, &w.op1, Some(w.op2.id), T0).await), "403", "not hers to give");
    assert_eq!(outcome(handling::assign(&db, free, &w.op1, Some(w.outsider.id), T0).await), "403");
    assert_eq!(outcome(handling::accept(&db, free, &w.op1, T0).await), "ok");
    assert_eq!(outcome(handling::assign(&db, free, &w.op1, Some(w.outsider.id), T0).await), "422", "Xena is not in A");
    assert_eq!(outcome(handling::move_to(&db, free, &w.sup, w.a, T0).await), "422", "already there");
});

// Operators see what their list shows: besides their own and the free chats, a
// colleague's closed chat; and a colleague's open chat they joined a team chat about.
test_both_dbs!(operators_read_closed_chats_and_chats_of_their_team_chats, |db| async move {
    let w = world(&db).await;
    let id = ottos_chat(&db, &w).await;
    assert_eq!(outcome(handling::visible(&db, &w.op1, id, Action::Read).await), "404");
    // Otto asks Olga in a team chat about it: she may read it, not work it.
    let session = app::team::store::start(&db, &w.op2, "a hard one", Some(id), None, T0).await.unwrap();
    app::team::store::invite(&db, &w.op2, session, w.op1.id, T0).await.unwrap();
    assert_eq!(outcome(handling::visible(&db, &w.op1, id, Action::Read).await), "404", "invited, not yet joined");
    app::team::store::respond(&db, &w.op1, session, true, T0).await.unwrap();
    assert_eq!(outcome(handling::visible(&db, &w.op1, id, Action::Read).await), "ok");
    assert_eq!(outcome(handling::visible(&db, &w.op1, id, Action::Reply).await), "404");
    assert_eq!(outcome(handling::visible(&db, &w.op1, id, Action::Export).await), "404");
    // Closed, it is in everyone's list of closed chats.
    let other = ottos_chat(&db, &w).await;
    handling::close(&db, other, &w.op2, CloseReason::Solved, T0).await.unwrap();
    assert_eq!(outcome(handling::visible(&db, &w.op1, other, Action::Read).await), "ok");
    assert_eq!(outcome(handling::visible(&db, &w.op1, other, Action::Export).await), "ok");
    assert_eq!(outcome(handling::visible(&db, &w.op1, other, Action::ExportInternal).await), "403");
});

test_both_dbs!(when_two_agents_accept_at_once_one_wins_and_the_other_hears_who, |db| async move {
    let w = world(&db).await;
    for _ in 0..3 {
        let id = chat_in(&db, w.a, "who takes me?").await;
        let (r1, r2) = tokio::join!(handling::accept(&db, id, &w.op1, T0), handling::accept(&db, id, &w.op2, T0));
        let (winner, loser) = match (&r1, &r2) {
            (Ok(_), Err(AppError::Conflict(msg))) => (&w.op1, msg),
            (Err(AppError::Conflict(msg)), Ok(_)) => (&w.op2, msg),
            other => panic!("exactly one must win: {other:?}"),
        };
        assert_eq!(loser, &format!("{} already took this chat", winner.name));
        let c = store::get(&db, id).await.unwrap();
        assert_eq!(c.assignee_id, Some(winner.id));
        assert_eq!(c.status, Status::Open, "taking a new chat opens it");
        let joined: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND body LIKE '%joined the chat'")
            .bind(id).fetch_one(db.pool()).await.unwrap();
        assert_eq!(joined, 1, "one join line");
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE conversation_id = $1 AND kind = 'conversation.assigned'")
            .bind(id).fetch_one(db.pool()).await.unwrap();
        assert_eq!(events, 1);
    }
});

test_both_dbs!(states_reasons_and_the_lines_customers_see, |db| async move {
    let w = world(&db).await;
    let id = chat_in(&db, w.a, "my parcel").await;
    let public = |db: Db| async move { store::thread(&db, id, false).await.unwrap().messages.into_iter().map(|m| m.body).collect::<Vec<_>>() };
    let all = |db: Db| async move { store::thread(&db, id, true).await.unwrap().messages.into_iter().map(|m| m.body).collect::<Vec<_>>() };

    // A supervisor hands it to Olga: the customer sees who joined, agents see who assigned.
    handling::assign(&db, id, &w.sup, Some(w.op1.id), T0).await.unwrap();
    assert!(public(db.clone()).await.contains(&"Olga joined the chat".to_string()));
    assert!(!public(db.clone()).await.iter().any(|b| b.contains("assigned the chat")), "internal line stays internal");
    assert!(all(db.clone()).await.contains(&"Sam assigned the chat to Olga".to_string()));

    let solved = handling::close(&db, id, &w.op1, CloseReason::Solved, T0 + 1).await.unwrap();
    assert_eq!((solved.status, solved.close_reason), (Status::Closed, Some(CloseReason::Solved)));
    let viewer = app::list::query::Viewer { id: w.sup.id, role: Role::Supervisor, inboxes: Vec::new() };
    let by_reason = |reason| app::list::ListQuery { reason: Some(reason), ..Default::default() };
    let page = app::list::query::page(&db, &viewer, &by_reason(CloseReason::Solved), T0).await.unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id], "filter on the reason");
    assert_eq!(page.rows[0].close_reason, Some(CloseReason::Solved));
    assert!(app::list::query::page(&db, &viewer, &by_reason(CloseReason::Cancelled), T0).await.unwrap().rows.is_empty());

    // A later customer message reopens it, still Olga's.
    let out = Outgoing { conversation_id: id, author: Author::Customer, client_id: "again-1", body: "one more thing", visibility: Visibility::Public, file: None };
    send(&db, out, T0 + 2).await.unwrap();
    let c = store::get(&db, id).await.unwrap();
    assert_eq!((c.status, c.close_reason, c.assignee_id), (Status::Open, None, Some(w.op1.id)));

    let cancelled = handling::close(&db, id, &w.sup, CloseReason::Cancelled, T0 + 3).await.unwrap();
    assert_eq!(cancelled.close_reason, Some(CloseReason::Cancelled));
    assert_eq!(public(db.clone()).await.last().unwrap(), "This chat was cancelled by support.");
    let again = handling::close(&db, id, &w.sup, CloseReason::Solved, T0 + 4).await.unwrap();
    assert_eq!(again.close_reason, Some(CloseReason::Cancelled), "closing a closed chat changes nothing");

    // Moving: unassigned in the other inbox, waiting there, with a line.
    let other = chat_in(&db, w.a, "wrong queue").await;
    handling::accept(&db, other, &w.op2, T0).await.unwrap();
    let moved = handling::move_to(&db, other, &w.op2, w.b, T0 + 5).await.unwrap();
    assert_eq!((moved.inbox_id, moved.assignee_id, moved.status), (w.b, None, Status::New));
    let lines = store::thread(&db, other, false).await.unwrap().messages;
    assert_eq!(lines.last().unwrap().body, "Otto moved the chat to Billing");
    let moved_events: Vec<Option<i64>> = sqlx::query_scalar("SELECT inbox_id FROM events WHERE conversation_id = $1 AND kind = 'conversation.moved' ORDER BY id")
        .bind(other).fetch_all(db.pool()).await.unwrap();
    assert_eq!(moved_events, vec![Some(w.a), Some(w.b)], "both inboxes hear of it");
    assert_eq!(outcome(handling::visible(&db, &w.op1, other, Action::Reply).await), "404", "gone from Olga's inbox");
});
