//! Crash safety through the real binary: `kill -9` during an ingest, then the same command again,
//! gives the same store as an uninterrupted run.

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// A stream of real articles: the texts of the SemEval-2022 dev pairs, as JSONL.
fn corpus(path: &Path, limit: usize) {
    let pairs = std::fs::read_to_string(repo().join("data/eval/semeval22-pairs-dev.jsonl"))
        .expect("the dev pairs in data/eval");
    let mut out = std::fs::File::create(path).unwrap();
    let mut n = 0;
    for line in pairs.lines() {
        let pair: serde_json::Value = serde_json::from_str(line).unwrap();
        for (text, lang) in [("text1", "lang1"), ("text2", "lang2")] {
            if n == limit {
                return;
            }
            let record = serde_json::json!({"text": pair[text], "lang": pair[lang]});
            writeln!(out, "{record}").unwrap();
            n += 1;
        }
    }
}

/// Everything a user can see of a store: events with their members, as JSON text.
fn snapshot(data: &Path) -> String {
    let mut events = events(data);
    events.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    serde_json::to_string_pretty(&events).unwrap()
}

#[test]
fn kill_9_mid_ingest_then_rerun_equals_an_uninterrupted_run() {
    let inputs = tempfile::tempdir().unwrap();
    let stream = inputs.path().join("stream.jsonl");
    corpus(&stream, 300);

    let clean = tempfile::tempdir().unwrap();
    let started = Instant::now();
    ok(khabar(clean.path()).arg("ingest").arg(&stream));
    let full_run = started.elapsed();
    let expected = snapshot(clean.path());

    let crashed = tempfile::tempdir().unwrap();
    // Kill at several points of the run (a fraction of the uninterrupted time), each time going on
    // from what the previous kill left behind.
    for fraction in [0.15, 0.4, 0.7] {
        let mut child = khabar(crashed.path())
            .arg("ingest")
            .arg("--quiet")
            .arg(&stream)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full_run.mul_f64(fraction).max(Duration::from_millis(200)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    ok(khabar(crashed.path()).arg("ingest").arg(&stream));
    assert_eq!(snapshot(crashed.path()), expected);
}
