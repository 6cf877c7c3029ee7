//! Articles per second of the analyse stage alone, on one core, on real texts: the texts of the
//! SemEval-2022 dev pairs (both sides of each pair), analysed a few times over.
//!
//! `cargo run --release -p khabar-analyse --example bench_analyse -- PAIRS.jsonl [ROUNDS]`
//! (or the dev profile: dependencies and this crate are optimised there too).
use khabar_analyse::{default_gazetteer_dir, Analyser};
use khabar_core::{Article, Source};
use std::collections::BTreeMap;
use std::time::Instant;

/// CPU time this thread has run, from /proc/thread-self/schedstat (Linux), in seconds.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: bench PAIRS.jsonl [ROUNDS]")?;
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(3);
    let t0 = Instant::now();
    let analyser = Analyser::load(&default_gazetteer_dir())?;
    eprintln!("loaded in {:.2}s", t0.elapsed().as_secs_f64());
    let mut texts: Vec<(String, String)> = Vec::new();
    for line in std::fs::read_to_string(&path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        for (t, l) in [("text1", "lang1"), ("text2", "lang2")] {
            if let (Some(t), Some(l)) = (v[t].as_str(), v[l].as_str()) {
                texts.push((l.to_string(), t.to_string()));
            }
        }
    }
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let articles: Vec<Article> = texts
        .iter()
        .map(|(_, t)| Article::new(Source::Stdin, t.clone()))
        .collect();
    // warm-up
    for a in articles.iter().take(50) {
        std::hint::black_box(analyser.analyse(a.clone()));
    }
    let mut per_lang: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    let start = Instant::now();
    let cpu0 = thread_cpu_seconds();
    for _ in 0..rounds {
        for ((lang, _), a) in texts.iter().zip(&articles) {
            let t = Instant::now();
            std::hint::black_box(analyser.analyse(a.clone()));
            let e = per_lang.entry(lang.clone()).or_default();
            e.0 += 1;
            e.1 += t.elapsed().as_secs_f64();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds().map(|c| c - cpu0.unwrap_or(0.0));
    let n = texts.len() * rounds;
    if let Some(cpu) = cpu {
        println!(
            "CPU time of this thread: {cpu:.2}s: {:.0} articles/s per core (wall figures below count time the core was lent to other processes)",
            n as f64 / cpu
        );
    }
    println!(
        "{n} analyses of {} texts ({:.0} KiB, mean {:.0} bytes) in {secs:.2}s on one thread: {:.0} articles/s, {:.1} MiB/s",
        texts.len(),
        bytes as f64 / 1024.0,
        bytes as f64 / texts.len() as f64,
        n as f64 / secs,
        (bytes * rounds) as f64 / secs / (1024.0 * 1024.0)
    );
    for (l, (k, s)) in per_lang {
        println!("  {l}: {:.0} articles/s ({k} analyses)", k as f64 / s);
    }
    // language ID agreement with the labels
    let mut right = 0;
    for ((lang, _), a) in texts.iter().zip(&articles) {
        if analyser.analyse(a.clone()).language.code == *lang {
            right += 1;
        }
    }
    println!("language = label on {right}/{} texts", texts.len());
    Ok(())
}
