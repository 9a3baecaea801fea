//! The customer panel on the right of a conversation: identity, presence (live),
//! custom attributes, the linked record and the customer's earlier chats.
use super::ChatState;
use crate::components::initials;
use crate::conversations::status_text;
use crate::customers::CustomerPanel;
use leptos::prelude::*;

fn field(label: &'static str, value: Option<String>) -> impl IntoView {
    value.filter(|v| !v.is_empty()).map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
}

#[component]
pub(super) fn CustomerPanelView(chat: ChatState) -> impl IntoView {
    view! {
        <aside class="customer-panel" id="customer-panel" aria-label="Customer">
            {move || match chat.panel.get() {
                None => view! { <p class="muted">"Loading the customer…"</p> }.into_any(),
                Some(p) => view! { <PanelBody p/> }.into_any(),
            }}
            <h3>"Requests"</h3>
            {move || {
                let list = chat.requests.get();
                if list.is_empty() {
                    view! { <p class="muted">"None yet"</p> }.into_any()
                } else {
                    view! {
                        <ul class="history" aria-label="Requests from this chat">
                            {list.into_iter().map(|r| view! {
                                <li><a href=format!("/requests#request-{}", r.id)>{r.title}</a>
                                    <span class="muted small">{format!("{} · {}", r.status.label(), r.priority.label())}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </aside>
    }
}

#[component]
fn PanelBody(p: CustomerPanel) -> impl IntoView {
    let name = p.name.clone().unwrap_or_else(|| "Visitor".into());
    let presence = if p.online { "Online" } else { "Offline" };
    view! {
        <div class="who">
            <span class="avatar large" aria-hidden="true">{initials(&name)}</span>
            <div>
                <h2 class="customer-name">{name.clone()}</h2>
                <p class="presence" data-online=p.online.to_string()><span class="dot" aria-hidden="true"></span>{presence}</p>
            </div>
        </div>
        <dl class="facts">
            {field("External ID", p.external_id.clone())}
            {field("Email", p.email.clone())}
            {field("Phone", p.phone.clone())}
            {field("Role", p.role.clone())}
            <dt>"Identity"</dt><dd>{if p.verified { "Verified by the host site" } else { "Self-declared" }}</dd>
            <dt>"First seen"</dt><dd><time datetime=p.first_seen_at.to_string()>{crate::timefmt::short_time(p.first_seen_at)}</time></dd>
            <dt>"Last seen"</dt><dd><time datetime=p.last_seen_at.to_string()>{crate::timefmt::short_time(p.last_seen_at)}</time></dd>
            <dt>"Rating"</dt><dd class="rating" data-score=p.rating.map(|r| r.to_string())>{rating_text(p.rating, p.ratings)}</dd>
        </dl>
        {(!p.attributes.is_empty()).then(|| view! {
            <h3>"Details"</h3>
            <dl class="attributes">
                {p.attributes.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}
            </dl>
        })}
        {p.context_label.clone().map(|label| view! {
            <h3>"Linked record"</h3>
            <p class="context">{match p.context_link.clone().filter(|l| crate::conversations::safe_link(l).is_some()) {
                Some(href) => view! { <a href=href target="_blank" rel="noopener noreferrer external">{label}</a> }.into_any(),
                None => label.into_any(),
            }}</p>
        })}
        <DataRights customer_id=p.customer_id erased=p.name.as_deref() == Some("Erased customer")/>
        <h3>"Earlier chats"</h3>
        {if p.history.is_empty() {
            view! { <p class="muted">"None"</p> }.into_any()
        } else {
            view! {
                <ul class="history" aria-label="Earlier chats">
                    {p.history.iter().map(|c| view! {
                        <li>
                            <a href=format!("/conversations/{}", c.id)>{c.preview.clone().unwrap_or_else(|| format!("Chat #{}", c.id))}</a>
                            <span class="muted small">{format!("{} · {}{} · ", c.inbox_name, status_text(c.status, c.close_reason),
                                    c.rating.map(|r| format!(" · rated {r}/5")).unwrap_or_default())}
                                <time datetime=c.created_at.to_string()>{crate::timefmt::short_time(c.created_at)}</time></span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// "4/5 for this chat · 4.3 over 3 chats", or what is missing.
fn rating_text(this: Option<i64>, (count, mean): (i64, Option<f64>)) -> String {
    let here = match this {
        Some(r) => format!("{r}/5 for this chat"),
        None => "Not rated".to_string(),
    };
    match mean {
        Some(m) if count > 1 => format!("{here} · {m:.1} over {count} chats"),
        _ => here,
    }
}

/// GDPR, for admins: download everything kept about the customer, or erase them in
/// every chat (after a confirmation).
#[component]
fn DataRights(customer_id: i64, erased: bool) -> impl IntoView {
    use crate::routes::console::WithMe;
    let confirming = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<crate::error::AppError>);
    let erase = move |_| {
        leptos::task::spawn_local(async move {
            match crate::customers::api::erase_customer(customer_id).await {
                Ok(e) => {
                    confirming.set(false);
                    done.set(Some(format!("Erased: {} messages and {} files in {} chats.", e.messages, e.files, e.conversations)));
                    // The thread on screen still shows what was erased: load it again.
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    view! {
        <WithMe children=move |me| (me.role == crate::accounts::Role::Admin).then(|| view! {
            <section class="data-rights" aria-labelledby="data-rights-heading">
                <h3 id="data-rights-heading">"Personal data"</h3>
                <p><a href=format!("/api/customers/{customer_id}/export.json") download="">"Download their data (JSON)"</a></p>
                {(!erased).then(|| view! {
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="danger" on:click=move |_| confirming.set(true)>"Erase customer…"</button>
                    }>
                        <div role="alertdialog" aria-labelledby="erase-title" aria-describedby="erase-text" class="confirm">
                            <p id="erase-title"><strong>"Erase this customer?"</strong></p>
                            <p id="erase-text">"Every message and file of theirs, in every chat, is deleted for good, and their name becomes “Erased customer”. Report counts stay."</p>
                            <button type="button" class="danger" on:click=erase>"Erase for good"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </div>
                    </Show>
                })}
                {move || done.get().map(|t| view! { <p role="status">{t}</p> })}
                <crate::components::ErrorNotice error=error/>
            </section>
        })/>
    }
}
