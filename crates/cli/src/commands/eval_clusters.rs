//! `khabar eval clusters GOLD.jsonl`: ingest a labelled stream through the real pipeline into a
//! fresh store, in file order, and compare the engine's events with the gold ones.
//!
//! The metric functions at the bottom are pure (two labelings in, figures out) and unit-tested on
//! hand-made labelings; docs/evaluation.md describes the file form and the figures.

use super::rng::Rng;
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
    /// Only with a single --order.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The order to ingest the records in: `forward` (file order), `reversed`, or
    /// `shuffle:SEED` (a seeded shuffle, the same on every machine). Repeat it to ingest the
    /// stream once per order, each into a fresh store, and compare every order's events with
    /// the first one's.
    #[arg(long, value_name = "ORDER", default_value = "forward")]
    pub order: Vec<Order>,
}

/// An order to ingest a gold stream's records in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// File order.
    Forward,
    /// Last record first.
    Reversed,
    /// A Fisher–Yates shuffle drawn from [`Rng`] with this seed.
    Shuffle(u64),
}

impl std::str::FromStr for Order {
    type Err = String;

    fn from_str(s: &str) -> Result<Order, String> {
        match s {
            "forward" => Ok(Order::Forward),
            "reversed" => Ok(Order::Reversed),
            _ => s
                .strip_prefix("shuffle:")
                .and_then(|seed| seed.parse().ok())
                .map(Order::Shuffle)
                .ok_or_else(|| {
                    format!("{s:?}: an order is forward, reversed or shuffle:SEED (a number)")
                }),
        }
    }
}

impl std::fmt::Display for Order {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Order::Forward => f.write_str("forward"),
            Order::Reversed => f.write_str("reversed"),
            Order::Shuffle(seed) => write!(f, "shuffle:{seed}"),
        }
    }
}

impl Order {
    /// The positions `0..n` in this order.
    pub fn permutation(self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        match self {
            Order::Forward => {}
            Order::Reversed => p.reverse(),
            Order::Shuffle(seed) => {
                let mut rng = Rng::new(seed, 0);
                for i in (1..n).rev() {
                    p.swap(i, rng.below(i + 1));
                }
            }
        }
        p
    }
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
    anyhow::ensure!(
        args.store.is_none() || args.order.len() <= 1,
        "--store keeps the store of one ingest: give a single --order with it"
    );
    let runs = args
        .order
        .iter()
        .map(|&order| run_once(args, dirs, &gold, order))
        .collect::<Result<Vec<Run>>>()?;
    match &runs[..] {
        [run] if args.json => outln!("{}", serde_json::to_string_pretty(&run.report)?),
        [run] => print_run(&run.report),
        [first, ..] => {
            let against_first: Vec<serde_json::Value> = runs
                .iter()
                .skip(1)
                .map(|run| {
                    serde_json::json!({
                        "order": run.report["order"],
                        "first": first.report["order"],
                        "engine_events": [first.report["engine_events"], run.report["engine_events"]],
                        "articles_regrouped": regrouped(&first.engine, &run.engine),
                        "pairs_disagreeing": pairs_disagreeing(&first.engine, &run.engine),
                    })
                })
                .collect();
            if args.json {
                let reports: Vec<&serde_json::Value> = runs.iter().map(|r| &r.report).collect();
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "file": args.file.display().to_string(),
                        "runs": reports,
                        "against_first": against_first,
                    }))?
                );
            } else {
                for run in &runs {
                    print_run(&run.report);
                    outln!();
                }
                let articles = gold.articles.len();
                for d in &against_first {
                    let moved = d["articles_regrouped"].as_u64().unwrap_or(0);
                    outln!(
                        "{} against {}: events {} / {}, {moved} of {articles} articles ({:.1}%) in an event that is not the same set of articles, {} pairs together in one and apart in the other",
                        d["order"].as_str().unwrap_or(""),
                        d["first"].as_str().unwrap_or(""),
                        d["engine_events"][0],
                        d["engine_events"][1],
                        100.0 * moved as f64 / articles as f64,
                        d["pairs_disagreeing"]
                    );
                }
            }
        }
        [] => anyhow::bail!("no --order to ingest in"),
    }
    Ok(ExitCode::SUCCESS)
}

/// One ingest of the stream in one order: the report, and each gold article's engine event.
struct Run {
    report: serde_json::Value,
    engine: Vec<String>,
}

/// The stream's records written in `order` to `dir` (under the file's own name, so rejections
/// and copies are still named after it), with the original line of each written line.
fn reordered(file: &Path, order: Order, dir: &Path) -> Result<(PathBuf, Vec<u64>)> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let records: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
        .collect();
    let permutation = order.permutation(records.len());
    let mut out = String::with_capacity(text.len() + 1);
    let mut lines = Vec::with_capacity(records.len());
    for &i in &permutation {
        out.push_str(records[i].1);
        out.push('\n');
        lines.push(records[i].0);
    }
    let path = dir.join(
        file.file_name()
            .unwrap_or(std::ffi::OsStr::new("gold.jsonl")),
    );
    std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))?;
    Ok((path, lines))
}

/// Ingests the stream in `order` into a fresh store and compares its events with the gold ones.
fn run_once(args: &EvalClustersArgs, dirs: &Dirs, gold: &Gold, order: Order) -> Result<Run> {
    let (data_dir, _tmp) = fresh_store_dir(args.store.as_deref(), "khabar-eval-clusters")?;
    // Another order is ingested from a reordered copy of the file; `original_line` maps the
    // copy's lines (which name the copies the engine keeps) back to the gold file's.
    let copy_dir = match order {
        Order::Forward => None,
        _ => Some(TempDir::new("khabar-eval-order")?),
    };
    let (input, original_line) = match &copy_dir {
        None => (args.file.clone(), None),
        Some(dir) => {
            let (path, lines) = reordered(&args.file, order, dir.path())?;
            (path, Some(lines))
        }
    };

    let load_start = Instant::now();
    let mut pipeline = Pipeline::open(&data_dir, &dirs.model, &dirs.gazetteer)?;
    let load_seconds = load_start.elapsed().as_secs_f64();
    let start = Instant::now();
    let summary = super::ingest::ingest(&mut pipeline, std::slice::from_ref(&input), false, None)?;
    let seconds = start.elapsed().as_secs_f64();
    for r in &summary.rejected {
        eprintln!("rejected {}: {}", r.source, r.reason);
    }

    // The engine's labeling of the gold articles. A text the engine kept as a copy of another
    // stored article (the same page URL) takes that article's event: it is where the engine put
    // it. An article the engine did not store at all (rejected) or left without an event counts
    // as an engine singleton: it costs recall, as it should.
    let store = pipeline.store();
    let copies: HashMap<u64, ArticleId> = copies_by_line(store)?
        .into_iter()
        .filter_map(|(line, id)| match &original_line {
            None => Some((line, id)),
            Some(lines) => Some((*lines.get(usize::try_from(line).ok()?.checked_sub(1)?)?, id)),
        })
        .collect();
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
    let report = serde_json::json!({
        "file": args.file.display().to_string(),
        "order": order.to_string(),
        "records": gold.records,
        "articles": gold.articles.len(),
        "duplicate_records": gold.duplicate_records,
        "conflicting_duplicates": gold.conflicting_duplicates,
        "rejected": summary.rejected.len(),
        "stored_as_copies": stored_as_copies,
        "not_stored": not_stored,
        "gold_events": distinct(&gold_labels),
        "engine_events": distinct(&engine),
        "pairwise": pairwise.json(),
        "bcubed": bcubed.json(),
        "cross_language": cross.json(),
        "seconds": seconds,
        "load_seconds": load_seconds,
        "articles_per_second": gold.records as f64 / seconds.max(1e-9),
    });
    Ok(Run { report, engine })
}

/// Prints one run's report as the table `khabar eval clusters` shows.
fn print_run(r: &serde_json::Value) {
    let f = |x: &serde_json::Value| {
        x.as_f64()
            .map_or("  n/a".to_string(), |v| format!("{v:.3}"))
    };
    outln!(
        "{} ({} order): {} records, {} articles ({} duplicate records, {} with another label); {} stored as copies of another page, {} not stored",
        r["file"].as_str().unwrap_or(""),
        r["order"].as_str().unwrap_or(""),
        r["records"],
        r["articles"],
        r["duplicate_records"],
        r["conflicting_duplicates"],
        r["stored_as_copies"],
        r["not_stored"]
    );
    outln!(
        "gold events {}, engine events {}",
        r["gold_events"],
        r["engine_events"]
    );
    for (name, key) in [
        ("pairwise       ", "pairwise"),
        ("B-cubed        ", "bcubed"),
        ("cross-language ", "cross_language"),
    ] {
        let m = &r[key];
        let counts = if key == "bcubed" {
            String::new()
        } else {
            format!(
                "   ({} right of {} engine pairs; {} gold pairs)",
                m["true_pairs"], m["engine_pairs"], m["gold_pairs"]
            )
        };
        outln!(
            "{name} P {}  R {}  F1 {}{counts}",
            f(&m["precision"]),
            f(&m["recall"]),
            f(&m["f1"])
        );
    }
    outln!(
        "ingest {:.1} s, {:.1} articles/s (loading the model and gazetteer {:.1} s)",
        r["seconds"].as_f64().unwrap_or(0.0),
        r["articles_per_second"].as_f64().unwrap_or(0.0),
        r["load_seconds"].as_f64().unwrap_or(0.0)
    );
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

/// Items whose group in `a` is not the same set of items as their group in `b`: how many items
/// two partitions of the same items place differently (0 exactly when they are one partition).
/// An item keeps its group when its cell of the contingency table is its whole group on both
/// sides.
pub fn regrouped<A: Hash + Eq, B: Hash + Eq>(a: &[A], b: &[B]) -> usize {
    assert_eq!(a.len(), b.len(), "two labelings of the same items");
    let mut cells: HashMap<(&A, &B), usize> = HashMap::new();
    let mut sizes_a: HashMap<&A, usize> = HashMap::new();
    let mut sizes_b: HashMap<&B, usize> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1;
        *sizes_a.entry(x).or_default() += 1;
        *sizes_b.entry(y).or_default() += 1;
    }
    a.iter()
        .zip(b)
        .filter(|&(x, y)| {
            let n = cells[&(x, y)];
            n != sizes_a[x] || n != sizes_b[y]
        })
        .count()
}

/// Pairs of items together in one labeling and apart in the other.
pub fn pairs_disagreeing<A: Hash + Eq, B: Hash + Eq>(a: &[A], b: &[B]) -> u64 {
    let c = pairwise(a, b);
    c.gold_pairs + c.engine_pairs - 2 * c.true_pairs
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

    #[test]
    fn partitions_compared_by_hand() {
        // {1,2,3} {4,5} against {1,2} {3,4,5}: no item keeps its group (1 and 2 lost 3, 3
        // moved, 4 and 5 gained it).
        assert_eq!(regrouped(&GOLD, &ENGINE), 5);
        // Pairs: 1-3, 2-3 apart now, 3-4, 3-5 together now.
        assert_eq!(pairs_disagreeing(&GOLD, &ENGINE), 4);
        // One item split off a group of three: it and the two it left are regrouped, the
        // other group is untouched.
        assert_eq!(regrouped(&GOLD, &[0, 0, 1, 2, 2]), 3);
        assert_eq!(pairs_disagreeing(&GOLD, &[0, 0, 1, 2, 2]), 2);
        // The same partition under other names.
        assert_eq!(regrouped(&GOLD, &[9, 9, 9, 8, 8]), 0);
        assert_eq!(pairs_disagreeing(&GOLD, &[9, 9, 9, 8, 8]), 0);
    }

    #[test]
    fn orders_are_permutations_and_shuffles_are_seeded() {
        let n = 50;
        for order in [
            Order::Forward,
            Order::Reversed,
            Order::Shuffle(1),
            Order::Shuffle(2),
        ] {
            let mut p = order.permutation(n);
            assert_eq!(order.to_string().parse::<Order>(), Ok(order));
            p.sort_unstable();
            assert_eq!(p, (0..n).collect::<Vec<_>>(), "{order}");
        }
        assert_eq!(Order::Reversed.permutation(3), vec![2, 1, 0]);
        assert_eq!(
            Order::Shuffle(7).permutation(n),
            Order::Shuffle(7).permutation(n)
        );
        assert_ne!(
            Order::Shuffle(7).permutation(n),
            Order::Shuffle(8).permutation(n)
        );
        assert!("shuffle:x".parse::<Order>().is_err());
        assert!("backwards".parse::<Order>().is_err());
    }
}
