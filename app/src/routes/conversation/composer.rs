//! The reply box. Two modes, **Reply** (to the customer) and **Note** (agents only),
//! plus **Whisper** (the assignee and supervisors only) for a supervisor; switched by
//! the tabs or Alt+N; a draft per chat and mode kept in the browser until
//! sent; `/` opens the canned-response picker; files come by the picker or by
//! dropping them on the box. Enter sends, Shift+Enter breaks the line.
use crate::canned::api::{canned_for_chat, use_canned};
use crate::canned::{fuzzy, CannedOption};
use crate::components::icons::{Icon, Svg};
use crate::components::ErrorNotice;
use crate::conversations::{AuthorKind, Message};
use crate::error::AppError;
use crate::routes::console::MeResource;
use leptos::prelude::*;
use leptos::task::spawn_local;
use super::picker::{byte_at_utf16, trigger_token, Pick, Token};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Mode {
    Reply,
    Note,
    Whisper,
}

impl Mode {
    fn key(self) -> &'static str {
        match self {
            Mode::Reply => "reply",
            Mode::Note => "note",
            Mode::Whisper => "whisper",
        }
    }
}

/// How often a typing signal goes out while keys are pressed.
const TYPING_EVERY_MS: f64 = 2000.0;
/// At most this many matches in the picker.
const PICKS: usize = 8;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn draft_key(conv: i64, mode: Mode) -> String {
    format!("sb_draft:{conv}:{}", mode.key())
}

fn load_draft(conv: i64, mode: Mode) -> String {
    storage().and_then(|s| s.get_item(&draft_key(conv, mode)).ok().flatten()).unwrap_or_default()
}

fn keep_draft(conv: i64, mode: Mode, text: &str) {
    if let Some(s) = storage() {
        let _ = if text.is_empty() { s.remove_item(&draft_key(conv, mode)) } else { s.set_item(&draft_key(conv, mode), text) };
    }
}

#[component]
pub(super) fn Composer(
    conv_id: i64,
    /// Sends the text as a reply, a note or a whisper.
    send: impl Fn(String, Mode) + Copy + Send + Sync + 'static,
    upload: impl Fn(web_sys::File) + Copy + Send + Sync + 'static,
    /// Called with `true` at most every 2 s while the agent types a reply, and with
    /// `false` when the reply box is emptied or sent.
    typing: impl Fn(bool) + Copy + Send + Sync + 'static,
    /// The chat's messages, for the send guard.
    messages: RwSignal<Vec<Message>>,
    /// The names of the inbox's members, who can be @mentioned in a note.
    members: Signal<Vec<String>>,
    /// Whether the Whisper tab is offered (a supervisor).
    can_whisper: Signal<bool>,
) -> impl IntoView {
    let mode = RwSignal::new(Mode::Reply);
    let text = RwSignal::new(String::new());
    // The send guard: the newest message when the draft was begun, and the message
    // that arrived since, once a send found one.
    let newest = move || messages.with_untracked(|l| l.last().map(|m| m.id).unwrap_or(0));
    let base = StoredValue::new(0i64);
    let guard = RwSignal::new(None::<Message>);
    let MeResource(me) = expect_context::<MeResource>();
    let my_id = move || me.get_untracked().and_then(|r| r.ok()).flatten().map(|m| m.id);
    Effect::new(move |_| base.set_value(newest()));
    let error = RwSignal::new(None::<AppError>);
    let reply_box = NodeRef::<leptos::html::Textarea>::new();
    let last_typing = StoredValue::new(0.0f64);
    // Drafts live in the browser: read them once hydrated.
    Effect::new(move |_| text.set(load_draft(conv_id, Mode::Reply)));
    let stop_typing = move || {
        if last_typing.get_value() > 0.0 {
            last_typing.set_value(0.0);
            typing(false);
        }
    };

    // The canned-response picker.
    let options = RwSignal::new(Vec::<CannedOption>::new());
    Effect::new(move |_| {
        spawn_local(async move {
            if let Ok(list) = canned_for_chat(conv_id).await {
                options.set(list);
            }
        })
    });
    let token = RwSignal::new(None::<Token>);
    let active = RwSignal::new(0usize);
    let matches = Memo::new(move |_| match token.get() {
        Some(t) if t.trigger == '@' => members.with(|names| {
            let mut hits: Vec<(i32, &String)> = names.iter().filter_map(|n| fuzzy::score(&t.query, n).map(|s| (s, n))).collect();
            hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            hits.into_iter().take(PICKS).map(|(_, n)| Pick::Member(n.clone())).collect()
        }),
        Some(t) => options.with(|o| fuzzy::rank(&t.query, o, PICKS).into_iter().map(|o| Pick::Canned(o.clone())).collect::<Vec<_>>()),
        None => Vec::new(),
    });
    let open = move || !matches.with(Vec::is_empty);
    let find_token = move || {
        let Some(el) = reply_box.get_untracked() else { return };
        let value = el.value();
        let caret = byte_at_utf16(&value, el.selection_start().ok().flatten().unwrap_or(0) as usize);
        let mention = (mode.get_untracked() == Mode::Note).then(|| trigger_token(&value, caret, '@')).flatten().map(|t| ('@', t));
        let next = mention
            .or_else(|| trigger_token(&value, caret, '/').map(|t| ('/', t)))
            .map(|(trigger, (start, query))| Token { start, end: caret, trigger, query });
        if next.as_ref().map(|t| &t.query) != token.get_untracked().as_ref().map(|t| &t.query) {
            active.set(0);
        }
        token.set(next);
    };
    // Puts `filled` where the token was, and the caret after it.
    let insert = move |t: Token, filled: String| {
        let current = text.get_untracked();
        let (start, end) = (t.start.min(current.len()), t.end.min(current.len()));
        let next = format!("{}{}{}", &current[..start], filled, &current[end..]);
        let caret = current[..start].encode_utf16().count() + filled.encode_utf16().count();
        text.set(next.clone());
        keep_draft(conv_id, mode.get_untracked(), &next);
        if let Some(el) = reply_box.get_untracked() {
            el.set_value(&next);
            let _ = el.focus();
            let _ = el.set_selection_range(caret as u32, caret as u32);
        }
    };
    let pick = move |choice: Pick| {
        let Some(t) = token.get_untracked() else { return };
        token.set(None);
        match choice {
            Pick::Member(name) => insert(t, format!("@{name} ")),
            Pick::Canned(opt) => spawn_local(async move {
                match use_canned(conv_id, opt.id).await {
                    Ok(filled) => {
                        error.set(None);
                        insert(t, filled);
                    }
                    Err(e) => error.set(Some(e)),
                }
            }),
        }
    };

    let submit = move |checked: bool| {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        if !checked {
            let since = base.get_value();
            let mine = my_id();
            let arrived = messages.with_untracked(|l| {
                l.iter().rev().take_while(|m| m.id > since).find(|m| m.author_kind == AuthorKind::Customer || (m.author_kind == AuthorKind::Agent && m.author_id != mine)).cloned()
            });
            if arrived.is_some() {
                guard.set(arrived);
                return;
            }
        }
        guard.set(None);
        let m = mode.get_untracked();
        send(body, m);
        text.set(String::new());
        keep_draft(conv_id, m, "");
        token.set(None);
        stop_typing();
        base.set_value(newest());
    };
    let discard = move || {
        guard.set(None);
        text.set(String::new());
        keep_draft(conv_id, mode.get_untracked(), "");
        stop_typing();
        base.set_value(newest());
    };
    let edit = move || {
        guard.set(None);
        base.set_value(newest());
        if let Some(el) = reply_box.get_untracked() {
            let _ = el.focus();
        }
    };
    let switch = move |to: Mode| {
        let from = mode.get_untracked();
        if from == to {
            return;
        }
        keep_draft(conv_id, from, &text.get_untracked());
        if from == Mode::Reply {
            stop_typing();
        }
        mode.set(to);
        text.set(load_draft(conv_id, to));
        token.set(None);
        if let Some(el) = reply_box.get_untracked() {
            let _ = el.focus();
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        keep_draft(conv_id, mode.get_untracked(), &value);
        let empty = value.trim().is_empty();
        // A draft begun now is checked against what arrives from now on.
        if text.with_untracked(|t| t.trim().is_empty()) && !empty {
            base.set_value(newest());
        }
        text.set(value);
        find_token();
        if mode.get_untracked() == Mode::Reply {
            let now = js_sys::Date::now();
            if empty {
                stop_typing();
            } else if now - last_typing.get_value() >= TYPING_EVERY_MS {
                last_typing.set_value(now);
                typing(true);
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.is_composing() {
            return;
        }
        if open() {
            let n = matches.with_untracked(Vec::len);
            match ev.key().as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    active.update(|a| *a = (*a + 1) % n);
                    return;
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    active.update(|a| *a = (*a + n - 1) % n);
                    return;
                }
                "Enter" | "Tab" if !ev.shift_key() => {
                    ev.prevent_default();
                    if let Some(o) = matches.with_untracked(|m| m.get(active.get_untracked()).cloned()) {
                        pick(o);
                    }
                    return;
                }
                "Escape" => {
                    ev.prevent_default();
                    token.set(None);
                    return;
                }
                _ => {}
            }
        }
        if ev.alt_key() && ev.code() == "KeyN" {
            ev.prevent_default();
            switch(if mode.get_untracked() == Mode::Reply { Mode::Note } else { Mode::Reply });
        } else if ev.key() == "Enter" && (!ev.shift_key() || ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            submit(false);
        }
    };

    let each_file = move |files: Option<web_sys::FileList>| {
        if let Some(files) = files {
            for i in 0..files.length() {
                if let Some(f) = files.get(i) {
                    upload(f);
                }
            }
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            each_file(input.files());
            input.set_value("");
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        each_file(ev.data_transfer().and_then(|d| d.files()));
    };
    // Opened from the workspace's queue, the chat is there to be answered: the reply
    // box takes the focus (Alt+↓ then moves on to the next chat from here).
    let in_workspace = leptos_router::hooks::use_location().pathname.get_untracked().starts_with("/inbox/");
    Effect::new(move |_| {
        if let (true, Some(el)) = (in_workspace, reply_box.get()) {
            // After this frame: the box may not be in the document yet.
            request_animation_frame(move || {
                let _ = el.focus();
            });
        }
    });
    let tab = move |m: Mode, label: &'static str| {
        view! {
            <button type="button" role="tab" class="composer-tab" data-shortcut=format!("{}-tab", m.key()) aria-selected=move || (mode.get() == m).to_string()
                title=format!("{label} (Alt+N switches)") on:click=move |_| switch(m)>{label}</button>
        }
    };
    let placeholder = move || match mode.get() {
        Mode::Reply => "Write a reply — Enter to send, Shift+Enter for a new line, / for canned responses",
        Mode::Note => "Write a private note — only agents see it; @name mentions a colleague",
        Mode::Whisper => "Whisper to the agent on this chat — only they and supervisors see it, never the customer",
    };
    view! {
        <form class="composer chat-composer" data-mode=move || mode.get().key() on:submit=move |ev| { ev.prevent_default(); submit(false); }
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
            {move || guard.get().map(|m| {
                let who = m.author_name.clone().unwrap_or_else(|| "The customer".into());
                view! {
                    <div class="send-guard" role="alertdialog" aria-labelledby="send-guard-title" aria-describedby="send-guard-line">
                        <p id="send-guard-title"><strong>{format!("{who} wrote while you were typing:")}</strong></p>
                        <blockquote id="send-guard-line">{m.body.clone()}</blockquote>
                        <div class="row">
                            <button type="button" class="primary" on:click=move |_| submit(true)>"Send anyway"</button>
                            <button type="button" on:click=move |_| edit()>"Edit"</button>
                            <button type="button" class="danger" on:click=move |_| discard()>"Discard"</button>
                        </div>
                    </div>
                }
            })}
            <div class="composer-tabs" role="tablist" aria-label="Compose as">
                {tab(Mode::Reply, "Reply")}
                {tab(Mode::Note, "Note")}
                {move || can_whisper.get().then(|| tab(Mode::Whisper, "Whisper"))}
            </div>
            <Show when=open>
                <ul class="canned-picker" id="composer-picker" role="listbox"
                    aria-label=move || if token.with(|t| t.as_ref().is_some_and(|t| t.trigger == '@')) { "Mention a colleague" } else { "Canned responses" }>
                    {move || matches.get().into_iter().enumerate().map(|(i, choice)| {
                        let chosen = choice.clone();
                        let line = match &choice {
                            Pick::Canned(o) => view! {
                                <code>{format!("/{}", o.shortcode)}</code> " " <strong>{o.title.clone()}</strong>
                                <span class="muted">{o.body.chars().take(90).collect::<String>()}</span>
                            }.into_any(),
                            Pick::Member(name) => view! { <strong>{format!("@{name}")}</strong> }.into_any(),
                        };
                        view! {
                            <li role="option" id=format!("pick-{i}") aria-selected=move || (active.get() == i).to_string()
                                on:mousedown=move |ev| { ev.prevent_default(); pick(chosen.clone()); }
                                on:mouseenter=move |_| active.set(i)>
                                {line}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <div class="composer-row">
                <label class="attach" title="Attach a file"><Svg icon=Icon::Paperclip/>
                    <input type="file" class="sr-only" aria-label="Attach a file" multiple on:change=on_pick
                        accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"/>
                </label>
                <textarea node_ref=reply_box aria-label=move || match mode.get() { Mode::Note => "Private note", Mode::Whisper => "Whisper", Mode::Reply => "Reply" }
                    placeholder=placeholder aria-autocomplete="list"
                    aria-controls=move || open().then_some("composer-picker")
                    aria-activedescendant=move || open().then(|| format!("pick-{}", active.get()))
                    prop:value=move || text.get() on:input=on_input on:keydown=on_key on:click=move |_| find_token()
                    on:blur=move |_| token.set(None) rows="3"></textarea>
                <button type="submit" class="primary"><Svg icon=Icon::Send/>
                    {move || match mode.get() { Mode::Note => "Add note", Mode::Whisper => "Whisper", Mode::Reply => "Send" }}</button>
            </div>
            <ErrorNotice error/>
        </form>
    }
}
