//! The inbox list and search through `POST /api/inbox/page`, as the console asks,
//! one page of 25 rows (the smallest the console offers).
use super::Ctx;
use crate::seed::{COMMON_TERM, NAME_TERM, RARE_TERM};
use crate::stats::{summarise, Summary};
use anyhow::{bail, Result};
use std::time::Instant;

pub struct ListFigure {
    pub name: String,
    pub search: bool,
    pub summary: Summary,
    pub rows: usize,
}

/// (name, form fields of the list query, rows the page must at least have)
fn queries(inbox: i64) -> Vec<(String, Vec<(&'static str, String)>, usize)> {
    let q = |k: &'static str, v: &str| (k, v.to_string());
    vec![
        ("all".into(), vec![], 20),
        ("mine".into(), vec![q("group", "mine")], 1),
        ("unassigned".into(), vec![q("group", "unassigned")], 20),
        ("closed".into(), vec![q("group", "closed")], 20),
        (format!("inbox {inbox}"), vec![q("inbox", &inbox.to_string())], 20),
        ("status=new".into(), vec![q("status", "new")], 20),
        ("status=open".into(), vec![q("status", "open")], 20),
        ("reason=solved".into(), vec![q("group", "closed"), q("reason", "solved")], 20),
        ("started=today".into(), vec![q("started", "today")], 1),
        ("started=last7".into(), vec![q("started", "last7")], 20),
        ("follow_up=awaiting".into(), vec![q("follow_up", "awaiting")], 1),
        ("online".into(), vec![q("online", "true")], 0),
        ("sort=started".into(), vec![q("sort", "started")], 20),
        ("sort=name_asc".into(), vec![q("sort", "name_asc")], 20),
        (format!("search name \"{NAME_TERM}\""), vec![q("q", NAME_TERM)], 1),
        (format!("search rare \"{RARE_TERM}\""), vec![q("q", RARE_TERM)], 1),
        (format!("search common \"{COMMON_TERM}\""), vec![q("q", COMMON_TERM)], 20),
    ]
}

async fn page(ctx: &Ctx<'_>, token: &str, fields: &[(&str, String)]) -> Result<(usize, Option<String>)> {
    let mut form: Vec<(String, String)> = vec![("query[size]".into(), "25".into())];
    form.extend(fields.iter().map(|(k, v)| (format!("query[{k}]"), v.clone())));
    let v = super::console_call(ctx, "inbox/page", token, &form).await?;
    let rows = v["rows"].as_array().map(|r| r.len()).unwrap_or(0);
    Ok((rows, v["next"].as_str().map(str::to_string)))
}

pub async fn run(ctx: &Ctx<'_>, samples: usize) -> Result<Vec<ListFigure>> {
    let fx = ctx.fixture;
    let mut out = Vec::new();
    let mut qs = queries(fx.inboxes[fx.inboxes.len() - 1]);
    // The second page of the default list, by its keyset cursor.
    let (_, next) = page(ctx, &fx.admin.token, &[]).await?;
    if let Some(cursor) = next {
        qs.push(("all, page 2".into(), vec![("after", cursor)], 20));
    }
    for (name, fields, at_least) in qs {
        // "My chats" of a supervisor who has some; everything else as the admin.
        let token = if name == "mine" { &fx.supervisors[2 % fx.supervisors.len()].token } else { &fx.admin.token };
        let (rows, _) = page(ctx, token, &fields).await?; // warm-up, and the check
        if rows < at_least {
            bail!("list \"{name}\" gave {rows} rows, expected at least {at_least}");
        }
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t = Instant::now();
            page(ctx, token, &fields).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(ListFigure { search: name.starts_with("search"), name, summary: summarise(&times), rows });
    }
    Ok(out)
}
