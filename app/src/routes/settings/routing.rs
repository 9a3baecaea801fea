//! Settings → an inbox → Routing: manual or automatic assignment, the capacity per
//! agent, what happens to an agent's chats when they go offline, and the survey.
use crate::components::{action_error, ErrorNotice};
use crate::routing::api::SaveRouting;
use crate::routing::{Assignment, OfflineChats, Routing, DEFAULT_OFFER_SECONDS, MAX_CAPACITY};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn RoutingForm(inbox_id: i64, initial: Routing) -> impl IntoView {
    let save = ServerAction::<SaveRouting>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let auto = initial.assignment == Assignment::Auto;
    let returns = initial.offline_chats == OfflineChats::Return;
    let offering = RwSignal::new(initial.offer_seconds.is_some());
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
                <label class="check">
                    <input type="checkbox" prop:checked=move || offering.get() on:change=move |ev| offering.set(event_target_checked(&ev))/>
                    "Offer mode: the chosen agent must accept each chat"
                </label>
                // A disabled field is not sent: the server then assigns at once.
                <label class="field">
                    <span class="field-label">"Seconds to accept an offer"</span>
                    <input type="number" name="offer_seconds" min="5" max="300" required
                        disabled=move || !offering.get()
                        value=initial.offer_seconds.unwrap_or(DEFAULT_OFFER_SECONDS).to_string()/>
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

/// Business hours: a weekly schedule in the inbox's time zone, and holidays.
#[component]
pub fn HoursForm(inbox_id: i64, initial: crate::routing::hours_api::HoursForm) -> impl IntoView {
    let save = ServerAction::<crate::routing::hours_api::SaveHours>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let keys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    view! {
        <section class="card" aria-labelledby="hours-heading">
            <h3 id="hours-heading">"Business hours"</h3>
            <p class="muted">
                "Outside these hours the widget says when you are back and asks for an email with the message; "
                "automatic assignment holds those chats until you open. Write a day as 09:00-17:00 (commas between spans), empty for closed."
            </p>
            <ActionForm action=save attr:class="stack hours-form">
                <input type="hidden" name="inbox_id" value=inbox_id/>
                <label class="check">
                    <input type="checkbox" name="enabled" value="on" checked=initial.enabled/>
                    "Use business hours"
                </label>
                <label class="field">
                    <span class="field-label">"Time zone"</span>
                    <input name="timezone" value=initial.timezone.clone() placeholder="Europe/Oslo" required/>
                </label>
                <div class="hours-week">
                    {crate::hours::DAYS.iter().zip(keys).enumerate().map(|(i, (day, key))| view! {
                        <label class="field">
                            <span class="field-label">{*day}</span>
                            <input name=key value=initial.days.get(i).cloned().unwrap_or_default() placeholder="Closed"/>
                        </label>
                    }).collect_view()}
                </div>
                <label class="field">
                    <span class="field-label">"Holidays (YYYY-MM-DD, one per line)"</span>
                    <textarea name="holidays" rows="3">{initial.holidays.clone()}</textarea>
                </label>
                <p class="actions">
                    <button type="submit">"Save hours"</button>
                    <span role="status" class="muted">{move || saved().then_some("Saved")}</span>
                </p>
            </ActionForm>
            <ErrorNotice error=action_error(save)/>
        </section>
    }
}
