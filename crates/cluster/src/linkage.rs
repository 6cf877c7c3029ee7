//! Average-linkage grouping: two groups merge when the mean score over all pairs between them
//! (unscored pairs count as 0) reaches the threshold. Unlike single-link chaining, one article that
//! resembles two stories cannot glue them together.
//!
//! The result depends only on the scores: ties are broken by member indices, so the same articles
//! give the same groups whatever order they were ingested in.

use std::collections::HashMap;

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

/// Groups items `0..n` given scored pairs; returns groups sorted internally and by first member.
pub fn group(n: usize, pairs: &[ScoredPair], threshold: f32) -> Vec<Vec<usize>> {
    // Cluster id -> members; sum of scores between clusters, keyed (smaller id, larger id).
    let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
    let mut sums: HashMap<(usize, usize), f64> = HashMap::new();
    for p in pairs {
        if p.a == p.b || p.a >= n || p.b >= n {
            continue;
        }
        let key = (p.a.min(p.b), p.a.max(p.b));
        sums.insert(key, p.score as f64);
    }
    loop {
        // Best pair of clusters by average score; ties to the smallest (a, b).
        let mut best: Option<((usize, usize), f64)> = None;
        for (&(a, b), &sum) in &sums {
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
        // Merge b into a: a's sums with every other cluster absorb b's.
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
            let merged = (a.min(other), a.max(other));
            *sums.entry(merged).or_insert(0.0) += sum;
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
    fn nothing_scored_means_singletons() {
        assert_eq!(group(3, &[], 0.5), vec![vec![0], vec![1], vec![2]]);
    }
}
