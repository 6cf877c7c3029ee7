//! `khabar eval pairs` through the binary, on the real SemEval-2022 dev pairs: the report a script
//! reads, and the engine's similarity doing better than the document cosine it starts from.

mod common;

use common::*;
use std::io::Write;

#[test]
fn the_model_beats_the_plain_cosine_on_rated_pairs_and_reports_every_language_pair() {
    let pairs = repo().join("data/eval/semeval22-pairs-dev.jsonl");
    let data = tempfile::tempdir().unwrap();
    let out = ok(khabar(data.path())
        .args(["eval", "pairs", "--json"])
        .arg(&pairs));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["pairs"], 757);
    let pearson = report["pearson"].as_object().unwrap();
    for key in [
        "overall", "ar-ar", "de-de", "de-en", "en-en", "es-es", "fr-fr", "pl-pl", "tr-tr",
    ] {
        let r = pearson[key].as_f64().unwrap_or(f64::NAN);
        assert!(r > 0.0 && r <= 1.0, "{key}: {r}");
    }
    let cosine = report["document_cosine_only"]["pearson"]["overall"]
        .as_f64()
        .unwrap();
    let overall = pearson["overall"].as_f64().unwrap();
    // Fitted on this file among others, so this is a floor, not the held-out figure
    // (docs/clustering.md): the model must at least beat its own main input.
    assert!(overall > cosine, "{overall} vs {cosine}");
    // The issue's two baselines, computed in the same run: the whole-text USE cosine reproduces
    // the Python package's figure in data/eval/README.md (0.681), and the TF-IDF cosine with
    // scikit-learn's defaults gives 0.536 (the README's own TF-IDF variant, 0.547, is not named).
    let baseline = |name: &str| report[name]["pearson"]["overall"].as_f64().unwrap();
    let (tfidf, use_whole) = (baseline("tfidf_cosine"), baseline("use_whole_text_cosine"));
    assert!((use_whole - 0.681).abs() < 0.005, "{use_whole}");
    assert!((tfidf - 0.536).abs() < 0.005, "{tfidf}");
    assert!(overall > use_whole && overall > tfidf);
    let auc = report["auc"].as_f64().unwrap();
    assert!(auc > report["document_cosine_only"]["auc"].as_f64().unwrap());
    let same_story = &report["same_story"];
    assert!(
        same_story["precision"].as_f64().unwrap() > 0.5,
        "{same_story}"
    );
    assert!(same_story["recall"].as_f64().unwrap() > 0.5, "{same_story}");
}

#[test]
fn a_malformed_pair_is_named_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pairs.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    writeln!(
        f,
        r#"{{"pair_id": "1_2", "lang1": "en", "lang2": "en", "text1": "a", "text2": "b", "overall": 1.0}}"#
    )
    .unwrap();
    writeln!(f, r#"{{"pair_id": "3_4", "lang1": "en""#).unwrap();
    drop(f);
    let stderr = fails(khabar(dir.path()).args(["eval", "pairs"]).arg(&file));
    assert!(stderr.contains("pairs.jsonl:2"), "{stderr}");
}
