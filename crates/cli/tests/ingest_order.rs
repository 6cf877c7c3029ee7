//! What ingest order changes, through the real binary (README, "Ingest order"): the articles of
//! one batch are weighed and linked as a set, so one batch's worth of articles makes the same
//! events in any order. The seeds' 120 orders (tests/seeds.rs) never reach the candidate cap and
//! barely move the stem weights; 64 ECB+ reports of many stories, all undated (so every one is
//! every other's candidate), reach both.

mod common;

use common::*;

/// Articles in one batch (`crates/cli/src/commands/ingest.rs`).
const BATCH: usize = 64;

#[test]
fn one_batch_makes_the_same_events_in_any_order() {
    let stream = std::fs::read_to_string(repo().join("data/eval/clusters/ecbplus-dev.jsonl"))
        .expect("the ECB+ evaluation stream ships in the repository");
    let records: Vec<&str> = stream.lines().take(BATCH).collect();
    assert_eq!(records.len(), BATCH);
    let n = records.len();
    // Forward, reversed, and two fixed interleavings (odd positions first; a stride of 7).
    let orders: Vec<Vec<usize>> = vec![
        (0..n).collect(),
        (0..n).rev().collect(),
        (0..n)
            .filter(|i| i % 2 == 1)
            .chain((0..n).filter(|i| i % 2 == 0))
            .collect(),
        (0..n).map(|i| i * 7 % n).collect(),
    ];
    let inputs = tempfile::tempdir().unwrap();
    let mut expected = None;
    for (k, order) in orders.iter().enumerate() {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..n).collect::<Vec<_>>(),
            "order {k} is a permutation"
        );
        let file = inputs.path().join(format!("order-{k}.jsonl"));
        let lines: Vec<&str> = order.iter().map(|&i| records[i]).collect();
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let data = tempfile::tempdir().unwrap();
        ok(khabar(data.path()).arg("ingest").arg(&file));
        let got = partition(&events(data.path()));
        assert!(
            got.len() > 1 && got.len() < n,
            "a real grouping: {} events",
            got.len()
        );
        match &expected {
            None => expected = Some(got),
            Some(first) => assert_eq!(&got, first, "order {k} against file order"),
        }
    }
}
