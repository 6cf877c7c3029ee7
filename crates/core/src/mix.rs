//! A fixed, well-mixed 64-bit hash for choices that must look random yet be the same on every
//! run and machine: cross-validation folds, HNSW levels, seeded sampling.

/// SplitMix64 (Steele, Lea & Flood 2014) of `x`: the generator's step (adding the golden-ratio
/// increment) and its output function, as one hash.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(SPLITMIX_STEP);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64's increment: ⌊2⁶⁴ / φ⌋, odd.
pub const SPLITMIX_STEP: u64 = 0x9E37_79B9_7F4A_7C15;

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference outputs of SplitMix64 seeded with 1234567 (the generator's first three
    /// draws are `splitmix64` of the state before each step).
    #[test]
    fn matches_the_reference_sequence() {
        let mut state: u64 = 1234567;
        let draws: Vec<u64> = (0..3)
            .map(|_| {
                let z = splitmix64(state);
                state = state.wrapping_add(SPLITMIX_STEP);
                z
            })
            .collect();
        assert_eq!(
            draws,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423
            ]
        );
    }
}
