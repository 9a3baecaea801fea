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
    // Support links a chat's context (an order, a test…) into the back office.
    inboxes::set_context_url_template(db, support, "https://backoffice.example/{type}/{id}").await?;
    // Support greets its visitors before their first message.
    let look = crate::inboxes::appearance::Appearance {
        greeting: Some("Hi! Ask us anything about your order — we usually answer within a few minutes.".into()),
        ..Default::default()
    };
    inboxes::set_appearance(db, support, &look).await?;
    // Sam supervises both; Alex works Support only, Jo works Billing only.
    inboxes::set_member(db, support, ids[1], Some(MemberRole::Supervisor)).await?;
    inboxes::set_member(db, billing, ids[1], Some(MemberRole::Supervisor)).await?;
    inboxes::set_member(db, support, ids[2], Some(MemberRole::Operator)).await?;
    inboxes::set_member(db, billing, ids[3], Some(MemberRole::Operator)).await?;
    conversations(db, ids[2], ids[3], now).await?;
    canned(db, ids[0], support, now).await?;
    Ok(true)
}

/// A few canned responses: two for everyone (kept by the admin), one for Support.
async fn canned(db: &Db, admin: i64, support: i64, now: i64) -> AppResult<()> {
    use crate::canned::{draft, store};
    let keeper = store::keeper(db, admin, true).await?;
    let list = [
        ("global", None, "hello", "Greeting", "Hi {{customer.first_name | there}}, I'm {{agent.name}} from {{inbox.name}}. How can I help?"),
        ("global", None, "thanks", "Thanks and goodbye", "Thanks for reaching out, {{customer.first_name | and have a nice day}}!"),
        ("inbox", Some(support), "order", "Order status", "I'm looking up your order now; it takes a minute."),
    ];
    for (scope, inbox, code, title, body) in list {
        store::save(db, &keeper, None, &draft(scope, inbox, code, title, body)?, now).await?;
    }
    Ok(())
}

/// A dozen conversations across both inboxes: waiting, answered and closed ones.
async fn conversations(db: &Db, alex: i64, jo: i64, now: i64) -> AppResult<()> {
    use crate::conversations::store::{start, StartVisitor};
    use crate::conversations::handling::{close, Actor};
    use crate::conversations::write::{send, Author, Outgoing};
    use crate::conversations::{visitor, CloseReason, Context, Visibility};
    const CHATS: [(&str, &str, &str, Option<&str>); 12] = [
        ("demo-support", "Maria Lopez", "I can't log in to my account since this morning.", Some("Sure, let me reset your session.")),
        ("demo-support", "Tom Becker", "Where is my order #4411?", None),
        ("demo-billing", "Aiko Tanaka", "I was charged twice for March.", Some("Sorry about that, refunding the duplicate now.")),
        ("demo-support", "Lena Fischer", "The app crashes when I upload a photo.", Some("Which phone and app version do you use?")),
        ("demo-billing", "Omar Haddad", "Can I get an invoice with our VAT number?", None),
        ("demo-support", "Chloe Martin", "How do I change my delivery address?", Some("Go to Profile, then Addresses.")),
        ("demo-support", "Ravi Patel", "My exam timer stopped during the test.", None),
        ("demo-billing", "Sofia Rossi", "Is there a discount for annual plans?", Some("Yes: two months free on yearly billing.")),
        ("demo-support", "Jonas Berg", "Password reset mail never arrives.", Some("Please check the spam folder; I resent it.")),
        ("demo-billing", "Emma Wilson", "Please cancel my subscription.", None),
        ("demo-support", "Lucas Silva", "Can I pay on delivery?", Some("Not yet, but it is on our roadmap.")),
        ("demo-billing", "Nora Ahmed", "Refund status for transaction T-2231?", Some("It was sent yesterday.")),
    ];
    for (i, (inbox, name, question, answer)) in CHATS.iter().enumerate() {
        let at = now - (12 - i as i64) * 3_600_000;
        let token_hash = visitor::hash_token(&format!("demo-visitor-{i}-{}", crate::tokens::random_id()));
        let context = (i % 3 == 2).then(|| Context {
            kind: Some("transaction".into()),
            id: Some(format!("T-{}", 2200 + i)),
            label: Some(format!("Transaction T-{}", 2200 + i)),
            url: None,
        });
        let email = format!("{}@example.net", name.to_lowercase().replace(' ', "."));
        let req = StartVisitor { inbox_key: inbox, token_hash: &token_hash, name: Some(name), email: Some(&email), context: context.as_ref() };
        let (conv, _) = start(db, req, at).await?;
        let ask = Outgoing { conversation_id: conv.id, author: Author::Customer, client_id: "demo-q", body: question, visibility: Visibility::Public, file: None };
        send(db, ask, at).await?;
        if let Some(answer) = answer {
            let (agent, agent_name) = if *inbox == "demo-support" { (alex, "Alex Operator") } else { (jo, "Jo Operator") };
            let reply = Outgoing {
                conversation_id: conv.id,
                author: Author::Agent { id: agent, name: agent_name },
                client_id: "demo-a",
                body: answer,
                visibility: Visibility::Public,
                file: None,
            };
            send(db, reply, at + 120_000).await?;
            // Whoever answered owns the chat.
            sqlx::query("UPDATE conversations SET assignee_id = $1 WHERE id = $2").bind(agent).bind(conv.id).execute(db.pool()).await?;
            if i % 4 == 0 {
                let actor = Actor { id: agent, name: agent_name.into(), is_admin: false, address: None, token: None };
                close(db, conv.id, &actor, CloseReason::Solved, at + 300_000).await?;
            }
        }
    }
    Ok(())
}
