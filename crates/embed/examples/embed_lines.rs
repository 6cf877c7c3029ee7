//! Embed stdin lines with the model in `default_model_dir()` (installing it if needed) and print
//! one JSON array per line: a minimal stand-in for `khabar embed` when testing this crate alone.
//!
//! `cargo run --release -p khabar-embed --example embed_lines [--document] < sentences.txt`

use std::io::{BufRead, BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = khabar_embed::default_model_dir();
    khabar_embed::install(&dir)?;
    let model = khabar_embed::Embedder::load(&dir)?;
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let refs: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
    let vecs = if std::env::args().any(|a| a == "--document") {
        model.embed_document_batch(&refs)
    } else {
        model.embed_batch(&refs)
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for v in vecs {
        let parts: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
        writeln!(out, "[{}]", parts.join(","))?;
    }
    Ok(())
}
