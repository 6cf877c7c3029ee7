//! `khabar eval clusters` through the real binary: a gold stream is ingested into a fresh store
//! (never the user's), and the printed figures are the ones the labels and the engine's events
//! give.

mod common;

use common::*;
use std::path::Path;

fn eval(gold: &Path, data: &Path, extra: &[&str]) -> serde_json::Value {
    let out = ok(khabar(data)
        .args(["eval", "clusters", "--json"])
        .arg(gold)
        .args(extra));
    serde_json::from_slice(&out.stdout).expect("eval clusters --json prints one JSON object")
}

fn write_jsonl(path: &Path, records: &[serde_json::Value]) {
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn in_unit_range(v: &serde_json::Value) -> bool {
    v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x))
}

/// The seeds: four reports of the Kuwaiti–Russian talks in Moscow (three Arabic, one English) and
/// the Jordanian–Russian talks. The engine groups them exactly so (tests/seeds.rs), so every
/// figure is 1; one record repeats a text and is counted once.
#[test]
fn seeds_as_a_gold_stream_score_perfectly() {
    let seeds = seed_files();
    let mut records = Vec::new();
    for (i, path) in seeds.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (event, lang) = match &name[..3] {
            "003" => ("kuwait-russia", "en"),
            "004" => ("jordan-russia", "ar"),
            _ => ("kuwait-russia", "ar"),
        };
        records.push(serde_json::json!({
            "id": format!("seed-{i}"),
            "lang": lang,
            "text": std::fs::read_to_string(path).unwrap(),
            "event": event,
        }));
    }
    // The English report again, under another id: the same article.
    let mut again = records[3].clone();
    again["id"] = "seed-again".into();
    records.push(again);

    let inputs = tempfile::tempdir().unwrap();
    let gold = inputs.path().join("seeds.jsonl");
    write_jsonl(&gold, &records);
    let user_store = tempfile::tempdir().unwrap();
    let r = eval(&gold, user_store.path(), &[]);

    assert!(
        !user_store.path().join("khabar.sqlite").exists(),
        "the user's store is never written"
    );
    assert_eq!(r["records"], 6, "{r:#}");
    assert_eq!(r["articles"], 5, "{r:#}");
    assert_eq!(r["duplicate_records"], 1, "{r:#}");
    assert_eq!(r["conflicting_duplicates"], 0, "{r:#}");
    assert_eq!(r["not_stored"], 0, "{r:#}");
    assert_eq!(r["gold_events"], 2, "{r:#}");
    assert_eq!(r["engine_events"], 2, "{r:#}");
    // Gold pairs: C(4,2) = 6, of which 3 cross-language (the English report with each Arabic one).
    assert_eq!(r["pairwise"]["gold_pairs"], 6, "{r:#}");
    assert_eq!(r["pairwise"]["true_pairs"], 6, "{r:#}");
    assert_eq!(r["cross_language"]["gold_pairs"], 3, "{r:#}");
    for figure in ["pairwise", "bcubed", "cross_language"] {
        for m in ["precision", "recall", "f1"] {
            assert_eq!(r[figure][m].as_f64(), Some(1.0), "{figure} {m}: {r:#}");
        }
    }
    assert!(r["seconds"].as_f64().unwrap() > 0.0);
    assert!(r["articles_per_second"].as_f64().unwrap() > 0.0);
}

/// Every article its own gold event (real sentences on unrelated stories): there is no gold pair,
/// so pairwise recall is undefined (null), B-cubed recall is exactly 1 whatever the engine did,
/// and a conflicting duplicate keeps its first label.
#[test]
fn all_singletons_and_a_kept_store() {
    let texts = [
        ("en", "The central bank raised its main interest rate by a quarter of a percentage point on Thursday, citing persistent inflation in services."),
        ("en", "Heavy snow closed the mountain pass for a second day, and the regional authority advised drivers to postpone all journeys until Saturday."),
        ("de", "Die Stadtbibliothek eröffnet im Herbst einen Neubau mit Lesesaal, Werkstatt und einem Café im obersten Stockwerk."),
        ("es", "El equipo local ganó la final del torneo juvenil por tres goles a uno ante más de diez mil espectadores."),
    ];
    let mut records: Vec<serde_json::Value> = texts
        .iter()
        .enumerate()
        .map(|(i, (lang, text))| serde_json::json!({"id": i, "lang": lang, "text": text, "event": i}))
        .collect();
    // The first text again with another label: counted once, under its first label.
    records.push(serde_json::json!({"id": 9, "lang": "en", "text": texts[0].1, "event": 9}));

    let inputs = tempfile::tempdir().unwrap();
    let gold = inputs.path().join("singletons.jsonl");
    write_jsonl(&gold, &records);
    let kept = inputs.path().join("kept-store");
    let data = tempfile::tempdir().unwrap();
    let r = eval(&gold, data.path(), &["--store", kept.to_str().unwrap()]);

    assert_eq!(r["records"], 5, "{r:#}");
    assert_eq!(r["articles"], 4, "{r:#}");
    assert_eq!(r["duplicate_records"], 1, "{r:#}");
    assert_eq!(r["conflicting_duplicates"], 1, "{r:#}");
    assert_eq!(r["gold_events"], 4, "{r:#}");
    let engine_events = r["engine_events"].as_u64().unwrap();
    assert!((1..=4).contains(&engine_events), "{r:#}");
    assert_eq!(r["pairwise"]["gold_pairs"], 0, "{r:#}");
    assert_eq!(r["pairwise"]["true_pairs"], 0, "{r:#}");
    assert!(r["pairwise"]["recall"].is_null(), "{r:#}");
    assert_eq!(r["bcubed"]["recall"].as_f64(), Some(1.0), "{r:#}");
    assert!(in_unit_range(&r["bcubed"]["precision"]), "{r:#}");
    assert!(in_unit_range(&r["bcubed"]["f1"]), "{r:#}");
    // Unrelated stories stay apart: 4 engine events, B-cubed precision 1, no engine pair.
    assert_eq!(engine_events, 4, "{r:#}");
    assert_eq!(r["bcubed"]["precision"].as_f64(), Some(1.0), "{r:#}");
    assert!(r["pairwise"]["precision"].is_null(), "{r:#}");

    // The kept store holds the four articles; evaluating into it again is refused (not fresh).
    assert!(kept.join("khabar.sqlite").exists());
    let stderr = fails(
        khabar(data.path())
            .args(["eval", "clusters", "--json", "--store"])
            .arg(&kept)
            .arg(&gold),
    );
    assert!(stderr.contains("already holds a store"), "{stderr}");
}

/// A record without a gold label is an error naming its line, not a silently skipped article.
#[test]
fn a_record_without_a_label_is_named() {
    let inputs = tempfile::tempdir().unwrap();
    let gold = inputs.path().join("bad.jsonl");
    std::fs::write(
        &gold,
        "{\"text\": \"A story.\", \"event\": \"a\"}\n{\"text\": \"Another story.\"}\n",
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let stderr = fails(khabar(data.path()).args(["eval", "clusters"]).arg(&gold));
    assert!(
        stderr.contains("bad.jsonl:2") && stderr.contains("event"),
        "{stderr}"
    );
}

/// Two reports of a flood from one page URL (the second an update of the first) and an
/// unrelated German report.
fn copies_of_one_page() -> [serde_json::Value; 3] {
    let url = "https://news.example.org/2024/05/flood";
    [
        serde_json::json!({"id": 1, "lang": "en", "url": url, "event": "flood",
            "text": "Floodwaters rose through the old town overnight, and rescue teams moved two hundred residents to the sports hall."}),
        serde_json::json!({"id": 2, "lang": "en", "url": url, "event": "flood",
            "text": "Updated: floodwaters rose through the old town overnight; rescue teams moved about two hundred residents to the sports hall, the mayor said."}),
        serde_json::json!({"id": 3, "lang": "de", "event": "library",
            "text": "Die Stadtbibliothek eröffnet im Herbst einen Neubau mit Lesesaal, Werkstatt und einem Café im obersten Stockwerk."}),
    ]
}

/// Two different texts from one page URL are one article for the engine (the second is kept as a
/// copy): both gold records then sit in the event of the stored one, so the pair counts as made.
#[test]
fn a_copy_of_the_same_page_takes_its_originals_event() {
    let records = copies_of_one_page();
    let inputs = tempfile::tempdir().unwrap();
    let gold = inputs.path().join("copies.jsonl");
    write_jsonl(&gold, &records);
    let data = tempfile::tempdir().unwrap();
    let r = eval(&gold, data.path(), &[]);
    assert_eq!(r["articles"], 3, "{r:#}");
    assert_eq!(r["stored_as_copies"], 1, "{r:#}");
    assert_eq!(r["not_stored"], 0, "{r:#}");
    assert_eq!(r["engine_events"], 2, "{r:#}");
    assert_eq!(r["pairwise"]["true_pairs"], 1, "{r:#}");
    assert_eq!(r["pairwise"]["precision"].as_f64(), Some(1.0), "{r:#}");
    assert_eq!(r["pairwise"]["recall"].as_f64(), Some(1.0), "{r:#}");
}

/// `--order` ingests the stream once per order into fresh stores and compares each order's events
/// with the first's; a copy the engine keeps is named by its line in the reordered file, which is
/// mapped back to the gold file's (reversed, the first record becomes the copy).
#[test]
fn orders_are_ingested_apart_and_compared() {
    let records = copies_of_one_page();
    let inputs = tempfile::tempdir().unwrap();
    let gold = inputs.path().join("copies.jsonl");
    write_jsonl(&gold, &records);
    let data = tempfile::tempdir().unwrap();
    let r = eval(
        &gold,
        data.path(),
        &[
            "--order",
            "reversed",
            "--order",
            "forward",
            "--order",
            "shuffle:3",
        ],
    );
    let runs = r["runs"].as_array().expect("one report per order");
    let orders: Vec<&str> = runs
        .iter()
        .map(|run| run["order"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["reversed", "forward", "shuffle:3"], "{r:#}");
    for run in runs {
        assert_eq!(run["stored_as_copies"], 1, "{r:#}");
        assert_eq!(run["not_stored"], 0, "{r:#}");
        assert_eq!(run["pairwise"]["recall"].as_f64(), Some(1.0), "{r:#}");
    }
    let against = r["against_first"].as_array().unwrap();
    assert_eq!(against.len(), 2, "{r:#}");
    for d in against {
        assert_eq!(d["first"], "reversed", "{r:#}");
        assert_eq!(d["articles_regrouped"], 0, "{r:#}");
        assert_eq!(d["pairs_disagreeing"], 0, "{r:#}");
    }
    // A kept store is the store of one ingest.
    let kept = inputs.path().join("kept");
    let err = fails(
        khabar(data.path())
            .args([
                "eval", "clusters", "--order", "forward", "--order", "reversed", "--store",
            ])
            .arg(&kept)
            .arg(&gold),
    );
    assert!(err.contains("--order"), "{err}");
}
