//! Controls carry SVG icons, never emoji (an emoji renders as an empty box where the
//! system has no colour-emoji font). Each icon is a 24×24 stroke path in the current
//! text colour, hidden from assistive technology: the control names itself.
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Paperclip,
    Send,
    Moon,
    Sun,
    Menu,
    Back,
    Close,
    Search,
    Refresh,
    Filter,
    Download,
    Check,
}

impl Icon {
    /// The path data (Feather-style strokes).
    fn path(self) -> &'static str {
        match self {
            Icon::Paperclip => "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48",
            Icon::Send => "M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z",
            Icon::Moon => "M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z",
            Icon::Sun => "M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM12 1v2M12 21v2M4.22 4.22l1.42 1.42M18.36 18.36l1.42 1.42M1 12h2M21 12h2M4.22 19.78l1.42-1.42M18.36 5.64l1.42-1.42",
            Icon::Menu => "M3 12h18M3 6h18M3 18h18",
            Icon::Back => "M19 12H5M12 19l-7-7 7-7",
            Icon::Close => "M18 6L6 18M6 6l12 12",
            Icon::Search => "M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35",
            Icon::Refresh => "M23 4v6h-6M1 20v-6h6M3.51 9a9 9 0 0 1 14.85-3.36L23 10M1 14l4.64 4.36A9 9 0 0 0 20.49 15",
            Icon::Filter => "M22 3H2l8 9.46V19l4 2v-8.54L22 3z",
            Icon::Download => "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3",
            Icon::Check => "M20 6L9 17l-5-5",
        }
    }
}

/// An icon, decorative: the control around it carries the accessible name.
#[component]
pub fn Svg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d=icon.path()/>
        </svg>
    }
}
