//! The public REST API, `/api/v1`: API tokens (scopes, inboxes, rates), problem+json
//! errors, and an OpenAPI 3.1 document generated from these handlers
//! (`/api/v1/openapi.json`), with a reference page at `/api/docs` rendered here from
//! that document (no assets from anywhere else).
mod conversations;
mod directory;
mod docs;
pub mod problem;

use app::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", version = "1", description = "Conversations, customers, inboxes, agents, canned responses, service requests and reports, for other systems. Authenticate with `Authorization: Bearer sbk_…` (Settings → API tokens, or `switchboard token create`). Errors are RFC 9457 problem details."),
    paths(
        conversations::list, conversations::get, conversations::messages, conversations::send, conversations::status,
        conversations::assign, conversations::move_to,
        directory::customer, directory::set_attributes, directory::export, directory::erase,
        directory::inboxes, directory::members, directory::agents, directory::canned,
        directory::requests, directory::request, directory::request_status, directory::summary,
    ),
    components(schemas(problem::Problem, app::list::Group, app::list::Started, app::list::FollowUp, app::list::Sort, app::list::SlaFilter)),
    modifiers(&Security, &Problems),
    tags(
        (name = "conversations", description = "Chats and their lines"),
        (name = "customers", description = "Who is behind a chat; GDPR export and erase"),
        (name = "directory", description = "Inboxes, agents and canned responses"),
        (name = "requests", description = "Service requests made from chats"),
        (name = "reports", description = "The reports' figures"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("sbk_…").build()));
    }
}

/// Every operation may answer these, always as a problem (RFC 9457): documented once
/// here rather than on each handler.
const ERRORS: [(u16, &str); 10] = [
    (400, "The request could not be read (a path or query value of the wrong type)"),
    (401, "No valid API token"),
    (403, "The token lacks the scope, or its agent the right, to do this"),
    (404, "No such record, or not within the token's inboxes"),
    (409, "The record's state does not allow this now"),
    (413, "The body is too large"),
    (415, "The body is not JSON"),
    (422, "The body or a value is not acceptable; the detail says why"),
    (429, "Over the token's rate; retry after `Retry-After` seconds"),
    (503, "The database is unavailable"),
];

struct Problems;

impl Modify for Problems {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        for item in api.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten() {
                for (code, about) in ERRORS {
                    let response = ResponseBuilder::new().description(about).content("application/problem+json", problem()).build();
                    op.responses.responses.insert(code.to_string(), response.into());
                }
            }
        }
    }
}

/// The document, as served (OpenAPI 3.1).
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The routes, to nest at `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(conversations::list))
        .route("/conversations/{id}", get(conversations::get))
        .route("/conversations/{id}/messages", get(conversations::messages).post(conversations::send))
        .route("/conversations/{id}/status", post(conversations::status))
        .route("/conversations/{id}/assign", post(conversations::assign))
        .route("/conversations/{id}/move", post(conversations::move_to))
        .route("/customers/{id}", get(directory::customer))
        .route("/customers/{id}/attributes", post(directory::set_attributes))
        .route("/customers/{id}/export", get(directory::export))
        .route("/customers/{id}/erase", post(directory::erase))
        .route("/inboxes", get(directory::inboxes))
        .route("/inboxes/{id}/members", get(directory::members))
        .route("/agents", get(directory::agents))
        .route("/canned", get(directory::canned))
        .route("/requests", get(directory::requests))
        .route("/requests/{id}", get(directory::request))
        .route("/requests/{id}/status", post(directory::request_status))
        .route("/reports/summary", get(directory::summary))
        .route("/openapi.json", get(|| async { axum::Json(document()) }))
        .fallback(|| async { problem::Problem::new(axum::http::StatusCode::NOT_FOUND, "no such API route") })
}

pub use docs::reference;
