//! Demo data for `switchboard serve --demo`: four agents and two inboxes, created
//! only when the database has no agents yet, so a restart never duplicates them.
use crate::accounts::{password, store as agents, Role};
use crate::db::Db;
use crate::error::AppResult;
use crate::inboxes::{store as inboxes, MemberRole};

pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
}

pub const LOGINS: [DemoLogin; 4] = [
    DemoLogin { email: "admin@example.com", password: "admin-demo-pass", role: Role::Admin },
    DemoLogin { email: "sam.supervisor@example.com", password: "supervisor-demo-pass", role: Role::Supervisor },
    DemoLogin { email: "alex.operator@example.com", password: "operator-demo-pass", role: Role::Operator },
    DemoLogin { email: "jo.operator@example.com", password: "operator-demo-pass", role: Role::Operator },
];

const NAMES: [&str; 4] = ["Ada Admin", "Sam Supervisor", "Alex Operator", "Jo Operator"];

/// Seeds the demo data; returns false when the database already had agents.
pub async fn seed(db: &Db, now: i64) -> AppResult<bool> {
    if agents::count(db).await? > 0 {
        return Ok(false);
    }
    let mut ids = Vec::new();
    for (login, name) in LOGINS.iter().zip(NAMES) {
        let hash = password::hash(login.password.to_string()).await?;
        let new = agents::NewAgent { email: login.email, name, role: login.role, password_hash: &hash };
        ids.push(agents::insert(db, new, now).await?);
    }
    let support = inboxes::create(db, "Support", now).await?;
    let billing = inboxes::create(db, "Billing", now).await?;
    // Fixed widget keys, so the demo embed snippet in the README works as written.
    for (id, key) in [(support, "demo-support"), (billing, "demo-billing")] {
        sqlx::query("UPDATE inboxes SET public_key = $1 WHERE id = $2").bind(key).bind(id).execute(db.pool()).await?;
    }
    // Sam supervises both; Alex works Support only, Jo works Billing only.
    inboxes::set_member(db, support, ids[1], Some(MemberRole::Supervisor)).await?;
    inboxes::set_member(db, billing, ids[1], Some(MemberRole::Supervisor)).await?;
    inboxes::set_member(db, support, ids[2], Some(MemberRole::Operator)).await?;
    inboxes::set_member(db, billing, ids[3], Some(MemberRole::Operator)).await?;
    Ok(true)
}
