//! Settings → one inbox: its widget (embed code, look with a live preview), the
//! pre-chat form, routing, the context link and its members.
use super::AdminOnly;
use crate::accounts::api::list_agents;
use crate::accounts::{AgentSummary, Role};
use crate::components::{action_error, ErrorNotice};
use crate::error::AppError;
use crate::inboxes::api::{list_inboxes, set_widget_appearance, SetMembership, SetPrechatForm};
use crate::inboxes::appearance::{parse_hex, Appearance, Launcher, DEFAULT_BRAND};
use crate::inboxes::InboxDetail;
use crate::routes::console::MeResource;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InboxSettings() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let set_member = ServerAction::<SetMembership>::new();
    let set_prechat = ServerAction::<SetPrechatForm>::new();
    let MeResource(me) = expect_context::<MeResource>();
    let data = Resource::new(
        move || (id(), set_member.version().get(), set_prechat.version().get()),
        move |(id, _, _)| async move {
            if !matches!(me.await, Ok(Some(m)) if m.role == Role::Admin) {
                return Err(AppError::Forbidden);
            }
            let inbox = list_inboxes().await?.into_iter().find(|i| Some(i.id) == id).ok_or(AppError::NotFound)?;
            let routing = crate::routing::api::routing_settings(inbox.id).await?;
            let csat = crate::csat::api::csat_setting(inbox.id).await?;
            let hours = crate::routing::hours_api::inbox_hours(inbox.id).await?;
            let sla = crate::sla::api::sla_policy(inbox.id).await?;
            Ok((inbox, list_agents().await?, (routing, csat, hours, sla)))
        },
    );
    view! {
        <AdminOnly>
            <Transition fallback=|| view! { <p class="loading">"Loading the inbox…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((inbox, agents, routing)) => view! { <InboxPage inbox agents routing set_member set_prechat/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </AdminOnly>
    }
}

#[component]
fn InboxPage(
    inbox: InboxDetail,
    agents: Vec<AgentSummary>,
    routing: (crate::routing::Routing, crate::csat::Ask, crate::routing::hours_api::HoursForm, crate::sla::Policy),
    set_member: ServerAction<SetMembership>,
    set_prechat: ServerAction<SetPrechatForm>,
) -> impl IntoView {
    let agent_select_label = format!("Agent to add to {}", inbox.name);
    let role_select_label = format!("Role in {}", inbox.name);
    view! {
        <Title text=format!("{} · Settings · Switchboard", inbox.name)/>
        <h2>{inbox.name.clone()}</h2>
        <EmbedCode key=inbox.public_key.clone()/>
        <AppearanceForm inbox_id=inbox.id name=inbox.name.clone() initial=inbox.appearance.clone()/>
        <section class="card" aria-labelledby="prechat-heading">
            <h3 id="prechat-heading">"Before the chat"</h3>
            <ActionForm action=set_prechat attr:class="inline-form">
                <input type="hidden" name="inbox_id" value=inbox.id/>
                <label class="check">
                    <input type="checkbox" name="enabled" value="on" checked=inbox.prechat_form/>
                    "Ask for name and email before the chat"
                </label>
                <button type="submit">"Save"</button>
            </ActionForm>
            <ErrorNotice error=action_error(set_prechat)/>
        </section>
        <super::routing::RoutingForm inbox_id=inbox.id initial=routing.0/>
        <super::routing::HoursForm inbox_id=inbox.id initial=routing.2/>
        <super::routing::SurveyForm inbox_id=inbox.id initial=routing.1/>
        <super::sla::SlaForm inbox_id=inbox.id initial=routing.3/>
        <section class="card" aria-labelledby="context-heading">
            <h3 id="context-heading">"Context link"</h3>
            <ContextLinkForm inbox_id=inbox.id template=inbox.context_url_template.clone().unwrap_or_default()/>
        </section>
        <section class="card" aria-labelledby="members-heading">
            <h3 id="members-heading">"Members"</h3>
            <ul class="members">
                {inbox.members.clone().into_iter().map(|m| {
                    let remove_label = format!("Remove {} from {}", m.name, inbox.name);
                    view! {
                        <li>
                            {m.name} " · " {m.role.as_str()}
                            <ActionForm action=set_member attr:class="inline">
                                <input type="hidden" name="inbox_id" value=inbox.id/>
                                <input type="hidden" name="agent_id" value=m.agent_id/>
                                <input type="hidden" name="role" value="none"/>
                                <button type="submit" class="link" aria-label=remove_label>"Remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActionForm action=set_member attr:class="inline-form">
                <input type="hidden" name="inbox_id" value=inbox.id/>
                <select name="agent_id" aria-label=agent_select_label>
                    {agents.into_iter().filter(|a| a.active).map(|a| view! {
                        <option value=a.id>{format!("{} ({})", a.name, a.email)}</option>
                    }).collect_view()}
                </select>
                <select name="role" aria-label=role_select_label>
                    <option value="operator">"Operator"</option>
                    <option value="supervisor">"Supervisor"</option>
                </select>
                <button type="submit" class="primary">"Add to inbox"</button>
            </ActionForm>
            <ErrorNotice error=action_error(set_member)/>
        </section>
    }
}

/// The one-line embed snippet, with a Copy button.
#[component]
fn EmbedCode(key: String) -> impl IntoView {
    // The snippet names this server by its full address, known in the browser.
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(window().location().origin().unwrap_or_default()));
    let snippet = Signal::derive(move || format!(r#"<script src="{}/widget.js" data-inbox="{key}" async></script>"#, origin.get()));
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = snippet.get_untracked();
        let clipboard = window().navigator().clipboard();
        spawn_local(async move {
            copied.set(wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok());
        });
    };
    view! {
        <section class="card" aria-labelledby="embed-heading">
            <h3 id="embed-heading">"Embed code"</h3>
            <p class="muted">"Paste it into every page of your site, before " <code>"</body>"</code> "."</p>
            <div class="embed">
                <code class="snippet">{snippet}</code>
                <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
            </div>
        </section>
    }
}

/// Brand colour, greeting, launcher side and team name, with a preview of the widget
/// that follows the form as it is typed.
#[component]
fn AppearanceForm(inbox_id: i64, name: String, initial: Appearance) -> impl IntoView {
    let color = RwSignal::new(initial.brand_color.clone());
    let greeting = RwSignal::new(initial.greeting.clone().unwrap_or_default());
    let launcher = RwSignal::new(initial.launcher);
    let team = RwSignal::new(initial.team_name.clone().unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(false);
    let look = move || Appearance {
        brand_color: color.get(),
        greeting: Some(greeting.get()),
        launcher: launcher.get(),
        team_name: Some(team.get()),
    };
    let preview = NodeRef::<leptos::html::Div>::new();
    // Colours go in through the CSSOM: the console's CSP refuses style attributes.
    Effect::new(move |_| {
        let a = look();
        if let (Some(el), Ok(v)) = (preview.get(), a.validated()) {
            let style = web_sys::HtmlElement::style(&el);
            let _ = style.set_property("--brand", &v.brand_color);
            let _ = style.set_property("--brand-ink", v.text_color());
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let a = look();
        spawn_local(async move {
            let side = a.launcher.as_str().to_string();
            match set_widget_appearance(inbox_id, a.brand_color, a.greeting.unwrap_or_default(), side, a.team_name.unwrap_or_default()).await {
                Ok(_) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let title = move || Some(team.get()).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| name.clone());
    view! {
        <section class="card appearance" aria-labelledby="look-heading">
            <h3 id="look-heading">"Widget appearance"</h3>
            <div class="appearance-grid">
                <form class="stack" on:submit=save>
                    // Two inputs for one value: a <label> would name only the first.
                    <div class="field" role="group" aria-labelledby="brand-label">
                        <span id="brand-label" class="field-label">"Brand colour"</span>
                        <span class="color-field">
                            // The picker only ever holds a colour (a half-typed one would warn).
                            <input type="color" aria-label="Brand colour picker"
                                prop:value=move || { let c = color.get().trim().to_ascii_lowercase(); if parse_hex(&c).is_some() { c } else { DEFAULT_BRAND.to_string() } }
                                on:input=move |ev| color.set(event_target_value(&ev))/>
                            <input name="brand_color" aria-label="Brand colour" size="8" prop:value=move || color.get()
                                on:input=move |ev| color.set(event_target_value(&ev))/>
                        </span>
                    </div>
                    <label>"Team name" <input name="team_name" placeholder="Shown in the widget's header"
                        prop:value=move || team.get() on:input=move |ev| team.set(event_target_value(&ev))/></label>
                    <label>"Greeting" <textarea name="greeting" rows="3" placeholder="Hi! Ask us anything — we usually answer within minutes."
                        prop:value=move || greeting.get() on:input=move |ev| greeting.set(event_target_value(&ev))></textarea></label>
                    <label>"Launcher"
                        <select name="launcher" on:change=move |ev| launcher.set(Launcher::parse(&event_target_value(&ev)).unwrap_or_default())
                            prop:value=move || launcher.get().as_str()>
                            <option value="right">"Bottom right"</option>
                            <option value="left">"Bottom left"</option>
                        </select>
                    </label>
                    <div class="row">
                        <button type="submit" class="primary">"Save appearance"</button>
                        {move || saved.get().then(|| view! { <span class="muted" role="status">"Saved"</span> })}
                    </div>
                    <ErrorNotice error/>
                </form>
                <div class="widget-preview" node_ref=preview data-launcher=move || launcher.get().as_str() aria-label="Preview of the widget" role="img">
                    <div class="wp-head"><strong>{title}</strong><span>"Waiting for an agent"</span></div>
                    <Show when=move || !greeting.get().trim().is_empty()>
                        <p class="wp-greeting">{move || greeting.get()}</p>
                    </Show>
                    <p class="wp-bubble">"Hello! I have a question."</p>
                    <span class="wp-launcher" aria-hidden="true"></span>
                </div>
            </div>
        </section>
    }
}

/// The link template that turns a conversation's context into a back-office link.
#[component]
fn ContextLinkForm(inbox_id: i64, template: String) -> impl IntoView {
    let action = ServerAction::<crate::inboxes::api::SetContextLink>::new();
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="inbox_id" value=inbox_id/>
            <label>"Context link"
                <input name="template" value=template placeholder="https://backoffice.example/{type}/{id}" size="40"/>
            </label>
            <button type="submit">"Save"</button>
            {move || saved().then(|| view! { <span class="muted" role="status">"Saved"</span> })}
        </ActionForm>
        <ErrorNotice error=action_error(action)/>
    }
}
