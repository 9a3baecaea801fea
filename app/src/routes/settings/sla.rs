//! Settings → an inbox → SLA: targets for the first response, the next response and
//! resolution, in minutes, counted in business hours or around the clock.
use crate::components::{action_error, ErrorNotice};
use crate::sla::api::SaveSlaPolicy;
use crate::sla::{minutes_text, Policy};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn SlaForm(inbox_id: i64, initial: Policy) -> impl IntoView {
    let save = ServerAction::<SaveSlaPolicy>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let field = |name: &'static str, label: &'static str, value: Option<i64>| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input name=name inputmode="decimal" value=minutes_text(value) placeholder="No target" size="8"/>
            </label>
        }
    };
    view! {
        <section class="card" aria-labelledby="sla-heading">
            <h3 id="sla-heading">"SLA"</h3>
            <p class="muted">
                "Targets in minutes; empty for none. At 80% of a target the chat's agent and the inbox's supervisors get an alert; "
                "a breach is recorded, shown in the list and on the dashboard, and counted in reports."
            </p>
            <ActionForm action=save attr:class="stack sla-form">
                <input type="hidden" name="inbox_id" value=inbox_id/>
                {field("first_response", "First response (minutes)", initial.first_response_ms)}
                {field("next_response", "Next response, after each customer message (minutes)", initial.next_response_ms)}
                {field("resolution", "Resolution (minutes)", initial.resolution_ms)}
                <label class="check">
                    <input type="checkbox" name="business_hours" value="on" checked=initial.business_hours/>
                    "Count only business hours"
                </label>
                <p class="actions">
                    <button type="submit">"Save SLA"</button>
                    <span role="status" class="muted">{move || saved().then_some("Saved")}</span>
                </p>
            </ActionForm>
            <ErrorNotice error=action_error(save)/>
        </section>
    }
}
