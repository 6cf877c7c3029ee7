//! Matrix products against the model's fixed weight matrices.
//!
//! A weight matrix `B` (k × n) is stored twice: row-major (for the portable path, the
//! `matrixmultiply` SGEMM) and packed in panels of 64 columns (`panel[p][k][64]`) for an
//! AVX-512 kernel that multiplies 6 rows of `A` by one panel with 24 vector accumulators.
//! Because `B` is packed once at load time and `A` is read in place (6 row streams, one
//! broadcast per element), no packing happens per call: for the token counts of a batch that
//! saves the time matrixmultiply spends packing both operands. Without AVX-512 a 6×16 AVX2/FMA
//! kernel runs over the same panels; elsewhere, matrixmultiply.

/// Columns per packed panel (four 16-float vectors).
const NR: usize = 64;
/// Rows of A per kernel call.
const MR: usize = 6;
/// Depth of one pass over B (a k-block of B's panels fits in L2).
const KC: usize = 256;

/// A fixed right-hand matrix, row-major and packed.
pub(crate) struct Weight {
    pub(crate) k: usize,
    pub(crate) n: usize,
    rows: Vec<f32>,
    packed: Vec<f32>,
}

impl Weight {
    pub(crate) fn new(rows: Vec<f32>, k: usize, n: usize) -> Weight {
        assert_eq!(rows.len(), k * n);
        let mut packed = Vec::new();
        if n > 0 && n.is_multiple_of(NR) {
            packed.reserve(k * n);
            for p in 0..n / NR {
                for kk in 0..k {
                    packed.extend_from_slice(&rows[kk * n + p * NR..kk * n + (p + 1) * NR]);
                }
            }
        }
        // With a packed kernel the row-major copy is never read: free it.
        let rows = if !packed.is_empty() && kernel() != Kernel::Portable {
            Vec::new()
        } else {
            rows
        };
        Weight { k, n, rows, packed }
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
        #[cfg(target_arch = "x86_64")]
        if !self.packed.is_empty() {
            match kernel() {
                Kernel::Avx512 => {
                    return avx512::gemm(
                        m,
                        self.k,
                        self.n,
                        a,
                        rsa,
                        &self.packed,
                        c,
                        rsc,
                        accumulate,
                    )
                }
                Kernel::Avx2 => {
                    return avx2::gemm(m, self.k, self.n, a, rsa, &self.packed, c, rsc, accumulate)
                }
                Kernel::Portable => {}
            }
        }
        debug_assert_eq!(self.rows.len(), self.k * self.n);
        matrixmultiply::sgemm(
            m,
            self.k,
            self.n,
            1.0,
            a,
            rsa as isize,
            1,
            self.rows.as_ptr(),
            self.n as isize,
            1,
            if accumulate { 1.0 } else { 0.0 },
            c,
            rsc as isize,
            1,
        );
    }
}

/// Which matrix kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// 6×64 tiles with 512-bit vectors.
    Avx512,
    /// 6×16 tiles with 256-bit vectors and FMA.
    Avx2,
    /// `matrixmultiply`'s SGEMM (packs both operands per call).
    Portable,
}

/// The best kernel for this CPU; `KHABAR_EMBED_GEMM=avx512|avx2|portable` forces one (an
/// unsupported choice falls back to the best supported one).
pub(crate) fn kernel() -> Kernel {
    use std::sync::OnceLock;
    static K: OnceLock<Kernel> = OnceLock::new();
    *K.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let avx512 = std::is_x86_feature_detected!("avx512f");
            let avx2 =
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            let want = std::env::var("KHABAR_EMBED_GEMM").unwrap_or_default();
            match want.as_str() {
                "portable" => return Kernel::Portable,
                "avx2" if avx2 => return Kernel::Avx2,
                _ => {}
            }
            if avx512 {
                return Kernel::Avx512;
            }
            if avx2 {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    })
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{KC, MR, NR};
    use std::arch::x86_64::*;

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
            let mut i = 0;
            while i < m {
                let mr = MR.min(m - i);
                let ap = a.add(i * rsa + k0);
                for p in 0..panels {
                    for q in 0..NR / 16 {
                        let bp = packed.as_ptr().add(p * k * NR + k0 * NR + q * 16);
                        let cp = c.add(i * rsc + p * NR + q * 16);
                        match mr {
                            6 => kernel::<6>(kc, ap, rsa, bp, cp, rsc, overwrite),
                            5 => kernel::<5>(kc, ap, rsa, bp, cp, rsc, overwrite),
                            4 => kernel::<4>(kc, ap, rsa, bp, cp, rsc, overwrite),
                            3 => kernel::<3>(kc, ap, rsa, bp, cp, rsc, overwrite),
                            2 => kernel::<2>(kc, ap, rsa, bp, cp, rsc, overwrite),
                            _ => kernel::<1>(kc, ap, rsa, bp, cp, rsc, overwrite),
                        }
                    }
                }
                i += mr;
            }
            k0 += kc;
        }
    }

    /// C[R × 16] (=|+=) A[R × kc] · B[kc × 16] (B rows 64 floats apart, inside a panel).
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
                    match mr {
                        6 => kernel::<6>(kc, ap, rsa, bp, cp, rsc, overwrite),
                        5 => kernel::<5>(kc, ap, rsa, bp, cp, rsc, overwrite),
                        4 => kernel::<4>(kc, ap, rsa, bp, cp, rsc, overwrite),
                        3 => kernel::<3>(kc, ap, rsa, bp, cp, rsc, overwrite),
                        2 => kernel::<2>(kc, ap, rsa, bp, cp, rsc, overwrite),
                        _ => kernel::<1>(kc, ap, rsa, bp, cp, rsc, overwrite),
                    }
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

    fn naive(m: usize, k: usize, n: usize, a: &[f32], rsa: usize, b: &[f32]) -> Vec<f32> {
        let mut c = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0f64;
                for kk in 0..k {
                    s += a[i * rsa + kk] as f64 * b[kk * n + j] as f64;
                }
                c[i * n + j] = s as f32;
            }
        }
        c
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn each_x86_kernel_matches_naive() {
        let (m, k, n, rsa) = (11, 300, 128, 305);
        let a: Vec<f32> = (0..m * rsa)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 53 % 97) as f32 - 48.0) / 48.0)
            .collect();
        let want = naive(m, k, n, &a, rsa, &b);
        let mut packed = Vec::new();
        for p in 0..n / NR {
            for kk in 0..k {
                packed.extend_from_slice(&b[kk * n + p * NR..kk * n + (p + 1) * NR]);
            }
        }
        let mut runs: Vec<Vec<f32>> = Vec::new();
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            let mut c = vec![0f32; m * n];
            unsafe { avx2::gemm(m, k, n, a.as_ptr(), rsa, &packed, c.as_mut_ptr(), n, false) };
            runs.push(c);
        }
        if std::is_x86_feature_detected!("avx512f") {
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

    #[test]
    fn packed_product_matches_naive_for_odd_shapes() {
        for &(m, k, n, rsa) in &[
            (1, 3, 64, 3),
            (7, 300, 128, 310),
            (13, 512, 192, 512),
            (6, 257, 64, 260),
        ] {
            let a: Vec<f32> = (0..m * rsa)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
                .collect();
            let b: Vec<f32> = (0..k * n)
                .map(|i| ((i * 53 % 97) as f32 - 48.0) / 48.0)
                .collect();
            let w = Weight::new(b.clone(), k, n);
            let want = naive(m, k, n, &a, rsa, &b);
            let mut c = vec![1f32; m * n];
            unsafe { w.mul(m, a.as_ptr(), rsa, c.as_mut_ptr(), n, false) };
            for (x, y) in c.iter().zip(&want) {
                assert!(
                    (x - y).abs() < 1e-3 * (1.0 + y.abs()),
                    "{x} vs {y} ({m}×{k}×{n})"
                );
            }
            // accumulate adds on top
            unsafe { w.mul(m, a.as_ptr(), rsa, c.as_mut_ptr(), n, true) };
            for (x, y) in c.iter().zip(&want) {
                assert!((x - 2.0 * y).abs() < 2e-3 * (1.0 + y.abs()));
            }
        }
    }
}
