//! `{{variables}}` in a canned response: `{{customer.first_name | there}}` is the
//! customer's first name, or "there" when it is unknown.
//!
//! Rendering is one pass over the template: a value is inserted as plain text and
//! never scanned again, so a customer called `{{agent.name}}` stays `{{agent.name}}`.
//! The result is text for the reply box; nothing in it is ever rendered as markup.

/// The variables a response may use.
pub const VARIABLES: [&str; 6] =
    ["customer.name", "customer.first_name", "customer.email", "agent.name", "inbox.name", "conversation.id"];

/// What the variables stand for in one chat (`None`: unknown).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub agent_name: Option<String>,
    pub inbox_name: Option<String>,
    pub conversation_id: Option<i64>,
}

impl Values {
    fn get(&self, name: &str) -> Option<String> {
        let v = match name {
            "customer.name" => self.customer_name.clone(),
            "customer.first_name" => self.customer_name.as_deref().and_then(|n| n.split_whitespace().next()).map(str::to_string),
            "customer.email" => self.customer_email.clone(),
            "agent.name" => self.agent_name.clone(),
            "inbox.name" => self.inbox_name.clone(),
            "conversation.id" => self.conversation_id.map(|id| id.to_string()),
            _ => None,
        };
        v.filter(|s| !s.trim().is_empty())
    }
}

/// One piece of a template.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Var { name: &'a str, fallback: Option<&'a str> },
}

/// Splits a template into text and `{{…}}` placeholders. An unclosed `{{` is text.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else { break };
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let inner = &rest[start + 2..start + 2 + len];
        let (name, fallback) = match inner.split_once('|') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        out.push(Piece::Var { name, fallback });
        rest = &rest[start + 2 + len + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Refuses a template naming a variable that does not exist, naming it.
pub fn check(template: &str) -> Result<(), String> {
    for p in pieces(template) {
        if let Piece::Var { name, .. } = p {
            if !VARIABLES.contains(&name) {
                return Err(format!(
                    "unknown variable {{{{{name}}}}}: use one of {}",
                    VARIABLES.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// The template with every variable replaced by its value, or its fallback, or
/// nothing.
pub fn render(template: &str, values: &Values) -> String {
    let mut out = String::with_capacity(template.len());
    for p in pieces(template) {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var { name, fallback } => match values.get(name) {
                Some(v) => out.push_str(&v),
                None => out.push_str(fallback.unwrap_or("")),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alex() -> Values {
        Values {
            customer_name: Some("Alex Morgan".into()),
            customer_email: Some("alex@example.com".into()),
            agent_name: Some("Jo".into()),
            inbox_name: Some("Support".into()),
            conversation_id: Some(42),
        }
    }

    #[test]
    fn variables_and_fallbacks() {
        let t = "Hi {{customer.first_name | there}}, I'm {{ agent.name }} from {{inbox.name}} (chat #{{conversation.id}}, {{customer.email}}).";
        assert_eq!(render(t, &alex()), "Hi Alex, I'm Jo from Support (chat #42, alex@example.com).");
        let anon = Values { customer_name: None, customer_email: None, ..alex() };
        assert_eq!(render(t, &anon), "Hi there, I'm Jo from Support (chat #42, ).");
        let blank = Values { customer_name: Some("  ".into()), ..alex() };
        assert_eq!(render("Hi {{customer.name|friend}}", &blank), "Hi friend");
    }

    #[test]
    fn values_are_never_expanded_twice() {
        let sly = Values { customer_name: Some("{{agent.name}}".into()), ..alex() };
        assert_eq!(render("Hello {{customer.name}}", &sly), "Hello {{agent.name}}");
        let markup = Values { customer_name: Some("<img src=x onerror=alert(1)>".into()), ..alex() };
        assert_eq!(render("Hi {{customer.name}}", &markup), "Hi <img src=x onerror=alert(1)>", "text, escaped where it is shown");
    }

    #[test]
    fn unknown_variables_are_refused_by_name() {
        assert!(check("Hi {{customer.first_name | there}} {{agent.name}}").is_ok());
        let err = check("Hi {{customer.nickname}}").unwrap_err();
        assert!(err.contains("{{customer.nickname}}"), "{err}");
        assert!(check("braces {{ are text when unclosed").is_ok());
        assert_eq!(render("a {{ b", &alex()), "a {{ b");
    }
}
