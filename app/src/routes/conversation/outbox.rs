//! The messages on their way out of one chat. A reply or note is shown at once, kept
//! in the browser until the server has it (so it survives a reload or a closed tab),
//! and sent in order, one at a time. A network failure leaves it waiting ("Waiting
//! for the network") until the stream is live again; a refusal marks it "Not sent"
//! with Retry and Discard. Each keeps its client id, so a resend after a lost answer
//! stores nothing twice.
use crate::conversations::api::{send_reply, whisper};
use crate::conversations::Message;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(super) enum SendState {
    #[default]
    Waiting,
    Sending,
    Failed,
}

/// A message on its way.
#[derive(Clone, PartialEq, Serialize, Deserialize, Debug)]
pub(super) struct Pending {
    pub client_id: String,
    pub body: String,
    /// A private note.
    pub note: bool,
    /// A whisper (a note for the assignee and supervisors only).
    #[serde(default)]
    pub whisper: bool,
    /// A file going up (shown, never kept or resent).
    #[serde(default, skip_serializing)]
    pub upload: bool,
    #[serde(skip)]
    pub state: SendState,
}

impl Pending {
    pub fn label(&self) -> &'static str {
        match (self.upload, self.state) {
            (true, _) | (false, SendState::Sending) => "Sending…",
            (false, SendState::Waiting) => "Waiting for the network",
            (false, SendState::Failed) => "Not sent",
        }
    }
}

#[derive(Clone, Copy)]
pub(super) struct Outbox {
    conv: i64,
    pub items: RwSignal<Vec<Pending>>,
    /// Whether a flush is running (one at a time keeps the order).
    busy: StoredValue<bool>,
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

impl Outbox {
    pub fn new(conv: i64) -> Outbox {
        Outbox { conv, items: RwSignal::new(Vec::new()), busy: StoredValue::new(false) }
    }

    fn key(self) -> String {
        format!("sb_outbox:{}", self.conv)
    }

    /// What an earlier page left unsent (call in the browser).
    pub fn restore(self) {
        let saved: Vec<Pending> = storage()
            .and_then(|s| s.get_item(&self.key()).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        if !saved.is_empty() {
            self.items.update(|list| {
                for p in saved {
                    if !list.iter().any(|x| x.client_id == p.client_id) {
                        list.push(p);
                    }
                }
            });
        }
    }

    fn save(self) {
        let Some(s) = storage() else { return };
        let kept: Vec<Pending> = self.items.with_untracked(|l| l.iter().filter(|p| !p.upload).cloned().collect());
        let _ = if kept.is_empty() { s.remove_item(&self.key()) } else { s.set_item(&self.key(), &serde_json::to_string(&kept).unwrap_or_default()) };
    }

    fn set_state(self, client_id: &str, state: SendState) {
        self.items.update(|l| l.iter_mut().filter(|p| p.client_id == client_id).for_each(|p| p.state = state));
    }

    pub fn push(self, p: Pending) {
        self.items.update(|l| l.push(p));
        self.save();
    }

    /// The server has it (its answer, or its event): no longer pending.
    pub fn delivered(self, client_id: &str) {
        if self.items.with_untracked(|l| l.iter().any(|p| p.client_id == client_id)) {
            self.items.update(|l| l.retain(|p| p.client_id != client_id));
            self.save();
        }
    }

    pub fn discard(self, client_id: &str) {
        self.delivered(client_id);
    }

    pub fn retry(self, client_id: &str, on_sent: impl Fn(Message) + Copy + 'static, on_error: impl Fn(Option<AppError>) + Copy + 'static) {
        self.set_state(client_id, SendState::Waiting);
        self.flush(on_sent, on_error);
    }

    /// Sends what waits, oldest first, one at a time; stops at a network failure.
    pub fn flush(self, on_sent: impl Fn(Message) + Copy + 'static, on_error: impl Fn(Option<AppError>) + Copy + 'static) {
        if self.busy.get_value() {
            return;
        }
        self.busy.set_value(true);
        spawn_local(async move {
            loop {
                let next = self.items.with_untracked(|l| l.iter().find(|p| !p.upload && p.state == SendState::Waiting).cloned());
                let Some(p) = next else { break };
                self.set_state(&p.client_id, SendState::Sending);
                let sent = if p.whisper {
                    whisper(self.conv, p.client_id.clone(), p.body.clone()).await
                } else {
                    send_reply(self.conv, p.client_id.clone(), p.body.clone(), p.note).await
                };
                match sent {
                    Ok(m) => {
                        self.delivered(&p.client_id);
                        on_sent(m);
                        on_error(None);
                    }
                    Err(AppError::Transport(_)) => {
                        self.set_state(&p.client_id, SendState::Waiting);
                        break;
                    }
                    Err(e) => {
                        self.set_state(&p.client_id, SendState::Failed);
                        on_error(Some(e));
                    }
                }
            }
            self.busy.set_value(false);
        });
    }
}
