//! Document-vector strategies on gold event clusters: ROC-AUC of the cosine for "same event"
//! over all article pairs, and within a topic only (ECB+ topics hold two events of one kind).
//!
//! `cargo run --release -p khabar-embed --example doc_eval_clusters -- data/eval/clusters/ecbplus-dev.jsonl`

use khabar_embed::{default_model_dir, split_sentences, Embedder, DIM};

fn auc(pos: &[f32], neg: &[f32]) -> f64 {
    let mut all: Vec<(f32, bool)> = pos
        .iter()
        .map(|&s| (s, true))
        .chain(neg.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // rank-sum (Mann-Whitney), ties get average ranks
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0;
        for item in &all[i..j] {
            if item.1 {
                rank_sum += avg;
            }
        }
        i = j;
    }
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    (rank_sum - np * (np + 1.0) / 2.0) / (np * nn)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: doc_eval_clusters CLUSTERS.jsonl")?;
    let model = Embedder::load(&default_model_dir())?;
    let mut docs = Vec::new();
    for line in std::fs::read_to_string(&path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v["id"].as_str().unwrap_or("").to_string();
        let topic = id.split('_').next().unwrap_or("").to_string();
        docs.push((
            topic,
            v["event"].as_str().unwrap().to_string(),
            v["text"].as_str().unwrap().to_string(),
        ));
    }
    let texts: Vec<&str> = docs.iter().map(|d| d.2.as_str()).collect();
    let m = &model;
    type Strategy<'a> = (String, Box<dyn Fn(&[&str]) -> Vec<Vec<f32>> + 'a>);
    let mut strategies: Vec<Strategy> =
        vec![("whole text".into(), Box::new(|t: &[&str]| m.embed_batch(t)))];
    for n in [64usize, 128, 192, 256, 384, 512] {
        strategies.push((
            format!("first {n} tokens"),
            Box::new(move |t: &[&str]| t.iter().map(|x| m.embed_truncated(x, n)).collect()),
        ));
    }
    strategies.push((
        "mean of sentence vectors".into(),
        Box::new(|t: &[&str]| {
            t.iter()
                .map(|x| {
                    let s = split_sentences(x);
                    let vs = if s.is_empty() {
                        vec![m.embed(x)]
                    } else {
                        m.embed_batch(&s)
                    };
                    let mut v = vec![0f32; DIM];
                    for u in &vs {
                        for (a, b) in v.iter_mut().zip(u) {
                            *a += b;
                        }
                    }
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                    v.iter_mut().for_each(|x| *x /= n.max(1e-12));
                    v
                })
                .collect()
        }),
    ));
    strategies.push((
        "embed_document".into(),
        Box::new(|t: &[&str]| m.embed_document_batch(t)),
    ));
    println!("| strategy | same-event AUC, all pairs | same-event AUC, within topic |");
    println!("|---|---|---|");
    for (name, f) in &strategies {
        let v = f(&texts);
        let (mut pos, mut neg_all, mut neg_topic) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..docs.len() {
            for j in i + 1..docs.len() {
                let c: f32 = v[i].iter().zip(&v[j]).map(|(a, b)| a * b).sum();
                if docs[i].1 == docs[j].1 {
                    pos.push(c);
                } else {
                    neg_all.push(c);
                    if docs[i].0 == docs[j].0 {
                        neg_topic.push(c);
                    }
                }
            }
        }
        println!(
            "| {name} | {:.3} | {:.3} |",
            auc(&pos, &neg_all),
            auc(&pos, &neg_topic)
        );
    }
    Ok(())
}
