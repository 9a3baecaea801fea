//! "Create request" from a conversation: a dialog with title, description and
//! priority. The request takes the chat's public transcript with it.
use super::ChatState;
use crate::requests::api::create_request;
use crate::requests::Priority;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(super) fn CreateRequest(chat: ChatState) -> impl IntoView {
    let open = RwSignal::new(false);
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let priority = RwSignal::new(Priority::Normal);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let (t, d, p) = (title.get_untracked(), description.get_untracked(), priority.get_untracked());
        spawn_local(async move {
            match create_request(chat.id, t, d, p).await {
                Ok(r) => {
                    chat.requests.update(|list| list.push(r));
                    title.set(String::new());
                    description.set(String::new());
                    open.set(false);
                    chat.error.set(None);
                }
                Err(e) => chat.error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" on:click=move |_| open.set(true)>"Create request"</button>
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="request-title" on:submit=submit>
                    <h2 id="request-title">"New service request"</h2>
                    <p class="muted">"The chat's public messages are attached as its transcript."</p>
                    <label>"Title" <input required maxlength="200" prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))/></label>
                    <label>"Description" <textarea rows="4" prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))></textarea></label>
                    <label>"Priority"
                        <select on:change=move |ev| priority.set(Priority::parse(&event_target_value(&ev)).unwrap_or(Priority::Normal))
                            prop:value=move || priority.get().as_str()>
                            {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <div class="dialog-actions">
                        <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                        <button type="submit" class="primary" disabled=move || busy.get()>"Create"</button>
                    </div>
                </form>
            </div>
        </Show>
    }
}
