#![recursion_limit = "256"]
//! The Switchboard server: routes, middleware and start-up, as a library so the
//! integration tests drive the very same router.
pub mod api_v1;
pub mod chat_scope;
pub mod cli;
pub mod client;
pub mod contexts;
pub mod export;
pub mod files;
pub mod http;
pub mod input;
pub mod listen;
pub mod memory;
pub mod metrics;
pub mod origin;
pub mod site;
pub mod sse;
pub mod widget_api;

pub use http::router;
