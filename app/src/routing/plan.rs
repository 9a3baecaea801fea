//! Which agent takes which waiting chat: plain Rust, tested without a database.

/// An agent who could take a chat, as [`super::store`] reads them under the lock.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    /// Open chats this agent may hold.
    pub capacity: i64,
    /// Open chats assigned to them now (in any inbox, by hand or not).
    pub open: i64,
    /// When routing last gave them a chat (`None`: never, the longest ago).
    pub last_assigned_at: Option<i64>,
}

/// Pairs waiting chats (oldest first) with candidates: each chat goes to the
/// candidate under capacity with the fewest open chats, then the longest since their
/// last assignment, then the lowest id, leaving out whoever `skipped` that chat (let
/// an offer of it lapse, or declined it). Chats left over stay waiting. Returns
/// `(chat, index into candidates)`.
pub fn plan(waiting: &[i64], candidates: &[Candidate], skipped: &dyn Fn(i64, i64) -> bool) -> Vec<(i64, usize)> {
    let mut load: Vec<(i64, Option<i64>)> = candidates.iter().map(|c| (c.open, c.last_assigned_at)).collect();
    let mut out = Vec::new();
    // Assignments made in this round count as the most recent, in order.
    let mut round = 0i64;
    for &chat in waiting {
        let best = candidates
            .iter()
            .enumerate()
            .filter(|(i, c)| load[*i].0 < c.capacity && !skipped(chat, c.id))
            .min_by_key(|(i, c)| (load[*i].0, load[*i].1.map_or((0, i64::MIN), |t| (1, t)), c.id));
        let Some((i, _)) = best else { continue };
        round += 1;
        load[i].0 += 1;
        load[i].1 = Some(i64::MAX - 1_000_000 + round);
        out.push((chat, i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: i64, open: i64, last: Option<i64>) -> Candidate {
        Candidate { id, name: format!("agent {id}"), capacity: 3, open, last_assigned_at: last }
    }

    fn who(plan: &[(i64, usize)], cands: &[Candidate]) -> Vec<(i64, i64)> {
        plan.iter().map(|&(chat, i)| (chat, cands[i].id)).collect()
    }

    #[test]
    fn the_fewest_open_chats_first() {
        let cands = [agent(1, 2, Some(10)), agent(2, 0, Some(50)), agent(3, 1, None)];
        assert_eq!(who(&plan(&[100], &cands, &|_, _| false), &cands), vec![(100, 2)]);
    }

    #[test]
    fn ties_go_to_the_longest_since_their_last_assignment() {
        let cands = [agent(1, 1, Some(30)), agent(2, 1, Some(20)), agent(3, 1, None)];
        // Never assigned is the longest ago; then 20 before 30.
        assert_eq!(who(&plan(&[7, 8, 9], &cands, &|_, _| false), &cands), vec![(7, 3), (8, 2), (9, 1)]);
    }

    #[test]
    fn oldest_chats_first_and_spread_evenly() {
        let cands = [agent(1, 0, Some(1)), agent(2, 0, Some(2))];
        assert_eq!(who(&plan(&[5, 6, 7, 8], &cands, &|_, _| false), &cands), vec![(5, 1), (6, 2), (7, 1), (8, 2)]);
    }

    #[test]
    fn nobody_goes_over_capacity() {
        let mut full = agent(1, 3, None);
        full.capacity = 3;
        let mut one_left = agent(2, 1, None);
        one_left.capacity = 2;
        let cands = [full, one_left];
        assert_eq!(who(&plan(&[1, 2, 3], &cands, &|_, _| false), &cands), vec![(1, 2)], "the rest keep waiting");
        assert!(plan(&[1], &[], &|_, _| false).is_empty());
    }

    #[test]
    fn whoever_skipped_a_chat_is_passed_over_for_it() {
        let cands = [agent(1, 0, None), agent(2, 1, None)];
        // Agent 1 let chat 5 lapse: it goes to agent 2; chat 6 still goes to agent 1.
        let skipped = |chat: i64, agent: i64| chat == 5 && agent == 1;
        assert_eq!(who(&plan(&[5, 6], &cands, &skipped), &cands), vec![(5, 2), (6, 1)]);
        let everyone = |_: i64, _: i64| true;
        assert!(plan(&[5], &cands, &everyone).is_empty());
    }

    #[test]
    fn a_raised_capacity_is_used() {
        let mut a = agent(1, 3, None);
        a.capacity = 5;
        let cands = [a];
        assert_eq!(plan(&[1, 2, 3], &cands, &|_, _| false).len(), 2);
    }
}
