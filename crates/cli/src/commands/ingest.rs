//! `khabar ingest PATH...`

use super::Dirs;
use crate::pipeline::{BatchOutcome, Pipeline};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use khabar_ingest::{read_input, Input, Item, Limits, Rejection, Skipped};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Articles per store transaction: large enough to amortise the commit, small enough that a
/// crash loses little work.
const BATCH: usize = 64;

/// Arguments of `khabar ingest`.
#[derive(clap::Args)]
pub struct IngestArgs {
    /// Files or directories (read recursively); `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print only the summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Counts of one ingest run.
#[derive(Debug, Default)]
pub struct Summary {
    /// New articles stored.
    pub ingested: usize,
    /// Articles already stored.
    pub duplicates: usize,
    /// Inputs that could not be read as articles.
    pub rejected: Vec<Rejection>,
    /// What directory walks left out on purpose (unknown formats, special files, links read
    /// before).
    pub skipped: Vec<Skipped>,
}

/// Runs `khabar ingest`; exits non-zero when anything was rejected.
pub fn run(args: &IngestArgs, dirs: &Dirs) -> Result<ExitCode> {
    let mut pipeline = Pipeline::open(&dirs.data, &dirs.model, &dirs.gazetteer)?;
    let summary = ingest(&mut pipeline, &args.paths, args.quiet)?;
    report(&summary);
    super::search::update(dirs);
    Ok(if summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Reads every path and runs the articles through the pipeline in batches.
pub fn ingest(pipeline: &mut Pipeline, paths: &[PathBuf], quiet: bool) -> Result<Summary> {
    let progress = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} articles read, {per_sec} — {msg}")
                .expect("valid template"),
        );
        bar
    };
    let mut summary = Summary::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut failure = None;
    let limits = Limits::default();
    for path in paths {
        let input = if path.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(path.clone())
        };
        let report = read_input(&input, &limits, &mut |item| {
            if failure.is_some() {
                return;
            }
            match item {
                Item::Article(a) => {
                    progress.inc(1);
                    batch.push(a);
                    if batch.len() == BATCH {
                        let full = std::mem::take(&mut batch);
                        // Analysed and embedded while the batch before is stored.
                        match pipeline.submit(full) {
                            Ok(outcome) => add(&mut summary, outcome.unwrap_or_default()),
                            Err(e) => failure = Some(e),
                        }
                        progress.set_message(format!("{} stored", summary.ingested));
                    }
                }
                Item::Rejected(r) => summary.rejected.push(r),
            }
        });
        summary.skipped.extend(report.skipped);
        if let Some(e) = failure.take() {
            progress.finish_and_clear();
            return Err(batch_failed(e, &summary));
        }
    }
    if !batch.is_empty() {
        let outcome = pipeline
            .submit(batch)
            .map_err(|e| batch_failed(e, &summary))?;
        add(&mut summary, outcome.unwrap_or_default());
    }
    let outcome = pipeline.flush().map_err(|e| batch_failed(e, &summary))?;
    add(&mut summary, outcome.unwrap_or_default());
    progress.finish_and_clear();
    Ok(summary)
}

fn add(summary: &mut Summary, outcome: BatchOutcome) {
    summary.ingested += outcome.ingested;
    summary.duplicates += outcome.duplicates;
    summary.rejected.extend(outcome.rejected);
}

fn report(summary: &Summary) {
    println!(
        "ingested {}, duplicates {}, rejected {}",
        summary.ingested,
        summary.duplicates,
        summary.rejected.len()
    );
    if !summary.skipped.is_empty() {
        let listed: Vec<String> = summary
            .skipped
            .iter()
            .take(5)
            .map(|s| format!("{}: {}", s.path.display(), s.reason))
            .collect();
        let more = summary.skipped.len().saturating_sub(listed.len());
        eprintln!(
            "skipped {} ({}{})",
            summary.skipped.len(),
            listed.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        );
    }
    // Rejections are listed even with --quiet: each names its input and what to do about it.
    for r in &summary.rejected {
        eprintln!("rejected {}: {}", r.source, r.reason);
    }
}

/// The error of a batch that could not be stored: what was kept, and how to carry on.
fn batch_failed(e: anyhow::Error, summary: &Summary) -> anyhow::Error {
    e.context(format!(
        "storing a batch failed after {} articles were stored: nothing of that batch or of the input after it was kept (ingesting the same input again skips what is stored)",
        summary.ingested
    ))
}
