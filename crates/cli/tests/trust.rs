//! Trust signals through the real binary: wire copies and republications join their original as
//! copies whose outlets still count, each recognised by its dedup layer; each member says where its
//! information comes from; agreement is counted in independent origins, not copies.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;

fn kuna() -> String {
    std::fs::read_to_string(&seed_files()[3]).unwrap()
}

fn ingest_with(extra: &[Value]) -> (tempfile::TempDir, Vec<Value>) {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("extra.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for r in extra {
        writeln!(f, "{r}").unwrap();
    }
    ok(khabar(data.path())
        .arg("ingest")
        .arg(repo().join("examples/seeds.jsonl")));
    ok(khabar(data.path()).arg("ingest").arg(&path));
    let events = events(data.path());
    (data, events)
}

fn talks(events: &[Value]) -> &Value {
    events
        .iter()
        .max_by_key(|e| e["articles"].as_array().unwrap().len())
        .unwrap()
}

fn member<'a>(event: &'a Value, outlet: &str) -> &'a Value {
    event["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["outlet"] == outlet)
        .unwrap()
}

#[test]
fn the_seeds_say_where_their_information_comes_from() {
    let (_, events) = ingest_with(&[]);
    let talks = talks(&events);
    assert_eq!(
        member(talks, "MENAFN")["origin"]["key"],
        "agency:KUNA",
        "003 is KUNA's own report"
    );
    assert_eq!(
        member(talks, "Russia – Islamic World (GSV)")["origin"]["key"],
        "agency:TASS",
        "002 credits TASS"
    );
    assert_eq!(member(talks, "Khaleeji 247")["origin"]["kind"], "own");
    let origins = talks["origins"].as_array().unwrap();
    assert_eq!(
        origins.len(),
        4,
        "four members, four independent origins: {origins:?}"
    );
}

#[test]
fn copies_join_their_original_and_count_as_outlets_not_origins() {
    let exact = serde_json::json!({"text": kuna(), "outlet": "Arab Times",
        "url": "https://www.arabtimes.example/kuna-talks?utm_source=twitter"});
    let same_page = serde_json::json!({"text": format!("{}\nUpdated.", kuna()), "outlet": "Arab Times",
        "url": "https://m.arabtimes.example/kuna-talks/"});
    let republished = serde_json::json!({"text": format!("{}\n\nRead more of our coverage.", kuna()),
        "outlet": "Kuwait Echo", "url": "https://kuwaitecho.example/a/1"});
    let (_, events) = ingest_with(&[exact, republished]);
    let talks = talks(&events);
    let original = member(talks, "MENAFN");
    let copies = original["copies"].as_array().unwrap();
    assert_eq!(copies.len(), 1, "{original:#}");
    assert_eq!(copies[0]["layer"], "exact-body");
    assert_eq!(copies[0]["outlet"], "Arab Times");
    let echo = member(talks, "Kuwait Echo");
    assert_eq!(echo["origin"]["kind"], "copy", "{echo:#}");
    assert_eq!(echo["origin"]["copy_of"][0], original["id"]);
    assert_eq!(echo["origin"]["copy_of"][1], "near-body");
    let outlets: Vec<&str> = talks["outlets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    assert!(
        outlets.contains(&"Arab Times") && outlets.contains(&"Kuwait Echo"),
        "{outlets:?}"
    );
    assert_eq!(
        talks["origins"].as_array().unwrap().len(),
        4,
        "copies add no origin"
    );
    // The disagreement on Kuwait's minister counts origins: KUNA once however many copies.
    let d = talks["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["slot"] == "foreign_minister@country:KW")
        .unwrap();
    let salem = d["values"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|v| v["sources"].as_array().unwrap().len())
        .unwrap();
    assert_eq!(salem["sources"].as_array().unwrap().len(), 4, "{salem:#}");
    assert_eq!(salem["origins"].as_array().unwrap().len(), 3, "{salem:#}");

    // The same page again under an AMP/mobile URL with tracking parameters: a copy by URL.
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("pages.jsonl");
    let first = serde_json::json!({"text": kuna(), "outlet": "Arab Times", "url": "https://www.arabtimes.example/kuna-talks"});
    std::fs::write(&path, format!("{first}\n{same_page}\n")).unwrap();
    let out = ok(khabar(data.path()).arg("ingest").arg(&path));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ingested 1, duplicates 1"));
    let stored = common::events(data.path());
    let copies = stored[0]["articles"][0]["copies"].as_array().unwrap();
    assert_eq!(copies[0]["layer"], "canonical-url", "{copies:?}");
}
