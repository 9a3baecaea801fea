//! How an inbox's widget looks: brand colour, greeting, launcher side and team name.
//! The text on the brand colour is chosen here, black or white, whichever contrasts
//! more: one of the two always reaches 4.5:1 (the larger is at least √21 ≈ 4.58), so
//! the widget's header stays readable whatever colour is picked.
use serde::{Deserialize, Serialize};

pub const DEFAULT_BRAND: &str = "#2f5bea";
pub const MAX_GREETING_CHARS: usize = 300;
pub const MAX_TEAM_NAME_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Launcher {
    Left,
    #[default]
    Right,
}

impl Launcher {
    pub fn as_str(self) -> &'static str {
        match self {
            Launcher::Left => "left",
            Launcher::Right => "right",
        }
    }
    pub fn parse(s: &str) -> Option<Launcher> {
        match s {
            "left" => Some(Launcher::Left),
            "right" => Some(Launcher::Right),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appearance {
    /// `#rrggbb`.
    pub brand_color: String,
    /// Shown before the first message.
    pub greeting: Option<String>,
    pub launcher: Launcher,
    /// The header's title; the inbox's name when unset.
    pub team_name: Option<String>,
}

impl Default for Appearance {
    fn default() -> Self {
        Appearance { brand_color: DEFAULT_BRAND.into(), greeting: None, launcher: Launcher::Right, team_name: None }
    }
}

/// `#rrggbb` as three channels, or `None` for anything else.
pub fn parse_hex(color: &str) -> Option<[u8; 3]> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The WCAG contrast ratio of two colours.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

impl Appearance {
    /// The text colour on the brand colour: `#ffffff` or `#000000`.
    pub fn text_color(&self) -> &'static str {
        let brand = parse_hex(&self.brand_color).unwrap_or([0x2f, 0x5b, 0xea]);
        if contrast(brand, [255, 255, 255]) >= contrast(brand, [0, 0, 0]) { "#ffffff" } else { "#000000" }
    }

    /// The appearance as it may be stored: the colour checked (lower case), text
    /// trimmed, empty text as `None`, lengths capped with a clear error.
    pub fn validated(&self) -> Result<Appearance, String> {
        let color = self.brand_color.trim().to_ascii_lowercase();
        if parse_hex(&color).is_none() {
            return Err(format!("the brand colour must look like #2f5bea, not {:?}", self.brand_color));
        }
        let clean = |s: &Option<String>, max: usize, what: &str| -> Result<Option<String>, String> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(t) if t.chars().count() > max => Err(format!("the {what} is limited to {max} characters")),
                t => Ok(t.map(String::from)),
            }
        };
        Ok(Appearance {
            brand_color: color,
            greeting: clean(&self.greeting, MAX_GREETING_CHARS, "greeting")?,
            launcher: self.launcher,
            team_name: clean(&self.team_name, MAX_TEAM_NAME_CHARS, "team name")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_brand_colour_gets_readable_text() {
        // A sweep of the colour cube: whatever the admin picks, the header text reaches 4.5:1.
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let a = Appearance { brand_color: format!("#{r:02x}{g:02x}{b:02x}"), ..Appearance::default() };
                    let ink = parse_hex(a.text_color()).unwrap();
                    let ratio = contrast([r as u8, g as u8, b as u8], ink);
                    assert!(ratio >= 4.5, "{} on {}: {ratio:.2}", a.text_color(), a.brand_color);
                }
            }
        }
        let light = Appearance { brand_color: "#ffe066".into(), ..Appearance::default() };
        assert_eq!(light.text_color(), "#000000");
        assert_eq!(Appearance::default().text_color(), "#ffffff");
    }

    #[test]
    fn bad_appearance_is_refused_with_a_reason() {
        let bad = Appearance { brand_color: "red".into(), ..Appearance::default() };
        assert!(bad.validated().unwrap_err().contains("#2f5bea"));
        let long = Appearance { greeting: Some("x".repeat(301)), ..Appearance::default() };
        assert!(long.validated().unwrap_err().contains("300"));
        let ok = Appearance { brand_color: " #FFE066 ".into(), team_name: Some("  ".into()), ..Appearance::default() };
        let v = ok.validated().unwrap();
        assert_eq!((v.brand_color.as_str(), v.team_name), ("#ffe066", None));
    }
}
