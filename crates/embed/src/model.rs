//! The USE-multilingual v3 network, from token ids to a unit vector.
//!
//! Per token: the piece's 512-d embedding (uint8, quantised per shard; dequantised only for the
//! rows a batch needs) is projected to three 256-d streams (one 512×768 product, then a layer
//! norm over the 768 values). Each stream feeds a two-layer n-gram convolution (orders 2, 3 and
//! 5, with 0, 1 and 2 tokens of left context; positions outside the sentence count as zero):
//! `h = relu(window(x)·W1 + b1) + x`, `c = relu(window(h)·W2 + b2) + h`. The token feature is
//! `[embedding | c2 | c3 | c5]` (1280 values), layer-normed. A sentence vector is the sum over
//! its tokens of `feature·W + b`, divided by √(tokens); then a small residual MLP
//! (512→320→320→512 with skip projections), tanh, and L2 normalisation.
//!
//! Implementation: the tokens of many sentences are processed together so that every weight
//! matrix is streamed once per micro-batch (SGEMM over all tokens). The convolution inputs live
//! in a buffer where sentences are separated by two zero rows, so each n-gram window is a
//! contiguous run of rows: the window matrix is a strided view (row stride 256, `n·256` columns)
//! and needs no copying. All buffers are reused between batches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::gemm::Weight;
use crate::npz::Array;
use crate::Error;
use crate::DIM;

const EMB: usize = 512;
const CNN: usize = 256;
const PROJ: usize = 3 * CNN;
const FEAT: usize = EMB + 3 * CNN;
const HID: usize = 320;
const SHARDS: usize = 17;
/// Zero rows between sentences in the convolution buffers (the widest window reaches 2 rows).
const GAP: usize = 2;
/// (n-gram order, left context) of the three convolution branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
/// Offsets of each branch's W1 products inside the per-piece row (after the 768 projection).
const G_OFF: [usize; 3] = [0, 2 * CNN, 5 * CNN];
/// Per-piece row: layer-normed projection (768) + Σ over branches of n·256 W1 products.
pub(crate) const PIECE_ROW: usize = PROJ + 10 * CNN;
/// Marks a token whose piece row is in the batch-local buffer rather than the cache.
const LOCAL: u32 = 1 << 31;

/// Per-piece results of the token-local part of the network (projection + layer norm and its
/// products with each W1 block), in f16: they depend only on the piece id, so frequent pieces
/// are computed once and shared by all threads, up to a memory budget.
pub(crate) struct PieceCache {
    slots: Vec<OnceLock<Box<[u16]>>>,
    used: AtomicUsize,
    cap: usize,
}

impl PieceCache {
    /// A cache for `vocab` pieces holding at most `budget_bytes` of rows.
    pub(crate) fn new(vocab: usize, budget_bytes: usize) -> PieceCache {
        PieceCache {
            slots: (0..vocab).map(|_| OnceLock::new()).collect(),
            used: AtomicUsize::new(0),
            cap: budget_bytes / (PIECE_ROW * 2),
        }
    }

    #[inline]
    fn get(&self, id: u32) -> Option<&[u16]> {
        self.slots.get(id as usize)?.get().map(|b| &b[..])
    }

    fn insert(&self, id: u32, row: &[u16]) {
        if self.cap == 0 || self.used.load(Ordering::Relaxed) >= self.cap {
            return;
        }
        if let Some(slot) = self.slots.get(id as usize) {
            if slot.set(row.into()).is_ok() {
                self.used.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Number of pieces cached.
    pub(crate) fn len(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}

/// The network's weights, dequantised where they are dense.
pub(crate) struct Weights {
    shards: Vec<Vec<u8>>,
    shard_rows: usize,
    scale: [f32; SHARDS],
    lo: [f32; SHARDS],
    proj_w: Weight, // EMB × PROJ
    proj_b: Vec<f32>,
    proj_g: Vec<f32>,
    proj_beta: Vec<f32>,
    w1_cat: [Weight; 3], // CNN × (n·CNN): W1's n row blocks side by side
    b1: [Vec<f32>; 3],
    w2: [Weight; 3],
    b2: [Vec<f32>; 3],
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    cnn_w: Weight, // FEAT × EMB
    cnn_b: Vec<f32>,
    d0: Weight, // EMB × HID
    d1: Weight, // HID × HID
    p1: Weight, // EMB × HID
    d2: Weight, // HID × EMB
    p3: Weight, // HID × EMB
    d3: Weight, // EMB × EMB
    eps: f32,
}

fn take(m: &mut HashMap<String, Array>, name: &str, shape: &[usize]) -> Result<Vec<f32>, Error> {
    let a = m
        .remove(name)
        .ok_or_else(|| Error::Format(format!("weights.npz: no array {name}")))?;
    if a.shape != shape {
        return Err(Error::Format(format!(
            "weights.npz: {name} has shape {:?}, expected {shape:?}",
            a.shape
        )));
    }
    a.to_f32(name)
}

/// Concatenate row-major matrices with the same number of rows side by side.
fn hcat(parts: &[&[f32]], rows: usize) -> Vec<f32> {
    let cols: Vec<usize> = parts.iter().map(|p| p.len() / rows).collect();
    let total: usize = cols.iter().sum();
    let mut out = Vec::with_capacity(rows * total);
    for r in 0..rows {
        for (p, &c) in parts.iter().zip(&cols) {
            out.extend_from_slice(&p[r * c..(r + 1) * c]);
        }
    }
    out
}

impl Weights {
    pub(crate) fn from_npz(mut m: HashMap<String, Array>) -> Result<Weights, Error> {
        let mut shards = Vec::with_capacity(SHARDS);
        let mut shard_rows = 0;
        for i in 0..SHARDS {
            let name = format!("q{}", i + 1);
            let a = m
                .remove(&name)
                .ok_or_else(|| Error::Format(format!("weights.npz: no array {name}")))?;
            if a.shape.len() != 2 || a.shape[1] != EMB || a.dtype != crate::npz::DType::U8 {
                return Err(Error::Format(format!(
                    "weights.npz: {name} is not a uint8 [rows, {EMB}] shard"
                )));
            }
            if i == 0 {
                shard_rows = a.shape[0];
            } else if a.shape[0] != shard_rows {
                return Err(Error::Format("weights.npz: shards differ in size".into()));
            }
            shards.push(a.data);
        }
        let scale_v = take(&mut m, "scale", &[SHARDS])?;
        let lo_v = take(&mut m, "lo", &[SHARDS])?;
        let mut scale = [0f32; SHARDS];
        let mut lo = [0f32; SHARDS];
        scale.copy_from_slice(&scale_v);
        lo.copy_from_slice(&lo_v);

        let mut pw = Vec::new();
        let mut pb = Vec::new();
        let mut pg = Vec::new();
        let mut pbeta = Vec::new();
        let mut w1_cat: Vec<Weight> = Vec::new();
        let mut b1: [Vec<f32>; 3] = Default::default();
        let mut w2: Vec<Weight> = Vec::new();
        let mut b2: [Vec<f32>; 3] = Default::default();
        for (i, &(n, _)) in ORDERS.iter().enumerate() {
            pw.push(take(&mut m, &format!("proj{n}"), &[EMB, CNN])?);
            pb.extend(take(&mut m, &format!("proj_b{n}"), &[CNN])?);
            pg.extend(take(&mut m, &format!("ln_g{n}"), &[CNN])?);
            pbeta.extend(take(&mut m, &format!("ln_b{n}"), &[CNN])?);
            let w = take(&mut m, &format!("w1_{n}"), &[n * CNN, CNN])?;
            let blocks: Vec<&[f32]> = w.chunks_exact(CNN * CNN).collect();
            w1_cat.push(Weight::new(hcat(&blocks, CNN), CNN, n * CNN));
            b1[i] = take(&mut m, &format!("b1_{n}"), &[CNN])?;
            w2.push(Weight::new(
                take(&mut m, &format!("w2_{n}"), &[n * CNN, CNN])?,
                n * CNN,
                CNN,
            ));
            b2[i] = take(&mut m, &format!("b2_{n}"), &[CNN])?;
        }
        let proj_w = Weight::new(hcat(&[&pw[0], &pw[1], &pw[2]], EMB), EMB, PROJ);
        let arr3 = |v: Vec<Weight>| -> [Weight; 3] {
            let mut it = v.into_iter();
            [it.next().unwrap(), it.next().unwrap(), it.next().unwrap()]
        };
        let eps = m
            .remove("eps")
            .ok_or_else(|| Error::Format("weights.npz: no array eps".into()))?
            .to_f32("eps")?
            .first()
            .copied()
            .ok_or_else(|| Error::Format("weights.npz: empty eps".into()))?;
        Ok(Weights {
            shards,
            shard_rows,
            scale,
            lo,
            proj_w,
            proj_b: pb,
            proj_g: pg,
            proj_beta: pbeta,
            w1_cat: arr3(w1_cat),
            b1,
            w2: arr3(w2),
            b2,
            ln_g: take(&mut m, "ln_g", &[FEAT])?,
            ln_b: take(&mut m, "ln_b", &[FEAT])?,
            cnn_w: Weight::new(take(&mut m, "cnn_W", &[FEAT, EMB])?, FEAT, EMB),
            cnn_b: take(&mut m, "cnn_b", &[EMB])?,
            d0: Weight::new(take(&mut m, "d0", &[EMB, HID])?, EMB, HID),
            d1: Weight::new(take(&mut m, "d1", &[HID, HID])?, HID, HID),
            p1: Weight::new(take(&mut m, "p1", &[EMB, HID])?, EMB, HID),
            d2: Weight::new(take(&mut m, "d2", &[HID, EMB])?, HID, EMB),
            p3: Weight::new(take(&mut m, "p3", &[HID, EMB])?, HID, EMB),
            d3: Weight::new(take(&mut m, "d3", &[EMB, EMB])?, EMB, EMB),
            eps,
        })
    }

    /// Number of rows of the embedding table (pieces it can embed).
    pub(crate) fn vocab_rows(&self) -> usize {
        self.shard_rows * SHARDS
    }

    /// Dequantise the embedding row of piece `id` into `out` (512 values).
    #[inline(always)]
    pub(crate) fn embedding_row(&self, id: u32, out: &mut [f32]) {
        let id = (id as usize).min(self.vocab_rows() - 1);
        let shard = id % SHARDS;
        let row = id / SHARDS;
        let q = &self.shards[shard][row * EMB..(row + 1) * EMB];
        let (s, l) = (self.scale[shard], self.lo[shard]);
        for (o, &v) in out.iter_mut().zip(q) {
            *o = v as f32 * s + l;
        }
    }

    /// The token-local part of the network for the pieces `ids` (deduplicated, none cached):
    /// writes one `PIECE_ROW` per id into `rows`: the layer-normed projection (768) and, for
    /// each branch and window offset j, that projection's product with W1's j-th block.
    fn piece_rows(&self, ids: &[u32], emb: &mut Vec<f32>, rows: &mut Vec<f32>) {
        let m = ids.len();
        emb.resize(m * EMB, 0.0);
        rows.resize(m * PIECE_ROW, 0.0);
        for (k, &id) in ids.iter().enumerate() {
            self.embedding_row(id, &mut emb[k * EMB..(k + 1) * EMB]);
        }
        gemm(
            m,
            EMB,
            PROJ,
            emb.as_ptr(),
            EMB,
            &self.proj_w,
            rows.as_mut_ptr(),
            PIECE_ROW,
            false,
        );
        for k in 0..m {
            let row = &mut rows[k * PIECE_ROW..k * PIECE_ROW + PROJ];
            add(row, &self.proj_b);
            layer_norm(row, &self.proj_g, &self.proj_beta, self.eps);
        }
        for (bi, &(n, _)) in ORDERS.iter().enumerate() {
            gemm(
                m,
                CNN,
                n * CNN,
                rows[bi * CNN..].as_ptr(),
                PIECE_ROW,
                &self.w1_cat[bi],
                rows[PROJ + G_OFF[bi]..].as_mut_ptr(),
                PIECE_ROW,
                false,
            );
        }
    }

    /// Embed a micro-batch: `ids` holds the token ids of all sentences back to back, `lens` the
    /// token count of each (all > 0); the convolutions see each sentence on its own. Writes one
    /// unit vector per entry of `sums` into `out` (`sums.len() × DIM`): the vector of the tokens
    /// `a..b` (indices into `ids`), which may be one sentence or several consecutive ones.
    pub(crate) fn forward(
        &self,
        ids: &[u32],
        lens: &[usize],
        sums: &[(usize, usize)],
        cache: &PieceCache,
        s: &mut Scratch,
        out: &mut [f32],
    ) {
        debug_assert_eq!(out.len(), sums.len() * DIM);
        self.pool_features(ids, lens, sums, cache, s);
        let counts: Vec<usize> = sums.iter().map(|&(a, b)| b - a).collect();
        self.head(&counts, s, out);
    }

    /// Embed one long sentence in segments of at most `segment` tokens, so that memory does not
    /// grow with its length. Exact: a token's feature depends on the tokens at most
    /// `CONTEXT` = 4 positions away (two convolution layers reaching 2 each), so each segment
    /// is computed with 4 tokens of real context on both sides and only its own tokens are
    /// summed into the pooled feature.
    pub(crate) fn forward_long(
        &self,
        ids: &[u32],
        segment: usize,
        cache: &PieceCache,
        s: &mut Scratch,
        out: &mut [f32],
    ) {
        const CONTEXT: usize = 2 * GAP;
        let n = ids.len();
        let segment = segment.max(1);
        let mut acc = std::mem::take(&mut s.acc);
        acc.clear();
        acc.resize(FEAT, 0.0);
        let mut start = 0;
        while start < n {
            let end = (start + segment).min(n);
            let cs = start.saturating_sub(CONTEXT);
            let ce = (end + CONTEXT).min(n);
            self.pool_features(
                &ids[cs..ce],
                &[ce - cs],
                &[(start - cs, end - cs)],
                cache,
                s,
            );
            add(&mut acc, &s.pool[..FEAT]);
            start = end;
        }
        s.pool.clear();
        s.pool.extend_from_slice(&acc);
        s.acc = acc;
        self.head(&[n], s, out);
    }

    /// Per-token features of the sentences in `ids`/`lens`, layer-normed and summed over each
    /// token range of `sums` into `s.pool` (`sums.len() × 1280`).
    fn pool_features(
        &self,
        ids: &[u32],
        lens: &[usize],
        sums: &[(usize, usize)],
        cache: &PieceCache,
        s: &mut Scratch,
    ) {
        #[cfg(target_arch = "x86_64")]
        {
            let f16c = std::is_x86_feature_detected!("f16c");
            if f16c && std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports the features the function is compiled for.
                unsafe { self.features_avx512(ids, lens, sums, cache, s) };
                return;
            }
            if f16c && std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports the features the function is compiled for.
                unsafe { self.features_avx2(ids, lens, sums, cache, s) };
                return;
            }
        }
        self.features_impl::<false>(ids, lens, sums, cache, s)
    }

    /// `features_impl` compiled with AVX2 so its element-wise loops use 256-bit vectors.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn features_avx2(
        &self,
        ids: &[u32],
        lens: &[usize],
        sums: &[(usize, usize)],
        cache: &PieceCache,
        s: &mut Scratch,
    ) {
        self.features_impl::<true>(ids, lens, sums, cache, s)
    }

    /// `features_impl` compiled with AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    unsafe fn features_avx512(
        &self,
        ids: &[u32],
        lens: &[usize],
        sums: &[(usize, usize)],
        cache: &PieceCache,
        s: &mut Scratch,
    ) {
        self.features_impl::<true>(ids, lens, sums, cache, s)
    }

    #[inline(always)]
    fn features_impl<const HW: bool>(
        &self,
        ids: &[u32],
        lens: &[usize],
        sums: &[(usize, usize)],
        cache: &PieceCache,
        s: &mut Scratch,
    ) {
        let t = ids.len();
        debug_assert_eq!(lens.iter().sum::<usize>(), t);
        debug_assert!(sums.iter().all(|&(a, b)| a < b && b <= t));
        let vocab = self.vocab_rows();
        // Padded layout: GAP zero rows, sentence 0, GAP zero rows, sentence 1, ..., GAP rows.
        let rows = GAP + lens.iter().map(|l| l + GAP).sum::<usize>();
        s.feat.resize(t * FEAT, 0.0);
        s.a.resize(rows * CNN, 0.0);
        s.h.clear();
        s.h.resize(rows * CNN, 0.0);
        s.pad_row.clear();
        {
            let mut r = GAP;
            for &l in lens {
                s.pad_row.extend(r..r + l);
                r += l + GAP;
            }
        }

        // 1. Token-local part per distinct piece: from the cache, or computed for this batch.
        if s.local_of.len() < vocab {
            s.local_of.resize(vocab, u32::MAX);
        }
        s.miss.clear();
        s.src.clear();
        for &id in ids {
            let id = (id as usize).min(vocab - 1) as u32;
            if cache.get(id).is_some() {
                s.src.push(id);
            } else {
                let li = &mut s.local_of[id as usize];
                if *li == u32::MAX {
                    *li = s.miss.len() as u32;
                    s.miss.push(id);
                }
                s.src.push(LOCAL | *li);
            }
        }
        if !s.miss.is_empty() {
            self.piece_rows(&s.miss, &mut s.emb, &mut s.local);
            // Stored as f16 (cache and batch-local rows alike, so a text's vector does not
            // depend on what is cached).
            s.local16.resize(s.local.len(), 0);
            crate::half::encode::<HW>(&s.local, &mut s.local16);
            for (k, &id) in s.miss.iter().enumerate() {
                cache.insert(id, &s.local16[k * PIECE_ROW..(k + 1) * PIECE_ROW]);
                s.local_of[id as usize] = u32::MAX;
            }
        }
        let local = &s.local16;
        let row_of = |src: u32| -> &[u16] {
            if src & LOCAL != 0 {
                let k = (src & !LOCAL) as usize;
                &local[k * PIECE_ROW..(k + 1) * PIECE_ROW]
            } else {
                cache.get(src).expect("cached row")
            }
        };

        // 2. Raw embedding rows into the first 512 columns of the feature matrix.
        for (k, &id) in ids.iter().enumerate() {
            self.embedding_row(id, &mut s.feat[k * FEAT..k * FEAT + EMB]);
        }
        // 3. The three n-gram convolution branches. Layer 1 sums the cached per-piece products
        // over each token's window; layer 2 is one GEMM over the padded windows of h.
        let inner = rows - 2 * GAP; // rows GAP..rows-GAP hold every real row
        for (bi, &(n, left)) in ORDERS.iter().enumerate() {
            let mut k0 = 0;
            for &l in lens {
                for p in 0..l {
                    let r = s.pad_row[k0 + p];
                    let h = &mut s.h[r * CNN..(r + 1) * CNN];
                    h.copy_from_slice(&self.b1[bi]);
                    for j in 0..n {
                        let q = p as isize - left as isize + j as isize;
                        if q < 0 || q >= l as isize {
                            continue;
                        }
                        let row = row_of(s.src[k0 + q as usize]);
                        let g = &row[PROJ + G_OFF[bi] + j * CNN..PROJ + G_OFF[bi] + (j + 1) * CNN];
                        crate::half::add::<HW>(h, g);
                    }
                    let xs = &row_of(s.src[k0 + p])[bi * CNN..(bi + 1) * CNN];
                    crate::half::relu_add::<HW>(h, xs);
                }
                k0 += l;
            }
            // c = window(h)·W2 into a
            gemm(
                inner,
                n * CNN,
                CNN,
                s.h[(GAP - left) * CNN..].as_ptr(),
                CNN,
                &self.w2[bi],
                s.a[GAP * CNN..].as_mut_ptr(),
                CNN,
                false,
            );
            let off = EMB + bi * CNN;
            for (k, &r) in s.pad_row.iter().enumerate() {
                let c = &s.a[r * CNN..(r + 1) * CNN];
                let h = &s.h[r * CNN..(r + 1) * CNN];
                let f = &mut s.feat[k * FEAT + off..k * FEAT + off + CNN];
                for (((fv, &cv), &b), &hv) in f.iter_mut().zip(c).zip(&self.b2[bi]).zip(h) {
                    *fv = (cv + b).max(0.0) + hv;
                }
            }
        }
        // 4. Layer norm of each token feature, then sum over each range.
        for row in s.feat.chunks_exact_mut(FEAT) {
            layer_norm(row, &self.ln_g, &self.ln_b, self.eps);
        }
        s.pool.clear();
        s.pool.resize(sums.len() * FEAT, 0.0);
        for (pool, &(a, b)) in s.pool.chunks_exact_mut(FEAT).zip(sums) {
            for row in s.feat[a * FEAT..b * FEAT].chunks_exact(FEAT) {
                add(pool, row);
            }
        }
    }

    /// From pooled feature sums (`s.pool`) and their token counts to unit vectors in `out`.
    fn head(&self, lens: &[usize], s: &mut Scratch, out: &mut [f32]) {
        let ns = lens.len();
        // 5. Output projection of the pooled sum: (Σ f)·W + len·b, over √len.
        s.m.resize(ns * EMB, 0.0);
        gemm(
            ns,
            FEAT,
            EMB,
            s.pool.as_ptr(),
            FEAT,
            &self.cnn_w,
            s.m.as_mut_ptr(),
            EMB,
            false,
        );
        for (si, &l) in lens.iter().enumerate() {
            let lf = l as f32;
            let inv = 1.0 / lf.sqrt();
            for (v, &b) in s.m[si * EMB..(si + 1) * EMB].iter_mut().zip(&self.cnn_b) {
                *v = (*v + lf * b) * inv;
            }
        }
        // 6. Residual MLP, tanh, L2.
        s.y0.resize(ns * HID, 0.0);
        s.y1.resize(ns * HID, 0.0);
        s.y2.resize(ns * EMB, 0.0);
        let mp = s.m.as_ptr();
        gemm(
            ns,
            EMB,
            HID,
            mp,
            EMB,
            &self.d0,
            s.y0.as_mut_ptr(),
            HID,
            false,
        );
        relu(&mut s.y0);
        gemm(
            ns,
            EMB,
            HID,
            mp,
            EMB,
            &self.p1,
            s.y1.as_mut_ptr(),
            HID,
            false,
        );
        gemm(
            ns,
            HID,
            HID,
            s.y0.as_ptr(),
            HID,
            &self.d1,
            s.y1.as_mut_ptr(),
            HID,
            true,
        );
        relu(&mut s.y1);
        gemm(
            ns,
            HID,
            EMB,
            s.y1.as_ptr(),
            HID,
            &self.d2,
            s.y2.as_mut_ptr(),
            EMB,
            false,
        );
        relu(&mut s.y2);
        gemm(
            ns,
            HID,
            EMB,
            s.y1.as_ptr(),
            HID,
            &self.p3,
            out.as_mut_ptr(),
            EMB,
            false,
        );
        gemm(
            ns,
            EMB,
            EMB,
            s.y2.as_ptr(),
            EMB,
            &self.d3,
            out.as_mut_ptr(),
            EMB,
            true,
        );
        for v in out.chunks_exact_mut(DIM) {
            let mut ss = 0.0f32;
            for x in v.iter_mut() {
                *x = x.tanh();
                ss += *x * *x;
            }
            let inv = 1.0 / ss.max(self.eps).sqrt();
            for x in v.iter_mut() {
                *x *= inv;
            }
        }
    }
}

/// Reusable buffers of one forward pass.
#[derive(Default)]
pub(crate) struct Scratch {
    feat: Vec<f32>,
    acc: Vec<f32>,
    emb: Vec<f32>,
    local: Vec<f32>,
    local16: Vec<u16>,
    local_of: Vec<u32>,
    miss: Vec<u32>,
    src: Vec<u32>,
    a: Vec<f32>,
    h: Vec<f32>,
    pad_row: Vec<usize>,
    pool: Vec<f32>,
    m: Vec<f32>,
    y0: Vec<f32>,
    y1: Vec<f32>,
    y2: Vec<f32>,
}

#[inline(always)]
fn add(dst: &mut [f32], src: &[f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

#[inline(always)]
fn relu(v: &mut [f32]) {
    for x in v {
        *x = x.max(0.0);
    }
}

/// Layer norm of one row in place: (x − mean) / √(var + eps) · g + b.
#[inline(always)]
pub(crate) fn layer_norm(x: &mut [f32], g: &[f32], b: &[f32], eps: f32) {
    let n = x.len() as f32;
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        for i in 0..8 {
            acc[i] += c[i];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    sum += chunks.remainder().iter().sum::<f32>();
    let mean = sum / n;
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact_mut(8);
    for c in &mut chunks {
        for i in 0..8 {
            c[i] -= mean;
            acc[i] += c[i] * c[i];
        }
    }
    let mut var: f32 = acc.iter().sum();
    for v in chunks.into_remainder() {
        *v -= mean;
        var += *v * *v;
    }
    let inv = 1.0 / (var / n + eps).sqrt();
    for ((v, &gv), &bv) in x.iter_mut().zip(g).zip(b) {
        *v = *v * inv * gv + bv;
    }
}

/// C (m×n, row stride rsc) = A (m×k, row stride rsa, contiguous columns) · B [+ C when
/// `accumulate`].
#[allow(clippy::too_many_arguments)]
#[inline]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: *const f32,
    rsa: usize,
    b: &Weight,
    c: *mut f32,
    rsc: usize,
    accumulate: bool,
) {
    debug_assert!(b.k == k && b.n == n);
    // SAFETY: callers pass pointers into buffers sized for m rows of the given strides (the
    // conv windows read overlapping rows of a buffer that extends GAP rows beyond them).
    unsafe { b.mul(m, a, rsa, c, rsc, accumulate) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_norm_matches_definition() {
        let mut x: Vec<f32> = (0..19).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let g: Vec<f32> = (0..19).map(|i| 1.0 + i as f32 * 0.1).collect();
        let b: Vec<f32> = (0..19).map(|i| i as f32 * -0.05).collect();
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        let want: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| (v as f64 - mean) / (var + 1e-12).sqrt() * g[i] as f64 + b[i] as f64)
            .collect();
        layer_norm(&mut x, &g, &b, 1e-12);
        for (a, w) in x.iter().zip(want) {
            assert!((*a as f64 - w).abs() < 1e-4, "{a} vs {w}");
        }
    }

    #[test]
    fn hcat_joins_columns() {
        let a = [1.0, 2.0, 3.0, 4.0]; // 2×2
        let b = [5.0, 6.0]; // 2×1
        assert_eq!(hcat(&[&a, &b], 2), vec![1.0, 2.0, 5.0, 3.0, 4.0, 6.0]);
    }

    #[test]
    fn dequantises_rows_by_shard() {
        let mut shards = Vec::new();
        for s in 0..SHARDS {
            shards.push(vec![s as u8; 2 * EMB]);
        }
        let mut w = dummy();
        w.shards = shards;
        w.shard_rows = 2;
        for (i, s) in w.scale.iter_mut().enumerate() {
            *s = 0.5 + i as f32;
        }
        w.lo = [-1.0; SHARDS];
        let mut out = vec![0f32; EMB];
        // id 20 = shard 3, row 1: value 3 · 3.5 − 1
        w.embedding_row(20, &mut out);
        assert!(out.iter().all(|&v| (v - (3.0 * 3.5 - 1.0)).abs() < 1e-6));
    }

    fn dummy() -> Weights {
        Weights {
            shards: vec![],
            shard_rows: 0,
            scale: [1.0; SHARDS],
            lo: [0.0; SHARDS],
            proj_w: Weight::new(vec![], 0, 0),
            proj_b: vec![],
            proj_g: vec![],
            proj_beta: vec![],
            w1_cat: [
                Weight::new(vec![], 0, 0),
                Weight::new(vec![], 0, 0),
                Weight::new(vec![], 0, 0),
            ],
            b1: Default::default(),
            w2: [
                Weight::new(vec![], 0, 0),
                Weight::new(vec![], 0, 0),
                Weight::new(vec![], 0, 0),
            ],
            b2: Default::default(),
            ln_g: vec![],
            ln_b: vec![],
            cnn_w: Weight::new(vec![], 0, 0),
            cnn_b: vec![],
            d0: Weight::new(vec![], 0, 0),
            d1: Weight::new(vec![], 0, 0),
            p1: Weight::new(vec![], 0, 0),
            d2: Weight::new(vec![], 0, 0),
            p3: Weight::new(vec![], 0, 0),
            d3: Weight::new(vec![], 0, 0),
            eps: 1e-12,
        }
    }
}
