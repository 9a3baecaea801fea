//! One route per file.
pub mod console;
pub mod conversation;
pub mod dashboard;
pub mod home;
pub mod lazy;
pub mod list;
pub mod login;
pub mod mentions;
pub mod reports;
pub mod requests;
pub mod settings;
pub mod team;
pub mod team_chat;
pub mod team_session;
pub mod workspace;
