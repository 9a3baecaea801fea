//! Server functions for an inbox's business hours (admins only, audited). They live
//! with routing, which holds chats while an inbox is closed.
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    crate::hours::{clock, format_day, parse_day, parse_holidays, store, Hours},
    crate::accounts::identity::Admin,
    crate::audit,
    crate::state::{extract, state},
};

/// The hours as the settings form shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursForm {
    pub enabled: bool,
    pub timezone: String,
    /// Monday to Sunday, as typed (`09:00-17:00`, empty: closed).
    pub days: Vec<String>,
    /// One `YYYY-MM-DD` per line.
    pub holidays: String,
}

#[server(prefix = "/api", endpoint = "admin/inboxes/hours")]
pub async fn inbox_hours(inbox_id: i64) -> Result<HoursForm, AppError> {
    extract::<Admin>().await?;
    Ok(match store::hours(&state()?.db, inbox_id).await? {
        Some(h) => HoursForm {
            enabled: true,
            timezone: h.timezone.clone(),
            days: h.week.iter().map(|d| format_day(d)).collect(),
            holidays: h.holidays.join("\n"),
        },
        None => HoursForm {
            enabled: false,
            timezone: "UTC".into(),
            days: vec!["09:00-17:00".into(); 5].into_iter().chain([String::new(), String::new()]).collect(),
            holidays: String::new(),
        },
    })
}

/// Saves the schedule; without `enabled` the inbox is always open. Each day is
/// `09:00-17:00` (commas between spans), empty for closed; holidays one per line.
#[server(prefix = "/api", endpoint = "admin/inboxes/hours/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_hours(
    inbox_id: i64,
    enabled: Option<String>,
    timezone: String,
    mon: String,
    tue: String,
    wed: String,
    thu: String,
    fri: String,
    sat: String,
    sun: String,
    holidays: String,
) -> Result<(), AppError> {
    let Admin(admin) = extract().await?;
    let bad = AppError::Unprocessable;
    let hours = match enabled {
        None => None,
        Some(_) => {
            clock::zone(&timezone).map_err(bad)?;
            let mut week = Vec::new();
            for (name, text) in crate::hours::DAYS.iter().zip([&mon, &tue, &wed, &thu, &fri, &sat, &sun]) {
                week.push(parse_day(text).map_err(|e| AppError::Unprocessable(format!("{name}: {e}")))?);
            }
            if week.iter().all(|d| d.is_empty()) {
                return Err(AppError::Unprocessable("give at least one day some hours, or turn business hours off".into()));
            }
            Some(Hours { timezone: timezone.trim().to_string(), week, holidays: parse_holidays(&holidays).map_err(bad)? })
        }
    };
    let st = state()?;
    let before = store::hours(&st.db, inbox_id).await?;
    store::set_hours(&st.db, inbox_id, hours.as_ref()).await?;
    let summary = |h: &Option<Hours>| serde_json::json!({ "enabled": h.is_some(), "timezone": h.as_ref().map(|h| h.timezone.clone()), "holidays": h.as_ref().map(|h| h.holidays.len()) });
    let entry = audit::Entry::new(&crate::state::audit_actor(admin.id), audit::Action::InboxHours, "inbox", inbox_id).changed(&summary(&before), &summary(&hours));
    audit::record(&st.db, st.now(), entry).await?;
    // Routing looks again: an open inbox may assign what waits, a closed one is
    // settled again when it opens.
    super::board::of(&st.db).reroute();
    Ok(())
}
