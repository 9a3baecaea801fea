//! Service requests on both back ends: the transcript leaves out internal lines, and
//! each stays in its inbox (webhooks: see `webhooks.rs`).
use app::accounts::Role;
use app::conversations::handling::Actor;
use app::conversations::store::{start, StartVisitor};
use app::conversations::write::{send, Author, Outgoing};
use app::conversations::{visitor, Visibility};
use app::db::Db;
use app::error::AppError;
use app::inboxes::{store as inboxes, MemberRole};
use app::requests::store::{self, NewRequest};
use app::requests::{Priority, RequestStatus};
use crate::common::{T0};

pub(crate) async fn actor(db: &Db, name: &str, role: Role) -> Actor {
    let new = app::accounts::store::NewAgent { email: &format!("{name}@x.io"), name, role, password_hash: "x" };
    let id = app::accounts::store::insert(db, new, T0).await.unwrap();
    Actor { id, name: name.into(), is_admin: role == Role::Admin, address: None, token: None }
}

async fn say(db: &Db, conv: i64, author: Author<'_>, text: &str, visibility: Visibility) {
    let out = Outgoing { conversation_id: conv, author, client_id: &app::tokens::random_id(), body: text, visibility, file: None };
    send(db, out, T0).await.unwrap();
}

/// Support (Olga works it) with one chat holding public, internal and off-the-record lines.
pub(crate) async fn setup(db: &Db) -> (i64, i64, Actor, Actor) {
    let a = inboxes::create(db, "Support", T0).await.unwrap();
    let b = inboxes::create(db, "Billing", T0).await.unwrap();
    let olga = actor(db, "Olga", Role::Operator).await;
    let xena = actor(db, "Xena", Role::Operator).await;
    inboxes::set_member(db, a, olga.id, Some(MemberRole::Operator)).await.unwrap();
    inboxes::set_member(db, b, xena.id, Some(MemberRole::Operator)).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM inboxes WHERE id = $1").bind(a).fetch_one(db.pool()).await.unwrap();
    let hash = visitor::hash_token(&app::tokens::random_id());
    let req = StartVisitor { inbox_key: &key, token_hash: &hash, name: Some("Cleo"), email: None, context: None };
    let conv = start(db, req, T0).await.unwrap().0.id;
    say(db, conv, Author::Customer, "my card was charged twice", Visibility::Public).await;
    say(db, conv, Author::Agent { id: olga.id, name: "Olga" }, "internal: looks like fraud", Visibility::Internal).await;
    say(db, conv, Author::Agent { id: olga.id, name: "Olga" }, "off the record: ask finance", Visibility::OffRecord).await;
    say(db, conv, Author::Agent { id: olga.id, name: "Olga" }, "I have opened a request", Visibility::Public).await;
    (a, conv, olga, xena)
}

test_both_dbs!(a_request_carries_the_public_transcript_only_and_stays_in_its_inboxes, |db| async move {
    let (_, conv, olga, xena) = setup(&db).await;
    let new = NewRequest { conversation_id: conv, title: "Refund double charge", description: "Card charged twice", priority: Priority::High };
    let r = store::create(&db, &olga, new, T0).await.unwrap();
    assert_eq!((r.status, r.priority, r.conversation_id), (RequestStatus::Open, Priority::High, Some(conv)));
    let lines: Vec<String> = r.transcript.clone().unwrap().into_iter().map(|l| l.text).collect();
    assert!(lines.contains(&"my card was charged twice".to_string()));
    assert!(lines.contains(&"I have opened a request".to_string()));
    assert!(!lines.iter().any(|l| l.contains("internal") || l.contains("off the record")), "{lines:?}");

    assert_eq!(store::list(&db, &olga, None).await.unwrap().len(), 1);
    assert_eq!(store::for_conversation(&db, &olga, conv).await.unwrap()[0].id, r.id);
    assert!(store::list(&db, &xena, None).await.unwrap().is_empty(), "another inbox sees nothing");
    assert_eq!(store::set_status(&db, &xena, r.id, RequestStatus::Done, T0).await.unwrap_err(), AppError::NotFound);
    let bad = NewRequest { conversation_id: conv, title: "x", description: "", priority: Priority::Low };
    assert_eq!(store::create(&db, &xena, bad, T0).await.unwrap_err(), AppError::NotFound);
    let moved = store::set_status(&db, &olga, r.id, RequestStatus::InProgress, T0 + 1).await.unwrap();
    assert_eq!(moved.status, RequestStatus::InProgress);
    assert_eq!(store::list(&db, &olga, Some(RequestStatus::Done)).await.unwrap().len(), 0);
    let empty = NewRequest { conversation_id: conv, title: "  ", description: "", priority: Priority::Low };
    assert!(matches!(store::create(&db, &olga, empty, T0).await, Err(AppError::Unprocessable(_))));
});
