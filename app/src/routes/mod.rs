//! One route per file.
pub mod admin;
pub mod admin_settings;
pub mod console;
pub mod conversation;
pub mod home;
pub mod list;
pub mod login;
pub mod requests;
pub mod team;
pub mod team_chat;
pub mod team_session;
pub mod workspace;
