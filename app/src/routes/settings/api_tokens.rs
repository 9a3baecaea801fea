//! Settings → API tokens: create one (scopes, inboxes, rate), see it once, revoke.
use crate::api_tokens::api::{create_api_token, list_api_tokens, revoke_api_token};
use crate::api_tokens::{Scope, DEFAULT_PER_MINUTE};
use crate::components::ErrorNotice;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ApiTokensSettings() -> impl IntoView {
    view! {
        <leptos_meta::Title text="API tokens · Settings · Switchboard"/>
        <super::AdminOnly>
            <h2>"API tokens"</h2>
            <p class="muted">"Tokens call the REST API (" <a href="/api/docs">"reference"</a>
                ") as you, within their scopes and inboxes. Send one as " <code>"Authorization: Bearer sbk_…"</code>"."</p>
            <Tokens/>
        </super::AdminOnly>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let (tokens, inboxes, error, reload) = super::listed(list_api_tokens);
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![Scope::Read]);
    let chosen = RwSignal::new(Vec::<i64>::new());
    let rate = RwSignal::new(DEFAULT_PER_MINUTE.to_string());
    let new_token = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let scopes: Vec<&str> = scopes.get_untracked().iter().map(|s| s.as_str()).collect();
        let scopes = scopes.join(" ");
        let inbox_ids: Vec<String> = chosen.get_untracked().iter().map(|i| i.to_string()).collect();
        let per_minute = rate.get_untracked().trim().parse().ok();
        let n = name.get_untracked();
        spawn_local(async move {
            match create_api_token(n, Some(scopes), Some(inbox_ids.join(",")), per_minute).await {
                Ok(t) => {
                    new_token.set(Some(t));
                    error.set(None);
                    name.set(String::new());
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let inbox_name = move |id: i64| inboxes.with(|l| l.iter().find(|i| i.id == id).map(|i| i.name.clone()).unwrap_or_else(|| format!("#{id}")));
    view! {
        <form class="card token-form" on:submit=create aria-labelledby="new-token-heading">
            <h3 id="new-token-heading">"New token"</h3>
            <label>"Name" <input required maxlength="80" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <fieldset>
                <legend>"Scopes"</legend>
                {Scope::ALL.into_iter().map(|s| view! {
                    <label class="check"><input type="checkbox" prop:checked=move || scopes.with(|l| l.contains(&s))
                        on:change=move |ev| scopes.update(|l| if event_target_checked(&ev) { l.push(s) } else { l.retain(|x| *x != s) })/>
                        {s.as_str()}</label>
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend>"Inboxes (none ticked: every inbox)"</legend>
                {move || inboxes.get().into_iter().map(|i| {
                    let id = i.id;
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || chosen.with(|l| l.contains(&id))
                            on:change=move |ev| chosen.update(|l| if event_target_checked(&ev) { l.push(id) } else { l.retain(|x| *x != id) })/>
                            {i.name.clone()}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label>"Calls a minute" <input type="number" min="1" max="100000" size="7" prop:value=move || rate.get()
                on:input=move |ev| rate.set(event_target_value(&ev))/></label>
            <button type="submit">"Create token"</button>
        </form>
        {move || new_token.get().map(|t| view! {
            <p class="notice" role="status">"Copy it now, it is not shown again: " <code data-testid="new-token">{t}</code></p>
        })}
        <table class="team">
            <thead><tr><th>"Name"</th><th>"Acts as"</th><th>"Scopes"</th><th>"Inboxes"</th><th>"Calls a minute"</th><th>"Last used"</th><th></th></tr></thead>
            <tbody>
                {move || tokens.get().into_iter().map(|t| {
                    let id = t.id;
                    let label = format!("Revoke {}", t.name);
                    let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
                    let reach = if t.inbox_ids.is_empty() { "All".to_string() } else { t.inbox_ids.iter().map(|i| inbox_name(*i)).collect::<Vec<_>>().join(", ") };
                    view! {
                        <tr>
                            <td>{t.name.clone()}</td>
                            <td>{t.agent_name.clone().unwrap_or_default()}</td>
                            <td>{scopes.join(", ")}</td>
                            <td>{reach}</td>
                            <td>{t.per_minute}</td>
                            <td>{t.last_used_at.map(crate::timefmt::short_time).unwrap_or_else(|| "never".into())}</td>
                            <td><button type="button" class="link" aria-label=label on:click=move |_| spawn_local(async move {
                                match revoke_api_token(id).await {
                                    Ok(()) => reload(),
                                    Err(e) => error.set(Some(e)),
                                }
                            })>"Revoke"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <ErrorNotice error=error/>
    }
}
