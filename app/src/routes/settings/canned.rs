//! Settings → Canned responses: everyone keeps their own; supervisors keep their
//! inboxes'; admins keep the global ones. Search, create, edit, delete; each shows
//! how often it was used.
use crate::canned::api::{delete_canned, list_canned, save_canned, CannedPage};
use crate::canned::{fuzzy, template::VARIABLES, Canned, CannedOption, Scope};
use crate::components::ErrorNotice;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// What the form edits: `id` is `None` for a new response.
#[derive(Clone, Default, PartialEq)]
struct Form {
    id: Option<i64>,
    /// `personal`, `global` or `inbox:<id>`.
    place: String,
    shortcode: String,
    title: String,
    body: String,
}

impl Form {
    fn of(c: &Canned) -> Form {
        let place = match (c.scope, c.inbox_id) {
            (Scope::Inbox, Some(id)) => format!("inbox:{id}"),
            (s, _) => s.as_str().to_string(),
        };
        Form { id: Some(c.id), place, shortcode: c.shortcode.clone(), title: c.title.clone(), body: c.body.clone() }
    }
}

fn scope_label(c: &Canned) -> String {
    match c.scope {
        Scope::Personal => "Personal".into(),
        Scope::Global => "Everyone".into(),
        Scope::Inbox => format!("Inbox: {}", c.inbox_name.clone().unwrap_or_default()),
    }
}

#[component]
pub fn CannedSettings() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let page = Resource::new(move || version.get(), |_| list_canned());
    let editing = RwSignal::new(None::<Form>);
    let error = RwSignal::new(None::<AppError>);
    let search = RwSignal::new(String::new());
    view! {
        <Title text="Canned responses · Settings · Switchboard"/>
        <h2>"Canned responses"</h2>
        <p class="muted">"Type " <kbd>"/"</kbd> " in the reply box to insert one. Variables are filled in for each chat: "
            {VARIABLES.iter().map(|v| view! { <code>{format!("{{{{{v}}}}}")}</code> " " }).collect_view()}
            "; a fallback follows a bar: " <code>"{{customer.first_name | there}}"</code> "."</p>
        <div class="row">
            <input type="search" aria-label="Search canned responses" placeholder="Search canned responses"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <button type="button" class="primary" on:click=move |_| { error.set(None); editing.set(Some(Form { place: "personal".into(), ..Form::default() })); }>
                "New response"
            </button>
        </div>
        <ErrorNotice error/>
        <Transition fallback=|| view! { <p class="loading">"Loading canned responses…"</p> }>
            {move || Suspend::new(async move {
                let page = match page.await {
                    Ok(p) => p,
                    Err(e) => return view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                let page = StoredValue::new(page);
                view! {
                    {move || editing.get().map(|f| view! { <Editor form=f page editing version error/> })}
                    <CannedTable page search editing version error/>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn CannedTable(page: StoredValue<CannedPage>, search: RwSignal<String>, editing: RwSignal<Option<Form>>, version: RwSignal<u32>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let confirming = RwSignal::new(None::<i64>);
    let shown = move || {
        page.with_value(|p| {
            let q = search.get();
            if q.trim().is_empty() {
                return p.items.clone();
            }
            let options: Vec<CannedOption> = p.items.iter().map(|c| CannedOption { id: c.id, shortcode: c.shortcode.clone(), title: c.title.clone(), body: c.body.clone() }).collect();
            fuzzy::rank(&q, &options, usize::MAX).into_iter().filter_map(|o| p.items.iter().find(|c| c.id == o.id).cloned()).collect()
        })
    };
    let remove = move |id: i64| {
        spawn_local(async move {
            match delete_canned(id).await {
                Ok(()) => {
                    confirming.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <table class="canned">
            <thead><tr><th>"Short code"</th><th>"Title"</th><th>"Text"</th><th>"For"</th><th>"Used"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {move || {
                    let list = shown();
                    if list.is_empty() {
                        return view! { <tr><td colspan="6" class="empty">"No canned responses yet."</td></tr> }.into_any();
                    }
                    list.into_iter().map(|c| {
                        let id = c.id;
                        let code = format!("/{}", c.shortcode);
                        let form = Form::of(&c);
                        let used = format!("{} time{}", c.usage_count, if c.usage_count == 1 { "" } else { "s" });
                        view! {
                            <tr data-canned=c.shortcode.clone()>
                                <td><code>{code.clone()}</code></td>
                                <td>{c.title.clone()}</td>
                                <td class="canned-body">{c.body.clone()}</td>
                                <td>{scope_label(&c)}</td>
                                <td>{used}</td>
                                <td class="actions">
                                    {c.editable.then(|| {
                                        let code = code.clone();
                                        view! {
                                            <Show when=move || confirming.get() == Some(id) fallback={
                                                let code = code.clone();
                                                let form = form.clone();
                                                move || {
                                                    let form = form.clone();
                                                    view! {
                                                        <button type="button" aria-label=format!("Edit {code}") on:click=move |_| { error.set(None); editing.set(Some(form.clone())); }>"Edit"</button>
                                                        <button type="button" class="danger" aria-label=format!("Delete {code}") on:click=move |_| confirming.set(Some(id))>"Delete"</button>
                                                    }
                                                }
                                            }>
                                                <span>"Delete for good?"</span>
                                                <button type="button" class="danger" on:click=move |_| remove(id)>"Yes, delete"</button>
                                                <button type="button" on:click=move |_| confirming.set(None)>"Keep"</button>
                                            </Show>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view().into_any()
                }}
            </tbody>
        </table>
    }
}

#[component]
fn Editor(form: Form, page: StoredValue<CannedPage>, editing: RwSignal<Option<Form>>, version: RwSignal<u32>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let id = form.id;
    let place = RwSignal::new(form.place);
    let shortcode = RwSignal::new(form.shortcode);
    let title = RwSignal::new(form.title);
    let body = RwSignal::new(form.body);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = place.get_untracked();
        let (scope, inbox_id) = match p.strip_prefix("inbox:") {
            Some(i) => ("inbox".to_string(), i.parse().ok()),
            None => (p, None),
        };
        spawn_local(async move {
            match save_canned(id, scope, inbox_id, shortcode.get_untracked(), title.get_untracked(), body.get_untracked()).await {
                Ok(_) => {
                    error.set(None);
                    editing.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let (inboxes, global) = page.with_value(|p| (p.inboxes.clone(), p.may_keep_global));
    view! {
        <form class="card stack canned-editor" on:submit=save aria-labelledby="canned-editor-heading">
            <h3 id="canned-editor-heading">{if id.is_some() { "Edit response" } else { "New response" }}</h3>
            <div class="row">
                <label>"Short code"
                    <input required maxlength="33" placeholder="thanks" prop:value=move || shortcode.get() on:input=move |ev| shortcode.set(event_target_value(&ev))/>
                </label>
                <label>"Title"
                    <input required maxlength="100" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                </label>
                <label>"For"
                    <select prop:value=move || place.get() on:change=move |ev| place.set(event_target_value(&ev))>
                        <option value="personal">"Me only"</option>
                        {inboxes.into_iter().map(|i| view! { <option value=format!("inbox:{}", i.id)>{format!("Inbox: {}", i.name)}</option> }).collect_view()}
                        {global.then(|| view! { <option value="global">"Everyone"</option> })}
                    </select>
                </label>
            </div>
            <label>"Text"
                <textarea required rows="4" maxlength="5000" placeholder="Hi {{customer.first_name | there}}, …"
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </label>
            <div class="row">
                <button type="submit" class="primary">"Save response"</button>
                <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}
