//! @mentions in private notes. `@Jo Operator` in a note alerts Jo (live, and with a
//! browser notification and sound when enabled), lists the chat under **Mentions** in
//! Jo's sidebar until Jo opens it, and lets Jo read the chat even when a colleague
//! holds it. Only members of the chat's inbox can be mentioned.
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// A mention as the Mentions page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub id: i64,
    pub conversation_id: i64,
    pub customer_name: Option<String>,
    pub by_name: Option<String>,
    pub excerpt: String,
    pub created_at: i64,
    pub read: bool,
}

/// The agents a note mentions, by id: `@` followed by an agent's full name (any case)
/// and then the end, a space or punctuation. Where names overlap (`@Jo` and `@Jo
/// Smith`), the longest that matches wins. Text after any other `@` (an email
/// address) mentions nobody.
pub fn mentioned(body: &str, agents: &[(i64, String)]) -> Vec<i64> {
    let lower = body.to_lowercase();
    let mut names: Vec<(i64, String)> = agents.iter().filter(|(_, n)| !n.trim().is_empty()).map(|(id, n)| (*id, n.to_lowercase())).collect();
    names.sort_by_key(|(_, n)| std::cmp::Reverse(n.len()));
    let mut found = Vec::new();
    for (at, _) in lower.match_indices('@') {
        let rest = &lower[at + 1..];
        let hit = names.iter().find(|(_, n)| {
            rest.starts_with(n.as_str()) && rest[n.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
        });
        if let Some((id, _)) = hit {
            if !found.contains(id) {
                found.push(*id);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::mentioned;

    #[test]
    fn full_names_after_an_at_sign() {
        let team = vec![(1, "Jo".to_string()), (2, "Jo Smith".to_string()), (3, "Sam Supervisor".to_string())];
        assert_eq!(mentioned("@jo smith can you look? cc @Sam Supervisor.", &team), [2, 3]);
        assert_eq!(mentioned("@Jo, please", &team), [1]);
        assert_eq!(mentioned("@Jonas is not Jo; mail jo@x.io", &team), Vec::<i64>::new());
        assert_eq!(mentioned("@Jo @Jo", &team), [1], "once each");
    }
}
