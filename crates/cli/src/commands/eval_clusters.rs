//! `khabar eval clusters GOLD.jsonl`: ingest a labelled stream through the real pipeline into a
//! fresh store, in file order, and compare the engine's events with the gold ones.
//!
//! The metric functions at the bottom are pure (two labelings in, figures out) and unit-tested on
//! hand-made labelings; docs/evaluation.md describes the file form and the figures.

use super::Dirs;
use crate::exit::outln;
use crate::pipeline::Pipeline;
use anyhow::{Context, Result};
use khabar_core::ArticleId;
use khabar_store::{Reads, DB_FILE};
use serde::Deserialize;
use std::collections::HashMap;
use std::hash::Hash;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `khabar eval clusters`.
#[derive(clap::Args)]
pub struct EvalClustersArgs {
    /// A gold stream: khabar JSONL (`text` or, for a headline-only record, `title`; optional
    /// `id`, `lang`, `published_at`, `url`) plus `event`, the gold event label. Ingested in file
    /// order.
    pub file: PathBuf,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Ingest into this directory (which must not hold a store yet) and keep it for inspection.
    /// Default: a temporary directory, deleted afterwards. The global --data-dir is never used.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// One line of a gold file: only what the evaluation needs; the ingest reads the rest.
#[derive(Deserialize)]
struct GoldRecord {
    text: Option<String>,
    #[serde(default)]
    title: Option<String>,
    event: Option<serde_json::Value>,
    #[serde(default)]
    lang: Option<String>,
}

/// A distinct gold article (identical texts are one article, labelled by their first record).
pub(super) struct GoldArticle {
    pub(super) id: ArticleId,
    /// 1-based line of its first record (the engine names its copies `file:line`).
    line: u64,
    pub(super) event: String,
    lang: Option<String>,
}

/// What reading the gold file found.
pub(super) struct Gold {
    records: usize,
    pub(super) articles: Vec<GoldArticle>,
    /// Records whose text (after the article-id normalisation) repeats an earlier record's.
    duplicate_records: usize,
    /// Of those, records whose `event` differs from the first record's.
    conflicting_duplicates: usize,
}

fn label_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn read_gold(path: &Path) -> Result<Gold> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut gold = Gold {
        records: 0,
        articles: Vec::new(),
        duplicate_records: 0,
        conflicting_duplicates: 0,
    };
    let mut position: HashMap<ArticleId, usize> = HashMap::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let at = || format!("{}:{}", path.display(), i + 1);
        let line = line.with_context(at)?;
        if line.trim().is_empty() {
            continue;
        }
        let record: GoldRecord =
            serde_json::from_str(&line).with_context(|| format!("{}: not a JSON object", at()))?;
        // The body the ingest stores for this record (its text, else its title), so the id is
        // the stored article's.
        let text =
            khabar_ingest::jsonl::record_body(record.text.as_deref(), record.title.as_deref())
                .map_err(|reason| anyhow::anyhow!("{}: {reason}: not an article", at()))?;
        let event = record
            .event
            .filter(|e| !e.is_null())
            .with_context(|| format!("{}: no gold \"event\" label", at()))?;
        let event = label_text(&event);
        gold.records += 1;
        let id = ArticleId::of_body(text);
        if let Some(&first) = position.get(&id) {
            gold.duplicate_records += 1;
            if gold.articles[first].event != event {
                gold.conflicting_duplicates += 1;
            }
            continue;
        }
        position.insert(id, gold.articles.len());
        gold.articles.push(GoldArticle {
            id,
            line: i as u64 + 1,
            event,
            lang: record
                .lang
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty()),
        });
    }
    anyhow::ensure!(!gold.articles.is_empty(), "{}: no articles", path.display());
    Ok(gold)
}

/// A directory deleted when dropped (the evaluation's and the benchmark's throwaway stores).
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a fresh directory under the system temporary directory.
    pub fn new(prefix: &str) -> Result<TempDir> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for attempt in 0..100u32 {
            let path = base.join(format!(
                "{prefix}-{}-{nanos:x}-{attempt}",
                std::process::id()
            ));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()))
                }
            }
        }
        anyhow::bail!("cannot create a temporary directory in {}", base.display())
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The store directory to ingest into: the one given (refused when it already holds a store, so
/// the figures are never of an old store) or a temporary one.
pub fn fresh_store_dir(given: Option<&Path>, prefix: &str) -> Result<(PathBuf, Option<TempDir>)> {
    match given {
        Some(dir) => {
            anyhow::ensure!(
                !dir.join(DB_FILE).exists(),
                "{} already holds a store: give a new directory (the evaluation ingests into a fresh one)",
                dir.display()
            );
            Ok((dir.to_path_buf(), None))
        }
        None => {
            let tmp = TempDir::new(prefix)?;
            Ok((tmp.path().join("store"), Some(tmp)))
        }
    }
}

/// Runs `khabar eval clusters`.
pub fn run_eval_clusters(args: &EvalClustersArgs, dirs: &Dirs) -> Result<ExitCode> {
    let gold = read_gold(&args.file)?;
    let (data_dir, _tmp) = fresh_store_dir(args.store.as_deref(), "khabar-eval-clusters")?;

    let load_start = Instant::now();
    let mut pipeline = Pipeline::open(&data_dir, &dirs.model, &dirs.gazetteer)?;
    let load_seconds = load_start.elapsed().as_secs_f64();
    let start = Instant::now();
    let summary =
        super::ingest::ingest(&mut pipeline, std::slice::from_ref(&args.file), false, None)?;
    let seconds = start.elapsed().as_secs_f64();
    for r in &summary.rejected {
        eprintln!("rejected {}: {}", r.source, r.reason);
    }

    // The engine's labeling of the gold articles. A text the engine kept as a copy of another
    // stored article (the same page URL) takes that article's event: it is where the engine put
    // it. An article the engine did not store at all (rejected) or left without an event counts
    // as an engine singleton: it costs recall, as it should.
    let store = pipeline.store();
    let copies = copies_by_line(store)?;
    let mut engine = Vec::with_capacity(gold.articles.len());
    let mut langs = Vec::with_capacity(gold.articles.len());
    let (mut not_stored, mut stored_as_copies) = (0usize, 0usize);
    for a in &gold.articles {
        let host = if store.contains(&a.id)? {
            Some(a.id)
        } else if let Some(original) = copies.get(&a.line) {
            stored_as_copies += 1;
            Some(*original)
        } else {
            not_stored += 1;
            None
        };
        let membership = match &host {
            Some(id) => store.membership(id)?,
            None => None,
        };
        engine.push(match membership {
            Some(m) => m.event.as_str().to_string(),
            None => format!("unassigned:{}", a.id),
        });
        // The declared language; without one, the language the engine detected.
        let lang = match &a.lang {
            Some(l) => l.clone(),
            None => store
                .doc(&a.id)?
                .map(|d| d.language.code.clone())
                .unwrap_or_else(|| "und".into()),
        };
        langs.push(lang);
    }
    let gold_labels: Vec<&str> = gold.articles.iter().map(|a| a.event.as_str()).collect();
    let pairwise = pairwise(&gold_labels, &engine);
    let cross = pairwise_across(&gold_labels, &engine, &langs);
    let bcubed = bcubed(&gold_labels, &engine);
    let gold_events = distinct(&gold_labels);
    let engine_events = distinct(&engine);
    let articles = gold.articles.len();
    let per_second = gold.records as f64 / seconds.max(1e-9);

    let report = serde_json::json!({
        "file": args.file.display().to_string(),
        "records": gold.records,
        "articles": articles,
        "duplicate_records": gold.duplicate_records,
        "conflicting_duplicates": gold.conflicting_duplicates,
        "rejected": summary.rejected.len(),
        "stored_as_copies": stored_as_copies,
        "not_stored": not_stored,
        "gold_events": gold_events,
        "engine_events": engine_events,
        "pairwise": pairwise.json(),
        "bcubed": bcubed.json(),
        "cross_language": cross.json(),
        "seconds": seconds,
        "load_seconds": load_seconds,
        "articles_per_second": per_second,
    });
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let f = |x: Option<f64>| x.map_or("  n/a".to_string(), |v| format!("{v:.3}"));
        outln!(
            "{}: {} records, {} articles ({} duplicate records, {} with another label); {} stored as copies of another page, {} not stored",
            args.file.display(),
            gold.records,
            articles,
            gold.duplicate_records,
            gold.conflicting_duplicates,
            stored_as_copies,
            not_stored
        );
        outln!("gold events {gold_events}, engine events {engine_events}");
        outln!(
            "pairwise        P {}  R {}  F1 {}   ({} right of {} engine pairs; {} gold pairs)",
            f(pairwise.precision()),
            f(pairwise.recall()),
            f(pairwise.f1()),
            pairwise.true_pairs,
            pairwise.engine_pairs,
            pairwise.gold_pairs
        );
        outln!(
            "B-cubed         P {}  R {}  F1 {}",
            f(Some(bcubed.precision)),
            f(Some(bcubed.recall)),
            f(Some(bcubed.f1()))
        );
        outln!(
            "cross-language  P {}  R {}  F1 {}   ({} right of {} engine pairs; {} gold pairs)",
            f(cross.precision()),
            f(cross.recall()),
            f(cross.f1()),
            cross.true_pairs,
            cross.engine_pairs,
            cross.gold_pairs
        );
        outln!(
            "ingest {seconds:.1} s, {per_second:.1} articles/s (loading the model and gazetteer {load_seconds:.1} s)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Line of the gold file → the stored article the engine recorded that record as a copy of. The
/// store is fresh and fed from the gold file alone, so every copy's source is `FILE:LINE`.
fn copies_by_line(store: &khabar_store::Store) -> Result<HashMap<u64, ArticleId>> {
    let mut out = HashMap::new();
    for stored in store.all_vectors()? {
        for copy in store.sightings(&stored.id)? {
            if let Some(line) = copy
                .source
                .rsplit_once(':')
                .and_then(|(_, l)| l.parse().ok())
            {
                out.insert(line, stored.id);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Metrics over two labelings of the same items (pure).

/// Pair counts of a labeling against the gold one: pairs put together by both, by the engine,
/// and by the gold labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairCounts {
    /// Pairs in one gold event and in one engine event.
    pub true_pairs: u64,
    /// Pairs in one engine event.
    pub engine_pairs: u64,
    /// Pairs in one gold event.
    pub gold_pairs: u64,
}

impl PairCounts {
    /// Share of the engine's pairs that are gold pairs; `None` when the engine made no pair.
    pub fn precision(&self) -> Option<f64> {
        (self.engine_pairs > 0).then(|| self.true_pairs as f64 / self.engine_pairs as f64)
    }

    /// Share of the gold pairs the engine made; `None` when there are no gold pairs.
    pub fn recall(&self) -> Option<f64> {
        (self.gold_pairs > 0).then(|| self.true_pairs as f64 / self.gold_pairs as f64)
    }

    /// 2·TP / (engine pairs + gold pairs): the harmonic mean of P and R when both are defined,
    /// 0 when only one side has pairs, `None` when neither has any.
    pub fn f1(&self) -> Option<f64> {
        let sum = self.engine_pairs + self.gold_pairs;
        (sum > 0).then(|| 2.0 * self.true_pairs as f64 / sum as f64)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "precision": self.precision(),
            "recall": self.recall(),
            "f1": self.f1(),
            "true_pairs": self.true_pairs,
            "engine_pairs": self.engine_pairs,
            "gold_pairs": self.gold_pairs,
        })
    }
}

/// Precision, recall and F1 (B-cubed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    /// Mean over items of |engine cluster ∩ gold cluster| / |engine cluster|.
    pub precision: f64,
    /// Mean over items of |engine cluster ∩ gold cluster| / |gold cluster|.
    pub recall: f64,
}

impl Prf {
    /// Harmonic mean (0 when both are 0).
    pub fn f1(&self) -> f64 {
        let sum = self.precision + self.recall;
        if sum > 0.0 {
            2.0 * self.precision * self.recall / sum
        } else {
            0.0
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({"precision": self.precision, "recall": self.recall, "f1": self.f1()})
    }
}

fn choose2(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Pairs of items sharing a key and differing in `lang` (all pairs sharing the key when `lang`
/// is `None`): Σ over keys of C(n, 2) − Σ over (key, lang) of C(n, 2).
fn pairs_sharing<K, L>(items: impl Iterator<Item = (K, Option<L>)>) -> u64
where
    K: Hash + Eq + Clone,
    L: Hash + Eq,
{
    let mut by_key: HashMap<K, u64> = HashMap::new();
    let mut by_key_lang: HashMap<(K, L), u64> = HashMap::new();
    for (k, l) in items {
        *by_key.entry(k.clone()).or_default() += 1;
        if let Some(l) = l {
            *by_key_lang.entry((k, l)).or_default() += 1;
        }
    }
    let all: u64 = by_key.values().map(|&n| choose2(n)).sum();
    let same_lang: u64 = by_key_lang.values().map(|&n| choose2(n)).sum();
    all - same_lang
}

fn counts<G, E, L>(gold: &[G], engine: &[E], lang: Option<&[L]>) -> PairCounts
where
    G: Hash + Eq,
    E: Hash + Eq,
    L: Hash + Eq,
{
    assert_eq!(gold.len(), engine.len(), "two labelings of the same items");
    if let Some(l) = lang {
        assert_eq!(l.len(), gold.len(), "one language per item");
    }
    let lang_of = |i: usize| lang.map(|l| &l[i]);
    PairCounts {
        true_pairs: pairs_sharing((0..gold.len()).map(|i| ((&gold[i], &engine[i]), lang_of(i)))),
        engine_pairs: pairs_sharing((0..gold.len()).map(|i| (&engine[i], lang_of(i)))),
        gold_pairs: pairs_sharing((0..gold.len()).map(|i| (&gold[i], lang_of(i)))),
    }
}

/// Pairwise counts over all unordered pairs of items.
pub fn pairwise<G: Hash + Eq, E: Hash + Eq>(gold: &[G], engine: &[E]) -> PairCounts {
    counts::<G, E, ()>(gold, engine, None)
}

/// Pairwise counts over the pairs whose two items have different languages.
pub fn pairwise_across<G: Hash + Eq, E: Hash + Eq, L: Hash + Eq>(
    gold: &[G],
    engine: &[E],
    lang: &[L],
) -> PairCounts {
    counts(gold, engine, Some(lang))
}

/// B-cubed precision and recall (Bagga & Baldwin 1998), each item weighted equally:
/// P = (1/N) Σ_cells n_ge² / n_e, R = (1/N) Σ_cells n_ge² / n_g.
pub fn bcubed<G: Hash + Eq, E: Hash + Eq>(gold: &[G], engine: &[E]) -> Prf {
    assert_eq!(gold.len(), engine.len(), "two labelings of the same items");
    assert!(!gold.is_empty(), "B-cubed needs at least one item");
    let mut cells: HashMap<(&G, &E), u64> = HashMap::new();
    let mut gold_sizes: HashMap<&G, u64> = HashMap::new();
    let mut engine_sizes: HashMap<&E, u64> = HashMap::new();
    for (g, e) in gold.iter().zip(engine) {
        *cells.entry((g, e)).or_default() += 1;
        *gold_sizes.entry(g).or_default() += 1;
        *engine_sizes.entry(e).or_default() += 1;
    }
    let (mut p, mut r) = (0.0, 0.0);
    for ((g, e), &n) in &cells {
        let sq = (n * n) as f64;
        p += sq / engine_sizes[e] as f64;
        r += sq / gold_sizes[g] as f64;
    }
    let n = gold.len() as f64;
    Prf {
        precision: p / n,
        recall: r / n,
    }
}

/// Number of distinct labels.
pub fn distinct<T: Hash + Eq>(labels: &[T]) -> usize {
    labels
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    // Five items: gold {1,2,3} {4,5}; engine {1,2} {3,4,5}.
    const GOLD: [&str; 5] = ["a", "a", "a", "b", "b"];
    const ENGINE: [u32; 5] = [7, 7, 9, 9, 9];

    #[test]
    fn pairwise_by_hand() {
        // Gold pairs: C(3,2)+C(2,2) = 4. Engine pairs: 1+3 = 4. Right: 1-2 and 4-5 = 2.
        let c = pairwise(&GOLD, &ENGINE);
        assert_eq!(
            c,
            PairCounts {
                true_pairs: 2,
                engine_pairs: 4,
                gold_pairs: 4
            }
        );
        assert_eq!(c.precision(), Some(0.5));
        assert_eq!(c.recall(), Some(0.5));
        assert_eq!(c.f1(), Some(0.5));
    }

    #[test]
    fn bcubed_by_hand() {
        // Per item P: 1, 1, 1/3, 2/3, 2/3 → 11/15. Per item R: 2/3, 2/3, 1/3, 1, 1 → 11/15.
        let b = bcubed(&GOLD, &ENGINE);
        assert!(close(b.precision, 11.0 / 15.0), "{b:?}");
        assert!(close(b.recall, 11.0 / 15.0), "{b:?}");
        assert!(close(b.f1(), 11.0 / 15.0));
    }

    #[test]
    fn bcubed_asymmetric_by_hand() {
        // Gold {1,2,3,4}; engine {1,2} {3} {4}.
        // P: every engine cluster is pure → 1. R: 2/4, 2/4, 1/4, 1/4 → 6/16 = 0.375.
        let b = bcubed(&[0, 0, 0, 0], &["x", "x", "y", "z"]);
        assert!(close(b.precision, 1.0));
        assert!(close(b.recall, 0.375));
        assert!(close(b.f1(), 2.0 * 0.375 / 1.375));
    }

    #[test]
    fn cross_language_by_hand() {
        // Languages: 1 en, 2 ar, 3 en, 4 ar, 5 en.
        // Gold cross pairs: {1,2,3} → 1-2, 2-3; {4,5} → 4-5: 3.
        // Engine cross pairs: {1,2} → 1-2; {3,4,5} → 3-4, 4-5: 3. Right: 1-2, 4-5: 2.
        let langs = ["en", "ar", "en", "ar", "en"];
        let c = pairwise_across(&GOLD, &ENGINE, &langs);
        assert_eq!(
            c,
            PairCounts {
                true_pairs: 2,
                engine_pairs: 3,
                gold_pairs: 3
            }
        );
        assert!(close(c.precision().unwrap(), 2.0 / 3.0));
        assert!(close(c.recall().unwrap(), 2.0 / 3.0));
        // One language: no cross-language pairs at all, so nothing is defined.
        let one = pairwise_across(&GOLD, &ENGINE, &["en"; 5]);
        assert_eq!(one, PairCounts::default());
        assert_eq!(
            (one.precision(), one.recall(), one.f1()),
            (None, None, None)
        );
    }

    #[test]
    fn perfect_and_degenerate_labelings() {
        // Same partition under other names: perfect.
        let c = pairwise(&GOLD, &["q", "q", "q", "r", "r"]);
        assert_eq!(
            (c.precision(), c.recall(), c.f1()),
            (Some(1.0), Some(1.0), Some(1.0))
        );
        let b = bcubed(&GOLD, &[3, 3, 3, 1, 1]);
        assert!(close(b.precision, 1.0) && close(b.recall, 1.0));
        // Everything apart: no engine pair, so precision is undefined, recall and F1 are 0;
        // B-cubed precision is 1 and recall (1/3·3 + 1/2·2)/5 = 2/5.
        let apart = [1, 2, 3, 4, 5];
        let c = pairwise(&GOLD, &apart);
        assert_eq!(
            (c.precision(), c.recall(), c.f1()),
            (None, Some(0.0), Some(0.0))
        );
        let b = bcubed(&GOLD, &apart);
        assert!(close(b.precision, 1.0) && close(b.recall, 0.4));
        // Everything together: recall 1, precision = gold pairs / all pairs = 4/10.
        let c = pairwise(&GOLD, &[0; 5]);
        assert_eq!(c.recall(), Some(1.0));
        assert!(close(c.precision().unwrap(), 0.4));
        assert!(close(c.f1().unwrap(), 2.0 * 4.0 / 14.0));
        // B-cubed: P = (9/5 + 4/5)/5 = 13/25, R = 1.
        let b = bcubed(&GOLD, &[0; 5]);
        assert!(close(b.precision, 13.0 / 25.0) && close(b.recall, 1.0));
    }

    #[test]
    fn distinct_counts_labels() {
        assert_eq!(distinct(&GOLD), 2);
        assert_eq!(distinct(&ENGINE), 2);
        assert_eq!(distinct::<u8>(&[]), 0);
    }
}
