//! `khabar bench ingest --articles N`: end-to-end ingest throughput on a corpus built from real
//! article texts, into a fresh store, timed per 10% slice so the cost per article as the store
//! grows is visible.
//!
//! The corpus: the distinct texts of a SemEval-2022 pairs file (`text1`/`lang1`, `text2`/`lang2`),
//! taken in file order and repeated. Copy 0 of a text is the text itself; every later copy gets
//! small edits drawn from a seeded SplitMix64 generator — a sentence dropped, or a number changed to
//! another of the same length — repeated until its article id (normalised body) is new, so every
//! copy is a distinct article. The edits are recorded in each record's `variation` field. Article
//! `i` is dated `2024-01-01 + i / per_day` days, a steady stream of `per_day` articles a day. The
//! corpus is written to one JSONL file per slice in a temporary directory and ingested from there,
//! never held in memory.

use super::eval_clusters::{fresh_store_dir, TempDir};
use super::rng::Rng;
use super::Dirs;
use crate::exit::outln;
use crate::pipeline::{Pipeline, Stages};
use anyhow::{Context, Result};
use khabar_core::measure::{cpu_seconds, status_mb};
use khabar_core::ArticleId;
use khabar_ingest::{read_input, Input, Item, Limits};
use serde::Deserialize;
use std::collections::HashSet;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Timed slices of the run.
const SLICES: usize = 10;

/// One candidate search in this many is repeated by a scan to measure the search's recall: a
/// sample large enough for a recall figure, small enough that the scans (slow on a store with
/// big days, which is what the graphs are for) do not change the speed measured.
const RECALL_EVERY: u64 = 200;

/// Arguments of `khabar bench ingest`.
#[derive(clap::Args)]
pub struct BenchIngestArgs {
    /// Articles to ingest.
    #[arg(long, default_value_t = 1000)]
    pub articles: usize,
    /// Real article texts: a SemEval-2022 pairs JSONL file (`text1`, `lang1`, `text2`, `lang2`).
    /// The default is the repository's copy, relative to the repository root.
    #[arg(long, default_value = "data/eval/semeval22-pairs-dev.jsonl")]
    pub texts: PathBuf,
    /// Seed of the variations.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Articles per simulated day of publication; 0 leaves every article undated (no time
    /// window: every stored article is a possible candidate).
    #[arg(long, default_value_t = 1000)]
    pub per_day: usize,
    /// Ingest into this directory (which must not hold a store yet) and keep it. Default: a
    /// temporary directory, deleted afterwards. The global --data-dir is never used.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Afterwards, time analyse + embed alone on the first slice (outside the store), to split
    /// the cost between those stages and link + group + synthesise + store.
    #[arg(long)]
    pub split: bool,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Deserialize)]
struct Pair {
    text1: String,
    text2: String,
    #[serde(default)]
    lang1: Option<String>,
    #[serde(default)]
    lang2: Option<String>,
}

/// The distinct texts of a pairs file, in file order.
fn base_texts(path: &Path) -> Result<Vec<(Option<String>, String)>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let pair: Pair = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a pairs record", path.display(), i + 1))?;
        for (text, lang) in [(pair.text1, pair.lang1), (pair.text2, pair.lang2)] {
            if !text.trim().is_empty() && seen.insert(ArticleId::of_body(&text)) {
                out.push((lang, text));
            }
        }
    }
    anyhow::ensure!(!out.is_empty(), "{}: no texts", path.display());
    Ok(out)
}

/// Byte ranges of the sentences of `text`: split after `.`, `!`, `?`, `؟`, `。` followed by
/// whitespace (good enough to drop one; the analyser does the real splitting).
fn sentence_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?' | '؟' | '。') {
            if let Some(&(j, next)) = chars.peek() {
                if next.is_whitespace() {
                    out.push((start, j));
                    start = j;
                }
            }
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// Byte ranges of the ASCII digit runs of `text`.
fn number_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// One small edit of `text`, described; `None` when the text offers none (one sentence, no
/// digits).
fn edit(text: &mut String, rng: &mut Rng) -> Option<String> {
    let sentences = sentence_ranges(text);
    let numbers = number_ranges(text);
    let can_drop = sentences.len() >= 3;
    let drop = match (can_drop, numbers.is_empty()) {
        (false, true) => return None,
        (true, false) => rng.below(2) == 0,
        (can, _) => can,
    };
    if drop {
        // Never the first sentence: the lead stays, as in a lightly edited wire copy.
        let k = 1 + rng.below(sentences.len() - 1);
        let (a, b) = sentences[k];
        text.replace_range(a..b, "");
        Some(format!("dropped sentence {}", k + 1))
    } else {
        let (a, b) = numbers[rng.below(numbers.len())];
        let old = text[a..b].to_string();
        let mut new = old.clone();
        while new == old {
            new = (0..old.len())
                .map(|p| {
                    let d = rng.below(10) as u8;
                    // Keep the leading digit non-zero for numbers of more than one digit.
                    let d = if p == 0 && old.len() > 1 {
                        1 + d % 9
                    } else {
                        d
                    };
                    char::from(b'0' + d)
                })
                .collect();
        }
        text.replace_range(a..b, &new);
        Some(format!("{old}→{new}"))
    }
}

/// Copy `copy` of `base`, article `index` of the corpus: the text and the edits made, distinct
/// from every id in `seen`.
fn variant(
    base: &str,
    copy: usize,
    index: usize,
    rng: &mut Rng,
    seen: &HashSet<ArticleId>,
) -> (String, String) {
    let mut text = base.to_string();
    let mut edits = Vec::new();
    if copy > 0 {
        for _ in 0..64 {
            match edit(&mut text, rng) {
                Some(e) => edits.push(e),
                None => break,
            }
            if !seen.contains(&ArticleId::of_body(&text)) {
                break;
            }
        }
        if seen.contains(&ArticleId::of_body(&text)) {
            // Nothing left to edit: a trailing note with the article's index in the corpus makes
            // the copy distinct (two texts edited down to the same words get different notes).
            text.push_str(&format!(" (Update {index}.)"));
            edits.push(format!("appended \"(Update {index}.)\""));
        }
    }
    let note = if edits.is_empty() {
        "original".to_string()
    } else {
        format!("copy {copy}: {}", edits.join("; "))
    };
    (text, note)
}

/// Day `n` after 2024-01-01, as `YYYY-MM-DD`.
fn day(n: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date");
    (start + chrono::Duration::days(n as i64))
        .format("%Y-%m-%d")
        .to_string()
}

/// Writes the corpus as `SLICES` JSONL files; returns their paths and article counts.
fn write_corpus(args: &BenchIngestArgs, dir: &Path) -> Result<Vec<(PathBuf, usize)>> {
    let bases = base_texts(&args.texts)?;
    let mut seen: HashSet<ArticleId> = HashSet::with_capacity(args.articles);
    let mut slices = Vec::new();
    let mut i = 0;
    for s in 0..SLICES {
        let end = args.articles * (s + 1) / SLICES;
        let path = dir.join(format!("slice-{:02}.jsonl", s + 1));
        let mut out = BufWriter::new(
            std::fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        );
        let count = end - i;
        while i < end {
            let (lang, base) = &bases[i % bases.len()];
            let copy = i / bases.len();
            let mut rng = Rng::new(args.seed, i as u64);
            let (text, variation) = variant(base, copy, i, &mut rng, &seen);
            seen.insert(ArticleId::of_body(&text));
            let mut record = serde_json::json!({
                "id": format!("bench-{i}"),
                "text": text,
                "variation": variation,
            });
            if let Some(lang) = lang {
                record["lang"] = lang.clone().into();
            }
            if let Some(n) = i.checked_div(args.per_day) {
                record["published_at"] = day(n).into();
            }
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
            i += 1;
        }
        out.flush()?;
        slices.push((path, count));
    }
    Ok(slices)
}

/// Total size of the files directly in `dir` (the database, its WAL and shared memory), in MB.
fn dir_mb(dir: &Path) -> f64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum::<u64>()
        })
        .unwrap_or(0) as f64
        / 1e6
}

/// Runs `khabar bench ingest`.
pub fn run_bench_ingest(args: &BenchIngestArgs, dirs: &Dirs) -> Result<ExitCode> {
    anyhow::ensure!(
        args.articles >= SLICES,
        "--articles must be at least {SLICES}"
    );
    if cfg!(debug_assertions) && !args.json {
        eprintln!("note: a debug build; build with --release for figures worth reporting");
    }
    let corpus_dir = TempDir::new("khabar-bench-corpus")?;
    let generate_start = Instant::now();
    let slices = write_corpus(args, corpus_dir.path())?;
    let generate_seconds = generate_start.elapsed().as_secs_f64();
    let (data_dir, _tmp) = fresh_store_dir(args.store.as_deref(), "khabar-bench-store")?;

    // One search in RECALL_EVERY is repeated exactly, to report the candidate search's recall.
    crate::pipeline::RECALL_EVERY.store(RECALL_EVERY, std::sync::atomic::Ordering::Relaxed);
    let load_start = Instant::now();
    let mut pipeline = Pipeline::open(&data_dir, &dirs.model, &dirs.gazetteer)?;
    let load_seconds = load_start.elapsed().as_secs_f64();
    let rss_after_load = status_mb("VmRSS:");

    let mut rows = Vec::new();
    let (mut total_seconds, mut total_cpu, mut stored, mut duplicates, mut rejected) =
        (0.0, 0.0, 0, 0, 0);
    for (k, (path, count)) in slices.iter().enumerate() {
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        let stages_start = crate::pipeline::stage_seconds();
        let candidates_start =
            crate::pipeline::CANDIDATES.load(std::sync::atomic::Ordering::Relaxed);
        let summary =
            super::ingest::ingest(&mut pipeline, std::slice::from_ref(path), false, None)?;
        let seconds = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);
        total_cpu += cpu.unwrap_or(0.0);
        total_seconds += seconds;
        stored += summary.ingested;
        duplicates += summary.duplicates;
        rejected += summary.rejected.len();
        for r in summary.rejected.iter().take(3) {
            eprintln!("rejected {}: {}", r.source, r.reason);
        }
        let row = serde_json::json!({
            "slice": k + 1,
            "articles": count,
            "seconds": seconds,
            "articles_per_second": *count as f64 / seconds.max(1e-9),
            "cpu_seconds": cpu,
            "store_articles": stored,
            "store_mb": dir_mb(&data_dir),
            "rss_mb": status_mb("VmRSS:"),
            "candidates_scored": crate::pipeline::CANDIDATES
                .load(std::sync::atomic::Ordering::Relaxed)
                - candidates_start,
            "stage_seconds": crate::pipeline::STAGE_NAMES
                .iter()
                .zip(crate::pipeline::stage_seconds().iter().zip(&stages_start))
                .map(|(name, (b, a))| (name.to_string(), serde_json::json!(b - a)))
                .collect::<serde_json::Map<_, _>>(),
        });
        // On stderr, also with --json: progress of a long run.
        eprintln!(
            "slice {:>2}/{SLICES}: {:>7} articles in {:>8.1} s = {:>7.1} articles/s, CPU {:.1} s (store {} articles, {:.0} MB; RSS {:.0} MB)",
            k + 1,
            count,
            seconds,
            *count as f64 / seconds.max(1e-9),
            cpu.unwrap_or(f64::NAN),
            stored,
            dir_mb(&data_dir),
            status_mb("VmRSS:").unwrap_or(f64::NAN)
        );
        rows.push(row);
    }
    let peak_rss = status_mb("VmHWM:");
    let recall = crate::pipeline::RECALL_COUNTS
        .each_ref()
        .map(|c| c.load(std::sync::atomic::Ordering::Relaxed));
    let events = khabar_store::Reads::events(pipeline.store())?.len();
    let store_mb = dir_mb(&data_dir);
    drop(pipeline);

    // A failure here (say, the gazetteer reinstalled under the run) must not lose the figures
    // measured above: it is reported in their place.
    let split = args.split.then(|| {
        time_prepare(&slices[0].0, dirs)
            .unwrap_or_else(|e| serde_json::json!({"error": format!("{e:#}")}))
    });

    let report = serde_json::json!({
        "articles": args.articles,
        "stored": stored,
        "duplicates": duplicates,
        "rejected": rejected,
        "events": events,
        "seed": args.seed,
        "per_day": args.per_day,
        "texts": args.texts.display().to_string(),
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "release_build": !cfg!(debug_assertions),
        "seconds": total_seconds,
        "articles_per_second": args.articles as f64 / total_seconds.max(1e-9),
        "cpu_seconds": total_cpu,
        "articles_per_cpu_second": args.articles as f64 / total_cpu.max(1e-9),
        "load_average": std::fs::read_to_string("/proc/loadavg").ok().map(|l| l.trim().to_string()),
        "slices": rows,
        "candidate_recall": {
            "sampled_every": RECALL_EVERY,
            "exact_candidates": recall[0],
            "found": recall[1],
            "recall": recall[1] as f64 / (recall[0] as f64).max(1.0),
            "as_near": recall[2],
            "tolerance": crate::pipeline::RECALL_TOLERANCE,
            "recall_within_tolerance": recall[2] as f64 / (recall[0] as f64).max(1.0),
        },
        "peak_rss_mb": peak_rss,
        "rss_after_load_mb": rss_after_load,
        "store_mb": store_mb,
        "load_seconds": load_seconds,
        "corpus_seconds": generate_seconds,
        "analyse_embed_only": split,
    });
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        outln!(
            "{} articles ({} stored, {} duplicates, {} rejected) → {} events in {:.1} s: {:.1} articles/s end to end",
            args.articles,
            stored,
            duplicates,
            rejected,
            events,
            total_seconds,
            args.articles as f64 / total_seconds.max(1e-9)
        );
        outln!(
            "CPU (user + system) {total_cpu:.1} s: {:.1} articles per CPU-second; load average at the end {}",
            args.articles as f64 / total_cpu.max(1e-9),
            report["load_average"].as_str().unwrap_or("?")
        );
        let rates: Vec<String> = report["slices"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{:.0}", r["articles_per_second"].as_f64().unwrap_or(0.0)))
            .collect();
        outln!("articles/s per 10% slice: {}", rates.join(" "));
        outln!(
            "peak RSS (VmHWM) {:.0} MB (after loading {:.0} MB); store on disk {:.1} MB",
            peak_rss.unwrap_or(f64::NAN),
            rss_after_load.unwrap_or(f64::NAN),
            store_mb
        );
        outln!(
            "loading the model, gazetteer and store {load_seconds:.1} s; writing the corpus {generate_seconds:.1} s (not counted)"
        );
        if let Some(e) = split.as_ref().and_then(|s| s["error"].as_str()) {
            outln!("analyse + embed alone: not measured ({e})");
        } else if let Some(s) = &split {
            outln!(
                "analyse + embed alone on slice 1: {:.1} articles/s ({} articles in {:.1} s)",
                s["articles_per_second"].as_f64().unwrap_or(0.0),
                s["articles"],
                s["seconds"].as_f64().unwrap_or(0.0)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Times the analyse and embed stages alone (no store) on the articles of one corpus file.
fn time_prepare(path: &Path, dirs: &Dirs) -> Result<serde_json::Value> {
    let stages = Stages::load(&dirs.model, &dirs.gazetteer)?;
    let mut articles = Vec::new();
    read_input(
        &Input::Path(path.to_path_buf()),
        &Limits::default(),
        &mut |item| {
            if let Item::Article(a) = item {
                articles.push(a);
            }
        },
    );
    let n = articles.len();
    let start = Instant::now();
    // In batches of the ingest's size, as the pipeline does.
    let mut rest = articles;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(64));
        let _ = stages.prepare_all(rest);
        rest = tail;
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(serde_json::json!({
        "articles": n,
        "seconds": seconds,
        "articles_per_second": n as f64 / seconds.max(1e-9),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_distinct_and_recorded() {
        let base =
            "Rain fell on 12 May. The river rose 3 metres. Roads closed. Schools shut early.";
        let mut seen = HashSet::new();
        let (original, note) = variant(base, 0, 0, &mut Rng::new(1, 0), &seen);
        assert_eq!((original.as_str(), note.as_str()), (base, "original"));
        seen.insert(ArticleId::of_body(&original));
        for copy in 1..40 {
            let (text, note) = variant(base, copy, copy, &mut Rng::new(1, copy as u64), &seen);
            assert!(note.starts_with(&format!("copy {copy}: ")), "{note}");
            assert!(
                seen.insert(ArticleId::of_body(&text)),
                "copy {copy} repeats"
            );
            // The lead sentence always stays.
            assert!(text.starts_with("Rain fell on "), "{text}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_copy() {
        let base = "One 1. Two 22. Three 333. Four.";
        let seen = HashSet::from([ArticleId::of_body(base)]);
        let a = variant(base, 1, 5, &mut Rng::new(7, 5), &seen);
        let b = variant(base, 1, 5, &mut Rng::new(7, 5), &seen);
        assert_eq!(a, b);
    }

    #[test]
    fn a_text_without_anything_to_edit_gets_a_note_naming_its_index() {
        let seen = HashSet::from([ArticleId::of_body("Hello world")]);
        let (text, note) = variant("Hello world", 2, 3000, &mut Rng::new(1, 1), &seen);
        assert_eq!(text, "Hello world (Update 3000.)");
        assert!(note.contains("appended"));
        // Two bases edited down to the same words, as two copies of one crawled captcha page
        // were in the 10k run: the notes differ, so the copies stay distinct.
        let a = "Blocked. Click here. Extra one.";
        let b = "Blocked. Click here. Extra two.";
        let seen = HashSet::from([
            ArticleId::of_body(a),
            ArticleId::of_body(b),
            ArticleId::of_body("Blocked. Click here."),
            ArticleId::of_body("Blocked. Extra one."),
            ArticleId::of_body("Blocked. Extra two."),
            ArticleId::of_body("Blocked."),
        ]);
        let (x, _) = variant(a, 3, 10, &mut Rng::new(1, 10), &seen);
        let (y, _) = variant(b, 3, 11, &mut Rng::new(1, 11), &seen);
        assert_ne!(x, y);
    }

    #[test]
    fn sentences_and_numbers_are_found() {
        let text = "A b. C 10 d! E?";
        let s: Vec<&str> = sentence_ranges(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(s, vec!["A b.", " C 10 d!", " E?"]);
        assert_eq!(number_ranges(text), vec![(7, 9)]);
    }
}
