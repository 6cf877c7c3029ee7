//! `khabar completions SHELL` and `khabar man`: generated from the clap definitions, so they
//! list exactly the subcommands and flags the binary has.

use anyhow::{Context, Result};
use clap_complete::Shell;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `khabar completions`.
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for one shell.
pub fn run_completions(args: &CompletionsArgs, mut cli: clap::Command) -> Result<ExitCode> {
    // Generated into memory: clap_complete panics on a failed write, a closed pipe included.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "khabar", &mut script);
    std::io::stdout()
        .lock()
        .write_all(&script)
        .context("writing the completion script")?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page.
pub fn run_man(cli: clap::Command) -> Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cli)
        .render(&mut page)
        .context("rendering the man page")?;
    std::io::stdout()
        .lock()
        .write_all(&page)
        .context("writing the man page")?;
    Ok(ExitCode::SUCCESS)
}
