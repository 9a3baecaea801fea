//! Settings → an inbox → Routing: manual or automatic assignment, the capacity per
//! agent, what happens to an agent's chats when they go offline, and the survey.
use crate::components::{action_error, ErrorNotice};
use crate::routing::api::SaveRouting;
use crate::routing::{Assignment, OfflineChats, Routing, MAX_CAPACITY};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn RoutingForm(inbox_id: i64, initial: Routing) -> impl IntoView {
    let save = ServerAction::<SaveRouting>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let auto = initial.assignment == Assignment::Auto;
    let returns = initial.offline_chats == OfflineChats::Return;
    view! {
        <section class="card" aria-labelledby="routing-heading">
            <h3 id="routing-heading">"Routing"</h3>
            <p class="muted">
                "Automatic assignment gives each waiting chat, oldest first, to an Online member with room: "
                "the fewest open chats first, then the longest since their last chat. Customers see their place in line either way."
            </p>
            <ActionForm action=save attr:class="stack routing-form">
                <input type="hidden" name="inbox_id" value=inbox_id/>
                <label class="field">
                    <span class="field-label">"Assignment"</span>
                    <select name="assignment">
                        <option value="manual" selected=!auto>"Manual: agents accept chats"</option>
                        <option value="auto" selected=auto>"Automatic: assign to an Online agent"</option>
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Open chats per agent"</span>
                    <input type="number" name="capacity" min="1" max=MAX_CAPACITY required value=initial.capacity/>
                </label>
                <label class="field">
                    <span class="field-label">"When an agent goes offline"</span>
                    <select name="offline_chats">
                        <option value="keep" selected=!returns>"Their chats stay with them"</option>
                        <option value="return" selected=returns>"Their chats go back to the queue"</option>
                    </select>
                </label>
                <p class="actions">
                    <button type="submit" class="primary">"Save routing"</button>
                    <span role="status" class="muted">{move || saved().then_some("Saved")}</span>
                </p>
            </ActionForm>
            <ErrorNotice error=action_error(save)/>
        </section>
    }
}

/// When the widget asks the customer to rate the chat.
#[component]
pub fn SurveyForm(inbox_id: i64, initial: crate::csat::Ask) -> impl IntoView {
    use crate::csat::Ask;
    let save = ServerAction::<crate::csat::api::SetCsat>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="survey-heading">
            <h3 id="survey-heading">"Satisfaction survey"</h3>
            <ActionForm action=save attr:class="inline-form">
                <input type="hidden" name="inbox_id" value=inbox_id/>
                <label class="field">
                    <span class="field-label">"Ask the customer to rate the chat"</span>
                    <select name="ask">
                        <option value="solved" selected=initial == Ask::Solved>"When it is solved"</option>
                        <option value="closed" selected=initial == Ask::Closed>"When it is solved or closed"</option>
                        <option value="off" selected=initial == Ask::Off>"Never"</option>
                    </select>
                </label>
                <button type="submit">"Save survey"</button>
                <span role="status" class="muted">{move || saved().then_some("Saved")}</span>
            </ActionForm>
            <ErrorNotice error=action_error(save)/>
        </section>
    }
}
