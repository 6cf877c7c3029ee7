//! Compact vector storage: unit vectors quantised by [`khabar_core::quantise`] (one signed byte
//! per dimension with a per-vector scale; cosine error ≈ 0.002, a quarter of the size of f32).
//!
//! The pipeline quantises vectors *before* it scores anything, so a score computed at ingest is
//! the same as one computed later from the stored bytes: results do not depend on when an
//! article was read.

use chrono::NaiveDate;

/// Quantises then dequantises: what a vector becomes once stored.
pub fn round_trip(v: &[f32]) -> Vec<f32> {
    decode(&encode(v))
}

/// Encodes one vector ([`khabar_core::quantise`]d): 4 bytes of f32 scale, then one i8 per
/// dimension.
pub fn encode(v: &[f32]) -> Vec<u8> {
    let (scale, values) = khabar_core::quantise(v);
    let mut out = Vec::with_capacity(4 + v.len());
    out.extend_from_slice(&scale.to_le_bytes());
    out.extend(values.into_iter().map(|q| q as u8));
    out
}

/// Decodes one vector written by [`encode`]; an empty or short blob gives an empty vector.
pub fn decode(bytes: &[u8]) -> Vec<f32> {
    if bytes.len() < 4 {
        return Vec::new();
    }
    let scale = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    bytes[4..].iter().map(|&b| b as i8 as f32 * scale).collect()
}

/// Encodes several vectors of one dimension: u32 count, u32 dimension, then each [`encode`]d.
pub fn encode_many(vs: &[Vec<f32>]) -> Vec<u8> {
    let dim = vs.first().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(8 + vs.len() * (4 + dim));
    out.extend_from_slice(&(vs.len() as u32).to_le_bytes());
    out.extend_from_slice(&(dim as u32).to_le_bytes());
    for v in vs {
        out.extend_from_slice(&encode(v));
    }
    out
}

/// Decodes what [`encode_many`] wrote.
pub fn decode_many(bytes: &[u8]) -> Vec<Vec<f32>> {
    if bytes.len() < 8 {
        return Vec::new();
    }
    let count = u32::from_le_bytes(bytes[0..4].try_into().unwrap()) as usize;
    let dim = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    bytes[8..]
        .chunks_exact(4 + dim)
        .take(count)
        .map(decode)
        .collect()
}

/// Days since 1970-01-01.
pub fn day_number(date: NaiveDate) -> i32 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_unit_vectors_keep_their_cosines() {
        let a: Vec<f32> = (0..512).map(|i| ((i * 7919) % 101) as f32 - 50.0).collect();
        let norm = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        let a: Vec<f32> = a.iter().map(|x| x / norm).collect();
        let back = round_trip(&a);
        let cos: f32 = a.iter().zip(&back).map(|(x, y)| x * y).sum();
        assert!(cos > 0.999, "{cos}");
        assert_eq!(round_trip(&back), back, "quantising twice changes nothing");
        let many = vec![a.clone(), back.clone()];
        assert_eq!(decode_many(&encode_many(&many)).len(), 2);
        assert!(decode_many(&[]).is_empty());
    }
}
