//! `khabar ingest PATH...`

use super::Dirs;
use crate::exit::{self, outln};
use crate::pipeline::{BatchOutcome, Pipeline};
use crate::progress::Progress;
use crate::signals::{Signal, Stop};
use crate::terminal::sanitise;
use anyhow::{Context, Result};
use khabar_ingest::{read_input, Input, Item, Limits, Rejection, Skipped};
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
    /// Print JSON lines on stdout instead: one per rejection (`"kind": "rejected"`, `source`,
    /// `reason`), one per skipped file (`"skipped"`, `path`, `reason`), then the summary
    /// (`"summary"`, `ingested`, `duplicates`, `rejected`, `skipped`, `interrupted`: null or
    /// the signal's name).
    #[arg(long)]
    pub json: bool,
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
    /// The signal that stopped the run at a batch boundary, the rest of the input unread.
    pub interrupted: Option<Signal>,
}

/// Runs `khabar ingest`; exits with `exit::REJECTED` when anything was rejected.
pub fn run(args: &IngestArgs, dirs: &Dirs) -> Result<ExitCode> {
    let stop = Stop::install().context("cannot catch SIGINT/SIGTERM")?;
    let mut pipeline = Pipeline::open(&dirs.data, &dirs.model, &dirs.gazetteer)?;
    let on_stop = OnStop {
        stop: &stop,
        report: &|summary| {
            finish(summary, args.json);
        },
    };
    let summary = ingest(&mut pipeline, &args.paths, args.quiet, Some(&on_stop))?;
    // An interrupted run leaves the index to the next `khabar search`, which catches up.
    super::search::update(dirs);
    Ok(finish(&summary, args.json))
}

/// Reports the run and gives its exit code.
fn finish(summary: &Summary, json: bool) -> ExitCode {
    if json {
        report_json(summary);
    } else {
        report(summary);
    }
    if let Some(signal) = summary.interrupted {
        eprintln!(
            "stopped by {}: every batch read was stored, the rest of the input was not read (ingesting it again skips what is stored)",
            signal.name()
        );
    }
    exit::code(if let Some(signal) = summary.interrupted {
        signal.exit_code()
    } else if summary.rejected.is_empty() {
        exit::SUCCESS
    } else {
        exit::REJECTED
    })
}

/// What to do when asked to stop: the request to poll, and how to report before the process
/// ends.
pub struct OnStop<'a> {
    /// Polled at every batch boundary.
    pub stop: &'a Stop,
    /// Prints the summary of what was stored.
    pub report: &'a dyn Fn(&Summary),
}

/// Reads every path and runs the articles through the pipeline in batches. When `on_stop`'s
/// request comes, the batches handed over so far are stored, reported, and the process ends
/// with the signal's exit code.
pub fn ingest(
    pipeline: &mut Pipeline,
    paths: &[PathBuf],
    quiet: bool,
    on_stop: Option<&OnStop>,
) -> Result<Summary> {
    let stop = on_stop.map(|s| s.stop);
    let mut progress = Progress::new(paths, quiet);
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
                    progress.article(&a);
                    batch.push(a);
                    if batch.len() == BATCH {
                        let full = std::mem::take(&mut batch);
                        // Analysed and embedded while the batch before is stored.
                        match pipeline.submit(full) {
                            Ok(outcome) => add(&mut summary, outcome.unwrap_or_default()),
                            Err(e) => failure = Some(e),
                        }
                        progress.stored(summary.ingested);
                        if let (Some(on_stop), Some(signal)) =
                            (on_stop, stop.and_then(Stop::requested))
                        {
                            // The reader cannot be cut short, and would read the whole rest of
                            // the input first: store the batch in hand, report, end here.
                            match pipeline.flush() {
                                Ok(outcome) => {
                                    add(&mut summary, outcome.unwrap_or_default());
                                    summary.interrupted = Some(signal);
                                    progress.finish();
                                    (on_stop.report)(&summary);
                                    std::process::exit(signal.exit_code().into());
                                }
                                Err(e) => failure = Some(e),
                            }
                        }
                    }
                }
                Item::Rejected(r) => summary.rejected.push(r),
            }
        });
        summary.skipped.extend(report.skipped);
        if let Some(e) = failure.take() {
            progress.abandon();
            return Err(batch_failed(e, &summary));
        }
    }
    // A signal since the last boundary counts too: the articles read after the last whole
    // batch are dropped, not stored.
    summary.interrupted = summary
        .interrupted
        .or_else(|| stop.and_then(Stop::requested));
    if !batch.is_empty() && summary.interrupted.is_none() {
        let outcome = pipeline.submit(batch).map_err(|e| {
            progress.abandon();
            batch_failed(e, &summary)
        })?;
        add(&mut summary, outcome.unwrap_or_default());
    }
    let outcome = pipeline.flush().map_err(|e| {
        progress.abandon();
        batch_failed(e, &summary)
    })?;
    add(&mut summary, outcome.unwrap_or_default());
    progress.finish();
    Ok(summary)
}

fn add(summary: &mut Summary, outcome: BatchOutcome) {
    summary.ingested += outcome.ingested;
    summary.duplicates += outcome.duplicates;
    summary.rejected.extend(outcome.rejected);
}

fn report(summary: &Summary) {
    outln!(
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
        eprintln!("rejected {}: {}", sanitise(&r.source), sanitise(&r.reason));
    }
}

/// The summary and everything left out, as JSON lines on stdout.
fn report_json(summary: &Summary) {
    for r in &summary.rejected {
        let line = serde_json::json!({"kind": "rejected", "source": r.source, "reason": r.reason});
        outln!("{line}");
    }
    for s in &summary.skipped {
        let line = serde_json::json!({
            "kind": "skipped",
            "path": s.path.to_string_lossy(),
            "reason": s.reason.to_string(),
        });
        outln!("{line}");
    }
    let line = serde_json::json!({
        "kind": "summary",
        "ingested": summary.ingested,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected.len(),
        "skipped": summary.skipped.len(),
        "interrupted": summary.interrupted.map(Signal::name),
    });
    outln!("{line}");
}

/// The error of a batch that could not be stored: what was kept, and how to carry on.
fn batch_failed(e: anyhow::Error, summary: &Summary) -> anyhow::Error {
    e.context(format!(
        "storing a batch failed after {} articles were stored: nothing of that batch or of the input after it was kept (ingesting the same input again skips what is stored)",
        summary.ingested
    ))
}
