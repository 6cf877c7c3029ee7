//! How much a shared word says: inverse document frequencies of content-word stems, counted on
//! the stream itself and frozen into each article's profile when it is stored.
//!
//! Two reports that share "Lavrov" and "Kuwait" have more in common than two that share "said"
//! and "minister". The engine has no reference corpus to tell rare words from common ones, so it
//! counts, over every article stored before, how many name each stem ([`DocumentFrequencies`]),
//! and gives each stem of a new article its inverse document frequency ([`idf`]). The weights
//! are kept in the article's [`Profile`] ([`Profile::stem_weights`]): a pair's
//! [`overlap`] is then computed from what the two profiles hold, so an explanation read later
//! gives the very number the link was scored with, however the counts have grown since.
//!
//! The overlap counts across languages too: names, places and acronyms are often written the
//! same in German and English (or in any two languages of one script), and they are the rare
//! words that matter.
//!
//! ```
//! use khabar_cluster::vocabulary::{overlap, DocumentFrequencies};
//! use khabar_cluster::Profile;
//!
//! let profile = |stems: &[u64]| Profile { stems: stems.to_vec(), ..Profile::default() };
//! let mut counts = DocumentFrequencies::default();
//! // Stem 1 is in every article, stems 7 and 8 in one each.
//! let mut articles = [profile(&[1, 7]), profile(&[1, 8]), profile(&[1, 7]), profile(&[1])];
//! for p in &articles {
//!     counts.add(p);
//! }
//! for p in &mut articles {
//!     counts.weigh(p);
//! }
//! // Sharing a rarer stem says more than sharing the common one alone.
//! assert!(overlap(&articles[0], &articles[2]) > overlap(&articles[0], &articles[1]));
//! assert_eq!(overlap(&articles[0], &articles[0]), 1.0);
//! ```

use crate::features::Profile;
use std::collections::HashMap;

/// Stem weights are stored in one byte each, in steps of 1/`WEIGHT_SCALE`: [`idf`] runs from 1
/// to at most [`MAX_IDF`], and one more document moves the weight of a stem named by more than
/// about 15 by less than a step.
pub const WEIGHT_SCALE: f32 = 16.0;

/// The highest weight: a stem named by fewer than one article in 1,000 counts as one named by one
/// in 1,000 (ln 1000 + 1). The model's weight on the overlap was fitted on files of 486 to 1,495
/// distinct articles, where the rarest stem (named by one article, df = 1) weighs 6.5 to 7.6; in a
/// store of 100,000 it would weigh 11.8,
/// and rare words would count for relatively more than in anything the fit saw, moving the
/// overlap of unrelated articles away from the measured background as the store grows. Capped,
/// the weights of a large store are those of the fitting files' regime.
pub const MAX_IDF: f32 = 7.907_755;

/// How stem weights are computed, for a store to know whether its profiles' frozen weights are
/// this version's: the formula's version and its two numbers. Change the version with the formula.
pub fn weighting() -> String {
    format!("smoothed idf v1, at most {MAX_IDF}, in steps of 1/{WEIGHT_SCALE}")
}

/// Inverse document frequency of a stem named by `frequency` of `documents` articles, smoothed
/// as scikit-learn's `TfidfVectorizer` does, ln((1 + n) / (1 + df)) + 1, and at most
/// [`MAX_IDF`]. Never zero, so in a new store, where every count is small, stems weigh about the
/// same and the overlap is that of the plain stem sets.
pub fn idf(documents: u32, frequency: u32) -> f32 {
    (smoothed_idf(documents as f64, frequency as f64) as f32).min(MAX_IDF)
}

/// scikit-learn's smoothed inverse document frequency, ln((1 + n) / (1 + df)) + 1, uncapped (for
/// TF-IDF as that library computes it; the engine's weights are [`idf`]).
pub fn smoothed_idf(documents: f64, frequency: f64) -> f64 {
    ((1.0 + documents) / (1.0 + frequency)).ln() + 1.0
}

/// How many stored articles name each stem.
#[derive(Debug, Clone, Default)]
pub struct DocumentFrequencies {
    documents: u32,
    counts: HashMap<u64, u32>,
}

impl DocumentFrequencies {
    /// Counts an article (its stems are distinct).
    pub fn add(&mut self, p: &Profile) {
        self.documents += 1;
        for &stem in &p.stems {
            *self.counts.entry(stem).or_default() += 1;
        }
    }

    /// Takes back [`add`](Self::add) of the same profile (an article that turned out not to be
    /// stored).
    pub fn remove(&mut self, p: &Profile) {
        self.documents = self.documents.saturating_sub(1);
        for stem in &p.stems {
            if let Some(n) = self.counts.get_mut(stem) {
                *n -= 1;
                if *n == 0 {
                    self.counts.remove(stem);
                }
            }
        }
    }

    /// Articles counted.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// Sets `p`'s [`Profile::stem_weights`] from these counts, which should include `p` itself
    /// (a stem counts as named at least once, and the documents as at least one), and records
    /// how many articles they count ([`Profile::weighed_over`]).
    pub fn weigh(&self, p: &mut Profile) {
        let documents = self.documents.max(1);
        p.weighed_over = Some(self.documents);
        p.stem_weights = p
            .stems
            .iter()
            .map(|stem| {
                let frequency = self.counts.get(stem).copied().unwrap_or(0).max(1);
                (idf(documents, frequency) * WEIGHT_SCALE)
                    .round()
                    .clamp(1.0, 255.0) as u8
            })
            .collect();
    }
}

/// How much two articles' vocabularies overlap, weighted: the cosine of their stem sets with
/// each stem weighted by its [`idf`] (each side's own stored weights), then its square root, in
/// 0..1. The root spreads the low values where most related pairs lie (two reports of one story
/// share a few rare words, not most of them): measured on the held-out folds of `khabar eval fit`
/// (with the raw overlap as input) it correlated better with the ratings than the plain cosine,
/// at a little less same-event F1 (docs/clustering.md).
///
/// A profile stored without weights (before they existed), or whose weights do not match its
/// stems, counts every stem as 1.
pub fn overlap(a: &Profile, b: &Profile) -> f32 {
    let mut cosine = 0.0f32;
    for_each_shared(a, b, |_, term| cosine += term);
    cosine.min(1.0).sqrt()
}

/// Each stem both articles name, with its term of their weighted cosine (the terms add up to the
/// cosine [`overlap`] takes the root of), largest first: which shared words counted most, for
/// explanations.
pub fn shared_stems(a: &Profile, b: &Profile) -> Vec<(u64, f32)> {
    let mut shared = Vec::new();
    for_each_shared(a, b, |stem, term| shared.push((stem, term)));
    shared.sort_by(|x, y| y.1.total_cmp(&x.1));
    shared
}

/// Calls `f` with each stem both profiles name and its term of their weighted cosine (nothing
/// when either has no stems).
fn for_each_shared(a: &Profile, b: &Profile, mut f: impl FnMut(u64, f32)) {
    let weight = |p: &Profile, i: usize| -> f32 {
        if p.stem_weights.len() == p.stems.len() {
            p.stem_weights[i] as f32
        } else {
            WEIGHT_SCALE
        }
    };
    let norm = |p: &Profile| -> f32 {
        (0..p.stems.len())
            .map(|i| weight(p, i) * weight(p, i))
            .sum::<f32>()
            .sqrt()
    };
    let norms = norm(a) * norm(b);
    if norms == 0.0 {
        return;
    }
    let (mut i, mut j) = (0, 0);
    while i < a.stems.len() && j < b.stems.len() {
        match a.stems[i].cmp(&b.stems[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(a.stems[i], weight(a, i) * weight(b, j) / norms);
                i += 1;
                j += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(stems: &[u64]) -> Profile {
        Profile {
            stems: stems.to_vec(),
            ..Profile::default()
        }
    }

    #[test]
    fn weights_fall_as_more_articles_name_a_stem() {
        let mut counts = DocumentFrequencies::default();
        for stems in [&[1, 2][..], &[1, 3], &[1, 2], &[1]] {
            counts.add(&profile(stems));
        }
        let mut p = profile(&[1, 2, 3]);
        counts.weigh(&mut p);
        // In all 4: ln(5/5) + 1 = 1; in 2: ln(5/3) + 1 = 1.51; in 1: ln(5/2) + 1 = 1.92.
        assert_eq!(p.stem_weights, [16, 24, 31]);
        // A stem never counted weighs as one named once.
        let mut q = profile(&[3, 99]);
        counts.weigh(&mut q);
        assert_eq!(q.stem_weights, [31, 31]);
    }

    #[test]
    fn weights_stop_rising_at_one_article_in_a_thousand() {
        assert!((MAX_IDF - (1000f32.ln() + 1.0)).abs() < 1e-5);
        assert!(idf(999, 1) < MAX_IDF);
        assert_eq!(idf(100_000, 1), MAX_IDF);
        assert_eq!(idf(100_000, 50), MAX_IDF);
        assert!(idf(100_000, 200) < MAX_IDF);
    }

    #[test]
    fn removing_an_article_takes_back_its_counts() {
        let mut counts = DocumentFrequencies::default();
        counts.add(&profile(&[1, 2]));
        let mut before = profile(&[1, 2]);
        counts.weigh(&mut before);
        counts.add(&profile(&[2, 5]));
        counts.remove(&profile(&[2, 5]));
        let mut after = profile(&[1, 2]);
        counts.weigh(&mut after);
        assert_eq!(counts.documents(), 1);
        assert_eq!(after.stem_weights, before.stem_weights);
        assert!(!counts.counts.contains_key(&5));
    }

    #[test]
    fn overlap_weighs_rare_stems_and_reads_unweighted_profiles_as_ones() {
        let weighted = |stems: &[u64], weights: &[u8]| Profile {
            stem_weights: weights.to_vec(),
            ..profile(stems)
        };
        let a = weighted(&[1, 2], &[16, 48]);
        let b = weighted(&[1, 3], &[16, 48]);
        let c = weighted(&[2, 3], &[48, 48]);
        // a and b share only the common stem: 16·16 / (√(16²+48²))² = 0.1, root 0.316.
        assert!((overlap(&a, &b) - 0.1f32.sqrt()).abs() < 1e-6);
        // a and c share the rare one: 48·48 / (√(16²+48²)·√(2·48²)) = 0.671, root 0.819.
        let expected = (48.0f32 * 48.0
            / ((16.0f32 * 16.0 + 48.0 * 48.0).sqrt() * (2.0f32 * 48.0 * 48.0).sqrt()))
        .sqrt();
        assert!((overlap(&a, &c) - expected).abs() < 1e-6);
        assert_eq!(overlap(&a, &b), overlap(&b, &a));
        // Without weights: plain set cosine, 1 of 2 and 2 stems: 1/2, root 0.707.
        let (x, y) = (profile(&[1, 2]), profile(&[2, 3]));
        assert!((overlap(&x, &y) - 0.5f32.sqrt()).abs() < 1e-6);
        assert_eq!(overlap(&x, &profile(&[])), 0.0);
        assert_eq!(overlap(&x, &profile(&[4])), 0.0);
        // Its parts, largest first: the rare stem's term before the common one's.
        let d = weighted(&[1, 2, 3], &[16, 48, 16]);
        let parts = shared_stems(&a, &d);
        assert_eq!(parts.iter().map(|p| p.0).collect::<Vec<_>>(), [2, 1]);
        let sum: f32 = parts.iter().map(|p| p.1).sum();
        assert!((sum.sqrt() - overlap(&a, &d)).abs() < 1e-6);
    }
}
