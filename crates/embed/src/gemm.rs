//! Matrix products against the model's fixed weight matrices.
//!
//! A weight matrix `B` (k × n) is packed once at load time for the kernel this CPU runs, and
//! only that copy is kept:
//!
//! - **16-bit integers** (the default with AVX-512 VNNI, or with AVX2 and no AVX-512): `B` quantised to i16 per (k-block
//!   of 256 rows, column) — `round(b · Q / max|b|)` over the block, `Q` = 2896 — in panels of
//!   one tile's width with k-pairs interleaved (`panel[p][k/2][w][2]`); each call quantises `A`
//!   the same way per (row, k-block), 96 rows at a time, into a thread-local buffer. A kernel
//!   sums exact 32-bit products (256 · 2896² < 2³¹, so a block's sum cannot overflow) and scales
//!   each block's sums back into f32, at ≈ 12.5 bits per operand relative to its block's largest
//!   value. With AVX-512 VNNI a 6 × 64 tile accumulates with `vpdpwssd` (32 multiply-adds per
//!   instruction, multiply and add fused): 1.65× the f32 AVX-512 kernel's and 2.3× a bf16
//!   (`vdpbf16ps`) kernel's embedding rate on a Xeon with both, more precise than bf16's 8
//!   bits. With AVX2 alone a 6 × 16 tile uses `vpmaddwd` then `vpaddd` (16 multiply-adds per
//!   instruction against FMA's 8): about 2.2× the f32 AVX2 kernel on an AVX2-only EPYC.
//! - **AVX-512** (f32): `B` in panels of 64 columns (`panel[p][k][64]`); a 6 × 64 kernel with
//!   24 vector accumulators reads `A` in place (6 row streams, one broadcast per element), so
//!   nothing is packed per call. Full single precision, for comparison.
//! - **AVX2/FMA** (f32): a 6 × 16 kernel over f32 panels of 16 columns (`panel[p][k][16]`), so a
//!   tile reads its slice of `B` as one contiguous stream; rows of `A` go in blocks of 96 that
//!   stay in L2 while every panel passes over them (GotoBLAS-style blocking).
//! - **Portable**: `B` row-major for `matrixmultiply`'s SGEMM (which packs both operands per
//!   call); also used for shapes whose `n` is not a multiple of 64.
//!
//! `KHABAR_EMBED_GEMM` forces a kernel, see [`kernel`].

/// Columns per packed panel (four 16-float vectors).
const NR: usize = 64;
/// Rows of A per kernel call.
const MR: usize = 6;
/// Depth of one pass over B (a k-block of B's panels fits in L2).
const KC: usize = 256;

/// `kernel::<R>(args)` for a tile of `mr` rows (1..=[`MR`]): each kernel takes its row count as
/// a const parameter so that its accumulators stay in registers.
macro_rules! for_rows {
    ($mr:expr, $kernel:ident($($arg:expr),*)) => {
        match $mr {
            6 => $kernel::<6>($($arg),*),
            5 => $kernel::<5>($($arg),*),
            4 => $kernel::<4>($($arg),*),
            3 => $kernel::<3>($($arg),*),
            2 => $kernel::<2>($($arg),*),
            _ => $kernel::<1>($($arg),*),
        }
    };
}
const _: () = assert!(MR == 6, "for_rows! covers 1..=6 rows");

/// A fixed right-hand matrix, packed for the kernel in use.
pub(crate) struct Weight {
    pub(crate) k: usize,
    pub(crate) n: usize,
    packed: Packed,
}

enum Packed {
    /// Row-major, for the portable path.
    Rows(Vec<f32>),
    /// f32 panels `[p][k][64]`.
    F32(Vec<f32>),
    /// i16 panels `[p][k/2 rounded up][isa.nr()][2]` and a scale per (k-block, column).
    #[cfg(target_arch = "x86_64")]
    I16 {
        isa: int16::Isa,
        panels: Vec<i16>,
        scales: Vec<f32>,
    },
}

impl Weight {
    pub(crate) fn new(rows: Vec<f32>, k: usize, n: usize) -> Weight {
        assert_eq!(rows.len(), k * n);
        let packed = if n == 0 || !n.is_multiple_of(NR) {
            Packed::Rows(rows)
        } else {
            match kernel() {
                Kernel::Avx512 => Packed::F32(pack_f32(&rows, k, n, NR)),
                Kernel::Avx2 => Packed::F32(pack_f32(&rows, k, n, avx2::NR)),
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx512I16 | Kernel::Avx2I16 => {
                    let isa = if kernel() == Kernel::Avx512I16 {
                        int16::Isa::Avx512Vnni
                    } else {
                        int16::Isa::Avx2
                    };
                    let (panels, scales) = pack_i16(&rows, k, n, isa.nr());
                    Packed::I16 {
                        isa,
                        panels,
                        scales,
                    }
                }
                #[cfg(not(target_arch = "x86_64"))]
                Kernel::Avx512I16 | Kernel::Avx2I16 => Packed::Rows(rows),
                Kernel::Portable => Packed::Rows(rows),
            }
        };
        Weight { k, n, packed }
    }

    /// C (m × n, row stride `rsc`) = A (m × k, row stride `rsa`, contiguous columns) · self,
    /// or C += A · self when `accumulate`.
    ///
    /// # Safety
    /// `a` must be valid for reads of rows `0..m` of `k` floats at stride `rsa`, and `c` for
    /// writes of rows `0..m` of `n` floats at stride `rsc`.
    pub(crate) unsafe fn mul(
        &self,
        m: usize,
        a: *const f32,
        rsa: usize,
        c: *mut f32,
        rsc: usize,
        accumulate: bool,
    ) {
        if m == 0 {
            return;
        }
        let (k, n) = (self.k, self.n);
        match &self.packed {
            // SAFETY (all arms): the caller's contract on `a` and `c`; each packing was built
            // by `new` for the kernel `kernel()` chose, which checked the CPU supports it.
            #[cfg(target_arch = "x86_64")]
            Packed::F32(b) if kernel() == Kernel::Avx512 => unsafe {
                avx512::gemm(m, k, n, a, rsa, b, c, rsc, accumulate)
            },
            #[cfg(target_arch = "x86_64")]
            Packed::F32(b) => unsafe { avx2::gemm(m, k, n, a, rsa, b, c, rsc, accumulate) },
            #[cfg(target_arch = "x86_64")]
            Packed::I16 {
                isa,
                panels,
                scales,
            } => unsafe { int16::gemm(*isa, m, k, n, a, rsa, panels, scales, c, rsc, accumulate) },
            Packed::Rows(b) => unsafe {
                matrixmultiply::sgemm(
                    m,
                    k,
                    n,
                    1.0,
                    a,
                    rsa as isize,
                    1,
                    b.as_ptr(),
                    n as isize,
                    1,
                    if accumulate { 1.0 } else { 0.0 },
                    c,
                    rsc as isize,
                    1,
                )
            },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!("packed panels are only built on x86_64"),
        }
    }
}

/// Row-major `rows` (k × n, n a multiple of `width`) as f32 panels `[p][k][width]`.
fn pack_f32(rows: &[f32], k: usize, n: usize, width: usize) -> Vec<f32> {
    let mut packed = Vec::with_capacity(k * n);
    for p in 0..n / width {
        for kk in 0..k {
            packed.extend_from_slice(&rows[kk * n + p * width..kk * n + (p + 1) * width]);
        }
    }
    packed
}

/// Row-major `rows` (k × n, n a multiple of `w`) quantised for the integer kernels: i16
/// panels `[p][k/2 rounded up][w][2]` (element `(t, j, h)` of panel `p` is the quantised
/// `B[2t + h][w·p + j]`, zero when `2t + h == k`), and the scale of each (k-block of [`KC`] rows,
/// column), `max|B[block][j]| / Q`, as `[block][n]`.
#[cfg(target_arch = "x86_64")]
fn pack_i16(rows: &[f32], k: usize, n: usize, w: usize) -> (Vec<i16>, Vec<f32>) {
    use int16::Q;
    let mut scales = Vec::with_capacity(k.div_ceil(KC) * n);
    for k0 in (0..k).step_by(KC) {
        for j in 0..n {
            let max = (k0..(k0 + KC).min(k)).fold(0f32, |m, kk| m.max(rows[kk * n + j].abs()));
            scales.push(max / Q);
        }
    }
    let q = |kk: usize, j: usize| -> i16 {
        if kk >= k {
            return 0;
        }
        let s = scales[(kk / KC) * n + j];
        if s == 0.0 {
            0
        } else {
            (rows[kk * n + j] / s).round_ties_even().clamp(-Q, Q) as i16
        }
    };
    let pairs = k.div_ceil(2);
    let mut packed = Vec::with_capacity(pairs * 2 * n);
    for p in 0..n / w {
        for t in 0..pairs {
            for j in p * w..(p + 1) * w {
                packed.push(q(2 * t, j));
                packed.push(q(2 * t + 1, j));
            }
        }
    }
    (packed, scales)
}

/// Which matrix kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// 6×64 tiles with 512-bit f32 vectors.
    Avx512,
    /// 6×16 tiles with 256-bit vectors and FMA.
    Avx2,
    /// 6×16 tiles of 16-bit integer products (`vpmaddwd`), operands quantised per k-block.
    Avx2I16,
    /// 6×64 tiles of the same 16-bit integer products with `vpdpwssd` (AVX-512 VNNI).
    Avx512I16,
    /// `matrixmultiply`'s SGEMM (packs both operands per call).
    Portable,
}

/// The best kernel for this CPU: 16-bit integer products with AVX-512 VNNI, else f32 AVX-512,
/// else 16-bit integer products with AVX2, else portable.
///
/// `KHABAR_EMBED_GEMM` forces one: `avx512i16`, `avx2i16`, `avx512` or `avx2` (f32: full
/// single precision, to compare with the integer kernels), or `portable`. A choice the CPU
/// lacks, or any other value, falls back to the best supported kernel.
pub(crate) fn kernel() -> Kernel {
    use std::sync::OnceLock;
    static K: OnceLock<Kernel> = OnceLock::new();
    *K.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let avx512 = std::is_x86_feature_detected!("avx512f");
            let avx2 =
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            let vnni = avx512 && avx2 && std::is_x86_feature_detected!("avx512vnni");
            let want = std::env::var("KHABAR_EMBED_GEMM").unwrap_or_default();
            match want.as_str() {
                "portable" => return Kernel::Portable,
                "avx2" if avx2 => return Kernel::Avx2,
                "avx2i16" if avx2 => return Kernel::Avx2I16,
                "avx512" if avx512 => return Kernel::Avx512,
                "avx512i16" if vnni => return Kernel::Avx512I16,
                _ => {}
            }
            if vnni {
                return Kernel::Avx512I16;
            }
            // Without VNNI, AVX-512's f32 kernel (the integer one is not measured there).
            if avx512 {
                return Kernel::Avx512;
            }
            if avx2 {
                return Kernel::Avx2I16;
            }
        }
        Kernel::Portable
    })
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{KC, MR};
    use std::arch::x86_64::*;

    /// Columns per packed panel: one 6 × 16 tile's width, so that a tile reads its k-block
    /// of `B` as one contiguous stream.
    pub(super) const NR: usize = 16;
    /// Rows of `A` per block: a block's k-slice (96 × 256 floats, 96 KiB) stays in L2 while
    /// every panel of `B` passes over it, and each panel's k-slice (16 KiB) stays in L1
    /// while the block's row tiles use it.
    const MC: usize = 16 * MR;

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        packed: &[f32],
        c: *mut f32,
        rsc: usize,
        accumulate: bool,
    ) {
        let panels = n / NR;
        let mut k0 = 0;
        while k0 < k {
            let kc = KC.min(k - k0);
            let overwrite = k0 == 0 && !accumulate;
            let mut i0 = 0;
            while i0 < m {
                let mc = MC.min(m - i0);
                for p in 0..panels {
                    let bp = packed.as_ptr().add(p * k * NR + k0 * NR);
                    let mut i = i0;
                    while i < i0 + mc {
                        let mr = MR.min(i0 + mc - i);
                        let ap = a.add(i * rsa + k0);
                        let cp = c.add(i * rsc + p * NR);
                        for_rows!(mr, kernel(kc, ap, rsa, bp, cp, rsc, overwrite));
                        i += mr;
                    }
                }
                i0 += mc;
            }
            k0 += kc;
        }
    }

    /// C[R × 16] (=|+=) A[R × kc] · B[kc × 16] (B rows contiguous).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn kernel<const R: usize>(
        kc: usize,
        a: *const f32,
        rsa: usize,
        b: *const f32,
        c: *mut f32,
        rsc: usize,
        overwrite: bool,
    ) {
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        for kk in 0..kc {
            let bk = b.add(kk * NR);
            let b0 = _mm256_loadu_ps(bk);
            let b1 = _mm256_loadu_ps(bk.add(8));
            for (r, row) in acc.iter_mut().enumerate() {
                let av = _mm256_set1_ps(*a.add(r * rsa + kk));
                row[0] = _mm256_fmadd_ps(av, b0, row[0]);
                row[1] = _mm256_fmadd_ps(av, b1, row[1]);
            }
        }
        for (r, row) in acc.iter().enumerate() {
            let cr = c.add(r * rsc);
            for (q, v) in row.iter().enumerate() {
                let p = cr.add(q * 8);
                if overwrite {
                    _mm256_storeu_ps(p, *v);
                } else {
                    _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), *v));
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod int16 {
    use super::{KC, MR};
    use std::arch::x86_64::*;
    use std::cell::RefCell;

    /// The instructions an integer kernel multiplies with, which fix its panel width.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Isa {
        /// `vpmaddwd` on 256-bit vectors, then `vpaddd`: tiles of 6 × 16.
        Avx2,
        /// `vpdpwssd` (multiply, add pairs and accumulate in one) on 512-bit vectors: tiles of
        /// 6 × 64.
        Avx512Vnni,
    }

    impl Isa {
        /// Columns per packed panel: one tile's width, so that a tile reads its k-block of B
        /// as one contiguous stream.
        pub(super) const fn nr(self) -> usize {
            match self {
                Isa::Avx2 => 16,
                Isa::Avx512Vnni => 64,
            }
        }
    }

    /// Rows of A quantised at a time: the block (≤ 96 × 1280 × 2 bytes) stays in L2 while every
    /// panel of B passes over it.
    const MC: usize = 16 * MR;
    /// Largest magnitude of a quantised operand, the same for A and B. A 32-bit sum over one
    /// k-block of [`KC`] products is at most `KC · Q²` = 256 · 2896² < 2³¹, so it cannot
    /// overflow; each operand keeps ≈ 12.5 bits relative to the largest value of its block.
    pub(super) const Q: f32 = 2896.0;
    const _: () = assert!((KC as u64) * 2896 * 2896 < (1u64 << 31));

    thread_local! {
        /// A's current row block as i16, and the scale of each (row, k-block), reused across
        /// calls.
        static A16: RefCell<(Vec<i16>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }

    /// Same contract as `Weight::mul`, with `packed` and `scales` from `pack_i16(_, k, n, isa)`;
    /// the CPU must support `isa`.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gemm(
        isa: Isa,
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        packed: &[i16],
        scales: &[f32],
        c: *mut f32,
        rsc: usize,
        accumulate: bool,
    ) {
        let nr = isa.nr();
        let pairs = k.div_ceil(2);
        let blocks = k.div_ceil(KC);
        debug_assert_eq!(packed.len(), pairs * 2 * n);
        debug_assert_eq!(scales.len(), blocks * n);
        // Row stride of the quantised block: whole 16-element vectors, zero past k.
        let lda = k.next_multiple_of(16);
        let (mut buf, mut row_scales) = A16.take();
        buf.resize(lda * MC.min(m), 0);
        row_scales.resize(blocks * MC.min(m), 0.0);
        let mut i0 = 0;
        while i0 < m {
            let mc = MC.min(m - i0);
            // SAFETY: rows i0..i0 + mc of A are readable (caller); the buffers hold mc rows.
            unsafe {
                quantise(
                    mc,
                    k,
                    a.add(i0 * rsa),
                    rsa,
                    buf.as_mut_ptr(),
                    lda,
                    row_scales.as_mut_ptr(),
                )
            };
            for kb in 0..blocks {
                let t0 = kb * KC / 2;
                let kp = (KC / 2).min(pairs - t0);
                let overwrite = kb == 0 && !accumulate;
                for p in 0..n / nr {
                    let mut i = 0;
                    while i < mc {
                        let mr = MR.min(mc - i);
                        // SAFETY: rows i..i + mr of the block have pairs t0..t0 + kp (2·pairs
                        // ≤ lda) and a scale per block; panel p has pairs·2·nr elements from
                        // p·pairs·2·nr; C rows i0 + i.. have columns nr·p..nr·(p + 1) ≤ n
                        // (caller); the caller checked the CPU has `isa`.
                        unsafe {
                            let tile = Tile {
                                kp,
                                a: buf.as_ptr().add(i * lda + 2 * t0),
                                lda,
                                sa: row_scales.as_ptr().add(i * blocks + kb),
                                sa_stride: blocks,
                                b: packed.as_ptr().add((p * pairs + t0) * 2 * nr),
                                sb: scales.as_ptr().add(kb * n + p * nr),
                                c: c.add((i0 + i) * rsc + p * nr),
                                rsc,
                                overwrite,
                            };
                            match isa {
                                Isa::Avx2 => for_rows!(mr, kernel_avx2(&tile)),
                                Isa::Avx512Vnni => for_rows!(mr, kernel_vnni(&tile)),
                            }
                        }
                        i += mr;
                    }
                }
            }
            i0 += mc;
        }
        A16.set((buf, row_scales));
    }

    /// One tile's product for one k-block: C[R × nr] (=|+=) A[R × 2kp] · B[2kp × nr], A's
    /// quantised rows `lda` apart with their block scales `sa_stride` apart, B's panel strip
    /// with its column scales, C's rows `rsc` apart.
    #[derive(Clone, Copy)]
    struct Tile {
        kp: usize,
        a: *const i16,
        lda: usize,
        sa: *const f32,
        sa_stride: usize,
        b: *const i16,
        sb: *const f32,
        c: *mut f32,
        rsc: usize,
        /// C = the product, else C += it.
        overwrite: bool,
    }

    impl Tile {
        /// The pair (A[r][2t], A[r][2t+1]) as one 32-bit lane, to broadcast.
        ///
        /// # Safety
        /// Row `r` of the tile's A must be readable at pair `t`.
        #[inline(always)]
        unsafe fn pair(&self, r: usize, t: usize) -> i32 {
            // SAFETY: the caller's contract.
            unsafe {
                self.a
                    .add(r * self.lda + 2 * t)
                    .cast::<i32>()
                    .read_unaligned()
            }
        }
    }

    /// `dst` (rows of `lda` i16) = A (`mc` × `k`, row stride `rsa`) quantised per k-block of
    /// each row: `round(x · Q / max|block|)`, the block's `max / Q` in `scales[r · blocks + kb]`;
    /// zero from column `k` to `lda`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn quantise(
        mc: usize,
        k: usize,
        a: *const f32,
        rsa: usize,
        dst: *mut i16,
        lda: usize,
        scales: *mut f32,
    ) {
        let blocks = k.div_ceil(KC);
        let sign = _mm256_set1_ps(-0.0);
        for r in 0..mc {
            // SAFETY: row r of A has k readable floats, row r of dst lda writable i16s, and
            // scales `blocks` writable floats per row (caller).
            unsafe {
                let row = a.add(r * rsa);
                let out = dst.add(r * lda);
                for kb in 0..blocks {
                    let (j0, j1) = (kb * KC, ((kb + 1) * KC).min(k));
                    let mut j = j0;
                    let mut vmax = _mm256_setzero_ps();
                    while j + 8 <= j1 {
                        vmax = _mm256_max_ps(
                            vmax,
                            _mm256_andnot_ps(sign, _mm256_loadu_ps(row.add(j))),
                        );
                        j += 8;
                    }
                    let mut lanes = [0f32; 8];
                    _mm256_storeu_ps(lanes.as_mut_ptr(), vmax);
                    let mut max = lanes.iter().fold(0f32, |m, &v| m.max(v));
                    for jj in j..j1 {
                        max = max.max((*row.add(jj)).abs());
                    }
                    let inv = if max > 0.0 { Q / max } else { 0.0 };
                    *scales.add(r * blocks + kb) = max / Q;
                    let vinv = _mm256_set1_ps(inv);
                    let mut j = j0;
                    while j + 16 <= j1 {
                        let lo =
                            _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row.add(j)), vinv));
                        let hi = _mm256_cvtps_epi32(_mm256_mul_ps(
                            _mm256_loadu_ps(row.add(j + 8)),
                            vinv,
                        ));
                        // packs interleaves 128-bit halves: put them back in order.
                        let q = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0b11_01_10_00);
                        _mm256_storeu_si256(out.add(j).cast(), q);
                        j += 16;
                    }
                    for jj in j..j1 {
                        *out.add(jj) = (*row.add(jj) * inv).round_ties_even() as i16;
                    }
                }
                for jj in k..lda {
                    *out.add(jj) = 0;
                }
            }
        }
    }

    /// C[R × 16] (=|+=) A[R × 2kp] · B[2kp × 16] for one k-block: 32-bit integer sums of the
    /// quantised operands (`vpmaddwd` multiplies a k-pair and adds the two products), scaled
    /// back by the row's block scale (`sa`, `sa_stride` apart) and each column's (`sb`).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn kernel_avx2<const R: usize>(tile: &Tile) {
        let mut acc = [[_mm256_setzero_si256(); 2]; R];
        for t in 0..tile.kp {
            // SAFETY: pair t of the panel (32 i16) and of R rows of A are readable (caller).
            unsafe {
                let bt = tile.b.add(t * 2 * 16);
                let b0 = _mm256_loadu_si256(bt.cast());
                let b1 = _mm256_loadu_si256(bt.add(16).cast());
                for (r, row) in acc.iter_mut().enumerate() {
                    let av = _mm256_set1_epi32(tile.pair(r, t));
                    row[0] = _mm256_add_epi32(row[0], _mm256_madd_epi16(av, b0));
                    row[1] = _mm256_add_epi32(row[1], _mm256_madd_epi16(av, b1));
                }
            }
        }
        // SAFETY: 16 column scales, R row scales and R rows of 16 writable floats (caller).
        unsafe {
            let sb = [_mm256_loadu_ps(tile.sb), _mm256_loadu_ps(tile.sb.add(8))];
            for (r, row) in acc.iter().enumerate() {
                let s = _mm256_set1_ps(*tile.sa.add(r * tile.sa_stride));
                let cr = tile.c.add(r * tile.rsc);
                for (q, v) in row.iter().enumerate() {
                    let p = cr.add(q * 8);
                    let scale = _mm256_mul_ps(s, sb[q]);
                    let v = _mm256_cvtepi32_ps(*v);
                    if tile.overwrite {
                        _mm256_storeu_ps(p, _mm256_mul_ps(v, scale));
                    } else {
                        _mm256_storeu_ps(p, _mm256_fmadd_ps(v, scale, _mm256_loadu_ps(p)));
                    }
                }
            }
        }
    }

    /// C[R × 64] (=|+=) A[R × 2kp] · B[2kp × 64] for one k-block, as [`kernel_avx2`] with
    /// `vpdpwssd` on 512-bit vectors (each multiplies 32 pairs and accumulates, 32-bit lanes
    /// wrapping, which the block bound rules out).
    #[inline]
    #[target_feature(enable = "avx512f,avx512vnni")]
    unsafe fn kernel_vnni<const R: usize>(tile: &Tile) {
        let mut acc = [[_mm512_setzero_si512(); 4]; R];
        for t in 0..tile.kp {
            // SAFETY: pair t of the panel (128 i16) and of R rows of A are readable (caller).
            unsafe {
                let bt = tile.b.add(t * 2 * 64);
                let b0 = _mm512_loadu_si512(bt.cast());
                let b1 = _mm512_loadu_si512(bt.add(32).cast());
                let b2 = _mm512_loadu_si512(bt.add(64).cast());
                let b3 = _mm512_loadu_si512(bt.add(96).cast());
                for (r, row) in acc.iter_mut().enumerate() {
                    let av = _mm512_set1_epi32(tile.pair(r, t));
                    row[0] = _mm512_dpwssd_epi32(row[0], av, b0);
                    row[1] = _mm512_dpwssd_epi32(row[1], av, b1);
                    row[2] = _mm512_dpwssd_epi32(row[2], av, b2);
                    row[3] = _mm512_dpwssd_epi32(row[3], av, b3);
                }
            }
        }
        // SAFETY: 64 column scales, R row scales and R rows of 64 writable floats (caller).
        unsafe {
            let sb = [0, 16, 32, 48].map(|q| _mm512_loadu_ps(tile.sb.add(q)));
            for (r, row) in acc.iter().enumerate() {
                let s = _mm512_set1_ps(*tile.sa.add(r * tile.sa_stride));
                let cr = tile.c.add(r * tile.rsc);
                for (q, v) in row.iter().enumerate() {
                    let p = cr.add(q * 16);
                    let scale = _mm512_mul_ps(s, sb[q]);
                    let v = _mm512_cvtepi32_ps(*v);
                    if tile.overwrite {
                        _mm512_storeu_ps(p, _mm512_mul_ps(v, scale));
                    } else {
                        _mm512_storeu_ps(p, _mm512_fmadd_ps(v, scale, _mm512_loadu_ps(p)));
                    }
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{KC, MR, NR};
    use std::arch::x86_64::*;

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        packed: &[f32],
        c: *mut f32,
        rsc: usize,
        accumulate: bool,
    ) {
        let panels = n / NR;
        let mut k0 = 0;
        while k0 < k {
            let kc = KC.min(k - k0);
            let overwrite = k0 == 0 && !accumulate;
            let mut i = 0;
            while i < m {
                let mr = MR.min(m - i);
                let ap = a.add(i * rsa + k0);
                for p in 0..panels {
                    let bp = packed.as_ptr().add(p * k * NR + k0 * NR);
                    let cp = c.add(i * rsc + p * NR);
                    for_rows!(mr, kernel(kc, ap, rsa, bp, cp, rsc, overwrite))
                }
                i += mr;
            }
            k0 += kc;
        }
    }

    /// C[R × 64] (=|+=) A[R × kc] · Bpanel[kc × 64].
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn kernel<const R: usize>(
        kc: usize,
        a: *const f32,
        rsa: usize,
        b: *const f32,
        c: *mut f32,
        rsc: usize,
        overwrite: bool,
    ) {
        let mut acc = [[_mm512_setzero_ps(); 4]; R];
        for kk in 0..kc {
            let bk = b.add(kk * NR);
            let b0 = _mm512_loadu_ps(bk);
            let b1 = _mm512_loadu_ps(bk.add(16));
            let b2 = _mm512_loadu_ps(bk.add(32));
            let b3 = _mm512_loadu_ps(bk.add(48));
            for (r, row) in acc.iter_mut().enumerate() {
                let av = _mm512_set1_ps(*a.add(r * rsa + kk));
                row[0] = _mm512_fmadd_ps(av, b0, row[0]);
                row[1] = _mm512_fmadd_ps(av, b1, row[1]);
                row[2] = _mm512_fmadd_ps(av, b2, row[2]);
                row[3] = _mm512_fmadd_ps(av, b3, row[3]);
            }
        }
        for (r, row) in acc.iter().enumerate() {
            let cr = c.add(r * rsc);
            for (q, v) in row.iter().enumerate() {
                let p = cr.add(q * 16);
                if overwrite {
                    _mm512_storeu_ps(p, *v);
                } else {
                    _mm512_storeu_ps(p, _mm512_add_ps(_mm512_loadu_ps(p), *v));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// C = A · B in f64, rounded to f32.
    fn naive(m: usize, k: usize, n: usize, a: &[f32], rsa: usize, b: &[f32]) -> Vec<f32> {
        let mut c = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let s: f64 = (0..k)
                    .map(|kk| a[i * rsa + kk] as f64 * b[kk * n + j] as f64)
                    .sum();
                c[i * n + j] = s as f32;
            }
        }
        c
    }

    /// `len` values in [-1, 1), pseudo-random from `seed`.
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn each_f32_x86_kernel_matches_naive() {
        // Partial row tiles, two k passes, strided A; and more rows than one AVX2 row block.
        for (m, k, n, rsa) in [(11, 300, 128, 305), (101, 270, 64, 270)] {
            f32_kernels_match_naive(m, k, n, rsa);
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn f32_kernels_match_naive(m: usize, k: usize, n: usize, rsa: usize) {
        let a = values(m * rsa, 1);
        let b = values(k * n, 2);
        let want = naive(m, k, n, &a, rsa, &b);
        let mut runs: Vec<Vec<f32>> = Vec::new();
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            let packed = pack_f32(&b, k, n, avx2::NR);
            let mut c = vec![0f32; m * n];
            unsafe { avx2::gemm(m, k, n, a.as_ptr(), rsa, &packed, c.as_mut_ptr(), n, false) };
            runs.push(c);
        }
        if std::is_x86_feature_detected!("avx512f") {
            let packed = pack_f32(&b, k, n, NR);
            let mut c = vec![0f32; m * n];
            unsafe { avx512::gemm(m, k, n, a.as_ptr(), rsa, &packed, c.as_mut_ptr(), n, false) };
            runs.push(c);
        }
        for c in runs {
            for (x, y) in c.iter().zip(&want) {
                assert!((x - y).abs() < 1e-3 * (1.0 + y.abs()), "{x} vs {y}");
            }
        }
    }

    /// Per entry of A · B, the most quantising both operands for the integer kernel can move
    /// it: each operand is off by at most half its block's step (`max|block| / Q / 2`), so a
    /// term a·b by at most |a|·Δb + |b|·Δa + Δa·Δb; plus f32 rounding of the scaled sums.
    fn i16_bound(m: usize, k: usize, n: usize, a: &[f32], rsa: usize, b: &[f32]) -> Vec<f64> {
        let step = |v: &mut dyn Iterator<Item = f32>| v.fold(0f32, |m, x| m.max(x.abs())) as f64;
        let q = int16::Q as f64;
        let mut bound = vec![0f64; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut e = 0f64;
                for k0 in (0..k).step_by(KC) {
                    let k1 = (k0 + KC).min(k);
                    let da = step(&mut (k0..k1).map(|kk| a[i * rsa + kk])) / q / 2.0;
                    let db = step(&mut (k0..k1).map(|kk| b[kk * n + j])) / q / 2.0;
                    for kk in k0..k1 {
                        let (x, y) = (a[i * rsa + kk] as f64, b[kk * n + j] as f64);
                        e += x.abs() * db + y.abs() * da + da * db;
                        e += (2f64).powi(-21) * (x * y).abs();
                    }
                }
                bound[i * n + j] = e;
            }
        }
        bound
    }

    /// Each integer kernel this CPU runs is within the quantisation bound of the exact product,
    /// on shapes that exercise partial row groups (m % 6), odd k (zero-padded pair), partial
    /// k-blocks, several row blocks and panels, strided A and a column that is all zeros.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn i16_kernels_are_within_their_quantisation_bound() {
        let mut isas = Vec::new();
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            isas.push(int16::Isa::Avx2);
            if std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512vnni")
            {
                isas.push(int16::Isa::Avx512Vnni);
            }
        }
        if isas.is_empty() {
            eprintln!("skipped: this CPU has no avx2");
            return;
        }
        let mut worst = vec![0f64; isas.len()];
        for &(m, k, n, rsa) in &[
            (1, 1, 64, 1),
            (5, 3, 64, 7),
            (7, 300, 128, 310),
            (13, 511, 192, 512),
            (97, 257, 64, 260),
            (203, 1279, 320, 1280),
        ] {
            let a = values(m * rsa, (m * k) as u64);
            let mut b = values(k * n, (k * n) as u64);
            for kk in 0..k {
                b[kk * n + n - 1] = 0.0;
            }
            let exact = naive(m, k, n, &a, rsa, &b);
            let bound = i16_bound(m, k, n, &a, rsa, &b);
            let mut first: Option<Vec<f32>> = None;
            for (isa, worst) in isas.iter().zip(&mut worst) {
                let (packed, scales) = pack_i16(&b, k, n, isa.nr());
                let product = |c: &mut [f32], accumulate: bool| unsafe {
                    let (a, c) = (a.as_ptr(), c.as_mut_ptr());
                    int16::gemm(*isa, m, k, n, a, rsa, &packed, &scales, c, n, accumulate)
                };
                let mut c = vec![f32::NAN; m * n];
                product(&mut c, false);
                for e in 0..m * n {
                    let (x, y) = (c[e] as f64, exact[e] as f64);
                    assert!(
                        (x - y).abs() <= bound[e],
                        "{isa:?}: {x} vs {y} ±{} ({m}×{k}×{n}, {e})",
                        bound[e]
                    );
                    *worst = worst.max((x - y).abs() / bound[e].max(f64::MIN_POSITIVE));
                }
                // The block sums are exact integers and both scale them back alike: the same
                // bits whichever instructions multiplied.
                match &first {
                    Some(f) => assert!(f == &c, "{isa:?} differs from {:?}", isas[0]),
                    None => first = Some(c.clone()),
                }
                // accumulate adds on top
                product(&mut c, true);
                for e in 0..m * n {
                    let (x, y) = (c[e] as f64, 2.0 * exact[e] as f64);
                    assert!(
                        (x - y).abs() <= 2.0 * bound[e],
                        "{isa:?}: {x} vs {y} ({m}×{k}×{n}, {e})"
                    );
                }
            }
        }
        for (isa, worst) in isas.iter().zip(worst) {
            // A bound that is never approached would not catch a kernel off by a little.
            assert!(
                worst > 0.05,
                "{isa:?}: largest error {worst:.3} of the bound"
            );
            eprintln!("{isa:?}: largest error {worst:.3} of the bound");
        }
    }

    /// Through `Weight`, whichever kernel this CPU runs.
    #[test]
    fn weight_product_matches_naive_for_odd_shapes() {
        let i16 = matches!(kernel(), Kernel::Avx2I16 | Kernel::Avx512I16);
        for &(m, k, n, rsa) in &[
            (1, 3, 64, 3),
            (7, 300, 128, 310),
            (13, 512, 192, 512),
            (6, 257, 64, 260),
            (5, 17, 40, 17), // n not a multiple of 64: row-major path
        ] {
            let a = values(m * rsa, 3);
            let b = values(k * n, 4);
            let w = Weight::new(b.clone(), k, n);
            let want = naive(m, k, n, &a, rsa, &b);
            let bound = i16_bound(m, k, n, &a, rsa, &b);
            let tol = |e: usize, scale: f64| {
                if i16 && n.is_multiple_of(NR) {
                    scale * bound[e]
                } else {
                    scale * 1e-3 * (1.0 + want[e].abs() as f64)
                }
            };
            let mut c = vec![1f32; m * n];
            unsafe { w.mul(m, a.as_ptr(), rsa, c.as_mut_ptr(), n, false) };
            for e in 0..m * n {
                let (x, y) = (c[e] as f64, want[e] as f64);
                assert!((x - y).abs() <= tol(e, 1.0), "{x} vs {y} ({m}×{k}×{n})");
            }
            // accumulate adds on top
            unsafe { w.mul(m, a.as_ptr(), rsa, c.as_mut_ptr(), n, true) };
            for e in 0..m * n {
                let (x, y) = (c[e] as f64, 2.0 * want[e] as f64);
                assert!((x - y).abs() <= tol(e, 2.0), "{x} vs {y} ({m}×{k}×{n})");
            }
        }
    }
}
