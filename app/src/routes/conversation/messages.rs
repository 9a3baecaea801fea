//! Messages as the console shows them, the in-chat search highlighting and the reply box.
use crate::attachments::{human_size, is_inline_image, AttachmentRef};
use crate::components::initials;
use crate::conversations::{AuthorKind, Message, Visibility};
use leptos::prelude::*;

#[component]
pub(super) fn MessageItem(m: Message, local: bool, needle: String, /// The customer has had it on screen.
    seen: bool) -> impl IntoView {
    let kind = m.author_kind.as_str();
    let name = m.author_name.clone().unwrap_or_else(|| "Visitor".into());
    let role = match m.author_kind {
        AuthorKind::Customer => "Customer",
        AuthorKind::Agent if m.visibility == Visibility::Internal => "Private note",
        AuthorKind::Agent if m.visibility == Visibility::Whisper => "Whisper · not seen by the customer",
        AuthorKind::Agent => "Agent",
        AuthorKind::System => "",
    };
    if m.author_kind == AuthorKind::System {
        return view! { <li class="msg msg-system">{m.body}</li> }.into_any();
    }
    view! {
        <li class=format!("msg msg-{kind}") data-visibility=m.visibility.as_str()>
            <span class="avatar" aria-hidden="true">{initials(&name)}</span>
            <div>
                <div class="meta"><strong>{name}</strong> " " <span class="role">{role}</span> " "
                    <time datetime=m.created_at.to_string()>{fmt_time(m.created_at, local)}</time></div>
                {if m.attachments.is_empty() {
                    view! { <div class="body">{highlight(&m.body, &needle)}</div> }.into_any()
                } else {
                    view! { <div class="files">{m.attachments.into_iter().map(|a| view! { <Attachment a/> }).collect_view()}</div> }.into_any()
                }}
                {seen.then(|| view! { <div class="seen-mark">"Seen"</div> })}
            </div>
        </li>
    }
    .into_any()
}

/// The text with each case-insensitive occurrence of `needle` in a `<mark>`.
fn highlight(text: &str, needle: &str) -> Vec<AnyView> {
    let parts = split_hits(text, needle);
    parts.into_iter().map(|(s, hit)| if hit { view! { <mark>{s}</mark> }.into_any() } else { s.into_any() }).collect()
}

/// Splits `text` into (piece, is_hit) runs. Matching is on lowercase characters,
/// mapped back by character position, so it is safe for any Unicode text.
fn split_hits(text: &str, needle: &str) -> Vec<(String, bool)> {
    let needle: Vec<char> = needle.trim().to_lowercase().chars().collect();
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    if needle.is_empty() || lower.len() < needle.len() {
        return vec![(text.to_string(), false)];
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i + needle.len() <= lower.len() {
        if lower[i..i + needle.len()] == needle[..] {
            if start < i {
                out.push((chars[start..i].iter().collect(), false));
            }
            out.push((chars[i..i + needle.len()].iter().collect(), true));
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    if start < chars.len() {
        out.push((chars[start..].iter().collect(), false));
    }
    out
}

/// An image as a thumbnail (served inline), any other file as a chip to download.
#[component]
fn Attachment(a: AttachmentRef) -> impl IntoView {
    let href = format!("/api/attachments/{}", a.id);
    if is_inline_image(&a.content_type) {
        let src = href.clone();
        view! {
            <a class="thumb-link" href=href target="_blank" rel="external">
                <img class="thumb" src=src alt=a.name.clone() loading="lazy"/>
            </a>
        }
        .into_any()
    } else {
        let label = format!("{} · {}", a.name, human_size(a.size));
        view! { <a class="file-chip" href=href download=a.name rel="external">{label}</a> }.into_any()
    }
}

pub(super) fn fmt_time(ms: i64, local: bool) -> String {
    if local {
        #[cfg(feature = "hydrate")]
        {
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            return format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
        }
    }
    let (_, _, _, h, m) = crate::timefmt::civil(ms);
    format!("{h:02}:{m:02} UTC")
}

pub(super) fn fmt_day(ms: i64, local: bool) -> String {
    if local {
        #[cfg(feature = "hydrate")]
        {
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            return String::from(d.to_date_string());
        }
    }
    crate::timefmt::day(ms)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hits_are_split_case_insensitively() {
        let parts = super::split_hits("Parcel late, PARCEL lost", "parcel");
        let hits: Vec<_> = parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(hits, ["Parcel", "PARCEL"]);
        assert_eq!(parts.iter().map(|p| p.0.as_str()).collect::<String>(), "Parcel late, PARCEL lost");
        assert_eq!(super::split_hits("<b>x</b>", "b>"), vec![("<".into(), false), ("b>".into(), true), ("x</".into(), false), ("b>".into(), true)]);
        assert_eq!(super::split_hits("abc", ""), vec![("abc".into(), false)]);
    }

    #[test]
    fn utc_dates_and_times() {
        assert_eq!(super::fmt_day(0, false), "1970-01-01");
        assert_eq!(super::fmt_day(1_790_000_000_000, false), "2026-09-21");
        assert_eq!(super::fmt_time(1_790_000_000_000, false), "14:13 UTC");
    }
}
