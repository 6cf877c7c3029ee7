//! WARC(.gz) reading throughput: every record through `read_input` (gunzip, WARC, HTTP, charset,
//! HTML parse, extraction, metadata), printing pages/s, MB/s of the file as stored, and resident
//! memory sampled as the file is read (it must stay flat as the file grows) plus the peak.
//!
//! `cargo build --release -p khabar-ingest --example bench_warc`
//! `target/release/examples/bench_warc FILE.warc.gz` (scripts/extraction/bench_warc.sh does both)

use khabar_ingest::{read_input, Input, Item, Limits};
use std::time::Instant;

use khabar_core::measure::{cpu_seconds, status_mb};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bench_warc FILE.warc[.gz]");
    let bytes = std::fs::metadata(&path).expect("readable file").len();
    let start = Instant::now();
    let (mut articles, mut rejected, mut body_bytes) = (0u64, 0u64, 0u64);
    let mut samples: Vec<(u64, u64)> = Vec::new();
    read_input(
        &Input::Path(path.clone().into()),
        &Limits::default(),
        &mut |item| {
            match item {
                Item::Article(a) => {
                    articles += 1;
                    body_bytes += a.body.len() as u64;
                }
                Item::Rejected(r) => {
                    if rejected < 5 {
                        eprintln!("rejected {}: {}", r.source, r.reason);
                    }
                    rejected += 1;
                }
            }
            let n = articles + rejected;
            if n % 2000 == 0 {
                samples.push((n, status_mb("VmRSS:").unwrap_or(0.0) as u64));
            }
        },
    );
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(f64::NAN);
    let pages = articles + rejected;
    let rss: Vec<String> = samples.iter().map(|(n, mb)| format!("{n}:{mb}")).collect();
    println!(
        "{{\"file\": {path:?}, \"file_mb\": {:.1}, \"pages\": {pages}, \"articles\": {articles}, \"rejected\": {rejected}, \
         \"body_mb\": {:.1}, \"seconds\": {seconds:.1}, \"cpu_seconds\": {cpu:.1}, \"pages_per_second\": {:.1}, \"pages_per_cpu_second\": {:.1}, \"mb_per_second\": {:.2}, \
         \"peak_rss_mb\": {}, \"rss_mb_by_pages\": {:?}}}",
        bytes as f64 / 1e6,
        body_bytes as f64 / 1e6,
        pages as f64 / seconds,
        pages as f64 / cpu.max(0.01),
        bytes as f64 / 1e6 / seconds,
        status_mb("VmHWM:").unwrap_or(0.0) as u64,
        rss.join(" "),
    );
}
