//! `khabar eval extraction DIR`: main-content extraction scored against an article-extraction
//! benchmark directory (`ground-truth.json` + `html/KEY.html.gz`), and `khabar bench warc FILE`:
//! WARC(.gz) reading throughput. The metric and the reader live in `khabar_ingest`; this is glue.

use crate::exit::outln;
use anyhow::{bail, Context};
use khabar_ingest::extract::evaluate;
use khabar_ingest::{read_input, Input, Item, Limits};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `khabar eval extraction`.
#[derive(clap::Args, Debug)]
pub struct EvalExtractionArgs {
    /// Benchmark directory: `ground-truth.json` and `html/KEY.html.gz`.
    pub dir: PathBuf,
    /// Print one JSON object (figures and per-page counts) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `khabar eval extraction DIR`: F1 / precision / recall, pages, pages/s.
pub fn run_eval_extraction(args: &EvalExtractionArgs) -> anyhow::Result<()> {
    let report = evaluate::run(&args.dir)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("evaluating extraction on {}", args.dir.display()))?;
    if args.json {
        outln!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let s = &report.summary;
    outln!(
        "{:<24} F1 {:.3}  P {:.3}  R {:.3}  pages {}  {:.1} pages/s",
        report.extractor,
        s.f1,
        s.precision,
        s.recall,
        s.pages,
        report.pages_per_second
    );
    for (key, reason) in &report.rejected {
        eprintln!("rejected {key}: {reason}");
    }
    Ok(())
}

/// Arguments of `khabar bench warc`.
#[derive(clap::Args, Debug)]
pub struct BenchWarcArgs {
    /// A WARC or WARC.gz file (e.g. built by scripts/extraction/build_warc.py).
    pub file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `khabar bench warc FILE`: pages/s, MB/s (of the file as stored) and peak RSS while
/// reading every record through the ingest reader.
pub fn run_bench_warc(args: &BenchWarcArgs) -> anyhow::Result<()> {
    let bytes = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    let start = Instant::now();
    let (mut articles, mut rejected) = (0u64, 0u64);
    read_input(
        &Input::Path(args.file.clone()),
        &Limits::default(),
        &mut |item| match item {
            Item::Article(_) => articles += 1,
            Item::Rejected(_) => rejected += 1,
        },
    );
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let cpu = khabar_core::measure::cpu_seconds();
    if articles == 0 {
        bail!(
            "{}: no article read ({rejected} rejected)",
            args.file.display()
        );
    }
    let peak_rss_mb = khabar_core::measure::status_mb("VmHWM:");
    let result = serde_json::json!({
        "file": args.file.display().to_string(),
        "file_mb": bytes as f64 / 1e6,
        "articles": articles,
        "rejected": rejected,
        "seconds": seconds,
        "pages_per_second": (articles + rejected) as f64 / seconds,
        "cpu_seconds": cpu,
        "pages_per_cpu_second": cpu.map(|c| (articles + rejected) as f64 / c.max(0.01)),
        "mb_per_second": bytes as f64 / 1e6 / seconds,
        "peak_rss_mb": peak_rss_mb,
    });
    if args.json {
        outln!("{result}");
    } else {
        outln!(
            "{}: {:.0} MB, {articles} articles, {rejected} rejected in {seconds:.1} s: {:.0} pages/s ({} pages per CPU-second), {:.1} MB/s, peak RSS {}",
            args.file.display(),
            bytes as f64 / 1e6,
            (articles + rejected) as f64 / seconds,
            cpu.map_or("?".into(), |c| format!("{:.0}", (articles + rejected) as f64 / c.max(0.01))),
            bytes as f64 / 1e6 / seconds,
            peak_rss_mb.map_or("unknown".into(), |m| format!("{m:.0} MB")),
        );
    }
    Ok(())
}
