//! Building the widget's DOM: launcher, panel, messages, pre-chat form, composer.
use crate::dom::{self, append, attr, el, icon, show, text, CHAT, CLOSE, PAPERCLIP};
use crate::i18n::{t, Key};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

pub(crate) struct Ui {
    pub(crate) panel: Element,
    pub(crate) launcher: Element,
    /// The count of unread messages from support, on the launcher.
    pub(crate) badge: Element,
    pub(crate) title: Element,
    pub(crate) status: Element,
    /// Who is answering: an avatar and a name, hidden while the chat waits.
    pub(crate) agent: Element,
    pub(crate) agent_avatar: Element,
    pub(crate) agent_name: Element,
    /// The inbox's greeting, shown before the first message.
    pub(crate) greeting: Element,
    pub(crate) notice: Element,
    /// "You are number 3 in line · wait: about 2 min", while the chat waits.
    pub(crate) queue: Element,
    /// The satisfaction survey card, once the chat has ended.
    pub(crate) survey: Element,
    pub(crate) list: Element,
    /// "Alex is typing…", under the messages.
    pub(crate) typing: Element,
    pub(crate) prechat: Element,
    /// Why the pre-chat (or offline) form cannot go yet.
    pub(crate) prechat_error: Element,
    /// "We typically reply in about 4 minutes", in the header.
    pub(crate) reply_time: Element,
    pub(crate) name: HtmlInputElement,
    pub(crate) email: HtmlInputElement,
    pub(crate) input: HtmlTextAreaElement,
    pub(crate) file: HtmlInputElement,
}


pub(crate) fn build_ui() -> Ui {
    let doc = dom::document();
    let body = doc.body().expect("a body");
    let launcher = el("button", "launcher");
    append(&launcher, &icon(CHAT));
    attr(&launcher, "type", "button");
    attr(&launcher, "aria-label", t(Key::OpenChat));
    let badge = text("span", "badge", "");
    attr(&badge, "aria-hidden", "true");
    show(&badge, false);
    append(&launcher, &badge);
    let panel = el("section", "panel");
    attr(&panel, "aria-label", t(Key::Chat));
    show(&panel, false);
    let head = el("header", "head");
    let title = text("h1", "title", t(Key::ChatWithUs));
    let status = text("p", "state", "");
    attr(&status, "role", "status");
    let close = el("button", "close");
    append(&close, &icon(CLOSE));
    attr(&close, "type", "button");
    attr(&close, "aria-label", t(Key::CloseChat));
    let agent = el("p", "agent");
    let agent_avatar = el("span", "avatar");
    attr(&agent_avatar, "aria-hidden", "true");
    let agent_name = el("span", "agent-name");
    append(&agent, &agent_avatar);
    append(&agent, &agent_name);
    show(&agent, false);
    let reply_time = text("p", "reply-time", "");
    show(&reply_time, false);
    append(&head, &title);
    append(&head, &reply_time);
    append(&head, &agent);
    append(&head, &status);
    append(&head, &close);
    let notice = text("p", "notice", "");
    show(&notice, false);
    let queue = text("p", "queue", "");
    attr(&queue, "role", "status");
    show(&queue, false);
    let list = el("ol", "messages");
    attr(&list, "aria-label", t(Key::Messages));
    attr(&list, "aria-live", "polite");
    let typing = text("p", "typing", "");
    attr(&typing, "role", "status");
    show(&typing, false);
    let prechat = el("div", "prechat");
    let name: HtmlInputElement = el("input", "").unchecked_into();
    attr(&name, "aria-label", t(Key::YourName));
    attr(&name, "placeholder", t(Key::YourName));
    let email: HtmlInputElement = el("input", "").unchecked_into();
    attr(&email, "aria-label", t(Key::YourEmail));
    attr(&email, "placeholder", t(Key::YourEmail));
    attr(&email, "type", "email");
    let prechat_error = text("p", "prechat-error", "");
    attr(&prechat_error, "role", "alert");
    show(&prechat_error, false);
    append(&prechat, &name);
    append(&prechat, &email);
    append(&prechat, &prechat_error);
    show(&prechat, false);
    let form = el("form", "composer");
    let input: HtmlTextAreaElement = el("textarea", "").unchecked_into();
    attr(&input, "aria-label", t(Key::Message));
    attr(&input, "placeholder", t(Key::WriteAMessage));
    attr(&input, "rows", "2");
    let send = text("button", "send", t(Key::Send));
    attr(&send, "type", "submit");
    let attach = el("label", "attach");
    append(&attach, &icon(PAPERCLIP));
    attr(&attach, "title", t(Key::AttachAFile));
    let file: HtmlInputElement = el("input", "").unchecked_into();
    attr(&file, "type", "file");
    attr(&file, "aria-label", t(Key::AttachAFile));
    attr(&file, "accept", "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain");
    append(&attach, &file);
    append(&form, &attach);
    append(&form, &input);
    append(&form, &send);
    let greeting = el("p", "greeting");
    show(&greeting, false);
    let survey = el("section", "survey");
    show(&survey, false);
    for part in [&head, &notice, &queue, &greeting, &list, &typing, &survey, &prechat, &form] {
        append(&panel, part);
    }
    append(&body, &launcher);
    append(&body, &panel);
    Ui { panel, launcher, badge, title, status, agent, agent_avatar, agent_name, greeting, notice, queue, survey, list, typing, prechat, prechat_error, reply_time, name, email, input, file }
}

