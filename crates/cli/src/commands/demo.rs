//! `khabar demo`: everything needed, then the bundled example articles, then their events.

use super::Dirs;
use crate::exit::outln;
use anyhow::{bail, Result};
use khabar_store::Reads;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `khabar demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// The example articles to ingest.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds.jsonl"))]
    pub examples: PathBuf,
}

/// Runs the demo.
pub fn run(args: &DemoArgs, dirs: &Dirs) -> Result<ExitCode> {
    let Ok(examples) = args.examples.canonicalize() else {
        bail!(
            "example articles not found at {} (pass --examples PATH)",
            args.examples.display()
        );
    };
    if khabar_embed::info(&dirs.model).is_err() {
        eprintln!(
            "installing the embedding model into {}",
            dirs.model.display()
        );
        khabar_embed::install(&dirs.model)?;
    }
    if khabar_analyse::Analyser::load(&dirs.gazetteer).is_err() {
        eprintln!("installing the gazetteer into {}", dirs.gazetteer.display());
        khabar_analyse::install(&dirs.gazetteer)?;
    }
    let mut pipeline = crate::pipeline::Pipeline::open(&dirs.data, &dirs.model, &dirs.gazetteer)?;
    let summary =
        super::ingest::ingest(&mut pipeline, std::slice::from_ref(&examples), false, None)?;
    outln!(
        "ingested {}, duplicates {}, rejected {} from {}\n",
        summary.ingested,
        summary.duplicates,
        summary.rejected.len(),
        examples.display()
    );
    let events = pipeline.store().events()?;
    let mut out = crate::terminal::Clean::new(std::io::stdout().lock());
    super::events::print_table(&mut out, &events)?;
    for e in &events {
        writeln!(out)?;
        super::events::print_event(&mut out, e)?;
    }
    Ok(ExitCode::SUCCESS)
}
