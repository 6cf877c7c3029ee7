//! The forward pass of multilingual-e5-small (a 12-layer BERT encoder, XLM-R vocabulary):
//! embeddings + layer norm, then per layer self-attention and a GELU feed-forward block, each
//! followed by residual + layer norm (post-norm); the output is the mean of the final hidden
//! states over every input token (`<s>` and `</s>` included).
//!
//! Layer matrices are dequantised from 4-bit at load and packed for the crate's matrix kernels
//! (16-bit integer products with VNNI/AVX2, see `gemm.rs`): 21M weights, 42 MB as int16. The
//! token table (96M weights) stays 4-bit; only the rows of the tokens a batch uses are
//! dequantised.

use super::format::{dequantise_row, Config, E5File, BLOCK, BLOCK_BYTES};
use crate::gemm::Weight;
use crate::model::layer_norm;
use crate::Error;

/// Weights of one encoder layer.
struct Layer {
    /// Query, key and value projections side by side (hidden × 3·hidden).
    qkv: Weight,
    qkv_bias: Vec<f32>,
    attn_out: Weight,
    attn_out_bias: Vec<f32>,
    attn_norm: (Vec<f32>, Vec<f32>),
    ffn_in: Weight,
    ffn_in_bias: Vec<f32>,
    ffn_out: Weight,
    ffn_out_bias: Vec<f32>,
    out_norm: (Vec<f32>, Vec<f32>),
}

/// The network's weights.
pub(crate) struct Model {
    pub(crate) config: Config,
    /// The 4-bit token table as stored: `vocab_rows × hidden/32` blocks.
    words: Vec<u8>,
    /// Position embeddings, `max_positions × hidden` (position 0 is the first token).
    positions: Vec<f32>,
    /// The embedding of token type 0 (the only one used).
    token_type: Vec<f32>,
    embed_norm: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

/// Reusable activations of one thread.
#[derive(Default)]
pub(crate) struct Scratch {
    x: Vec<f32>,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    tmp: Vec<f32>,
    mid: Vec<f32>,
    probs: Vec<f32>,
}

/// A 4-bit `rows × cols` matrix (as stored: one row per output) as the f32 `cols × rows`
/// right-hand operand the matrix kernels take, written into columns `at..at + rows` of `dst`
/// (row stride `width`).
fn transpose_into(
    blocks: &[u8],
    rows: usize,
    cols: usize,
    dst: &mut [f32],
    width: usize,
    at: usize,
) {
    let row_bytes = cols / BLOCK * BLOCK_BYTES;
    let mut row = vec![0f32; cols];
    for (o, b) in blocks.chunks_exact(row_bytes).take(rows).enumerate() {
        dequantise_row(b, &mut row);
        for (i, &w) in row.iter().enumerate() {
            dst[i * width + at + o] = w;
        }
    }
}

impl Model {
    pub(crate) fn from_file(f: &E5File) -> Result<Model, Error> {
        let c = f.config;
        let (h, ff) = (c.hidden, c.ffn);
        let matrix = |name: &str, rows: usize, cols: usize| -> Result<Weight, Error> {
            let mut b = vec![0f32; rows * cols];
            transpose_into(f.q4(name, rows, cols)?, rows, cols, &mut b, rows, 0);
            Ok(Weight::new(b, cols, rows))
        };
        let norm = |name: &str| -> Result<(Vec<f32>, Vec<f32>), Error> {
            Ok((
                f.f32s(&format!("{name}.w"), h)?,
                f.f32s(&format!("{name}.b"), h)?,
            ))
        };
        let mut layers = Vec::with_capacity(c.layers);
        for l in 0..c.layers {
            let mut qkv = vec![0f32; h * 3 * h];
            let mut qkv_bias = Vec::with_capacity(3 * h);
            for (i, part) in ["q", "k", "v"].iter().enumerate() {
                let blocks = f.q4(&format!("l{l}.{part}.w"), h, h)?;
                transpose_into(blocks, h, h, &mut qkv, 3 * h, i * h);
                qkv_bias.extend(f.f32s(&format!("l{l}.{part}.b"), h)?);
            }
            layers.push(Layer {
                qkv: Weight::new(qkv, h, 3 * h),
                qkv_bias,
                attn_out: matrix(&format!("l{l}.ao.w"), h, h)?,
                attn_out_bias: f.f32s(&format!("l{l}.ao.b"), h)?,
                attn_norm: norm(&format!("l{l}.aln"))?,
                ffn_in: matrix(&format!("l{l}.fi.w"), ff, h)?,
                ffn_in_bias: f.f32s(&format!("l{l}.fi.b"), ff)?,
                ffn_out: matrix(&format!("l{l}.fo.w"), h, ff)?,
                ffn_out_bias: f.f32s(&format!("l{l}.fo.b"), h)?,
                out_norm: norm(&format!("l{l}.oln"))?,
            });
        }
        Ok(Model {
            config: c,
            words: f.q4("emb.word", c.vocab_rows, h)?.to_vec(),
            positions: f.f32s("emb.pos", c.max_positions * h)?,
            token_type: f.f32s("emb.type", 2 * h)?[..h].to_vec(),
            embed_norm: norm("emb.ln")?,
            layers,
        })
    }

    /// The mean final hidden state of each sequence: `ids` holds the sequences back to back
    /// (each with its `<s>` … `</s>`, at most `max_positions` long), `lens` their lengths;
    /// `out` gets `lens.len() × hidden` values.
    pub(crate) fn forward(&self, ids: &[u32], lens: &[usize], s: &mut Scratch, out: &mut [f32]) {
        let c = &self.config;
        let (h, ff, n) = (c.hidden, c.ffn, ids.len());
        debug_assert_eq!(lens.iter().sum::<usize>(), n);
        debug_assert_eq!(out.len(), lens.len() * h);
        s.x.resize(n * h, 0.0);
        s.qkv.resize(n * 3 * h, 0.0);
        s.ctx.resize(n * h, 0.0);
        s.tmp.resize(n * h, 0.0);
        s.mid.resize(n * ff, 0.0);

        let row_bytes = h / BLOCK * BLOCK_BYTES;
        let mut t = 0;
        for &len in lens {
            assert!(len <= c.max_positions, "a sequence of {len} tokens");
            for p in 0..len {
                let x = &mut s.x[t * h..(t + 1) * h];
                let id = ids[t] as usize;
                dequantise_row(&self.words[id * row_bytes..(id + 1) * row_bytes], x);
                let pos = &self.positions[p * h..(p + 1) * h];
                for ((v, &a), &b) in x.iter_mut().zip(pos).zip(&self.token_type) {
                    *v += a + b;
                }
                layer_norm(x, &self.embed_norm.0, &self.embed_norm.1, c.eps);
                t += 1;
            }
        }

        for layer in &self.layers {
            linear(&layer.qkv, &layer.qkv_bias, &s.x, n, &mut s.qkv);
            let mut start = 0;
            for &len in lens {
                self.attention(&s.qkv, start, len, &mut s.ctx, &mut s.probs);
                start += len;
            }
            linear(&layer.attn_out, &layer.attn_out_bias, &s.ctx, n, &mut s.tmp);
            add_norm(&mut s.x, &s.tmp, &layer.attn_norm, h, c.eps);
            linear(&layer.ffn_in, &layer.ffn_in_bias, &s.x, n, &mut s.mid);
            for v in s.mid.iter_mut() {
                *v = gelu(*v);
            }
            linear(&layer.ffn_out, &layer.ffn_out_bias, &s.mid, n, &mut s.tmp);
            add_norm(&mut s.x, &s.tmp, &layer.out_norm, h, c.eps);
        }

        let mut start = 0;
        for (&len, o) in lens.iter().zip(out.chunks_exact_mut(h)) {
            o.fill(0.0);
            for row in s.x[start * h..(start + len) * h].chunks_exact(h) {
                for (a, &b) in o.iter_mut().zip(row) {
                    *a += b;
                }
            }
            let inv = 1.0 / len as f32;
            o.iter_mut().for_each(|v| *v *= inv);
            start += len;
        }
    }

    /// Scaled dot-product attention of the sequence at tokens `start..start + len`, every head,
    /// into `ctx`.
    fn attention(
        &self,
        qkv: &[f32],
        start: usize,
        len: usize,
        ctx: &mut [f32],
        probs: &mut Vec<f32>,
    ) {
        let h = self.config.hidden;
        let hd = h / self.config.heads;
        let scale = 1.0 / (hd as f32).sqrt();
        probs.resize(len, 0.0);
        let row = |t: usize| &qkv[(start + t) * 3 * h..(start + t + 1) * 3 * h];
        for head in 0..self.config.heads {
            let at = head * hd;
            for t in 0..len {
                let q = &row(t)[at..at + hd];
                let mut max = f32::NEG_INFINITY;
                for (u, p) in probs.iter_mut().enumerate() {
                    let d = dot(q, &row(u)[h + at..h + at + hd]) * scale;
                    *p = d;
                    max = max.max(d);
                }
                let mut sum = 0.0;
                for p in probs.iter_mut() {
                    *p = (*p - max).exp();
                    sum += *p;
                }
                let inv = 1.0 / sum;
                let c = &mut ctx[(start + t) * h + at..(start + t) * h + at + hd];
                c.fill(0.0);
                for (u, &p) in probs.iter().enumerate() {
                    let v = &row(u)[2 * h + at..2 * h + at + hd];
                    let p = p * inv;
                    for (a, &b) in c.iter_mut().zip(v) {
                        *a += p * b;
                    }
                }
            }
        }
    }
}

/// `out` (m × w.n) = `a` (m × w.k) · `w` + `bias` on every row.
fn linear(w: &Weight, bias: &[f32], a: &[f32], m: usize, out: &mut [f32]) {
    assert!(a.len() >= m * w.k && out.len() >= m * w.n && bias.len() == w.n);
    for row in out[..m * w.n].chunks_exact_mut(w.n) {
        row.copy_from_slice(bias);
    }
    // SAFETY: `a` holds m rows of w.k floats and `out` m rows of w.n (checked above).
    unsafe { w.mul(m, a.as_ptr(), w.k, out.as_mut_ptr(), w.n, true) }
}

/// Each row of `x` becomes layer_norm(x + y).
fn add_norm(x: &mut [f32], y: &[f32], (g, b): &(Vec<f32>, Vec<f32>), h: usize, eps: f32) {
    for (xr, yr) in x.chunks_exact_mut(h).zip(y.chunks_exact(h)) {
        for (a, &v) in xr.iter_mut().zip(yr) {
            *a += v;
        }
        layer_norm(xr, g, b, eps);
    }
}

#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    for (ca, cb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += ca[i] * cb[i];
        }
    }
    acc.iter().sum()
}

/// GELU as BERT defines it: x · Φ(x) = ½ · x · (1 + erf(x / √2)).
#[inline]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf to within 1.5e-7 (Abramowitz & Stegun, Handbook of Mathematical Functions, 7.1.26).
#[inline]
fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    // the coefficients as published (more digits than f32 keeps)
    #[allow(clippy::excessive_precision)]
    const A: [f32; 5] = [
        0.254_829_592,
        -0.284_496_736,
        1.421_413_741,
        -1.453_152_027,
        1.061_405_429,
    ];
    let z = x.abs();
    let t = 1.0 / (1.0 + P * z);
    let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    let y = 1.0 - poly * (-z * z).exp();
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_within_its_bound() {
        // reference values of erf
        for (x, want) in [
            (0.0f32, 0.0f64),
            (0.1, 0.112_462_916_018_284_9),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (-1.5, -0.966_105_146_475_310_7),
            (4.0, 0.999_999_984_582_742_1),
        ] {
            assert!((erf(x) as f64 - want).abs() < 3e-7, "erf({x}) = {}", erf(x));
        }
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
    }
}
