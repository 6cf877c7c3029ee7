//! Candidate search: which stored articles are worth scoring against a new one.
//!
//! A candidate is a stored article whose document vector has cosine ≥ [`CANDIDATE_MIN_COSINE`]
//! with the new one, that (when both are dated) was published within [`CANDIDATE_WINDOW_DAYS`] of
//! it, and whose event day (when both have one) is within the model's
//! [`MAX_EVENT_DAY_GAP`](crate::model::MAX_EVENT_DAY_GAP) of the new one's — the model scores
//! every pair further apart 0, so leaving them out changes no link. Of those, at most
//! [`MAX_CANDIDATES`] are kept: the nearest by document cosine (every article tied with the last
//! one kept is kept too).
//!
//! **How it is searched.** Vectors are kept in one contiguous matrix in insertion order, and each
//! position is listed in a bucket of its event day. A query with an event day searches only the
//! buckets of the days the model can link it to (±3 days) and the articles without an event day,
//! so the work per article is bounded by the articles of one week, not by the store. A bucket of
//! up to [`EXACT_LIMIT`] articles is scanned (at 1,000 articles a day, ≈ 7,000 dot products of
//! 512 dimensions a query, ≈ 0.4 ms); a larger one — a real day of world news is ≈ 300k
//! articles — is searched through its own HNSW graph ([`crate::ann`]), whose cost grows with the
//! logarithm of the bucket, not its size. An article without a publication date has no event
//! day and no window: it searches every bucket (the slow path: linear in the articles of the
//! days small enough to scan, plus one graph search per larger day). Conversely every dated
//! query also searches the articles that have no event day.
//!
//! **Why a cap, and what it costs.** Scoring a candidate (the model's features: ≈ 44 lead-sentence
//! cosines, entity and word overlaps) costs far more than finding it, and on a stream with many
//! reports of one story (or many near-copies, as in the benchmark corpus) hundreds of stored
//! articles clear the cosine floor, so without a cap the cost per article grows with the store. With
//! the cap, each new article scores at most [`MAX_CANDIDATES`] pairs. The price is symmetry: the
//! pairs scored are those where one article is among the other's nearest when the later one's
//! batch is stored (the pipeline puts a whole batch in the index before searching for any of it,
//! and passes each article's own position as `except`), so when more than [`MAX_CANDIDATES`]
//! articles clear the floor, which pairs get scored can depend on the order of the batches
//! (without the cap, the relation is symmetric and the scored pair set depends only on the set of
//! articles). Below the cap — the seed tests, the crash test, a quiet news day — nothing changes.
//! Undated streams reach it at once: on ecbplus-dev (486 undated reports) lifting the cap moved
//! forward-order B-cubed F1 from 0.861 to 0.850 and removed about half of what the order changed
//! (docs/evaluation.md, "Ingest order"). The nearest are by far the most likely links. The cost
//! falls on large stories: each report links to at most its 32 nearest earlier
//! reports (and is linked by later ones that pick it), while average linkage counts an unscored
//! pair as 0, so a story with many more reports in one week than 32 ÷ the model's threshold (≈ 55
//! at 0.59) can be split into several events of that order of size. Undated input has no week:
//! there, the cap is what keeps the cost per article bounded at all.
//!
//! **What the graph changes.** Above [`EXACT_LIMIT`] the search is approximate: the graph returns
//! the [`EF_SEARCH`](crate::ann::EF_SEARCH) nearest it finds, of which the nearest
//! [`MAX_CANDIDATES`] are kept as before. `khabar bench ingest` measures the recall of the
//! candidates against an exact scan on a sample of queries (BENCHMARKS.md).

use crate::ann::{Graph, Row, Space, EF_SEARCH};
use crate::model::MAX_EVENT_DAY_GAP;
use std::collections::BTreeMap;

/// Cosine below which two articles are never the same event. Chosen well under every same-story
/// pair's cosine in the SemEval-2022 dev pairs (see docs/clustering.md), so it only saves work.
pub const CANDIDATE_MIN_COSINE: f32 = 0.25;

/// Dated articles further apart than this are not compared (news of one event clusters in days).
pub const CANDIDATE_WINDOW_DAYS: i32 = 14;

/// Buckets of up to this many articles are scanned; a larger one gets an HNSW graph. Below a few
/// thousand vectors a scan (≈ 16 ns a vector in cache) costs no more than a graph search
/// (≈ 0.2–0.4 ms, memory-bound), and every article put in a graph costs an insertion on top.
pub const EXACT_LIMIT: usize = 4096;

/// At most this many candidates per new article (the nearest by document cosine), so the cost
/// of scoring stays bounded however many stored articles resemble it (see the module doc).
pub const MAX_CANDIDATES: usize = 32;

/// Document vectors of stored articles, in insertion order, bucketed by event day. Vectors are
/// kept quantised as the store keeps them (one signed byte per dimension and a scale): a quarter
/// of the memory of f32, and a quarter of the bytes each query reads.
#[derive(Debug, Default)]
pub struct VectorIndex {
    rows: Rows,
    days: Vec<Option<i32>>,
    event_days: Vec<Option<i32>>,
    /// Articles by event day.
    buckets: BTreeMap<i32, Bucket>,
    /// Articles without an event day.
    unbucketed: Bucket,
}

/// The quantised vectors, one row per position.
#[derive(Debug, Default)]
struct Rows {
    dim: usize,
    values: Vec<i8>,
    scales: Vec<f32>,
}

impl Rows {
    fn row(&self, position: usize) -> &[i8] {
        &self.values[position * self.dim..(position + 1) * self.dim]
    }
}

impl Space for Rows {
    fn row(&self, position: u32) -> Row<'_> {
        Row {
            values: Rows::row(self, position as usize),
            scale: self.scales[position as usize],
        }
    }
}

/// The articles of one event day: listed in increasing position, and in a graph once there are
/// more than [`EXACT_LIMIT`] of them.
#[derive(Debug, Default)]
struct Bucket {
    positions: Vec<u32>,
    graph: Option<Graph>,
}

impl Bucket {
    fn add(&mut self, rows: &Rows, position: u32) {
        self.positions.push(position);
        match &mut self.graph {
            Some(graph) => graph.insert(rows, position),
            None if self.positions.len() > EXACT_LIMIT => {
                let mut graph = Graph::default();
                for &p in &self.positions {
                    graph.insert(rows, p);
                }
                self.graph = Some(graph);
            }
            None => {}
        }
    }

    /// Positions near `query` with their cosines: every one (a scan) or the graph's nearest
    /// (searched with the query quantised as the store quantises vectors, `coded`).
    fn search(
        &self,
        rows: &Rows,
        query: &[f32],
        coded: Row<'_>,
        exact: bool,
        visit: &mut impl FnMut(usize, f32),
    ) {
        match &self.graph {
            Some(graph) if !exact => {
                for (p, cos) in graph.search(rows, coded, EF_SEARCH) {
                    visit(p as usize, cos);
                }
            }
            _ => {
                let dot = dot_fn();
                for &p in &self.positions {
                    let p = p as usize;
                    visit(p, dot(rows.row(p), query) * rows.scales[p]);
                }
            }
        }
    }
}

impl VectorIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Adds the vector `values[i] × scale` of an article published on `day` reporting an event
    /// of `event_day` (day numbers); returns its position. An empty vector (article without
    /// embedding) is kept as zeros: it is never a candidate.
    pub fn add(
        &mut self,
        scale: f32,
        values: &[i8],
        day: Option<i32>,
        event_day: Option<i32>,
    ) -> usize {
        let rows = &mut self.rows;
        if rows.dim == 0 && !values.is_empty() {
            // The first real vector sets the width; rows added before it (none) become zeros.
            rows.dim = values.len();
            rows.values = vec![0; self.days.len() * rows.dim];
        }
        let real = !values.is_empty() && values.len() == rows.dim;
        if real {
            rows.values.extend_from_slice(values);
            rows.scales.push(scale);
        } else {
            rows.values.extend(std::iter::repeat_n(0, rows.dim));
            rows.scales.push(0.0);
        }
        let position = self.days.len();
        self.days.push(day);
        self.event_days.push(event_day);
        if real {
            let bucket = match event_day {
                Some(e) => self.buckets.entry(e).or_default(),
                None => &mut self.unbucketed,
            };
            bucket.add(&self.rows, position as u32);
        }
        position
    }

    /// The vector at `position`, as f32 (each value times the scale, as the store decodes it).
    pub fn vector(&self, position: usize) -> Vec<f32> {
        let scale = self.rows.scales[position];
        self.rows
            .row(position)
            .iter()
            .map(|&q| q as f32 * scale)
            .collect()
    }

    /// Positions of the candidates for `vector` (published on `day`, reporting an event of
    /// `event_day`), with their cosines, in increasing position: the [`MAX_CANDIDATES`] nearest
    /// (plus ties with the last one).
    /// `except` (the query's own position, when it is in the index already) is never one.
    pub fn candidates(
        &self,
        vector: &[f32],
        day: Option<i32>,
        event_day: Option<i32>,
        except: Option<usize>,
    ) -> Vec<(usize, f32)> {
        self.search(vector, day, event_day, except, false)
    }

    /// [`candidates`](Self::candidates) by scanning every bucket, graph or not: the reference
    /// the graph's recall is measured against.
    pub fn exact_candidates(
        &self,
        vector: &[f32],
        day: Option<i32>,
        event_day: Option<i32>,
        except: Option<usize>,
    ) -> Vec<(usize, f32)> {
        self.search(vector, day, event_day, except, true)
    }

    fn search(
        &self,
        vector: &[f32],
        day: Option<i32>,
        event_day: Option<i32>,
        except: Option<usize>,
        exact: bool,
    ) -> Vec<(usize, f32)> {
        if vector.len() != self.rows.dim || self.rows.dim == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut visit = |i: usize, cos: f32| {
            if Some(i) == except {
                return;
            }
            if let (Some(a), Some(b)) = (day, self.days[i]) {
                if (a - b).abs() > CANDIDATE_WINDOW_DAYS {
                    return;
                }
            }
            if cos >= CANDIDATE_MIN_COSINE {
                out.push((i, cos));
            }
        };
        let buckets: Box<dyn Iterator<Item = &Bucket>> = match event_day {
            Some(e) => {
                let gap = MAX_EVENT_DAY_GAP as i32;
                Box::new(self.buckets.range(e - gap..=e + gap).map(|(_, b)| b))
            }
            None => Box::new(self.buckets.values()),
        };
        let (scale, values) = khabar_core::quantise(vector);
        let coded = Row {
            values: &values,
            scale,
        };
        for bucket in buckets.chain([&self.unbucketed]) {
            bucket.search(&self.rows, vector, coded, exact, &mut visit);
        }
        if out.len() > MAX_CANDIDATES {
            // The nearest, and every one tied with the last of them (ties do not depend on the
            // order the tied articles came in).
            out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let last = out[MAX_CANDIDATES - 1].1;
            out.retain(|c| c.1 >= last);
        }
        out.sort_by_key(|c| c.0);
        out
    }
}

/// The fastest dot product this CPU runs: [`dot`] compiled for AVX-512 (its 16 lanes are one
/// register) or for AVX2 and FMA when it has them. The lanes and the order of the final sum
/// are the same in every build, so every build gives the same bits.
fn dot_fn() -> fn(&[i8], &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return |a, b| {
                // SAFETY: the CPU has AVX-512F (checked above).
                unsafe { dot_avx512(a, b) }
            };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return |a, b| {
                // SAFETY: the CPU has AVX2 and FMA (checked above).
                unsafe { dot_avx2(a, b) }
            };
        }
    }
    dot
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn dot_avx512(a: &[i8], b: &[f32]) -> f32 {
    dot(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2(a: &[i8], b: &[f32]) -> f32 {
    dot(a, b)
}

/// Dot product of quantised values with a vector, in 16 independent lanes (vectorised by the
/// compiler; the order of the sum differs from a plain loop in the last bits, which only matters
/// for candidates exactly at the floor).
#[inline(always)]
fn dot(a: &[i8], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, y)| x as f32 * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..16 {
            acc[k] += x[k] as f32 * y[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds an f32 vector, quantised as the store does.
    fn add(index: &mut VectorIndex, v: &[f32], day: Option<i32>, event_day: Option<i32>) {
        let (scale, q) = khabar_core::quantise(v);
        index.add(scale, &q, day, event_day);
    }

    /// The builds of `dot` this CPU runs give the same bits as the plain one (a candidate at the
    /// floor must not depend on the machine).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_build_of_the_dot_product_gives_the_same_bits() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for dim in [1, 15, 16, 17, 512, 515] {
            let a: Vec<i8> = (0..dim).map(|_| next() as i8).collect();
            let b: Vec<f32> = (0..dim)
                .map(|_| (next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
                .collect();
            let plain = dot(&a, &b);
            assert_ne!(plain, 0.0);
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                assert_eq!(
                    unsafe { dot_avx2(&a, &b) }.to_bits(),
                    plain.to_bits(),
                    "{dim}"
                );
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                assert_eq!(
                    unsafe { dot_avx512(&a, &b) }.to_bits(),
                    plain.to_bits(),
                    "{dim}"
                );
            }
        }
    }

    #[test]
    fn finds_close_vectors_within_the_time_window() {
        let mut index = VectorIndex::new();
        add(&mut index, &[1.0, 0.0], Some(100), Some(100));
        add(&mut index, &[0.0, 1.0], Some(100), Some(100));
        add(&mut index, &[0.9, 0.1], Some(300), Some(300));
        add(&mut index, &[0.8, 0.6], None, None);
        // Published within the window, but its event a week before: never linked.
        add(&mut index, &[1.0, 0.0], Some(101), Some(94));
        let found: Vec<usize> = index
            .candidates(&[1.0, 0.0], Some(101), Some(101), None)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, vec![0, 3]);
        // Without a day, everything is compared.
        let all: Vec<usize> = index
            .candidates(&[1.0, 0.0], None, None, None)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(all, vec![0, 2, 3, 4]);
    }

    #[test]
    fn an_article_without_a_vector_before_the_first_one_is_a_row_of_zeros() {
        let mut index = VectorIndex::new();
        index.add(0.0, &[], None, None);
        add(&mut index, &[1.0, 0.0], None, None);
        add(&mut index, &[0.0, 1.0], None, None);
        let found: Vec<usize> = index
            .candidates(&[0.0, 1.0], None, None, None)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, vec![2]);
    }

    #[test]
    fn keeps_the_nearest_and_their_ties() {
        let mut index = VectorIndex::new();
        let x = |i: usize| 0.5 + i as f32 / 100.0;
        for i in 0..(MAX_CANDIDATES + 10) {
            add(&mut index, &[x(i), (1.0 - x(i) * x(i)).sqrt()], None, None);
        }
        // One more exactly as near as the last one kept (the 32nd nearest is number 10).
        let n = index.len();
        let tie = n - MAX_CANDIDATES;
        add(
            &mut index,
            &[x(tie), (1.0 - x(tie) * x(tie)).sqrt()],
            None,
            None,
        );
        let found: Vec<usize> = index
            .candidates(&[1.0, 0.0], None, None, None)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let mut expected: Vec<usize> = (tie..n).collect();
        expected.push(n);
        assert_eq!(found, expected);
    }

    #[test]
    fn the_query_itself_is_never_its_own_candidate_nor_counts_against_the_cap() {
        let mut index = VectorIndex::new();
        for i in 0..=MAX_CANDIDATES {
            let x = 0.5 + i as f32 / 100.0;
            add(&mut index, &[x, (1.0 - x * x).sqrt()], None, None);
        }
        let me = MAX_CANDIDATES;
        let query = index.vector(me);
        let found: Vec<usize> = index
            .candidates(&query, None, None, Some(me))
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, (0..MAX_CANDIDATES).collect::<Vec<_>>());
    }
}
