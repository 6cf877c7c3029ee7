//! A seeded random number generator for the commands that sample (the benchmark's corpus, the
//! evaluation's bootstrap): SplitMix64 (Steele, Lea & Flood 2014), small and the same on every
//! machine, so a figure can be reproduced exactly.

use khabar_core::mix::{splitmix64, SPLITMIX_STEP};

/// SplitMix64: small, seeded, the same on every machine.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`; different `stream`s give independent sequences. Both are mixed
    /// before they make the state: SplitMix steps its state by a fixed constant, so states that
    /// differ by a multiple of it (as `seed ^ stream · constant` did for streams two apart) give
    /// one sequence, shifted.
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng(splitmix64(seed) ^ splitmix64(stream ^ 0x5851_F42D_4C95_7F2D))
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        let bits = splitmix64(self.0);
        self.0 = self.0.wrapping_add(SPLITMIX_STEP);
        bits
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    /// Streams of one seed share no stretch of their sequences (they did when a stream's state
    /// was the next one's shifted by the step).
    #[test]
    fn streams_are_not_shifts_of_each_other() {
        let draws = |stream| {
            let mut r = Rng::new(1, stream);
            (0..64).map(|_| r.next()).collect::<Vec<u64>>()
        };
        let streams: Vec<Vec<u64>> = (0..8).map(draws).collect();
        for (i, a) in streams.iter().enumerate() {
            for b in &streams[i + 1..] {
                assert!(a.iter().all(|x| !b.contains(x)));
            }
        }
        assert_eq!(draws(3), draws(3));
    }
}
