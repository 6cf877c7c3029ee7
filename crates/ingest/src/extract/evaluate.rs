//! Scoring main-content extraction the way the article-extraction benchmark does.
//!
//! Tokens are runs of Unicode word characters (`\w+`: letters, marks, digits, connector
//! punctuation). Per page, the 4-token shingles of the truth and of the prediction are counted as
//! multisets: tp = shared, fp = only predicted, fn = only true. Precision is the mean over pages
//! with tp + fp > 0 of tp / (tp + fp); recall the mean over pages with tp + fn > 0 of
//! tp / (tp + fn); both are 1 for a page with fp = fn = 0 and 0 for one with tp = 0. F1 comes from
//! the two means.

use serde::Serialize;
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::Path;

/// Shingle counts of one page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PageScore {
    /// Shingles in both.
    pub tp: u64,
    /// Shingles only in the prediction.
    pub fp: u64,
    /// Shingles only in the truth.
    pub fn_: u64,
}

impl PageScore {
    /// Precision of the page, if it predicted anything or had nothing to find.
    pub fn precision(&self) -> Option<f64> {
        self.ratio(self.tp + self.fp)
    }

    /// Recall of the page, if it had anything to find.
    pub fn recall(&self) -> Option<f64> {
        self.ratio(self.tp + self.fn_)
    }

    fn ratio(&self, denominator: u64) -> Option<f64> {
        if denominator == 0 {
            return None;
        }
        if self.fp == 0 && self.fn_ == 0 {
            return Some(1.0);
        }
        Some(self.tp as f64 / denominator as f64)
    }
}

/// Word tokens (`\w+` runs).
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_' || is_mark(c);
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Combining marks (Arabic harakat, for instance) are word characters in `\w`.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC
        | 0x06DF..=0x06E4 | 0x06E7 | 0x06E8 | 0x06EA..=0x06ED | 0x200C | 0x200D)
}

fn shingles(text: &str) -> HashMap<Vec<&str>, u64> {
    let tokens = tokens(text);
    let mut out = HashMap::new();
    if tokens.is_empty() {
        return out;
    }
    if tokens.len() < 4 {
        *out.entry(tokens).or_insert(0) += 1;
        return out;
    }
    for window in tokens.windows(4) {
        *out.entry(window.to_vec()).or_insert(0) += 1;
    }
    out
}

/// Scores one prediction against its truth.
pub fn score_page(truth: &str, predicted: &str) -> PageScore {
    let truth = shingles(truth);
    let predicted = shingles(predicted);
    let mut score = PageScore::default();
    for (shingle, &p) in &predicted {
        let t = truth.get(shingle).copied().unwrap_or(0);
        score.tp += p.min(t);
        score.fp += p.saturating_sub(t);
    }
    for (shingle, &t) in &truth {
        let p = predicted.get(shingle).copied().unwrap_or(0);
        score.fn_ += t.saturating_sub(p);
    }
    score
}

/// Precision, recall and F1 over a set of pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Mean page precision.
    pub precision: f64,
    /// Mean page recall.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Pages scored.
    pub pages: usize,
}

/// Summarises page scores.
pub fn summarise(pages: &[PageScore]) -> Summary {
    let mean = |values: Vec<f64>| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let precision = mean(pages.iter().filter_map(PageScore::precision).collect());
    let recall = mean(pages.iter().filter_map(PageScore::recall).collect());
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Summary {
        precision,
        recall,
        f1,
        pages: pages.len(),
    }
}

/// One page of the benchmark: key, URL, truth body and the raw page bytes.
#[derive(Debug, Clone)]
pub struct BenchmarkPage {
    /// The page key (file stem).
    pub key: String,
    /// The page's URL.
    pub url: Option<String>,
    /// Ground-truth article body.
    pub truth: String,
    /// The page as crawled (HTML bytes, decompressed).
    pub html: Vec<u8>,
}

/// Loads a benchmark directory: `ground-truth.json` (`{KEY: {"articleBody", "url"}}`) and
/// `html/KEY.html.gz` (or `html/KEY.html`). Pages are returned sorted by key.
pub fn load_benchmark(dir: &Path) -> Result<Vec<BenchmarkPage>, String> {
    let truth_path = dir.join("ground-truth.json");
    let raw = fs::read_to_string(&truth_path)
        .map_err(|e| format!("{}: cannot read: {e}", truth_path.display()))?;
    let truth: HashMap<String, serde_json::Value> = serde_json::from_str(&raw)
        .map_err(|e| format!("{}: not a JSON object of pages: {e}", truth_path.display()))?;
    let mut keys: Vec<&String> = truth.keys().collect();
    keys.sort();
    let mut pages = Vec::with_capacity(keys.len());
    for key in keys {
        let entry = &truth[key];
        let body = entry
            .get("articleBody")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{}: page {key} has no articleBody", truth_path.display()))?;
        let gz = dir.join("html").join(format!("{key}.html.gz"));
        let html = if gz.exists() {
            let file = fs::File::open(&gz).map_err(|e| format!("{}: {e}", gz.display()))?;
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(file)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{}: not gzip: {e}", gz.display()))?;
            bytes
        } else {
            let plain = dir.join("html").join(format!("{key}.html"));
            fs::read(&plain).map_err(|e| format!("{}: {e}", plain.display()))?
        };
        pages.push(BenchmarkPage {
            key: key.clone(),
            url: entry.get("url").and_then(|v| v.as_str()).map(String::from),
            truth: body.to_string(),
            html,
        });
    }
    Ok(pages)
}

/// The outcome of running khabar's HTML reader over a benchmark directory.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Extractor name and version.
    pub extractor: String,
    /// Precision, recall, F1 and page count.
    #[serde(flatten)]
    pub summary: Summary,
    /// Pages read per second (decode, parse, extract, metadata), one thread.
    pub pages_per_second: f64,
    /// Per page: key, URL and counts.
    pub per_page: Vec<(String, Option<String>, PageScore)>,
    /// Pages the reader rejected (scored as empty predictions), with the reason.
    pub rejected: Vec<(String, String)>,
}

/// Reads every page of a benchmark directory through the HTML reader
/// ([`crate::html::article_from_html`], the same path as `khabar ingest`) and scores the bodies.
pub fn run(dir: &Path) -> Result<Report, String> {
    let pages = load_benchmark(dir)?;
    let limits = crate::Limits::default();
    let mut predictions = Vec::with_capacity(pages.len());
    let mut rejected = Vec::new();
    let start = std::time::Instant::now();
    for page in &pages {
        let context = crate::html::PageContext {
            url: page.url.as_deref(),
            ..Default::default()
        };
        let source = khabar_core::Source::File {
            path: format!("{}/html/{}", dir.display(), page.key),
        };
        match crate::html::article_from_html(&page.html, source, &context, &limits) {
            Ok(article) => predictions.push(article.body),
            Err(reason) => {
                rejected.push((page.key.clone(), reason));
                predictions.push(String::new());
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let per_page: Vec<(String, Option<String>, PageScore)> = pages
        .iter()
        .zip(&predictions)
        .map(|(page, predicted)| {
            (
                page.key.clone(),
                page.url.clone(),
                score_page(&page.truth, predicted),
            )
        })
        .collect();
    let scores: Vec<PageScore> = per_page.iter().map(|(_, _, s)| *s).collect();
    Ok(Report {
        extractor: format!("khabar {}", env!("CARGO_PKG_VERSION")),
        summary: summarise(&scores),
        pages_per_second: pages.len() as f64 / seconds,
        per_page,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_word_runs_in_any_script() {
        assert_eq!(
            tokens("Lavrov's visit, 2023 — وزيرُ الخارجية"),
            ["Lavrov", "s", "visit", "2023", "وزيرُ", "الخارجية"]
        );
    }

    #[test]
    fn scores_shingle_multisets() {
        let truth = "one two three four five";
        assert_eq!(
            score_page(truth, truth),
            PageScore {
                tp: 2,
                fp: 0,
                fn_: 0
            }
        );
        let s = score_page(truth, "one two three four six");
        assert_eq!((s.tp, s.fp, s.fn_), (1, 1, 1));
        assert_eq!(s.precision(), Some(0.5));
        let empty = score_page(truth, "");
        assert_eq!(empty.precision(), None);
        assert_eq!(empty.recall(), Some(0.0));
        let summary = summarise(&[s, empty]);
        assert_eq!(summary.precision, 0.5);
        assert_eq!(summary.recall, 0.25);
        assert!((summary.f1 - 1.0 / 3.0).abs() < 1e-9);
    }
}
