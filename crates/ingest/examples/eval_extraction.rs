//! Scores khabar's HTML reader on an article-extraction benchmark directory (the same code as
//! `khabar eval extraction DIR`), optionally page by page, without building the whole CLI.
//!
//! `cargo run --release -p khabar-ingest --example eval_extraction -- DIR [--pages] [--json]`

use khabar_ingest::extract::evaluate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .expect("usage: eval_extraction DIR [--pages] [--json]");
    let report = evaluate::run(std::path::Path::new(dir)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::to_string(&report).expect("serialisable"));
        return;
    }
    if args.iter().any(|a| a == "--pages") {
        for (key, url, s) in &report.per_page {
            println!(
                "{:.3} {:.3} {} {}",
                s.precision().unwrap_or(0.0),
                s.recall().unwrap_or(0.0),
                &key[..key.len().min(12)],
                url.as_deref().unwrap_or("")
            );
        }
    }
    for (key, reason) in &report.rejected {
        eprintln!("rejected {key}: {reason}");
    }
    let s = &report.summary;
    println!(
        "{:<24} F1 {:.3}  P {:.3}  R {:.3}  pages {}  {:.1} pages/s",
        report.extractor, s.f1, s.precision, s.recall, s.pages, report.pages_per_second
    );
}
