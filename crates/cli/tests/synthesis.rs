//! An event grown one article at a time is re-synthesised from its members' stored documents
//! (kept without tokens) and 5-gram hashes; it must be the event `synthesise` builds from the
//! members' whole documents, analysed again here from the records ingested.

mod common;

use common::*;
use khabar_core::{ArticleId, Doc};
use khabar_ingest::{read_input, Input, Item, Limits};
use khabar_store::{Reads, Store};
use std::collections::BTreeMap;

#[test]
fn an_event_grown_article_by_article_equals_the_one_synthesised_from_whole_documents() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<serde_json::Value> =
        std::fs::read_to_string(repo().join("examples/seeds.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    // The seeds, then the same text from another outlet (a sighting of the stored article) and
    // the text with its last sentence dropped (stored, a near-copy of it).
    let credited = records[3].clone();
    let mut again = credited.clone();
    again["id"] = "005_again".into();
    again["outlet"] = "Another Outlet".into();
    let mut edited = credited.clone();
    let text = credited["text"].as_str().unwrap().trim_end();
    let cut = text[..text.len() - 1].rfind(['.', '\n']).unwrap();
    edited["id"] = "006_edited".into();
    edited["outlet"] = "Third Outlet".into();
    edited["text"] = text[..=cut].into();
    let inputs = tempfile::tempdir().unwrap();
    let analyser =
        khabar_analyse::Analyser::load(&khabar_analyse::default_gazetteer_dir()).unwrap();
    let mut whole: BTreeMap<ArticleId, Doc> = BTreeMap::new();
    for (i, record) in records.iter().chain([&again, &edited]).enumerate() {
        let file = inputs.path().join(format!("{i}.jsonl"));
        std::fs::write(&file, format!("{record}\n")).unwrap();
        ok(khabar(dir.path()).arg("ingest").arg(&file));
        read_input(&Input::Path(file), &Limits::default(), &mut |item| {
            if let Item::Article(a) = item {
                whole.entry(a.id).or_insert_with(|| analyser.analyse(a));
            }
        });
    }

    let store = Store::open(dir.path()).unwrap();
    let events = store.events().unwrap();
    let talks = events.iter().map(|e| e.members.len()).max().unwrap();
    assert_eq!(talks, 5, "the talks and the near-copy: {events:#?}");
    let mut sightings = 0;
    for event in &events {
        let docs: Vec<Doc> = event
            .members
            .iter()
            .map(|m| {
                // Stored: the document the analyser makes, without its tokens and vectors.
                let stored = store.doc(&m.article).unwrap().unwrap().slim();
                let doc = whole[&m.article].clone();
                assert!(!doc.tokens.is_empty());
                assert_eq!(
                    serde_json::to_value(doc.slim()).unwrap(),
                    serde_json::to_value(&stored).unwrap()
                );
                doc
            })
            .collect();
        let mut copies = BTreeMap::new();
        for d in &docs {
            let found = store.sightings(&d.article.id).unwrap();
            sightings += found.len();
            if !found.is_empty() {
                copies.insert(d.article.id, found);
            }
        }
        assert_eq!(&khabar_synthesise::synthesise(&docs, &copies), event);
    }
    assert_eq!(sightings, 1);
    assert!(
        events
            .iter()
            .flat_map(|e| &e.members)
            .any(|m| m.origin.kind == "copy"),
        "the edited text is a near-copy: {events:#?}"
    );
}
