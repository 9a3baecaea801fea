//! The careful path: a batch's sends that the bulk statements leave out, one by one.
use super::{OwnedSend, Outcome};
use crate::conversations::visitor_keys::is_visitors;
use crate::conversations::write::send_in;
use crate::db::Db;
use crate::error::AppError;
use sqlx::AnyConnection;

/// The sends at `which` (in order), each in its own savepoint; none for a lone send
/// `alone` in its transaction, as its failure rolls the transaction back. `None` when
/// the transaction itself broke.
pub(super) async fn one_by_one(tx: &mut AnyConnection, db: &Db, sends: &[OwnedSend], which: &[usize], alone: bool) -> Option<Vec<Outcome>> {
    if let ([only], true) = (which, alone) {
        return Some(vec![checked_send(tx, db, &sends[*only]).await]);
    }
    let mut results = Vec::with_capacity(which.len());
    for &i in which {
        sqlx::query("SAVEPOINT send").execute(&mut *tx).await.ok()?;
        let result = checked_send(tx, db, &sends[i]).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO SAVEPOINT send").execute(&mut *tx).await.ok()?;
        }
        sqlx::query("RELEASE SAVEPOINT send").execute(&mut *tx).await.ok()?;
        results.push(result);
    }
    Some(results)
}

/// One send; a visitor's only while their token still opens the chat.
async fn checked_send(tx: &mut AnyConnection, db: &Db, s: &OwnedSend) -> Outcome {
    if let Some(key) = &s.visitor_key {
        if !is_visitors(tx, s.conversation_id, key).await? {
            return Err(AppError::NotFound);
        }
    }
    send_in(tx, db, s.outgoing(), s.now).await
}
