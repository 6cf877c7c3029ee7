//! The analyser's bounds per article, in one place. Each keeps one stage's cost linear in its input
//! and bounded however hostile the article: what lies beyond a bound is not analysed, and the
//! document records it in `Doc::truncated` (the bound, its value and the part of the body left
//! out) — it is never dropped silently. The body itself is kept whole (ingest bounds it at
//! `khabar_ingest::MAX_ARTICLE_BYTES`).
//!
//! The values are far above real news: the longest article of the evaluation data
//! (data/eval/, 3,581 articles) has 89 non-empty lines, about 260 sentences and 2,689 words,
//! and long-form reports run to some 15,000 words. A text past them is a list, a log or a dump
//! (one input of six records of a million short lines each took 1.67 GB and left a 735 MB
//! store, issue 21), whose events are told, if anywhere, at its start.

use khabar_core::{Span, Truncated};

/// Non-empty lines cleaned (boilerplate is judged line by line): about 100 times the longest
/// evaluation article's 89.
pub const MAX_LINES: usize = 10_000;

/// Sentences analysed (each is stored as a span and is a unit the embedder is given): about
/// 20 times the longest evaluation article's 260.
pub const MAX_SENTENCES: usize = 5_000;

/// Word tokens analysed (the extractors and the stored word 5-gram hashes are per token): about
/// 20 times the longest evaluation article's 2,689 words, three times a long-form report's.
pub const MAX_TOKENS: usize = 50_000;

/// Different people told apart in one article (each new name is compared with those already
/// seen, so the work grows with their square): a report naming more is a list of names.
pub const MAX_PEOPLE: usize = 500;

/// Quoted stretches looked at (each is weighed against the words of its sentence).
pub const MAX_QUOTES: usize = 1_000;

/// The record of a bound reached at byte `from` of a body of `body_len` bytes.
pub(crate) fn truncated(bound: &str, limit: usize, from: usize, body_len: usize) -> Truncated {
    Truncated {
        bound: bound.into(),
        limit,
        span: Span::new(from, body_len.max(from)),
    }
}
