//! Settings → Agents: create agents, activate and deactivate them.
use super::AdminOnly;
use crate::accounts::api::{list_agents, CreateAgent, SetAgentActive};
use crate::accounts::{AgentSummary, Role};
use crate::components::{action_error, ErrorNotice};
use crate::routes::console::MeResource;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AgentsSettings() -> impl IntoView {
    let create_agent = ServerAction::<CreateAgent>::new();
    let set_active = ServerAction::<SetAgentActive>::new();
    let MeResource(me) = expect_context::<MeResource>();
    let agents = Resource::new(
        move || (create_agent.version().get(), set_active.version().get()),
        move |_| async move {
            if matches!(me.await, Ok(Some(m)) if m.role == Role::Admin) { list_agents().await } else { Ok(vec![]) }
        },
    );
    view! {
        <Title text="Agents · Settings · Switchboard"/>
        <AdminOnly>
            <h2>"Agents"</h2>
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
            <Transition fallback=|| view! { <p class="loading">"Loading agents…"</p> }>
                {move || Suspend::new(async move {
                    agents.await.map(|list| view! { <AgentTable list set_active/> }).map_err(|e| e.to_string())
                })}
            </Transition>
        </AdminOnly>
    }
}

#[component]
fn AgentTable(list: Vec<AgentSummary>, set_active: ServerAction<SetAgentActive>) -> impl IntoView {
    view! {
        <table class="agents">
            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th>"Capacity"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|a| {
                    let label = format!("{} {}", if a.active { "Deactivate" } else { "Activate" }, a.name);
                    view! {
                        <tr data-agent=a.email.clone()>
                            <td>{a.name.clone()}</td>
                            <td>{a.email.clone()}</td>
                            <td><RoleField id=a.id name=a.name.clone() role=a.role/></td>
                            <td>{if a.active { "Active" } else { "Deactivated" }}</td>
                            <td><CapacityField id=a.id name=a.name.clone() capacity=a.capacity/></td>
                            <td>
                                <ActionForm action=set_active>
                                    <input type="hidden" name="id" value=a.id/>
                                    <input type="hidden" name="active" value=(!a.active).to_string()/>
                                    // A quiet button: deactivating is not what this page is for.
                                    <button type="submit" class="quiet" aria-label=label>{if a.active { "Deactivate" } else { "Activate" }}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// An agent's own capacity for automatic assignment; empty follows each inbox's.
#[component]
fn CapacityField(id: i64, name: String, capacity: Option<i64>) -> impl IntoView {
    let save = ServerAction::<crate::routing::api::SetAgentCapacity>::new();
    let label = format!("Open chats for {name} (empty: each inbox's)");
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <ActionForm action=save attr:class="inline capacity">
            <input type="hidden" name="agent_id" value=id/>
            <input type="number" name="capacity" min="1" max=crate::routing::MAX_CAPACITY size="3" placeholder="Inbox"
                aria-label=label value=capacity.map(|c| c.to_string()).unwrap_or_default()/>
            <button type="submit" class="quiet">"Set"</button>
            <span role="status" class="muted">{move || saved().then_some("Saved")}</span>
        </ActionForm>
        <crate::components::ErrorNotice error=crate::components::action_error(save)/>
    }
}

/// An agent's account role, changed in place (audited; an admin's own is fixed).
#[component]
fn RoleField(id: i64, name: String, role: crate::accounts::Role) -> impl IntoView {
    use crate::accounts::Role;
    let save = ServerAction::<crate::accounts::api::SetAgentRole>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let label = format!("Role of {name}");
    view! {
        <ActionForm action=save attr:class="inline role">
            <input type="hidden" name="id" value=id/>
            <select name="role" aria-label=label>
                {[Role::Operator, Role::Supervisor, Role::Admin].into_iter().map(|r| view! {
                    <option value=r.as_str() selected=r == role>{r.label()}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="quiet">"Change"</button>
            <span role="status" class="muted">{move || saved().then_some("Saved")}</span>
        </ActionForm>
        <crate::components::ErrorNotice error=crate::components::action_error(save)/>
    }
}
