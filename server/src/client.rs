//! The client's address as an extractor: the connection's peer, or what a trusted
//! proxy says (see `app::limits::client_ip`). `None` only for requests that came
//! without a connection (the in-process tests).
use app::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::IpAddr;

pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(st.client_ip(parts)))
    }
}
