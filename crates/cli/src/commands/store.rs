//! `khabar backup FILE`, `khabar check`: keeping the store safe.

use super::Dirs;
use crate::exit::outln;
use anyhow::{Context, Result};
use khabar_store::{Reads, Store};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `khabar backup`.
#[derive(clap::Args)]
pub struct BackupArgs {
    /// The file to write the copy to (replaced when it exists).
    pub file: PathBuf,
}

/// Arguments of `khabar check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// SQLite's quick check (does not match indexes to their tables): faster on a large store.
    #[arg(long)]
    pub quick: bool,
}

/// Runs `khabar backup FILE`: a consistent one-file copy, while other commands may write.
pub fn run_backup(args: &BackupArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = Store::open_read_only(&dirs.data)?;
    store.backup(&args.file).with_context(|| {
        format!(
            "backing up {} to {}",
            store.path().display(),
            args.file.display()
        )
    })?;
    outln!(
        "backed up {} to {} ({} articles)",
        store.path().display(),
        args.file.display(),
        store.article_count()?
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `khabar check`: prints each problem found; fails when there is any.
pub fn run_check(args: &CheckArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = Store::open_read_only(&dirs.data)?;
    let problems = store.check(args.quick)?;
    if problems.is_empty() {
        outln!("{}: ok", store.path().display());
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        outln!("{p}");
    }
    eprintln!(
        "error: {} problem(s) in {}: restore it from a backup (`khabar backup`), or ingest again \
         into a new store",
        problems.len(),
        store.path().display()
    );
    Ok(ExitCode::FAILURE)
}
