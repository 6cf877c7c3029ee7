//! Which long-text behaviour correlates best with human same-story ratings?
//!
//! Reads the SemEval-2022 dev pairs (`data/eval/semeval22-pairs-dev.jsonl`), embeds both texts
//! of each pair under several strategies and prints Pearson r of the cosine against −overall
//! (overall and per language pair) and the same-story ROC-AUC (overall ≤ 1.5).
//!
//! `cargo run --release -p khabar-embed --example long_text_eval -- [PAIRS.jsonl]` (default: the repository's copy)

use khabar_embed::{default_model_dir, split_sentences, Embedder, DIM};

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx.sqrt() * syy.sqrt())
}

fn auc(score: &[f64], pos: &[bool]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (i, &si) in score.iter().enumerate() {
        if !pos[i] {
            continue;
        }
        for (j, &sj) in score.iter().enumerate() {
            if pos[j] {
                continue;
            }
            den += 1.0;
            if si > sj {
                num += 1.0;
            } else if si == sj {
                num += 0.5;
            }
        }
    }
    num / den
}

fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

fn mean_of(vs: &[Vec<f32>]) -> Vec<f32> {
    let mut m = vec![0f32; DIM];
    for v in vs {
        for (a, b) in m.iter_mut().zip(v) {
            *a += b;
        }
    }
    normalize(&mut m);
    m
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x * y) as f64).sum()
}

fn words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/eval/semeval22-pairs-dev.jsonl"
        )
        .into()
    });
    let model = Embedder::load(&default_model_dir())?;
    let mut pairs = Vec::new();
    for line in std::fs::read_to_string(&path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let lp = format!(
            "{}-{}",
            v["lang1"].as_str().unwrap(),
            v["lang2"].as_str().unwrap()
        );
        pairs.push((
            lp,
            v["text1"].as_str().unwrap().to_string(),
            v["text2"].as_str().unwrap().to_string(),
            v["overall"].as_f64().unwrap(),
        ));
    }
    type Strategy<'a> = (&'a str, Box<dyn Fn(&str) -> Vec<f32> + 'a>);
    let m = &model;
    let strategies: Vec<Strategy> = vec![
        ("whole text, one input", Box::new(|t: &str| m.embed(t))),
        ("first 64 words", Box::new(|t: &str| m.embed(&words(t, 64)))),
        (
            "first 128 words",
            Box::new(|t: &str| m.embed(&words(t, 128))),
        ),
        (
            "first 2 sentences (lead)",
            Box::new(|t: &str| {
                let s = split_sentences(t);
                m.embed(&s.iter().take(2).cloned().collect::<Vec<_>>().join(" "))
            }),
        ),
        (
            "mean of sentence vectors",
            Box::new(|t: &str| {
                let s = split_sentences(t);
                if s.is_empty() {
                    return m.embed(t);
                }
                mean_of(&m.embed_batch(&s))
            }),
        ),
        (
            "mean of first 5 sentence vectors",
            Box::new(|t: &str| {
                let s = split_sentences(t);
                if s.is_empty() {
                    return m.embed(t);
                }
                mean_of(&m.embed_batch(&s[..s.len().min(5)]))
            }),
        ),
        (
            "mean of 40-word chunk vectors",
            Box::new(|t: &str| {
                let w: Vec<&str> = t.split_whitespace().collect();
                let chunks: Vec<String> = w.chunks(40).map(|c| c.join(" ")).collect();
                let refs: Vec<&str> = chunks.iter().map(|s| s.as_str()).collect();
                if refs.is_empty() {
                    return m.embed(t);
                }
                mean_of(&m.embed_batch(&refs))
            }),
        ),
        (
            "whole + mean of sentences",
            Box::new(|t: &str| {
                let s = split_sentences(t);
                let mut v = vec![m.embed(t)];
                if !s.is_empty() {
                    v.push(mean_of(&m.embed_batch(&s)));
                }
                mean_of(&v)
            }),
        ),
        (
            "first 64 tokens",
            Box::new(|t: &str| m.embed_truncated(t, 64)),
        ),
        (
            "first 96 tokens",
            Box::new(|t: &str| m.embed_truncated(t, 96)),
        ),
        (
            "first 128 tokens",
            Box::new(|t: &str| m.embed_truncated(t, 128)),
        ),
        (
            "first 192 tokens",
            Box::new(|t: &str| m.embed_truncated(t, 192)),
        ),
        (
            "first 256 tokens",
            Box::new(|t: &str| m.embed_truncated(t, 256)),
        ),
        (
            "whole text, Arabic-Indic digits → ASCII",
            Box::new(|t: &str| m.embed(&khabar_embed::ascii_digits(t))),
        ),
        (
            "embed_document (chosen)",
            Box::new(|t: &str| m.embed_document(t)),
        ),
    ];
    let langs = [
        "ar-ar", "en-en", "de-en", "de-de", "es-es", "tr-tr", "pl-pl", "fr-fr",
    ];
    print!("| strategy | Pearson all | ");
    for l in langs {
        print!("{l} | ");
    }
    println!("same-story AUC |");
    print!("|---|---|");
    for _ in langs {
        print!("---|");
    }
    println!("---|");
    let target: Vec<f64> = pairs.iter().map(|p| -p.3).collect();
    let pos: Vec<bool> = pairs.iter().map(|p| p.3 <= 1.5).collect();
    for (name, f) in &strategies {
        let cos: Vec<f64> = pairs.iter().map(|p| dot(&f(&p.1), &f(&p.2))).collect();
        print!("| {name} | {:.3} | ", pearson(&cos, &target));
        for l in langs {
            let (c, t): (Vec<f64>, Vec<f64>) = pairs
                .iter()
                .zip(&cos)
                .filter(|(p, _)| p.0 == l)
                .map(|(p, c)| (*c, -p.3))
                .unzip();
            print!("{:.3} | ", pearson(&c, &t));
        }
        println!("{:.3} |", auc(&cos, &pos));
    }
    Ok(())
}
