//! Every integration test, in one binary: the whole Leptos + axum stack is linked once,
//! not once per file. Each test that touches the database runs as two tests,
//! `…::sqlite` and `…::postgres` (see `common::test_both_dbs!`), so a failure names
//! its back end.
#[macro_use]
mod common;
mod api_v1;
mod attachments;
mod audit;
mod auth;
mod batching;
mod cli;
mod connections;
mod conversations;
mod csat;
mod cycles;
mod dashboard;
mod delete_export_presence;
mod fuzz;
mod gdpr;
mod handling;
mod hours;
mod hardening;
mod identity;
mod inbox_counts_csv;
mod inbox_list;
mod limits;
mod live;
mod reports;
mod processes;
mod requests;
mod routing;
mod retention;
mod settings;
mod site;
mod sla;
mod store;
mod supervise;
mod team_chat;
mod toolkit;
mod webhooks;
