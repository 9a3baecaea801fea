//! Admin: create and deactivate agents, create inboxes, manage membership.
use super::console::{MeResource, WithMe};
use crate::accounts::api::{list_agents, CreateAgent, SetAgentActive};
use crate::accounts::{AgentSummary, Role};
use crate::components::{action_error, ErrorNotice};
use crate::inboxes::api::{list_inboxes, CreateInbox, SetMembership, SetPrechatForm};
use crate::inboxes::InboxDetail;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let create_agent = ServerAction::<CreateAgent>::new();
    let set_active = ServerAction::<SetAgentActive>::new();
    let create_inbox = ServerAction::<CreateInbox>::new();
    let set_member = ServerAction::<SetMembership>::new();
    let set_prechat = ServerAction::<SetPrechatForm>::new();
    // Only an admin's page asks for the lists; anyone else sees "Admins only".
    let MeResource(me) = expect_context::<MeResource>();
    let is_admin = move || async move { matches!(me.await, Ok(Some(m)) if m.role == Role::Admin) };
    let agents = Resource::new(
        move || (create_agent.version().get(), set_active.version().get()),
        move |_| async move { if is_admin().await { list_agents().await } else { Ok(vec![]) } },
    );
    let inboxes = Resource::new(
        move || {
            (create_inbox.version().get(), set_member.version().get(), create_agent.version().get(), set_prechat.version().get())
        },
        move |_| async move { if is_admin().await { list_inboxes().await } else { Ok(vec![]) } },
    );
    view! {
        <Title text="Admin · Switchboard"/>
        <WithMe children=move |me| {
            if me.role != Role::Admin {
                return view! { <h1>"Admins only"</h1><p>"You need the admin role to see this page."</p> }.into_any();
            }
            view! { <AdminSections create_agent set_active create_inbox set_member set_prechat agents inboxes/> }.into_any()
        }/>
    }
}

type Loaded<T> = Resource<Result<T, crate::error::AppError>>;

#[component]
fn AdminSections(
    create_agent: ServerAction<CreateAgent>,
    set_active: ServerAction<SetAgentActive>,
    create_inbox: ServerAction<CreateInbox>,
    set_member: ServerAction<SetMembership>,
    set_prechat: ServerAction<SetPrechatForm>,
    agents: Loaded<Vec<AgentSummary>>,
    inboxes: Loaded<Vec<InboxDetail>>,
) -> impl IntoView {
    view! {
        <h1>"Admin"</h1>
        <section aria-labelledby="agents-heading">
            <h2 id="agents-heading">"Agents"</h2>
            <ActionForm action=create_agent attr:class="inline-form" attr:aria-label="Create agent">
                <label>"Name" <input name="name" required/></label>
                <label>"Email" <input type="email" name="email" required/></label>
                <label>"Role"
                    <select name="role">
                        <option value="operator">"Operator"</option>
                        <option value="supervisor">"Supervisor"</option>
                        <option value="admin">"Admin"</option>
                    </select>
                </label>
                <label>"Password" <input type="password" name="password" minlength="8" autocomplete="new-password" required/></label>
                <button type="submit" class="primary">"Create agent"</button>
            </ActionForm>
            <ErrorNotice error=action_error(create_agent)/>
            <ErrorNotice error=action_error(set_active)/>
            <Transition fallback=|| view! { <p>"Loading agents…"</p> }>
                {move || Suspend::new(async move {
                    agents.await.map(|list| view! { <AgentTable list set_active/> })
                        .map_err(|e| e.to_string())
                })}
            </Transition>
        </section>
        <section aria-labelledby="inboxes-heading-admin">
            <h2 id="inboxes-heading-admin">"Inboxes"</h2>
            <ActionForm action=create_inbox attr:class="inline-form" attr:aria-label="Create inbox">
                <label>"Inbox name" <input name="name" required/></label>
                <button type="submit" class="primary">"Create inbox"</button>
            </ActionForm>
            <ErrorNotice error=action_error(create_inbox)/>
            <ErrorNotice error=action_error(set_member)/>
            <Transition fallback=|| view! { <p>"Loading inboxes…"</p> }>
                {move || Suspend::new(async move {
                    let list = inboxes.await.map_err(|e| e.to_string())?;
                    let all_agents = agents.await.map_err(|e| e.to_string())?;
                    Ok::<_, String>(
                        list.into_iter()
                            .map(|inbox| view! { <InboxCard inbox agents=all_agents.clone() set_member set_prechat/> })
                            .collect_view(),
                    )
                })}
            </Transition>
        </section>
        {view! { <super::admin_settings::AdminSettings/> }.into_any()}
    }
}

#[component]
fn AgentTable(list: Vec<AgentSummary>, set_active: ServerAction<SetAgentActive>) -> impl IntoView {
    view! {
        <table class="agents">
            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|a| {
                    let label = format!("{} {}", if a.active { "Deactivate" } else { "Activate" }, a.name);
                    view! {
                        <tr data-agent=a.email.clone()>
                            <td>{a.name.clone()}</td>
                            <td>{a.email.clone()}</td>
                            <td>{a.role.label()}</td>
                            <td>{if a.active { "Active" } else { "Deactivated" }}</td>
                            <td>
                                <ActionForm action=set_active>
                                    <input type="hidden" name="id" value=a.id/>
                                    <input type="hidden" name="active" value=(!a.active).to_string()/>
                                    <button type="submit" aria-label=label>{if a.active { "Deactivate" } else { "Activate" }}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn InboxCard(
    inbox: InboxDetail,
    agents: Vec<AgentSummary>,
    set_member: ServerAction<SetMembership>,
    set_prechat: ServerAction<SetPrechatForm>,
) -> impl IntoView {
    // The snippet names this server by its full address, known in the browser.
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(window().location().origin().unwrap_or_default()));
    let key = inbox.public_key.clone();
    let embed = move || format!(r#"<script src="{}/widget.js" data-inbox="{key}" async></script>"#, origin.get());
    let agent_select_label = format!("Agent to add to {}", inbox.name);
    let role_select_label = format!("Role in {}", inbox.name);
    view! {
        <article class="card inbox-card" aria-label=format!("Inbox {}", inbox.name)>
            <h3>{inbox.name.clone()}</h3>
            <p class="muted">"Retention: "
                {inbox.retention_days.map(|d| format!("{d} days")).unwrap_or_else(|| "keep forever".into())}
            </p>
            <p class="muted">"Embed code: " <code>{embed}</code></p>
            <ActionForm action=set_prechat attr:class="inline-form">
                <input type="hidden" name="inbox_id" value=inbox.id/>
                <label class="check">
                    <input type="checkbox" name="enabled" value="on" checked=inbox.prechat_form/>
                    "Ask for name and email before the chat"
                </label>
                <button type="submit">"Save"</button>
            </ActionForm>
            <ContextLinkForm inbox_id=inbox.id template=inbox.context_url_template.clone().unwrap_or_default()/>
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
        </article>
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
        <crate::components::ErrorNotice error=crate::components::action_error(action)/>
    }
}
