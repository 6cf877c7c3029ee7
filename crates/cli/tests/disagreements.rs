//! Disagreements across sources, through the real binary: copies of a real report edited the way
//! a later rewrite or a careless republisher edits them (a number, a day) are flagged slot by
//! slot with both values and their sources; an unedited republication raises no flag.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;

/// KUNA's English report of the talks (seed 003), published on the day.
fn kuna() -> String {
    std::fs::read_to_string(&seed_files()[3]).unwrap()
}

/// The talks event after ingesting the seeds plus `extra` records.
fn talks_with(extra: &[Value]) -> Value {
    let data = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let path = inputs.path().join("extra.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for r in extra {
        writeln!(f, "{r}").unwrap();
    }
    ok(khabar(data.path())
        .arg("ingest")
        .arg(repo().join("examples/seeds.jsonl"))
        .arg(&path));
    let events = events(data.path());
    events
        .into_iter()
        .max_by_key(|e| e["articles"].as_array().unwrap().len())
        .unwrap()
}

fn slots(event: &Value) -> Vec<String> {
    let mut s: Vec<String> = event["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["slot"].as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

/// The disagreement on `slot` and its values.
fn disagreement<'a>(event: &'a Value, slot: &str) -> (&'a Value, Vec<&'a str>) {
    let d = event["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["slot"] == slot)
        .unwrap_or_else(|| panic!("no disagreement on {slot}: {event:#}"));
    let values = d["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    (d, values)
}

#[test]
fn an_unedited_republication_raises_no_new_flag() {
    let copy = serde_json::json!({
        "text": format!("{}\nShare this article", kuna()),
        "outlet": "Republisher", "published_at": "2023-11-03"
    });
    let talks = talks_with(&[copy]);
    assert_eq!(talks["articles"].as_array().unwrap().len(), 5, "{talks:#}");
    // Only the seeds' own disagreement (who is Kuwait's foreign minister).
    assert_eq!(slots(&talks), ["foreign_minister@country:KW"], "{talks:#}");
}

#[test]
fn a_changed_count_is_flagged_with_both_values_and_their_sources() {
    let edited = kuna().replace("over 9,000 Palestinians", "over 12,000 Palestinians");
    assert_ne!(edited, kuna());
    let copy = serde_json::json!({"text": edited, "outlet": "Careless Daily", "published_at": "2023-11-03"});
    let talks = talks_with(&[copy]);
    assert!(
        slots(&talks).contains(&"figure:killed".to_string()),
        "{talks:#}"
    );
    let (d, values) = disagreement(&talks, "figure:killed");
    assert!(
        values.iter().any(|v| v.contains("9,000")) && values.iter().any(|v| v.contains("12,000")),
        "{d:#}"
    );
    // 9 آلاف (Arabic, seed 001) and "over 9,000" (KUNA) agree: they stand on the same side.
    let nine = d["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"].as_str().unwrap().contains("9,000"))
        .unwrap();
    assert_eq!(nine["sources"].as_array().unwrap().len(), 2, "{d:#}");
    assert!(nine["citations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["text"].as_str().unwrap().contains("9 آلاف")));
}

#[test]
fn a_changed_day_is_flagged() {
    let edited = kuna().replace(
        "held official talks in Moscow on Friday",
        "held official talks in Moscow on Wednesday",
    );
    let copy = serde_json::json!({"text": edited, "outlet": "Confused Times", "published_at": "2023-11-03"});
    let talks = talks_with(&[copy]);
    assert!(slots(&talks).contains(&"date".to_string()), "{talks:#}");
    assert_eq!(
        talks["date"]["value"], "2023-11-03",
        "the majority day stands: {talks:#}"
    );
}

#[test]
fn a_changed_minister_and_a_changed_city_are_flagged() {
    let edited = kuna()
        .replace(
            "Sheikh Salem Abdullah Jaber Al-Sabah",
            "Sheikh Ahmad Nasser Al-Mohammad Al-Sabah",
        )
        .replace(
            "held official talks in Moscow on Friday",
            "held official talks in Sochi on Friday",
        );
    let copy = serde_json::json!({"text": edited, "outlet": "Rewrite Weekly", "published_at": "2023-11-03"});
    let talks = talks_with(&[copy]);
    let slots = slots(&talks);
    assert!(slots.contains(&"place".to_string()), "{talks:#}");
    let (minister, names) = disagreement(&talks, "foreign_minister@country:KW");
    assert!(
        names.iter().any(|n| n.contains("Ahmad Nasser")),
        "{minister:#}"
    );
    assert_eq!(
        talks["place"]["value"], "Moscow",
        "the majority place stands: {talks:#}"
    );
}
