//! IEEE half-precision storage for the per-piece cache: conversions and the two fused loops the
//! forward pass needs. `HW = true` uses the F16C instructions and must only be compiled into
//! functions that enable `f16c` (the x86 forward paths do); `HW = false` is portable.

/// f32 → f16 bits, round to nearest even (finite inputs; overflow saturates to infinity).
pub(crate) fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32;
    let man = b & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        // subnormal: shift the mantissa with its implicit 1
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rest = m & ((1 << shift) - 1);
        let mut r = m >> shift;
        if rest > half || (rest == half && (r & 1) == 1) {
            r += 1;
        }
        return sign | r as u16;
    }
    let mut r = ((e as u32) << 10) | (man >> 13);
    let rest = man & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && (r & 1) == 1) {
        r += 1; // may carry into the exponent, which is right
    }
    sign | r as u16
}

/// f16 bits → f32 (exact).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = if exp == 0 {
        // zero or subnormal: man · 2^-24
        let v = man as f32 * (1.0 / 16_777_216.0);
        return if sign != 0 { -v } else { v };
    } else if exp == 0x1f {
        sign | 0x7f80_0000 | (man << 13)
    } else {
        sign | ((exp + 112) << 23) | (man << 13)
    };
    f32::from_bits(bits)
}

/// dst[i] = f16(src[i]).
#[inline(always)]
pub(crate) fn encode<const HW: bool>(src: &[f32], dst: &mut [u16]) {
    debug_assert_eq!(src.len(), dst.len());
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if HW {
        use std::arch::x86_64::*;
        let n = src.len() / 8 * 8;
        // SAFETY: HW callers enable f16c; indices stay inside both slices.
        unsafe {
            for i in (0..n).step_by(8) {
                let v = _mm256_loadu_ps(src.as_ptr().add(i));
                let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v);
                _mm_storeu_si128(dst.as_mut_ptr().add(i) as *mut __m128i, h);
            }
        }
        done = n;
    }
    for (d, &s) in dst[done..].iter_mut().zip(&src[done..]) {
        *d = f32_to_f16(s);
    }
}

/// dst[i] += f32(src[i]).
#[inline(always)]
pub(crate) fn add<const HW: bool>(dst: &mut [f32], src: &[u16]) {
    debug_assert_eq!(src.len(), dst.len());
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if HW {
        use std::arch::x86_64::*;
        let n = dst.len() / 8 * 8;
        // SAFETY: HW callers enable f16c; indices stay inside both slices.
        unsafe {
            for i in (0..n).step_by(8) {
                let h = _mm_loadu_si128(src.as_ptr().add(i) as *const __m128i);
                let v = _mm256_cvtph_ps(h);
                let d = dst.as_mut_ptr().add(i);
                _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), v));
            }
        }
        done = n;
    }
    for (d, &s) in dst[done..].iter_mut().zip(&src[done..]) {
        *d += f16_to_f32(s);
    }
}

/// dst[i] = max(dst[i], 0) + f32(src[i]).
#[inline(always)]
pub(crate) fn relu_add<const HW: bool>(dst: &mut [f32], src: &[u16]) {
    debug_assert_eq!(src.len(), dst.len());
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if HW {
        use std::arch::x86_64::*;
        let n = dst.len() / 8 * 8;
        // SAFETY: HW callers enable f16c; indices stay inside both slices.
        unsafe {
            let zero = _mm256_setzero_ps();
            for i in (0..n).step_by(8) {
                let h = _mm_loadu_si128(src.as_ptr().add(i) as *const __m128i);
                let v = _mm256_cvtph_ps(h);
                let d = dst.as_mut_ptr().add(i);
                _mm256_storeu_ps(d, _mm256_add_ps(_mm256_max_ps(_mm256_loadu_ps(d), zero), v));
            }
        }
        done = n;
    }
    for (d, &s) in dst[done..].iter_mut().zip(&src[done..]) {
        *d = d.max(0.0) + f16_to_f32(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rounds_to_nearest_even() {
        for &x in &[
            0.0f32, -0.0, 1.0, -2.5, 65504.0, 0.1, 2.71, 1e-5, -6.1e-5, 1e-8,
        ] {
            let back = f16_to_f32(f32_to_f16(x));
            let tol = (x.abs() * 1e-3).max(6e-8);
            assert!((back - x).abs() <= tol, "{x} -> {back}");
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(-2.0), 0xc000);
        assert_eq!(f32_to_f16(1e6), 0x7c00);
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0)
        assert_eq!(f32_to_f16(1.0 + 1.0 / 2048.0), 0x3c00);
        assert_eq!(f32_to_f16(1.0 + 3.0 / 2048.0), 0x3c02);
    }

    #[test]
    fn hardware_and_software_paths_agree() {
        let src: Vec<f32> = (0..37).map(|i| (i as f32 * 0.731).sin() * 40.0).collect();
        let mut soft = vec![0u16; src.len()];
        encode::<false>(&src, &mut soft);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("f16c") && std::is_x86_feature_detected!("avx") {
            #[target_feature(enable = "avx,f16c")]
            unsafe fn hw(src: &[f32], dst: &mut [u16], acc: &mut [f32]) {
                encode::<true>(src, dst);
                add::<true>(acc, dst);
                relu_add::<true>(acc, dst);
            }
            let mut h = vec![0u16; src.len()];
            let mut acc_hw = vec![-1f32; src.len()];
            unsafe { hw(&src, &mut h, &mut acc_hw) };
            assert_eq!(soft, h);
            let mut acc_sw = vec![-1f32; src.len()];
            add::<false>(&mut acc_sw, &soft);
            relu_add::<false>(&mut acc_sw, &soft);
            assert_eq!(acc_sw, acc_hw);
        }
    }
}
