//! `khabar search` and `khabar reindex` on the seeds, through the real binary: names across
//! scripts, spellings, snippets' spans, filters, crash safety, rebuilds, and each event found by
//! its own titles.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

fn seeded() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    ok(khabar(data.path()).arg("ingest").args(seed_files()));
    data
}

/// `khabar search ARGS --json`, parsed.
fn search(data: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = ok(khabar(data).arg("search").args(args).arg("--json"));
    serde_json::from_slice(&out.stdout).expect("search --json prints JSON")
}

fn ids(hits: &[serde_json::Value]) -> BTreeSet<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// The seeds' two events: (Kuwait–Russia talks, Jordan–Russia call).
fn the_two_events(data: &Path) -> (String, String) {
    let events = events(data);
    assert_eq!(events.len(), 2);
    let size = |e: &serde_json::Value| e["articles"].as_array().unwrap().len();
    let (big, small) = if size(&events[0]) > size(&events[1]) {
        (&events[0], &events[1])
    } else {
        (&events[1], &events[0])
    };
    assert_eq!((size(big), size(small)), (4, 1));
    (
        big["id"].as_str().unwrap().to_string(),
        small["id"].as_str().unwrap().to_string(),
    )
}

#[test]
fn names_find_the_same_events_in_either_script() {
    let data = seeded();
    let (talks, call) = the_two_events(data.path());
    let both: BTreeSet<String> = [talks.clone(), call.clone()].into();
    // the English article names Lavrov; the call is reported in Arabic only
    assert_eq!(ids(&search(data.path(), &["لافروف"])), both);
    assert_eq!(ids(&search(data.path(), &["Lavrov"])), both);
    let arabic = search(data.path(), &["الكويت"]);
    let english = search(data.path(), &["Kuwait"]);
    assert_eq!(ids(&arabic), ids(&english));
    assert!(ids(&arabic).contains(&talks), "{arabic:?}");
    // and as articles: every report naming Lavrov, in both scripts
    let articles = search(data.path(), &["Lavrov", "--articles"]);
    assert_eq!(articles.len(), 5, "{articles:#?}");
    assert_eq!(
        ids(&articles),
        ids(&search(data.path(), &["لافروف", "--articles"]))
    );
}

#[test]
fn spellings_with_diacritics_tatweel_hamza_and_prefixes_find_the_same_articles() {
    let data = seeded();
    let groups: [&[&str]; 4] = [
        &[
            "الكويت",
            "الكُوَيْت",
            "الكويـــت",
            "والكويت",
            "بالكويت",
            "للكويت",
        ],
        &["الخارجية", "الخارجيه", "الخارجيّة", "والخارجية", "بالخارجية"],
        &["إسرائيل", "اسرائيل", "أسرائيل", "وإسرائيل", "لإسرائيل"],
        &["مستوى", "مستوي", "بمستوى"],
    ];
    for group in groups {
        let expected = ids(&search(data.path(), &[group[0], "--articles"]));
        assert!(!expected.is_empty(), "{}", group[0]);
        for spelling in &group[1..] {
            assert_eq!(
                ids(&search(data.path(), &[spelling, "--articles"])),
                expected,
                "{spelling} against {}",
                group[0]
            );
        }
    }
}

#[test]
fn snippets_point_at_sentences_of_the_stored_body() {
    let data = seeded();
    let hits = search(data.path(), &["لافروف", "بموسكو", "--articles"]);
    assert!(!hits.is_empty());
    let bodies: Vec<String> = seed_files()
        .into_iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for hit in &hits {
        let s = &hit["snippet"];
        let span = |v: &serde_json::Value| {
            (
                v[0].as_u64().unwrap() as usize,
                v[1].as_u64().unwrap() as usize,
            )
        };
        let (a, z) = span(&s["sentence"]);
        // the seed read as the article's body: its bytes a..z are the snippet's sentence
        let body = bodies
            .iter()
            .find(|b| b.get(a..z) == s["text"].as_str())
            .unwrap_or_else(|| panic!("no seed has the sentence {s}"));
        let highlights = s["highlights"].as_array().unwrap();
        assert!(!highlights.is_empty(), "{s}");
        for h in highlights {
            let (ha, hz) = span(h);
            assert!(a <= ha && hz <= z, "{h} outside the sentence {s}");
            let word = &body[ha..hz];
            assert!(
                ["لافروف", "Lavrov", "موسكو", "Moscow"]
                    .iter()
                    .any(|w| word.contains(w)),
                "highlighted {word:?}"
            );
        }
    }
}

#[test]
fn filters_compose() {
    let data = seeded();
    let (talks, call) = the_two_events(data.path());
    // the call has no English report
    assert_eq!(
        ids(&search(data.path(), &["Lavrov", "--lang", "en"])),
        [talks.clone()].into()
    );
    assert!(search(data.path(), &["Lavrov", "--since", "2030-01-01"]).is_empty());
    assert!(search(data.path(), &["Lavrov", "--until", "2000-01-01"]).is_empty());
    // the call's report gives no date: a date filter leaves it out
    let dated = search(
        data.path(),
        &["Lavrov", "--since", "2000-01-01", "--limit", "5"],
    );
    assert_eq!(ids(&dated), [talks.clone()].into());
    assert_eq!(ids(&search(data.path(), &["Lavrov"])), [talks, call].into());
    assert_eq!(search(data.path(), &["Lavrov", "--limit", "1"]).len(), 1);
    let articles = search(data.path(), &["Lavrov", "--articles", "--lang", "en"]);
    assert_eq!(articles.len(), 1);
}

/// What a user sees of the index: the hits of a few queries, with their scores.
fn results(data: &Path) -> String {
    let mut out = Vec::new();
    for q in [
        "Lavrov",
        "الكويت",
        "غزة Gaza",
        "وزير الخارجية",
        "phone call",
    ] {
        for target in ["--events", "--articles"] {
            out.push(search(data, &[q, target]));
        }
    }
    serde_json::to_string_pretty(&out).unwrap()
}

#[test]
fn reindex_gives_identical_results() {
    let data = seeded();
    let before = results(data.path());
    let out = ok(khabar(data.path()).arg("reindex"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "indexed 5 articles and 2 events"
    );
    assert_eq!(results(data.path()), before);
}

#[test]
fn an_index_behind_the_store_catches_up_to_the_same_hits() {
    let clean = seeded();
    let expected = results(clean.path());

    // ingested one file at a time (events regrouped and re-synthesised as they grow), with
    // the index of an earlier point put back, as if the process died after the store's commit
    let data = tempfile::tempdir().unwrap();
    let files = seed_files();
    let saved = tempfile::tempdir().unwrap();
    for (k, f) in files.iter().enumerate() {
        ok(khabar(data.path()).arg("ingest").arg(f));
        if k == 1 {
            copy_dir(&data.path().join("search-index"), saved.path());
        }
    }
    std::fs::remove_dir_all(data.path().join("search-index")).unwrap();
    copy_dir(saved.path(), &data.path().join("search-index"));
    assert_eq!(results(data.path()), expected);
    // and with no index at all
    std::fs::remove_dir_all(data.path().join("search-index")).unwrap();
    assert_eq!(results(data.path()), expected);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn kill_9_during_ingest_then_search_gives_the_uninterrupted_hits() {
    let clean = tempfile::tempdir().unwrap();
    let started = Instant::now();
    ok(khabar(clean.path()).arg("ingest").args(seed_files()));
    let full_run = started.elapsed();
    let expected = results(clean.path());

    let crashed = tempfile::tempdir().unwrap();
    for fraction in [0.3, 0.6, 0.9] {
        let mut child = khabar(crashed.path())
            .arg("ingest")
            .arg("--quiet")
            .args(seed_files())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full_run.mul_f64(fraction).max(Duration::from_millis(100)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    ok(khabar(crashed.path()).arg("ingest").args(seed_files()));
    assert_eq!(results(crashed.path()), expected);
}

#[test]
fn each_seed_event_is_found_by_its_own_titles_in_the_top_3() {
    let data = seeded();
    let mut found = 0;
    let mut asked = 0;
    for event in events(data.path()) {
        let id = event["id"].as_str().unwrap();
        for title in event["titles"].as_object().unwrap().values() {
            asked += 1;
            let hits = search(data.path(), &[title.as_str().unwrap(), "--limit", "3"]);
            if ids(&hits).contains(id) {
                found += 1;
            }
        }
    }
    assert_eq!((found, asked), (3, 3));
}
