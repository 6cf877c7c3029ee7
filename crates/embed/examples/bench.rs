//! Embedding benchmark, Rust side: sentences/s on one core (and on all cores), peak RSS.
//!
//! `cargo run --release -p khabar-embed --example bench -- SENTENCES.txt [REPEATS]`
//! (scripts/usem3/bench.sh runs it next to the Python reference on the same sentences).

use std::time::Instant;

use khabar_core::measure::{cpu_seconds, status_mb};

use khabar_embed::{default_model_dir, Embedder, DIM};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: bench SENTENCES.txt [REPEATS]")?;
    let repeats: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().collect();
    let dir = default_model_dir();
    khabar_embed::install(&dir)?; // verifies the files (downloads only if missing)
    let t0 = Instant::now();
    let model = Embedder::load(&dir)?;
    let load_s = t0.elapsed().as_secs_f64();
    let tokens: usize = lines
        .iter()
        .map(|l| model.tokenizer().encode(l).len())
        .sum();
    let mut out = vec![0f32; lines.len() * DIM];
    // First pass on a fresh model: the per-piece cache starts empty.
    let t = Instant::now();
    model.embed_into(&lines, &mut out);
    let cold = t.elapsed().as_secs_f64();
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    for _ in 0..repeats {
        let t = Instant::now();
        let c = cpu_seconds().unwrap_or(f64::NAN);
        model.embed_into(&lines, &mut out);
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds().unwrap_or(f64::NAN) - c);
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
    let cache_mb = std::env::var("KHABAR_EMBED_CACHE_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(khabar_embed::DEFAULT_CACHE_MB);
    println!(
        "{{\"impl\": \"rust khabar-embed (piece cache {} MiB)\", \"sentences\": {}, \"tokens_per_sentence\": {:.1}, \"load_seconds\": {:.2}, \"first_pass_sentences_per_s\": {:.1}, \"seconds\": {:.3}, \"wall_sentences_per_s\": {:.1}, \"cpu_seconds\": {:.3}, \"sentences_per_s_per_core\": {:.1}, \"all_cores\": {}, \"sentences_per_s_all_cores\": {:.1}, \"cached_pieces\": {}, \"peak_rss_mb\": {:.1}}}",
        cache_mb,
        lines.len(),
        tokens as f64 / lines.len() as f64,
        load_s,
        lines.len() as f64 / cold,
        best,
        lines.len() as f64 / best,
        best_cpu,
        lines.len() as f64 / best_cpu.max(0.01),
        cores,
        lines.len() as f64 / best_all,
        model.cached_pieces(),
        status_mb("VmHWM:").unwrap_or(f64::NAN)
    );
    Ok(())
}
