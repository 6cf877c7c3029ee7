//! Corrections that stick, through the real binary: split, move and merge are stored with their
//! reason, survive later ingests (while new articles can still join the corrected event), keep
//! event ids stable, show in the log, and can be undone.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// The seeds' outlets, in the order of examples/seeds.jsonl: four report the Kuwait–Russia talks,
/// the fifth the Jordan–Russia call.
const KHALEEJI: &str = "Khaleeji 247";
const GULF_OBSERVER: &str = "Gulf Observer";
const GSV: &str = "Russia – Islamic World (GSV)";
const MENAFN: &str = "MENAFN";
const MAMLAKA: &str = "Al-Mamlaka TV";

/// Event id -> sorted member outlets.
fn grouping(data: &Path) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = events(data)
        .iter()
        .map(|e| {
            let mut m: Vec<String> = e["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["outlet"].as_str().unwrap_or("?").to_string())
                .collect();
            m.sort();
            (e["id"].as_str().unwrap().to_string(), m)
        })
        .collect();
    out.sort();
    out
}

fn article_id(events: &[Value], outlet: &str) -> String {
    events
        .iter()
        .flat_map(|e| e["articles"].as_array().unwrap())
        .find(|a| a["outlet"] == outlet)
        .map(|a| a["id"].as_str().unwrap().to_string())
        .unwrap()
}

fn event_with(groups: &[(String, Vec<String>)], outlet: &str) -> String {
    groups
        .iter()
        .find(|(_, m)| m.contains(&outlet.to_string()))
        .unwrap()
        .0
        .clone()
}

#[test]
fn split_move_merge_stick_and_undo() {
    let data = tempfile::tempdir().unwrap();
    let seeds = repo().join("examples/seeds.jsonl");
    ok(khabar(data.path()).arg("ingest").arg(&seeds));
    let before = grouping(data.path());
    let talks = event_with(&before, KHALEEJI);
    let all = events(data.path());
    let preview = article_id(&all, GSV);

    // Split the preview off (named by a prefix of its id, as git takes commits): it becomes
    // its own event, the talks keep their id.
    ok(khabar(data.path()).args([
        "split",
        &talks,
        &preview[..8],
        "--reason",
        "a preview, not a report",
    ]));
    let after_split = grouping(data.path());
    assert_eq!(after_split.len(), 3, "{after_split:?}");
    assert_eq!(event_with(&after_split, KHALEEJI), talks);
    assert_eq!(
        after_split.iter().find(|(id, _)| *id == talks).unwrap().1,
        [GULF_OBSERVER, KHALEEJI, MENAFN]
    );

    // Everything again, in another order and from other files: the split holds.
    let mut reversed = seed_files();
    reversed.reverse();
    ok(khabar(data.path()).arg("ingest").args(&reversed));
    assert_eq!(grouping(data.path()), after_split);

    // A new report of the talks (KUNA's text, lightly edited as another outlet would) still joins
    // the corrected event, and the split holds.
    let kuna = std::fs::read_to_string(&seed_files()[3]).unwrap();
    let edited = kuna.replace(
        "held official talks in Moscow on Friday",
        "met for official talks in Moscow on Friday",
    );
    let inputs = tempfile::tempdir().unwrap();
    let more = inputs.path().join("more.jsonl");
    std::fs::write(
        &more,
        format!(
            "{}\n",
            serde_json::json!({"text": edited, "outlet": "Another outlet"})
        ),
    )
    .unwrap();
    ok(khabar(data.path()).arg("ingest").arg(&more));
    let after_ingest = events(data.path());
    let talks_event = after_ingest
        .iter()
        .find(|e| e["id"] == talks.as_str())
        .unwrap();
    assert_eq!(
        talks_event["articles"].as_array().unwrap().len(),
        4,
        "{talks_event:#}"
    );
    assert!(after_ingest
        .iter()
        .any(|e| e["articles"].as_array().unwrap().len() == 1
            && e["articles"][0]["id"] == preview.as_str()));

    // The log shows the decision; undo brings the preview back.
    let log = ok(khabar(data.path()).args(["log", "--json"]));
    let log: Vec<Value> = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["kind"], "split");
    assert_eq!(log[0]["reason"], "a preview, not a report");
    ok(khabar(data.path()).args(["undo", "1"]));
    let undone = events(data.path());
    assert_eq!(
        undone.iter().find(|e| e["id"] == talks.as_str()).unwrap()["articles"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let out = khabar(data.path()).args(["undo", "1"]).output().unwrap();
    assert!(!out.status.success(), "undoing twice is refused");

    // Move the phone call into the talks (a wrong correction, to test the mechanism), then merge
    // is idempotent with it, and both undo cleanly.
    let call = article_id(&undone, MAMLAKA);
    ok(khabar(data.path()).args(["move", &call[..8], &talks]));
    let moved = events(data.path());
    assert_eq!(moved.len(), 1, "{:?}", grouping(data.path()));
    ok(khabar(data.path()).args(["undo", "2"]));
    assert_eq!(events(data.path()).len(), 2);
    let call_event = event_with(&grouping(data.path()), MAMLAKA);
    ok(khabar(data.path()).args(["merge", &talks, &call_event]));
    assert_eq!(events(data.path()).len(), 1);
    assert_eq!(
        events(data.path())[0]["id"],
        talks.as_str(),
        "the merged event keeps a founder's id"
    );
    let log = ok(khabar(data.path()).arg("log"));
    let text = String::from_utf8_lossy(&log.stdout);
    assert!(text.contains("undone") && text.contains("merge"), "{text}");
}
