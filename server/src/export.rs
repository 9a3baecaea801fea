//! CSV downloads. `GET /api/conversations.csv?<the list's query>`: the filtered list,
//! streamed page by page over the same keyset query, never built in memory; and one
//! chat's export.
use app::error::AppError;
use app::accounts::identity::{Admin, SignedIn};
use app::conversations::identity::ChatReader;
use app::list::csv::{encode, list_record, LIST_HEADER};
use app::list::query::{page, validate, Viewer};
use app::list::ListQuery;
use app::state::AppState;
use axum::body::{Body, Bytes};
use app::conversations::handling::{self, Actor};
use app::conversations::rules::Action;
use app::conversations::transcript;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use crate::client::ClientIp;
use app::audit::{self, Action as Audited};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub async fn conversations_csv(
    State(st): State<AppState>,
    SignedIn(agent): SignedIn,
    ClientIp(ip): ClientIp,
    Query(mut q): Query<ListQuery>,
) -> Result<Response, AppError> {
    validate(&q)?;
    // The filters say what left: the query string, with no cursor.
    let filters = serde_json::to_value(&q).unwrap_or_default();
    let entry = audit::Entry::new(&audit::Actor::agent(agent.id, ip.map(|i| i.to_string())), Audited::ListExport, "list", "")
        .detail(serde_json::json!({ "filters": filters }));
    audit::record(&st.db, st.now(), entry).await?;
    let viewer = Viewer { id: agent.id, role: agent.role(), inboxes: Vec::new() };
    q.size = 100;
    q.before = None;
    // The first page is read before answering, so a bad cursor or a failing database
    // is a 4xx or 5xx with its message, not a 200 with an empty file.
    let first = page(&st.db, &viewer, &q, st.now()).await?;
    let mut head = encode([LIST_HEADER.map(String::from)])?;
    head.extend(encode(first.rows.iter().map(list_record))?);
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if tx.send(Ok(head.into())).await.is_err() {
            return;
        }
        let mut next = first.next;
        while let Some(after) = next.take() {
            q.after = Some(after);
            // A later failure aborts the body (no final chunk), so the download fails
            // visibly instead of ending as a shorter file that looks complete.
            let chunk = match page(&st.db, &viewer, &q, st.now()).await {
                Ok(p) => {
                    next = p.next;
                    encode(p.rows.iter().map(list_record)).map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            let item = chunk.map(Bytes::from).map_err(|e| {
                tracing::error!(error = %e, "CSV export failed part way");
                std::io::Error::other(e)
            });
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, "attachment; filename=\"conversations.csv\"")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(ReceiverStream::new(rx)))
        .expect("static headers"))
}

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    /// Include internal notes and off-the-record lines (supervisors only).
    #[serde(default)]
    pub internal: bool,
}

/// `GET /api/conversations/{id}/export.csv`: one chat as CSV. Agents by session, within
/// their inboxes; a visitor by their bearer token, for their own chat only (any other
/// is a 404) and without internal lines.
pub async fn conversation_csv(
    State(st): State<AppState>,
    reader: ChatReader,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let include_internal = match reader {
        ChatReader::Visitor(_) => false,
        ChatReader::Agent(agent) => {
            let action = if q.internal { Action::ExportInternal } else { Action::Export };
            handling::visible(&st.db, &Actor::of(&agent), id, action).await?;
            let entry = audit::Entry::new(&audit::Actor::agent(agent.id, ip.map(|i| i.to_string())), Audited::ConversationExport, "conversation", id)
                .detail(serde_json::json!({ "internal": q.internal }));
            audit::record(&st.db, st.now(), entry).await?;
            q.internal
        }
    };
    let mut records = vec![transcript::HEADER.map(String::from).to_vec()];
    records.extend(transcript::rows(&st.db, id, include_internal).await?);
    let body = encode(records)?;
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"conversation-{id}.csv\""))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .expect("static headers"))
}

/// `GET /api/admin/audit.csv?<the audit page's filters>`: every matching entry, newest
/// first, streamed page by page (admins only). The download is itself audited.
pub async fn audit_csv(
    State(st): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Query(mut q): Query<app::audit_log::AuditQuery>,
) -> Result<Response, AppError> {
    q.before = None;
    let (first, mut next) = app::audit_log::store::page(&st.db, &q).await?;
    let entry = audit::Entry::new(&audit::Actor::agent(admin.id, ip.map(|i| i.to_string())), Audited::AuditExport, "audit_log", "");
    audit::record(&st.db, st.now(), entry).await?;
    let record = |r: &app::audit_log::store::AuditRow| {
        let l = r.line();
        vec![l.id.to_string(), app::timefmt::iso8601(l.at), l.actor, r.action.clone(), l.target, l.changes, l.address.unwrap_or_default()]
    };
    let header = ["id", "at", "actor", "action", "target", "changes", "address"].map(String::from).to_vec();
    let mut head = encode([header])?;
    head.extend(encode(first.iter().map(record))?);
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if tx.send(Ok(head.into())).await.is_err() {
            return;
        }
        while let Some(before) = next.take() {
            q.before = Some(before);
            let item = match app::audit_log::store::page(&st.db, &q).await {
                Ok((rows, more)) => {
                    next = more;
                    encode(rows.iter().map(record)).map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
                }
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\"")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(ReceiverStream::new(rx)))
        .expect("static headers"))
}

#[derive(serde::Deserialize)]
pub struct ReportCsvQuery {
    from: String,
    to: String,
    zone: String,
    inbox: Option<i64>,
    agent: Option<i64>,
    #[serde(default)]
    business_hours: bool,
    /// `buckets` (per day or hour, with the total), `agents` or `heatmap`.
    table: String,
}

/// `GET /api/reports.csv?<the report's query>&table=…`: one of the report's tables,
/// as the page shows it (durations in seconds).
pub async fn report_csv(State(st): State<AppState>, SignedIn(agent): SignedIn, Query(q): Query<ReportCsvQuery>) -> Result<Response, AppError> {
    let query = app::reports::ReportQuery { from: q.from, to: q.to, zone: q.zone, inbox: q.inbox, agent: q.agent, business_hours: q.business_hours };
    let r = app::reports::store::report(&st.db, agent.id, agent.role(), &query).await?;
    let secs = |ms: Option<i64>| ms.map(|m| (m / 1000).to_string()).unwrap_or_default();
    let share = |s: Option<f64>| s.map(|v| format!("{v:.1}")).unwrap_or_default();
    let rows: Vec<Vec<String>> = match q.table.as_str() {
        "buckets" => std::iter::once(
            [
                "bucket",
                "conversations",
                "first_response_median_s",
                "first_response_p90_s",
                "resolution_median_s",
                "resolution_p90_s",
                "csat_percent",
                "csat_answers",
                "sla_first_response_met_percent",
                "sla_next_response_met_percent",
                "sla_resolution_met_percent",
            ]
                .map(String::from)
                .to_vec(),
        )
        .chain(r.buckets.iter().chain(std::iter::once(&r.total)).map(|b| {
            vec![
                b.label.clone(),
                b.conversations.to_string(),
                secs(b.first_response.median_ms),
                secs(b.first_response.p90_ms),
                secs(b.resolution.median_ms),
                secs(b.resolution.p90_ms),
                share(b.csat.share()),
                b.csat.responses.to_string(),
                share(b.sla.first_response.share()),
                share(b.sla.next_response.share()),
                share(b.sla.resolution.share()),
            ]
        }))
        .collect(),
        "agents" => std::iter::once(["agent", "handled", "first_response_median_s", "resolution_median_s", "csat_percent", "csat_answers"].map(String::from).to_vec())
            .chain(r.agents.iter().map(|a| {
                vec![a.name.clone(), a.handled.to_string(), secs(a.first_response.median_ms), secs(a.resolution.median_ms), share(a.csat.share()), a.csat.responses.to_string()]
            }))
            .collect(),
        "heatmap" => std::iter::once(std::iter::once("weekday".to_string()).chain((0..24).map(|h| format!("{h:02}"))).collect())
            .chain(r.heatmap.iter().zip(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]).map(|(row, d)| {
                std::iter::once(d.to_string()).chain(row.iter().map(|n| n.to_string())).collect()
            }))
            .collect(),
        other => return Err(AppError::Unprocessable(format!("unknown table {other:?}: use buckets, agents or heatmap"))),
    };
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"report-{}.csv\"", q.table))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(encode(rows)?))
        .expect("static headers"))
}

/// `GET /api/customers/{id}/export.json`: everything kept about a customer (GDPR
/// access), for admins, as a download; audited without content.
pub async fn customer_json(
    State(st): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let data = app::customers::gdpr::export(&st.db, id, st.now()).await?;
    let entry = audit::Entry::new(&audit::Actor::agent(admin.id, ip.map(|i| i.to_string())), Audited::CustomerExport, "customer", id);
    audit::record(&st.db, st.now(), entry).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|_| AppError::Internal)?;
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"customer-{id}.json\""))
        .body(Body::from(body))
        .map_err(|_| AppError::Internal)
}
