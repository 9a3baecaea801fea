//! `/api/v1` beyond conversations: customers (get, attributes, GDPR export and
//! erase), inboxes and their members, agents, canned responses, service requests and
//! the reports' summary figures.
use super::problem::{ApiResult, Problem};
use app::accounts::AgentSummary;
use app::api_tokens::extract::ApiToken;
use app::api_tokens::Scope;
use app::canned::Canned;
use app::customers::gdpr::{self, Asker};
use app::customers::{CustomerExport, CustomerRecord, ErasedCustomer};
use app::error::AppError;
use app::inboxes::{InboxSummary, Member};
use app::reports::Bucket;
use app::requests::{RequestStatus, ServiceRequest};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn asker(token: &ApiToken) -> Asker<'_> {
    Asker { agent_id: token.agent.id, is_admin: token.agent.role() == app::accounts::Role::Admin, inboxes: &token.inboxes }
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = CustomerRecord), (status = 404, body = Problem)), security(("token" = ["read"])))]
pub async fn customer(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>) -> ApiResult<Json<CustomerRecord>> {
    token.require(Scope::Read)?;
    gdpr::reach(&st.db, &asker(&token), id).await?;
    Ok(Json(gdpr::get(&st.db, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// Merged over the stored attributes (at most 20; names up to 40 characters, values up to 200).
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/attributes", tag = "customers", params(("id" = i64, Path)), request_body = Attributes,
    responses((status = 200, body = CustomerRecord), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn set_attributes(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(a): Json<Attributes>) -> ApiResult<Json<CustomerRecord>> {
    token.require(Scope::Write)?;
    gdpr::reach(&st.db, &asker(&token), id).await?;
    let record = gdpr::set_attributes(&st.db, id, a.attributes, st.now()).await?;
    let entry = app::audit::Entry::new(&token.audit_actor(), app::audit::Action::CustomerUpdate, "customer", id);
    app::audit::record(&st.db, st.now(), entry).await?;
    Ok(Json(record))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/export", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = CustomerExport), (status = 403, body = Problem), (status = 404, body = Problem)), security(("token" = ["admin"])))]
pub async fn export(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>) -> ApiResult<Json<CustomerExport>> {
    token.require(Scope::Admin)?;
    gdpr::reach(&st.db, &asker(&token), id).await?;
    let data = gdpr::export(&st.db, id, st.now()).await?;
    let entry = app::audit::Entry::new(&token.audit_actor(), app::audit::Action::CustomerExport, "customer", id);
    app::audit::record(&st.db, st.now(), entry).await?;
    Ok(Json(data))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseConfirm {
    /// Must be `true`: erasing cannot be undone.
    pub confirm: bool,
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", tag = "customers", params(("id" = i64, Path)), request_body = EraseConfirm,
    responses((status = 200, body = ErasedCustomer), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["admin"])))]
pub async fn erase(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(c): Json<EraseConfirm>) -> ApiResult<Json<ErasedCustomer>> {
    token.require(Scope::Admin)?;
    if token.agent.role() != app::accounts::Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    gdpr::reach(&st.db, &asker(&token), id).await?;
    if !c.confirm {
        return Err(AppError::Unprocessable("erasing cannot be undone: send {\"confirm\": true}".into()).into());
    }
    let erased = gdpr::erase(&st.db, id, &st.config.data_dir, st.now()).await?;
    let entry = app::audit::Entry::new(&token.audit_actor(), app::audit::Action::CustomerErase, "customer", id)
        .detail(serde_json::json!({ "conversations": erased.conversations, "messages": erased.messages, "files": erased.files }));
    app::audit::record(&st.db, st.now(), entry).await?;
    Ok(Json(erased))
}

#[utoipa::path(get, path = "/api/v1/inboxes", tag = "directory",
    responses((status = 200, body = Vec<InboxSummary>), (status = 401, body = Problem)), security(("token" = ["read"])))]
pub async fn inboxes(State(st): State<AppState>, token: ApiToken) -> ApiResult<Json<Vec<InboxSummary>>> {
    token.require(Scope::Read)?;
    let all = app::inboxes::store::visible_to(&st.db, token.agent.id, token.agent.role()).await?;
    Ok(Json(all.into_iter().filter(|i| token.reaches(i.id)).collect()))
}

#[utoipa::path(get, path = "/api/v1/inboxes/{id}/members", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Member>), (status = 404, body = Problem)), security(("token" = ["read"])))]
pub async fn members(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>) -> ApiResult<Json<Vec<Member>>> {
    token.require(Scope::Read)?;
    token.within(id)?;
    let visible = app::inboxes::store::visible_to(&st.db, token.agent.id, token.agent.role()).await?;
    if !visible.iter().any(|i| i.id == id) {
        return Err(AppError::NotFound.into());
    }
    let all = app::inboxes::store::list_with_members(&st.db).await?;
    Ok(Json(all.into_iter().find(|i| i.id == id).map(|i| i.members).unwrap_or_default()))
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "directory",
    responses((status = 200, body = Vec<AgentSummary>), (status = 401, body = Problem)), security(("token" = ["read"])))]
pub async fn agents(State(st): State<AppState>, token: ApiToken) -> ApiResult<Json<Vec<AgentSummary>>> {
    token.require(Scope::Read)?;
    let all = app::accounts::store::list(&st.db).await?;
    Ok(Json(all.iter().map(|a| a.summary()).collect()))
}

#[utoipa::path(get, path = "/api/v1/canned", tag = "directory",
    responses((status = 200, body = Vec<Canned>), (status = 401, body = Problem)), security(("token" = ["read"])))]
pub async fn canned(State(st): State<AppState>, token: ApiToken) -> ApiResult<Json<Vec<Canned>>> {
    token.require(Scope::Read)?;
    let keeper = app::canned::store::keeper(&st.db, token.agent.id, token.agent.role() == app::accounts::Role::Admin).await?;
    let all = app::canned::store::listed(&st.db, &keeper).await?;
    Ok(Json(all.into_iter().filter(|c| c.inbox_id.is_none_or(|i| token.reaches(i))).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    pub status: Option<RequestStatus>,
}

#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(RequestsQuery),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 401, body = Problem)), security(("token" = ["read"])))]
pub async fn requests(State(st): State<AppState>, token: ApiToken, Query(q): Query<RequestsQuery>) -> ApiResult<Json<Vec<ServiceRequest>>> {
    token.require(Scope::Read)?;
    let all = app::requests::store::list(&st.db, &token.actor(), q.status).await?;
    Ok(Json(all.into_iter().filter(|r| token.reaches(r.inbox_id)).collect()))
}

#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", params(("id" = i64, Path)),
    responses((status = 200, body = ServiceRequest), (status = 404, body = Problem)), security(("token" = ["read"])))]
pub async fn request(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>) -> ApiResult<Json<ServiceRequest>> {
    token.require(Scope::Read)?;
    let r = app::requests::store::get(&st.db, &token.actor(), id).await?;
    token.within(r.inbox_id)?;
    Ok(Json(r))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestStatusChange {
    pub status: RequestStatus,
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/status", tag = "requests", params(("id" = i64, Path)), request_body = RequestStatusChange,
    responses((status = 200, body = ServiceRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn request_status(State(st): State<AppState>, token: ApiToken, Path(id): Path<i64>, Json(c): Json<RequestStatusChange>) -> ApiResult<Json<ServiceRequest>> {
    token.require(Scope::Write)?;
    let r = app::requests::store::get(&st.db, &token.actor(), id).await?;
    token.within(r.inbox_id)?;
    Ok(Json(app::requests::store::set_status(&st.db, &token.actor(), id, c.status, st.now()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// First day, `YYYY-MM-DD`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: String,
    /// Last day, `YYYY-MM-DD` (at most a year after `from`).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: String,
    /// An IANA time zone (UTC when left out).
    pub zone: Option<String>,
    pub inbox: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// The range's figures (conversations, first response and resolution times,
    /// CSAT, SLA met), as the reports page defines them.
    pub total: Bucket,
    /// Chats whose close asked for a rating.
    pub surveyed: i64,
}

#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", params(SummaryQuery),
    responses((status = 200, body = Summary), (status = 403, body = Problem), (status = 422, body = Problem)), security(("token" = ["read"])))]
pub async fn summary(State(st): State<AppState>, token: ApiToken, Query(q): Query<SummaryQuery>) -> ApiResult<Json<Summary>> {
    token.require(Scope::Read)?;
    if let Some(i) = q.inbox {
        token.within(i)?;
    } else if !token.inboxes.is_empty() {
        return Err(AppError::Unprocessable("this token is kept to some inboxes: name one with `inbox`".into()).into());
    }
    let query = app::reports::ReportQuery {
        from: q.from,
        to: q.to,
        zone: q.zone.unwrap_or_else(|| "UTC".into()),
        inbox: q.inbox,
        ..Default::default()
    };
    let report = app::reports::store::report(&st.db, token.agent.id, token.agent.role(), &query).await?;
    Ok(Json(Summary { total: report.total, surveyed: report.surveyed }))
}
