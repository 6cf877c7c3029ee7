//! Acceptance on the seed articles, through the real binary: four reports of the Kuwait–Russia
//! talks in two languages become one event; the Jordan–Russia phone call stays apart.

mod common;

use common::*;
use serde_json::Value;

fn seed_event(events: &[Value]) -> &Value {
    events
        .iter()
        .find(|e| e["articles"].as_array().unwrap().len() == 4)
        .expect("an event with four articles")
}

#[test]
fn plain_text_seeds_make_two_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = khabar(dir.path());
    cmd.arg("ingest").args(seed_files());
    let out = ok(&mut cmd);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("ingested 5, duplicates 0, rejected 0"),
        "{summary}"
    );
    let events = events(dir.path());
    assert_eq!(
        groups_by_source(&events),
        vec![vec!["000", "001", "002", "003"], vec!["004"]],
        "{}",
        serde_json::to_string_pretty(&events).unwrap()
    );
    let talks = seed_event(&events);
    assert_eq!(talks["date"]["value"], "2023-11-03", "{talks:#}");
    let langs: Vec<&str> = talks["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(langs, ["ar", "en"]);
    let place = talks["place"]["value"].as_str().unwrap();
    assert!(place == "Moscow" || place == "موسكو", "{place}");
    let participants = talks["participants"].as_array().unwrap();
    let has = |needle: &str| {
        participants.iter().any(|p| {
            p["names"]
                .as_object()
                .unwrap()
                .values()
                .any(|n| n.as_str().unwrap().contains(needle))
        })
    };
    assert!(has("Lavrov") || has("لافروف"), "{participants:#?}");
    assert!(
        participants
            .iter()
            .any(|p| p["role"].as_str().is_some_and(|r| r.contains("country:KW"))),
        "Kuwait's foreign minister among the participants: {participants:#?}"
    );
    let previews: Vec<&Value> = talks["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["preview"] == true)
        .collect();
    assert_eq!(previews.len(), 1, "{talks:#}");
    assert!(previews[0]["source"].as_str().unwrap().contains("002_"));
}

#[test]
fn jsonl_seeds_carry_four_outlets_and_the_role_disagreement() {
    let dir = tempfile::tempdir().unwrap();
    ok(khabar(dir.path())
        .arg("ingest")
        .arg(repo().join("examples/seeds.jsonl")));
    let events = events(dir.path());
    assert_eq!(events.len(), 2);
    let talks = seed_event(&events);
    assert_eq!(talks["outlets"].as_array().unwrap().len(), 4, "{talks:#}");
    let disagreement = talks["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["slot"].as_str().unwrap().contains("country:KW"))
        .unwrap_or_else(|| panic!("no disagreement on Kuwait's minister: {talks:#}"));
    let values = disagreement["values"].as_array().unwrap();
    assert_eq!(values.len(), 2, "{disagreement:#}");
    let counts: Vec<usize> = {
        let mut c: Vec<usize> = values
            .iter()
            .map(|v| v["sources"].as_array().unwrap().len())
            .collect();
        c.sort();
        c
    };
    assert_eq!(
        counts,
        [1, 3],
        "one source names Al-Yahya, three Al-Sabah: {disagreement:#}"
    );
    // `show` prints it for people too.
    let id = talks["id"].as_str().unwrap();
    let out = ok(khabar(dir.path()).args(["show", id]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("disagreements:") && text.contains("اليحيا"),
        "{text}"
    );
    assert!(text.contains("PREVIEW"), "{text}");
}

#[test]
fn every_ingest_order_gives_the_same_events_and_ids() {
    let files = seed_files();
    let reference = {
        let dir = tempfile::tempdir().unwrap();
        ok(khabar(dir.path()).arg("ingest").args(&files));
        events(dir.path())
    };
    let expected = partition(&reference);
    let mut orders = vec![];
    permutations(&mut (0..files.len()).collect::<Vec<_>>(), 0, &mut orders);
    assert_eq!(orders.len(), 120);
    for order in &orders {
        let dir = tempfile::tempdir().unwrap();
        ok(khabar(dir.path())
            .arg("ingest")
            .args(order.iter().map(|&i| &files[i])));
        assert_eq!(partition(&events(dir.path())), expected, "order {order:?}");
    }
    // One article per run, in reverse: the store grows across runs.
    let dir = tempfile::tempdir().unwrap();
    for file in files.iter().rev() {
        ok(khabar(dir.path()).arg("ingest").arg(file));
    }
    assert_eq!(partition(&events(dir.path())), expected, "one file per run");
    // Re-ingesting the same files is a no-op: not even a copy of itself is recorded.
    let before = events(dir.path());
    let out = ok(khabar(dir.path()).arg("ingest").args(&files));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ingested 0, duplicates 5"));
    assert_eq!(events(dir.path()), before);
}

fn permutations(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if k == items.len() {
        out.push(items.clone());
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, out);
        items.swap(k, i);
    }
}

#[test]
fn explain_says_why_each_article_is_grouped() {
    let dir = tempfile::tempdir().unwrap();
    ok(khabar(dir.path())
        .arg("ingest")
        .arg(repo().join("examples/seeds.jsonl")));
    let events = events(dir.path());
    let talks = seed_event(&events);
    let id = talks["id"].as_str().unwrap();
    let out = ok(khabar(dir.path()).args(["explain", id, "--json"]));
    let report: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.len(), 4);
    for member in &report {
        let m = &member["membership"];
        let mean = m["mean_score"].as_f64().unwrap();
        assert!(mean >= m["threshold"].as_f64().unwrap(), "{member:#}");
        assert!(!member["links"].as_array().unwrap().is_empty());
    }
    // Which words two reports share, the ones that counted most first: the Arabic reports share
    // the minister's family name; an Arabic and the English report share none and are scored
    // without them.
    let links: Vec<&Value> = report
        .iter()
        .flat_map(|m| m["links"].as_array().unwrap())
        .collect();
    let shared = |l: &Value| -> Vec<String> {
        l["evidence"]["shared_words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        links
            .iter()
            .any(|l| shared(l).iter().any(|w| w == "الصباح")),
        "{links:#?}"
    );
    let across: Vec<&&Value> = links
        .iter()
        .filter(|l| l["evidence"]["features"]["without_vocabulary"] == true)
        .collect();
    assert!(!across.is_empty());
    for l in across {
        assert_eq!(l["evidence"]["features"]["shared_vocabulary"], 0.0, "{l:#}");
    }
    let out = ok(khabar(dir.path()).args(["explain", id]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("closest member")
            && text.contains("text similarity")
            && text.contains("shared words"),
        "{text}"
    );
    let single = events.iter().find(|e| e["id"] != talks["id"]).unwrap();
    let out = ok(khabar(dir.path()).args(["explain", single["id"].as_str().unwrap()]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("alone"));
}
