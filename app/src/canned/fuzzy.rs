//! The canned-response picker's matching: every character of the query, in order,
//! case-insensitive. Consecutive characters and a match at a word's start score
//! higher; a match in the short code counts more than one in the title, and the
//! title more than the body. Pure and allocation-light: a thousand responses are
//! ranked on each key press.
use super::CannedOption;

/// How well `query` matches `text`, or `None` when it does not.
pub fn score(query: &str, text: &str) -> Option<i32> {
    if query.is_empty() {
        return Some(0);
    }
    let mut q = query.chars().flat_map(char::to_lowercase).peekable();
    let mut total = 0;
    let mut run = 0;
    let mut prev: Option<char> = None;
    for (i, c) in text.chars().enumerate() {
        let Some(&want) = q.peek() else { break };
        let lc = c.to_lowercase().next().unwrap_or(c);
        if lc == want {
            q.next();
            run += 1;
            let word_start = prev.is_none_or(|p| !p.is_alphanumeric());
            total += 1 + run * 2 + if word_start { 6 } else { 0 } - (i as i32 / 16).min(4);
        } else {
            run = 0;
        }
        prev = Some(c);
    }
    q.peek().is_none().then_some(total)
}

/// The options matching `query`, best first (ties: shorter short code, then title).
pub fn rank<'a>(query: &str, options: &'a [CannedOption], limit: usize) -> Vec<&'a CannedOption> {
    let query = query.trim();
    let mut hits: Vec<(i32, &CannedOption)> = options
        .iter()
        .filter_map(|o| {
            let best = [
                score(query, &o.shortcode).map(|s| s * 3 + if o.shortcode.eq_ignore_ascii_case(query) { 100 } else { 0 }),
                score(query, &o.title).map(|s| s * 2),
                score(query, &o.body),
            ]
            .into_iter()
            .flatten()
            .max()?;
            Some((best, o))
        })
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.shortcode.len().cmp(&b.1.shortcode.len())).then(a.1.title.cmp(&b.1.title)));
    hits.into_iter().take(limit).map(|(_, o)| o).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(id: i64, shortcode: &str, title: &str, body: &str) -> CannedOption {
        CannedOption { id, shortcode: shortcode.into(), title: title.into(), body: body.into() }
    }

    #[test]
    fn subsequences_match_and_others_do_not() {
        assert!(score("rfd", "refund").is_some());
        assert!(score("REF", "refund").is_some());
        assert!(score("fer", "refund").is_none());
        assert!(score("ref", "refund") > score("rfd", "refund"), "consecutive letters win");
    }

    #[test]
    fn the_best_match_comes_first() {
        let list = vec![
            opt(1, "thanks", "Thank you", "Thanks for your patience"),
            opt(2, "refund", "Refund policy", "Refunds take 5 days"),
            opt(3, "hello", "Greeting", "Hi there, how can I help with a refund?"),
            opt(4, "ship", "Shipping times", "We ship in 2 days"),
        ];
        let ids = |q: &str| rank(q, &list, 10).iter().map(|o| o.id).collect::<Vec<_>>();
        assert_eq!(ids("refund")[..2], [2, 3], "short code before body");
        assert_eq!(ids("ship"), [4]);
        assert_eq!(ids("").len(), 4);
        assert_eq!(ids("greet"), [3], "titles match too");
        assert!(ids("zzz").is_empty());
    }

    #[test]
    fn a_thousand_responses_rank() {
        let list: Vec<_> = (0..1000).map(|i| opt(i, &format!("code{i}"), &format!("Title {i}"), "Some body text about orders and refunds")).collect();
        let top = rank("code999", &list, 8);
        assert_eq!(top[0].id, 999);
        assert_eq!(top.len(), 1);
        assert_eq!(rank("orders", &list, 8).len(), 8);
    }
}
