//! Scores the extractor on a benchmark directory, page by page (for tuning; the user-facing
//! command is `khabar eval extraction DIR`).
//!
//! `cargo run -p khabar-ingest --example eval_extraction -- DIR [--pages]`

use khabar_ingest::extract::evaluate::{load_benchmark, score_page, summarise};
use khabar_ingest::html::decode;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().expect("usage: eval_extraction DIR [--pages]");
    let per_page = args.iter().any(|a| a == "--pages");
    let pages = load_benchmark(std::path::Path::new(dir)).unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    let mut scores = Vec::new();
    for page in &pages {
        let (text, _) = decode(&page.html, None);
        let out = khabar_ingest::extract::extract_html(&text);
        let s = score_page(&page.truth, &out.text);
        if per_page {
            println!(
                "{:.3} {:.3} {:>10} {} {}",
                s.precision().unwrap_or(0.0),
                s.recall().unwrap_or(0.0),
                out.strategy,
                &page.key[..12],
                page.url.as_deref().unwrap_or("")
            );
        }
        scores.push(s);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let sum = summarise(&scores);
    println!(
        "khabar F1 {:.3} P {:.3} R {:.3} pages {} ({:.1} pages/s)",
        sum.f1,
        sum.precision,
        sum.recall,
        sum.pages,
        sum.pages as f64 / elapsed
    );
}
