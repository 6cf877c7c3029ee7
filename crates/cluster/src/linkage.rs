//! Average-linkage grouping: two groups merge when the mean score over all pairs between them
//! (unscored pairs count as 0) reaches the threshold. Unlike single-link chaining, one article that
//! resembles two stories cannot glue them together.
//!
//! The result depends only on the scores: ties are broken by member indices, so the same articles
//! give the same groups whatever order they were ingested in.

use std::collections::{HashMap, HashSet};

/// A scored pair of items, by index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// One item.
    pub a: usize,
    /// The other.
    pub b: usize,
    /// Probability that they belong together.
    pub score: f32,
}

/// What users decided about pairs of items: these must be together, these must be apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Pairs that must end up in one group.
    pub together: Vec<(usize, usize)>,
    /// Pairs that must end up in different groups.
    pub apart: Vec<(usize, usize)>,
}

/// Groups items `0..n` given scored pairs; returns groups sorted internally and by first member.
pub fn group(n: usize, pairs: &[ScoredPair], threshold: f32) -> Vec<Vec<usize>> {
    group_with(n, pairs, threshold, &Constraints::default())
}

/// Groups items `0..n` as [`group`] does, honouring user decisions: items that must be together
/// start in one group (through chains: a with b and b with c puts all three together), and two
/// groups holding a pair that must be apart never merge. Where the two conflict, "together" wins
/// (it was stated about those very items).
pub fn group_with(
    n: usize,
    pairs: &[ScoredPair],
    threshold: f32,
    constraints: &Constraints,
) -> Vec<Vec<usize>> {
    // Start from the groups users fixed: union-find over "together".
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for &(a, b) in &constraints.together {
        if a < n && b < n {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            // The smaller index is the root, so cluster ids do not depend on input order.
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let cluster_of: Vec<usize> = (0..n).map(|i| root(&mut parent, i)).collect();
    let mut members: Vec<Option<Vec<usize>>> = vec![None; n];
    for (i, &c) in cluster_of.iter().enumerate() {
        members[c].get_or_insert_with(Vec::new).push(i);
    }
    // Cluster pairs that must stay apart.
    let mut apart: HashSet<(usize, usize)> = HashSet::new();
    for &(a, b) in &constraints.apart {
        if a < n && b < n && cluster_of[a] != cluster_of[b] {
            let (x, y) = (cluster_of[a], cluster_of[b]);
            apart.insert((x.min(y), x.max(y)));
        }
    }
    // Sum of scores between clusters, keyed (smaller id, larger id).
    let mut sums: HashMap<(usize, usize), f64> = HashMap::new();
    for p in pairs {
        if p.a >= n || p.b >= n {
            continue;
        }
        let (x, y) = (cluster_of[p.a], cluster_of[p.b]);
        if x != y {
            *sums.entry((x.min(y), x.max(y))).or_insert(0.0) += p.score as f64;
        }
    }
    loop {
        // Best pair of clusters by average score; ties to the smallest (a, b).
        let mut best: Option<((usize, usize), f64)> = None;
        for (&(a, b), &sum) in &sums {
            if apart.contains(&(a, b)) {
                continue;
            }
            let size_a = members[a].as_ref().map_or(0, Vec::len);
            let size_b = members[b].as_ref().map_or(0, Vec::len);
            let avg = sum / (size_a * size_b) as f64;
            let better = match best {
                None => true,
                Some((key, score)) => avg > score || (avg == score && (a, b) < key),
            };
            if better {
                best = Some(((a, b), avg));
            }
        }
        let Some(((a, b), avg)) = best else { break };
        if avg < threshold as f64 {
            break;
        }
        // Merge b into a: a's sums and "apart" marks with every other cluster absorb b's.
        let moved = members[b].take().unwrap_or_default();
        members[a].as_mut().expect("live cluster").extend(moved);
        sums.remove(&(a, b));
        let of_b: Vec<((usize, usize), f64)> = sums
            .iter()
            .filter(|(&(x, y), _)| x == b || y == b)
            .map(|(&k, &v)| (k, v))
            .collect();
        for (key, sum) in of_b {
            sums.remove(&key);
            let other = if key.0 == b { key.1 } else { key.0 };
            *sums.entry((a.min(other), a.max(other))).or_insert(0.0) += sum;
        }
        let apart_b: Vec<(usize, usize)> = apart
            .iter()
            .filter(|&&(x, y)| x == b || y == b)
            .copied()
            .collect();
        for key in apart_b {
            apart.remove(&key);
            let other = if key.0 == b { key.1 } else { key.0 };
            apart.insert((a.min(other), a.max(other)));
        }
    }
    let mut groups: Vec<Vec<usize>> = members
        .into_iter()
        .flatten()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    groups.sort();
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: usize, b: usize, score: f32) -> ScoredPair {
        ScoredPair { a, b, score }
    }

    #[test]
    fn a_bridge_article_does_not_chain_two_stories() {
        // 0-1 one story, 3-4 another; 2 resembles one member of each.
        let pairs = [p(0, 1, 0.9), p(3, 4, 0.9), p(1, 2, 0.6), p(2, 3, 0.6)];
        let groups = group(5, &pairs, 0.5);
        assert!(groups.contains(&vec![3, 4]));
        assert!(!groups.iter().any(|g| g.contains(&0) && g.contains(&4)));
    }

    #[test]
    fn grouping_ignores_input_order() {
        let pairs = vec![p(0, 1, 0.7), p(1, 2, 0.7), p(0, 2, 0.2), p(2, 3, 0.9)];
        let mut reversed = pairs.clone();
        reversed.reverse();
        let swapped: Vec<_> = pairs.iter().map(|x| p(x.b, x.a, x.score)).collect();
        let expected = group(4, &pairs, 0.5);
        assert_eq!(group(4, &reversed, 0.5), expected);
        assert_eq!(group(4, &swapped, 0.5), expected);
    }

    #[test]
    fn user_decisions_override_scores() {
        let pairs = [p(0, 1, 0.9), p(1, 2, 0.8), p(0, 2, 0.85), p(3, 4, 0.1)];
        // Split 2 off a strong group; join 3 and 4 although they score low.
        let constraints = Constraints {
            together: vec![(3, 4)],
            apart: vec![(2, 0), (2, 1)],
        };
        let groups = group_with(5, &pairs, 0.5, &constraints);
        assert_eq!(groups, vec![vec![0, 1], vec![2], vec![3, 4]]);
        // "Together" wins a conflict about the same items.
        let conflict = Constraints {
            together: vec![(0, 3)],
            apart: vec![(0, 3)],
        };
        assert!(group_with(5, &pairs, 0.5, &conflict)
            .iter()
            .any(|g| g.contains(&0) && g.contains(&3)));
    }

    #[test]
    fn nothing_scored_means_singletons() {
        assert_eq!(group(3, &[], 0.5), vec![vec![0], vec![1], vec![2]]);
    }
}
