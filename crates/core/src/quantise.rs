//! How khabar keeps unit vectors: one signed byte per dimension and a scale per vector (cosine
//! error ≈ 0.002, a quarter of the size of f32). The store writes this form and the candidate
//! index compares it, so both must quantise the same way: this is that way.

/// `v` as one signed byte per dimension and the scale one unit is worth: the largest magnitude
/// maps to ±127 (an all-zero vector gets scale 1).
pub fn quantise(v: &[f32]) -> (f32, Vec<i8>) {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let values = v
        .iter()
        .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (scale, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_value_maps_to_127_and_the_rest_round() {
        let (scale, q) = quantise(&[0.5, -0.25, 0.001, 0.0]);
        assert_eq!(q, vec![127, -64, 0, 0]);
        assert!((scale - 0.5 / 127.0).abs() < 1e-9);
        assert_eq!(quantise(&[0.0, 0.0]), (1.0, vec![0, 0]));
    }
}
