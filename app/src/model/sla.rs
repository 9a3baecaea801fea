//! SLA targets and their alerts, as the live protocol carries them (see `crate::sla`).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::NextResponse => "next_response",
            Target::Resolution => "resolution",
        }
    }
    pub fn parse(s: &str) -> Option<Target> {
        [Target::FirstResponse, Target::NextResponse, Target::Resolution].into_iter().find(|t| t.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Target::FirstResponse => "First response",
            Target::NextResponse => "Next response",
            Target::Resolution => "Resolution",
        }
    }
}

/// An alert to the chat's assignee and supervisors (80%) or a breach, as an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaAlert {
    pub conversation_id: i64,
    pub inbox_id: i64,
    pub assignee_id: Option<i64>,
    pub target: Target,
    pub due_at: i64,
    /// `false`: 80% of the target has passed; `true`: it was breached.
    pub breached: bool,
}

