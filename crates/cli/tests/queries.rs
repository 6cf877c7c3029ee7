//! Queries through the real binary on the seed articles: filters on `events` and `export`,
//! paging, entities, the per-event TSV and incremental exports.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn seeded() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    ok(khabar(data.path())
        .arg("ingest")
        .arg(repo().join("examples/seeds.jsonl")));
    data
}

/// `khabar events --json ARGS`: the events' ids and sizes, and stderr.
fn query(data: &Path, args: &[&str]) -> (Vec<(String, usize)>, String) {
    let out = ok(khabar(data).args(["events", "--json"]).args(args));
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let found = events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["articles"].as_array().unwrap().len(),
            )
        })
        .collect();
    (found, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn sizes(data: &Path, args: &[&str]) -> Vec<usize> {
    query(data, args).0.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn filters_select_the_seed_events_and_compose() {
    let data = seeded();
    let d = data.path();
    assert_eq!(sizes(d, &[]), [4, 1]);
    // An entity by a name in either script, or by its id.
    assert_eq!(sizes(d, &["--entity", "لافروف"]), [4, 1]);
    assert_eq!(sizes(d, &["--entity", "Lavrov"]), [4, 1]);
    assert_eq!(sizes(d, &["--entity", "person:lfrf.s"]), [4, 1]);
    assert_eq!(sizes(d, &["--entity", "Kuwait"]), [4]);
    assert_eq!(sizes(d, &["--entity", "الكويت"]), [4]);
    assert_eq!(sizes(d, &["--place", "موسكو"]), [4]);
    assert_eq!(sizes(d, &["--disputed"]), [4]);
    assert_eq!(sizes(d, &["--min-origins", "2"]), [4]);
    assert_eq!(sizes(d, &["--min-articles", "2"]), [4]);
    assert_eq!(sizes(d, &["--since", "2023-11-03"]), [4]);
    assert_eq!(sizes(d, &["--lang", "en"]), [4]);
    assert_eq!(sizes(d, &["--kind", "phone_call"]), [1]);
    assert_eq!(sizes(d, &["--origin", "KUNA"]), [4]);
    assert_eq!(sizes(d, &["--outlet", "Al-Mamlaka TV"]), [1]);
    // AND: each holds for some event, not both for one.
    assert!(sizes(
        d,
        &["--entity", "Lavrov", "--kind", "phone_call", "--disputed"]
    )
    .is_empty());
    assert_eq!(
        sizes(d, &["--entity", "Lavrov", "--lang", "ar", "--sort", "size"]),
        [4, 1]
    );
    let stderr = fails(khabar(d).args(["events", "--kind", "riot"]));
    assert!(stderr.contains("one of meeting"), "{stderr}");
}

#[test]
fn paging_with_a_cursor_gives_every_event_once() {
    let data = seeded();
    let d = data.path();
    for sort in ["date", "size", "origins", "updated"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut args = vec!["--sort", sort, "--limit", "1"];
            if let Some(c) = &cursor {
                args.extend(["--cursor", c.as_str()]);
            }
            let (found, stderr) = query(d, &args);
            assert!(found.len() <= 1);
            seen.extend(found.into_iter().map(|(id, _)| id));
            match stderr.lines().find_map(|l| l.strip_prefix("next_cursor: ")) {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
            assert!(seen.len() <= 2, "{sort}: paging does not end: {seen:?}");
        }
        let all: Vec<String> = query(d, &["--sort", sort])
            .0
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(seen, all, "{sort}");
        assert_eq!(all.len(), 2);
    }
    // The text table ends with where to go on.
    let out = ok(khabar(d).args(["events", "--limit", "1"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("next page: --cursor date:"),
        "{text}"
    );
    let stderr = fails(khabar(d).args(["events", "--sort", "size", "--cursor", "date:1:e1"]));
    assert!(stderr.contains("not by size"), "{stderr}");
}

#[test]
fn entities_are_listed_with_names_in_both_scripts() {
    let data = seeded();
    let d = data.path();
    let out = ok(khabar(d).args(["entities", "--kind", "person", "--json"]));
    let people: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(people.iter().all(|p| p["kind"] == "person"), "{people:#?}");
    let lavrov = people
        .iter()
        .find(|p| p["id"] == "person:lfrf.s")
        .expect("Lavrov among the people");
    assert_eq!(lavrov["events"], 2);
    assert!(lavrov["names"]["ar"].as_str().unwrap().contains("لافروف"));
    assert!(lavrov["names"]["en"].as_str().unwrap().contains("Lavrov"));
    let out = ok(khabar(d).args(["entities", "--kind", "place"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("country:KW") && text.contains("الكويت") && text.contains("Kuwait"),
        "{text}"
    );
    assert!(!text.contains("person:"), "{text}");
    // One entity's events over time, oldest first (the undated call before the dated talks).
    let out = ok(khabar(d).args(["entity", "Kuwait", "--json"]));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["entities"][0]["id"], "country:KW");
    assert_eq!(shown["events"].as_array().unwrap().len(), 1);
    let out = ok(khabar(d).args(["entity", "لافروف"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2023-11-03    4"), "{text}");
    let stderr = fails(khabar(d).args(["entity", "Atlantis"]));
    assert!(stderr.contains("no entity Atlantis"), "{stderr}");
}

#[test]
fn tsv_export_has_one_row_per_event_with_its_counts() {
    let data = seeded();
    let out = ok(khabar(data.path()).args(["export", "--format", "tsv", "--disputed"]));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        lines[0],
        [
            "event",
            "date",
            "place",
            "kind",
            "title_ar",
            "title_en",
            "titles_other",
            "articles",
            "outlets",
            "origins",
            "disagreements"
        ]
    );
    assert_eq!(lines.len(), 2, "{text}");
    let row = &lines[1];
    assert_eq!(row.len(), 11, "{row:?}");
    assert_eq!(row[1], "2023-11-03");
    assert_eq!(row[3], "meeting");
    assert!(!row[4].is_empty() && !row[5].is_empty(), "{row:?}");
    assert_eq!(row[7], "4");
    assert_eq!(row[8], "4");
    assert!(row[9].parse::<u32>().unwrap() >= 2, "{row:?}");
    assert_eq!(row[10], "1");
}

#[test]
fn changed_since_after_a_second_ingest_lists_only_the_changed_events() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let seeds = seed_files();
    // The talks without their fourth report, and the call.
    ok(khabar(d)
        .arg("ingest")
        .args([&seeds[0], &seeds[1], &seeds[2], &seeds[4]]));
    let out = ok(khabar(d).args(["export", "--format", "jsonl", "--changed-since", "0"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cursor = stderr
        .lines()
        .find_map(|l| l.strip_prefix("changed_since: "))
        .expect("the cursor to use next")
        .to_string();
    ok(khabar(d).arg("ingest").arg(&seeds[3]));
    let out = ok(khabar(d).args(["export", "--format", "jsonl", "--changed-since", &cursor]));
    let changed: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(changed[0]["articles"].as_array().unwrap().len(), 4);
    let next = String::from_utf8_lossy(&out.stderr).into_owned();
    let next = next
        .lines()
        .find_map(|l| l.strip_prefix("changed_since: "))
        .unwrap();
    let out = ok(khabar(d).args(["export", "--format", "jsonl", "--changed-since", next]));
    assert!(out.stdout.is_empty());
    // A merge: the event merged away is named as retired, the one that grew is exported.
    let ids: Vec<String> = events(d)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    ok(khabar(d).arg("merge").args(&ids).args(["--reason", "test"]));
    let out = ok(khabar(d).args(["export", "--format", "tsv", "--changed-since", next]));
    let rows = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(rows, 2, "a header and the merged event");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let retired: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("retired: "))
        .collect();
    assert_eq!(retired.len(), 1, "{stderr}");
    assert!(
        ids.iter().any(|id| retired[0].starts_with(id.as_str())),
        "{stderr}"
    );
}
