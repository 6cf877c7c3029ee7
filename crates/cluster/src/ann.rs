//! Approximate nearest neighbours: a hierarchical navigable small-world graph (HNSW; Malkov &
//! Yashunin, "Efficient and robust approximate nearest neighbor search using Hierarchical
//! Navigable Small World graphs", IEEE TPAMI 2020) over the document vectors of one event day.
//!
//! [`crate::index`] builds one graph per event-day bucket once the bucket holds more than
//! [`EXACT_LIMIT`](crate::index::EXACT_LIMIT) articles; below that a scan is as fast. A search
//! costs about `EF_SEARCH × M` similarity evaluations whatever the bucket's size (a scan costs
//! one per article); an insertion costs a search with `EF_CONSTRUCTION` plus re-choosing the
//! links of each new neighbour whose list overflows, about 0.2–0.6 ms at 512 dimensions on this
//! machine (five to ten searches). Levels come from a hash of the article's position, so the
//! same articles added in the same order give the same graph.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Links per node on the levels above 0 (the paper's `M`; 12–48 is its recommended range for
/// vectors of a few hundred dimensions).
const M: usize = 16;
/// Links per node on level 0 (the paper's `Mmax0` = 2·M).
const M0: usize = 2 * M;
/// Candidates kept while inserting (the paper's `efConstruction`).
const EF_CONSTRUCTION: usize = 100;
/// Candidates kept while searching: four times the candidates the index keeps per article. On
/// the synthetic stories of the tests, recall of the exact nearest 32 (above the cosine floor) is
/// 0.933 / 0.972 / 0.987 / 0.991 at 32 / 64 / 128 / 256 (the rest are near-ties that the
/// quantised query ranks differently), and every other report of the query's own story is found
/// at all four; on real news vectors `khabar bench ingest` measures it (BENCHMARKS.md).
pub(crate) const EF_SEARCH: usize = 4 * crate::index::MAX_CANDIDATES;
/// Highest level a node can get (a graph of 2^32 nodes needs about 8 with M = 16).
const MAX_LEVEL: usize = 12;

/// A vector as the graph compares it: one signed byte per dimension and a scale (the store's
/// quantisation), so that a similarity is an integer dot product and nothing is decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    /// The quantised values.
    pub values: &'a [i8],
    /// What one unit of `values` is worth.
    pub scale: f32,
}

impl Row<'_> {
    /// Cosine with `other` (both unit vectors, up to quantisation).
    #[inline]
    fn similarity(self, other: Row<'_>) -> f32 {
        idot_fn()(self.values, other.values) as f32 * self.scale * other.scale
    }
}

/// The vectors a graph is built over, addressed by position.
pub(crate) trait Space {
    /// The stored vector at `position`.
    fn row(&self, position: u32) -> Row<'_>;
}

/// One HNSW graph. Nodes are numbered in insertion order; `positions[node]` is where the node's
/// vector lives in the [`Space`].
#[derive(Debug, Default)]
pub(crate) struct Graph {
    positions: Vec<u32>,
    /// `links[node][level]`: the node's neighbours on each of its levels.
    links: Vec<Vec<Vec<u32>>>,
    /// The node every search starts from (one on the highest level).
    entry: Option<u32>,
}

/// A node with its similarity to the query, ordered by similarity (then node, for determinism).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Near {
    sim: f32,
    node: u32,
}

impl Eq for Near {}

impl Ord for Near {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sim
            .total_cmp(&other.sim)
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Graph {
    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.positions.len()
    }

    /// Adds the vector at `position` (already in `space`).
    pub(crate) fn insert(&mut self, space: &impl Space, position: u32) {
        let node = self.positions.len() as u32;
        let level = level_of(position);
        self.positions.push(position);
        self.links.push(vec![Vec::new(); level + 1]);
        let Some(entry) = self.entry else {
            self.entry = Some(node);
            return;
        };
        let query = space.row(position);
        let top = self.links[entry as usize].len() - 1;
        let mut nearest = vec![self.near(space, query, entry)];
        for l in (level + 1..=top).rev() {
            nearest = self.search_level(space, query, &nearest, 1, l);
        }
        for l in (0..=level.min(top)).rev() {
            nearest = self.search_level(space, query, &nearest, EF_CONSTRUCTION, l);
            let max = if l == 0 { M0 } else { M };
            let chosen = self.select(space, &nearest, max);
            for &n in &chosen {
                let theirs = &mut self.links[n as usize][l];
                theirs.push(node);
                if theirs.len() > max {
                    self.shrink(space, n, l, max);
                }
            }
            self.links[node as usize][l] = chosen;
        }
        if level > top {
            self.entry = Some(node);
        }
    }

    /// Positions of about the `ef` nearest vectors to `query`, with their cosines, nearest first.
    pub(crate) fn search(&self, space: &impl Space, query: Row<'_>, ef: usize) -> Vec<(u32, f32)> {
        let Some(entry) = self.entry else {
            return Vec::new();
        };
        let top = self.links[entry as usize].len() - 1;
        let mut nearest = vec![self.near(space, query, entry)];
        for l in (1..=top).rev() {
            nearest = self.search_level(space, query, &nearest, 1, l);
        }
        self.search_level(space, query, &nearest, ef, 0)
            .into_iter()
            .map(|n| (self.positions[n.node as usize], n.sim))
            .collect()
    }

    fn near(&self, space: &impl Space, query: Row<'_>, node: u32) -> Near {
        Near {
            sim: query.similarity(space.row(self.positions[node as usize])),
            node,
        }
    }

    /// The paper's SEARCH-LAYER: best-first from `entries`, keeping the `ef` nearest found;
    /// returns them nearest first.
    fn search_level(
        &self,
        space: &impl Space,
        query: Row<'_>,
        entries: &[Near],
        ef: usize,
        level: usize,
    ) -> Vec<Near> {
        let mut visited = vec![0u64; self.len().div_ceil(64)];
        let mut seen = |node: u32| {
            let (w, b) = (node as usize / 64, node % 64);
            let new = visited[w] & (1 << b) == 0;
            visited[w] |= 1 << b;
            new
        };
        // To visit, nearest first; and the ef best so far, worst on top.
        let mut frontier: BinaryHeap<Near> = BinaryHeap::new();
        let mut best: BinaryHeap<std::cmp::Reverse<Near>> = BinaryHeap::new();
        for &e in entries {
            if seen(e.node) {
                frontier.push(e);
                best.push(std::cmp::Reverse(e));
            }
        }
        while best.len() > ef {
            best.pop();
        }
        while let Some(current) = frontier.pop() {
            let worst = best.peek().map_or(f32::NEG_INFINITY, |w| w.0.sim);
            if current.sim < worst && best.len() >= ef {
                break;
            }
            for &n in self.links[current.node as usize]
                .get(level)
                .map_or(&[][..], |v| &v[..])
            {
                if !seen(n) {
                    continue;
                }
                let candidate = self.near(space, query, n);
                let worst = best.peek().map_or(f32::NEG_INFINITY, |w| w.0.sim);
                if best.len() < ef || candidate.sim > worst {
                    frontier.push(candidate);
                    best.push(std::cmp::Reverse(candidate));
                    if best.len() > ef {
                        best.pop();
                    }
                }
            }
        }
        let mut out: Vec<Near> = best.into_iter().map(|r| r.0).collect();
        out.sort_by(|a, b| b.cmp(a));
        out
    }

    /// The paper's SELECT-NEIGHBORS-HEURISTIC (with pruned connections kept): a candidate is
    /// taken when it is nearer the new node than any neighbour taken before it, so the links
    /// point in different directions; the slots left are filled with the nearest of the rest.
    fn select(&self, space: &impl Space, nearest: &[Near], max: usize) -> Vec<u32> {
        let mut chosen: Vec<u32> = Vec::with_capacity(max);
        let mut pruned = Vec::new();
        for c in nearest {
            if chosen.len() == max {
                break;
            }
            let v = space.row(self.positions[c.node as usize]);
            let diverse = chosen
                .iter()
                .all(|&r| v.similarity(space.row(self.positions[r as usize])) < c.sim);
            if diverse {
                chosen.push(c.node);
            } else {
                pruned.push(c.node);
            }
        }
        let room = max - chosen.len();
        chosen.extend(pruned.into_iter().take(room));
        chosen
    }

    /// Cuts `node`'s links on `level` back to `max`, chosen by the same heuristic as a new
    /// node's (keeping only the nearest instead lets clusters of near-copies link only among
    /// themselves, and searches stop finding their way out of them).
    fn shrink(&mut self, space: &impl Space, node: u32, level: usize, max: usize) {
        let own = space.row(self.positions[node as usize]);
        let mut scored: Vec<Near> = self.links[node as usize][level]
            .iter()
            .map(|&n| self.near(space, own, n))
            .collect();
        scored.sort_by(|a, b| b.cmp(a));
        self.links[node as usize][level] = self.select(space, &scored, max);
    }
}

/// A node's level: ⌊−ln(u)·mL⌋ with mL = 1/ln(M) (the paper's choice), u uniform in (0, 1]
/// from a hash of the position.
fn level_of(position: u32) -> usize {
    let z = khabar_core::splitmix64(position as u64);
    let u = ((z >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    ((-u.ln() / (M as f64).ln()) as usize).min(MAX_LEVEL)
}

/// The fastest integer dot product this CPU runs: [`idot`] compiled for AVX2 when it has it.
fn idot_fn() -> fn(&[i8], &[i8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return |a, b| {
                // SAFETY: the CPU has AVX2 (checked above).
                unsafe { idot_avx2(a, b) }
            };
        }
    }
    idot
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn idot_avx2(a: &[i8], b: &[i8]) -> i32 {
    idot(a, b)
}

/// Dot product of two quantised vectors, exact in i32 (512 products of at most 127² each), in
/// 32 lanes so that the compiler vectorises it.
#[inline(always)]
fn idot(a: &[i8], b: &[i8]) -> i32 {
    let mut acc = [0i32; 32];
    let (ca, cb) = (a.chunks_exact(32), b.chunks_exact(32));
    let tail: i32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, &y)| x as i32 * y as i32)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..32 {
            acc[k] += x[k] as i32 * y[k] as i32;
        }
    }
    acc.iter().sum::<i32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit vectors quantised as the store does, addressed by index.
    struct Plain(Vec<(f32, Vec<i8>)>);

    impl Plain {
        fn of(vectors: &[Vec<f32>]) -> Plain {
            Plain(vectors.iter().map(|v| khabar_core::quantise(v)).collect())
        }
    }

    impl Space for Plain {
        fn row(&self, position: u32) -> Row<'_> {
            let (scale, values) = &self.0[position as usize];
            Row {
                values,
                scale: *scale,
            }
        }
    }

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// Deterministic pseudo-random numbers in [-1, 1).
    fn noise(seed: u64) -> impl FnMut() -> f32 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        }
    }

    fn unit(mut v: Vec<f32>) -> Vec<f32> {
        let n = dot(&v, &v).sqrt();
        v.iter_mut().for_each(|x| *x /= n);
        v
    }

    /// News-like vectors: `reports` reports of `stories` stories (each a story's vector plus
    /// noise, cosine ≈ 0.7 between two reports of one story), in 64 dimensions; the reports'
    /// noise comes from `seed`, the stories are always the same.
    fn reports(stories: usize, reports: usize, seed: u64) -> Vec<Vec<f32>> {
        noisy_reports(stories, reports, seed, 0.1)
    }

    /// [`reports`] with `noise` of each coordinate's amplitude added to the story's vector.
    fn noisy_reports(stories: usize, reports: usize, seed: u64, noise_level: f32) -> Vec<Vec<f32>> {
        let dim = 64;
        let mut r = noise(1);
        let centres: Vec<Vec<f32>> = (0..stories)
            .map(|_| unit((0..dim).map(|_| r()).collect()))
            .collect();
        let mut r = noise(seed);
        (0..reports)
            .map(|i| {
                let c = &centres[(i * 7919) % stories];
                unit(c.iter().map(|x| x + noise_level * r()).collect())
            })
            .collect()
    }

    #[test]
    fn finds_the_nearest_with_high_recall() {
        // 1,500 stories reported 4 times each on average; queries are new reports.
        let vectors = reports(1500, 6000, 7);
        let space = Plain::of(&vectors);
        let mut graph = Graph::default();
        for p in 0..space.0.len() as u32 {
            graph.insert(&space, p);
        }
        let queries = reports(1500, 300, 99);
        // The candidates that matter: the nearest 32 that clear the index's cosine floor, and
        // among them the other reports of the query's story.
        let (k, floor, story) = (32, crate::index::CANDIDATE_MIN_COSINE, 0.5);
        let (mut hit, mut wanted, mut hit_story, mut wanted_story) = (0, 0, 0, 0);
        for q in &queries {
            let mut exact: Vec<(u32, f32)> = (0..vectors.len() as u32)
                .map(|p| (p, dot(q, &vectors[p as usize])))
                .collect();
            exact.sort_by(|a, b| b.1.total_cmp(&a.1));
            let (scale, values) = khabar_core::quantise(q);
            let found: std::collections::HashSet<u32> = graph
                .search(
                    &space,
                    Row {
                        values: &values,
                        scale,
                    },
                    EF_SEARCH,
                )
                .into_iter()
                .take(k)
                .map(|(p, _)| p)
                .collect();
            for (p, c) in exact[..k].iter().filter(|(_, c)| *c >= floor) {
                wanted += 1;
                hit += found.contains(p) as usize;
                if *c >= story {
                    wanted_story += 1;
                    hit_story += found.contains(p) as usize;
                }
            }
        }
        let recall = hit as f64 / wanted as f64;
        let recall_story = hit_story as f64 / wanted_story as f64;
        assert!(
            wanted > 1000 && recall > 0.98,
            "recall {recall:.4} of {wanted}"
        );
        assert!(
            wanted_story > 1000 && recall_story > 0.999,
            "same-story recall {recall_story:.4} of {wanted_story}"
        );
    }

    /// Many near-copies of each story (as when one wire story is republished all day): a search
    /// must still find its way to every story, not stay among the copies it met first.
    #[test]
    fn near_copies_do_not_cut_the_graph_into_islands() {
        let vectors = noisy_reports(150, 6000, 5, 0.01);
        let space = Plain::of(&vectors);
        let mut graph = Graph::default();
        for p in 0..vectors.len() as u32 {
            graph.insert(&space, p);
        }
        let queries = noisy_reports(150, 150, 77, 0.01);
        let mut as_near = 0;
        for q in &queries {
            let mut exact: Vec<f32> = vectors.iter().map(|v| dot(q, v)).collect();
            exact.sort_by(|a, b| b.total_cmp(a));
            let (scale, values) = khabar_core::quantise(q);
            let found = graph.search(
                &space,
                Row {
                    values: &values,
                    scale,
                },
                EF_SEARCH,
            );
            // Which of 40 all-but-identical copies is found does not matter: rank by rank, the
            // one found must be as near as the exact one, up to quantisation.
            as_near += exact
                .iter()
                .zip(&found)
                .take(32)
                .filter(|(e, f)| f.1 >= **e - 0.01)
                .count();
        }
        let recall = as_near as f64 / (32 * queries.len()) as f64;
        assert!(recall > 0.99, "recall within 0.01: {recall:.3}");
    }

    #[test]
    fn the_same_insertions_give_the_same_graph() {
        let space = Plain::of(&reports(100, 500, 3));
        let build = || {
            let mut g = Graph::default();
            (0..500).for_each(|p| g.insert(&space, p));
            g
        };
        let (a, b) = (build(), build());
        assert_eq!(a.links, b.links);
        assert_eq!(a.entry, b.entry);
        assert_eq!(a.search(&space, space.row(17), 10)[0].0, 17);
    }

    #[test]
    fn levels_thin_out_by_m() {
        let above: usize = (0..100_000).filter(|&p| level_of(p) >= 1).count();
        // P(level ≥ 1) = 1/M.
        assert!(
            (above as f64 / 100_000.0 - 1.0 / M as f64).abs() < 0.005,
            "{above}"
        );
    }
}
