//! Headline-only JSONL records through the real binary: a record with a `title` and no `text`
//! is an article whose body is its title (as a headline-only RSS item is), both for `khabar
//! ingest` and for `khabar eval clusters`, which must find the article the ingest stored.

mod common;

use common::*;
use std::path::Path;

fn write_jsonl(path: &Path, records: &[serde_json::Value]) {
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

const HEADLINE: &str = "Taal volcano spews ash as thousands flee in the Philippines";

#[test]
fn a_title_only_record_is_ingested_with_its_title_as_body() {
    let inputs = tempfile::tempdir().unwrap();
    let batch = inputs.path().join("headlines.jsonl");
    write_jsonl(
        &batch,
        &[
            serde_json::json!({"id": "h1", "lang": "en", "outlet": "Wire", "title": HEADLINE}),
            serde_json::json!({"id": "h2", "title": "  ", "text": ""}),
        ],
    );
    let data = tempfile::tempdir().unwrap();
    let out = khabar(data.path())
        .arg("ingest")
        .arg(&batch)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The record with neither text nor title is still rejected, by file:line.
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("ingested 1, duplicates 0, rejected 1"),
        "{stdout}\n{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("headlines.jsonl:2") && l.contains("\"text\"")),
        "{stderr}"
    );

    let events = events(data.path());
    let articles: Vec<&serde_json::Value> = events
        .iter()
        .flat_map(|e| e["articles"].as_array().unwrap())
        .collect();
    assert_eq!(articles.len(), 1, "{events:#?}");
    let source = articles[0]["source"].as_str().unwrap();
    assert!(source.ends_with("headlines.jsonl:1"), "{source}");
    // The event is about the headline, and its place is read from it.
    let shown = ok(khabar(data.path()).args(["show", events[0]["id"].as_str().unwrap()])).stdout;
    let shown = String::from_utf8_lossy(&shown);
    assert!(shown.contains("Taal volcano"), "{shown}");
}

/// `eval clusters` identifies a headline-only gold record by its title, as the ingest does: the
/// article is found in the store (not "not stored"), and two copies of one headline are one
/// article.
#[test]
fn eval_clusters_reads_title_only_gold_records() {
    let records = [
        serde_json::json!({"id": 1, "lang": "en", "event": "taal", "title": HEADLINE}),
        serde_json::json!({"id": 2, "lang": "en", "event": "taal", "title": HEADLINE, "text": " "}),
        serde_json::json!({"id": 3, "lang": "en", "event": "bank",
            "title": "Central bank raises its main interest rate by a quarter point"}),
    ];
    let inputs = tempfile::tempdir().unwrap();
    let gold = inputs.path().join("headlines.jsonl");
    write_jsonl(&gold, &records);
    let data = tempfile::tempdir().unwrap();
    let out = ok(khabar(data.path())
        .args(["eval", "clusters", "--json"])
        .arg(&gold));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["records"], 3, "{r:#}");
    assert_eq!(r["articles"], 2, "{r:#}");
    assert_eq!(r["duplicate_records"], 1, "{r:#}");
    assert_eq!(r["rejected"], 0, "{r:#}");
    assert_eq!(r["not_stored"], 0, "{r:#}");
    assert_eq!(r["engine_events"], 2, "{r:#}");

    // A record with neither is named by line, with the ingest's reason.
    std::fs::write(
        &gold,
        "{\"title\": \"A story.\", \"event\": \"a\"}\n{\"title\": \"\", \"event\": \"b\"}\n",
    )
    .unwrap();
    let stderr = fails(khabar(data.path()).args(["eval", "clusters"]).arg(&gold));
    assert!(
        stderr.contains("headlines.jsonl:2") && stderr.contains("\"title\""),
        "{stderr}"
    );
}
