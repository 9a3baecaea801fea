//! The satisfaction survey: one card once the chat is solved (or closed, as the inbox
//! says). A 4 or a 5 (or a 3) is sent at once; a 1 or a 2 asks what went wrong, then
//! Send. The customer may change their rating for 7 days ("Change rating").
use crate::dom::{append, attr, el, show, text};
use crate::net::{call, get, get_f64, get_str, obj};
use crate::i18n::{self, t, Key};
use crate::{on, Shared};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlTextAreaElement};


/// Asks the server whether this chat wants a rating, and shows the card if so.
pub(crate) fn check(s: &Shared) {
    let (conv, token) = {
        let st = s.borrow();
        (st.conv, st.token.clone())
    };
    let Some(id) = conv else { return };
    let s = s.clone();
    spawn_local(async move {
        if let Ok((200, v)) = call("GET", &format!("/api/widget/conversations/{id}/csat"), Some(&token), None).await {
            show_state(&s, &get(&v, "survey"));
        }
    });
}

/// Hides the card (the chat was reopened).
pub(crate) fn hide(s: &Shared) {
    show(&s.borrow().ui.survey, false);
}

/// Draws the card for a survey (`null`: none).
fn show_state(s: &Shared, survey: &JsValue) {
    let card = s.borrow().ui.survey.clone();
    card.set_text_content(None);
    if survey.is_null() || survey.is_undefined() {
        show(&card, false);
        return;
    }
    let score = get_f64(survey, "score").map(|f| f as i64);
    let editable = get(survey, "editable").as_bool().unwrap_or(false);
    match score {
        Some(n) => thanks(s, &card, n, editable),
        None if editable => ask(s, &card, None),
        None => show(&card, false),
    }
}

fn thanks(s: &Shared, card: &Element, score: i64, editable: bool) {
    card.set_text_content(None);
    let line = text("p", "survey-thanks", &i18n::rated(score));
    append(card, &line);
    if editable {
        let change = text("button", "link", t(Key::ChangeRating));
        attr(&change, "type", "button");
        let (s2, card2) = (s.clone(), card.clone());
        on(&change, "click", move |_: web_sys::Event| ask(&s2, &card2, Some(score)));
        append(card, &change);
    }
    show(card, true);
}

fn ask(s: &Shared, card: &Element, current: Option<i64>) {
    card.set_text_content(None);
    let title = text("h2", "survey-title", t(Key::SurveyTitle));
    attr(&title, "id", "survey-title");
    attr(card, "aria-labelledby", "survey-title");
    append(card, &title);
    let scale = el("div", "scale");
    attr(&scale, "role", "group");
    attr(&scale, "aria-label", t(Key::SurveyScale));
    let why = el("div", "why");
    show(&why, false);
    let label = text("label", "", t(Key::WhatWentWrong));
    attr(&label, "for", "survey-comment");
    let comment: HtmlTextAreaElement = el("textarea", "").unchecked_into();
    attr(&comment, "id", "survey-comment");
    attr(&comment, "rows", "2");
    attr(&comment, "maxlength", "1000");
    let send = text("button", "send", t(Key::SendRating));
    attr(&send, "type", "button");
    append(&why, &label);
    append(&why, &comment);
    append(&why, &send);
    let chosen = std::rc::Rc::new(std::cell::Cell::new(current.unwrap_or(0)));
    let mut buttons = Vec::new();
    for n in 1..=5i64 {
        let b = text("button", "score", &n.to_string());
        attr(&b, "type", "button");
        attr(&b, "aria-label", i18n::score_label(n));
        attr(&b, "aria-pressed", if current == Some(n) { "true" } else { "false" });
        append(&scale, &b);
        buttons.push(b);
    }
    for (i, b) in buttons.iter().enumerate() {
        let n = i as i64 + 1;
        let (s2, card2, why2, comment2, all, chosen2) =
            (s.clone(), card.clone(), why.clone(), comment.clone(), buttons.clone(), chosen.clone());
        on(b, "click", move |_: web_sys::Event| {
            chosen2.set(n);
            for (j, other) in all.iter().enumerate() {
                attr(other, "aria-pressed", if j as i64 + 1 == n { "true" } else { "false" });
            }
            if n <= 2 {
                show(&why2, true);
                let _ = comment2.focus();
            } else {
                submit(&s2, &card2, n, None);
            }
        });
    }
    let (s3, card3, comment3) = (s.clone(), card.clone(), comment.clone());
    on(&send, "click", move |_: web_sys::Event| {
        let n = chosen.get();
        if n >= 1 {
            submit(&s3, &card3, n, Some(comment3.value()));
        }
    });
    append(card, &scale);
    append(card, &why);
    show(card, true);
}

fn submit(s: &Shared, card: &Element, score: i64, comment: Option<String>) {
    let (conv, token) = {
        let st = s.borrow();
        (st.conv, st.token.clone())
    };
    let Some(id) = conv else { return };
    let (s, card) = (s.clone(), card.clone());
    spawn_local(async move {
        let mut fields = vec![("score", JsValue::from(score as f64))];
        if let Some(c) = comment {
            fields.push(("comment", c.into()));
        }
        match call("POST", &format!("/api/widget/conversations/{id}/csat"), Some(&token), Some(&obj(&fields))).await {
            Ok((200, v)) => {
                let survey = get(&v, "survey");
                let score = get_f64(&survey, "score").map(|f| f as i64).unwrap_or(score);
                thanks(&s, &card, score, get(&survey, "editable").as_bool().unwrap_or(false));
            }
            Ok((_, v)) => {
                let msg = get_str(&v, "error").unwrap_or_else(|| t(Key::RatingFailed).into());
                let err = text("p", "survey-error", &msg);
                attr(&err, "role", "alert");
                append(&card, &err);
            }
            Err(_) => {
                let err = text("p", "survey-error", t(Key::RatingFailed));
                attr(&err, "role", "alert");
                append(&card, &err);
            }
        }
    });
}
