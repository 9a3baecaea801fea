#![recursion_limit = "256"]
//! Switchboard's shared crate: types, server functions and the console UI. The
//! `ssr` feature adds the server side (storage, sessions); `hydrate` the browser side.
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_log;
pub mod attachments;
pub mod canned;
mod app;
pub mod components;
pub mod conversations;
pub mod csat;
pub mod customers;
pub mod reports;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod hours;
pub mod inboxes;
pub mod list;
pub mod live;
pub mod me;
pub mod mentions;
pub mod model;
pub mod requests;
pub mod retention;
pub mod routes;
pub mod routing;
pub mod sla;
pub mod team;
pub mod text;
pub mod timefmt;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod tokens;

pub use app::{shell, App};
