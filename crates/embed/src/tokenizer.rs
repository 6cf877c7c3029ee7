//! SentencePiece unigram tokenizer for the model's `sp.model`, written to give the same ids as
//! the reference package.
//!
//! Three parts, as SentencePiece defines them:
//! 1. normalisation with the model's precompiled `nmt_nfkc` charsmap (a darts-clone double-array
//!    trie mapping byte sequences to replacement strings, applied longest-match first), plus
//!    SentencePiece's whitespace rules: leading, trailing and repeated spaces removed, a dummy
//!    `▁` prefix, spaces escaped as `▁`;
//! 2. unigram Viterbi segmentation over the pieces (best total log-probability; a character that
//!    no one-character piece covers becomes `<unk>` with a penalty of min score − 10);
//! 3. `<s>` … `</s>` around the ids, and `[<s>, <unk>, </s>]` for text that normalises to nothing.
//!
//! Every piece of the vocabulary takes part in matching (control pieces included), as in the
//! reference.

use std::collections::HashMap;

use crate::Error;

/// Id of `<unk>`.
pub const UNK_ID: u32 = 0;
/// Id of `<s>` (begin of sentence).
pub const BOS_ID: u32 = 1;
/// Id of `</s>` (end of sentence).
pub const EOS_ID: u32 = 2;

const SPACE: &str = "\u{2581}";

/// The SentencePiece unigram tokenizer of the model.
pub struct Tokenizer {
    pieces: Vec<String>,
    scores: Vec<f32>,
    unk_score: f64,
    trie: PieceTrie,
    norm: Normalizer,
    /// No piece holds `▁` after its first character, so no piece spans two words: what makes
    /// tokenising a prefix safe ([`Tokenizer::encode_limited`]).
    words_apart: bool,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("pieces", &self.pieces.len())
            .finish()
    }
}

impl Tokenizer {
    /// Parse a SentencePiece `.model` file (a `ModelProto` protobuf).
    pub fn from_bytes(data: &[u8]) -> Result<Tokenizer, Error> {
        let top = proto_fields(data).map_err(|e| Error::Format(format!("sp.model: {e}")))?;
        let mut pieces = Vec::new();
        let mut scores = Vec::new();
        let mut charsmap: Option<&[u8]> = None;
        for (field, value) in top {
            match (field, value) {
                (1, Value::Bytes(b)) => {
                    let sub = proto_fields(b)
                        .map_err(|e| Error::Format(format!("sp.model piece: {e}")))?;
                    let mut piece = None;
                    let mut score = 0.0f32;
                    for (f, v) in sub {
                        match (f, v) {
                            (1, Value::Bytes(s)) => piece = Some(s),
                            (2, Value::Fixed32(x)) => score = f32::from_bits(x),
                            _ => {}
                        }
                    }
                    if let Some(p) = piece {
                        let p = std::str::from_utf8(p)
                            .map_err(|_| Error::Format("sp.model: piece not UTF-8".into()))?;
                        pieces.push(p.to_string());
                        scores.push(score);
                    }
                }
                (3, Value::Bytes(b)) => {
                    let sub = proto_fields(b)
                        .map_err(|e| Error::Format(format!("sp.model normalizer: {e}")))?;
                    for (f, v) in sub {
                        if let (2, Value::Bytes(cm)) = (f, v) {
                            charsmap = Some(cm);
                        }
                    }
                }
                _ => {}
            }
        }
        if pieces.len() < 3 {
            return Err(Error::Format("sp.model: no vocabulary".into()));
        }
        let min = scores.iter().fold(f32::INFINITY, |a, &b| a.min(b));
        let unk_score = min as f64 - 10.0;
        let trie = PieceTrie::build(&pieces);
        let norm = Normalizer::new(charsmap.unwrap_or(&[]))?;
        let words_apart = pieces
            .iter()
            .all(|p| !p.chars().skip(1).any(|c| c == '\u{2581}'));
        Ok(Tokenizer {
            pieces,
            scores,
            unk_score,
            trie,
            norm,
            words_apart,
        })
    }

    /// Number of pieces in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.pieces.len()
    }

    /// The piece string of an id.
    pub fn piece(&self, id: u32) -> Option<&str> {
        self.pieces.get(id as usize).map(|s| s.as_str())
    }

    /// SentencePiece normalisation of `text` (with `▁` for spaces and the dummy prefix).
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::new();
        self.norm.normalize(text, &mut out);
        out
    }

    /// Token ids of `text` with `<s>` and `</s>` around them, exactly as the model sees them.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        let mut scratch = TokScratch::default();
        self.encode_into(text, &mut ids, &mut scratch);
        ids
    }

    /// Token ids of the first `max_tokens` tokens of `text`, with `<s>` and `</s>` around them:
    /// the same as [`encode`](Self::encode) cut after `max_tokens`, without tokenising the rest.
    pub fn encode_limited(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let mut ids = Vec::new();
        let mut scratch = TokScratch::default();
        self.encode_limited_into(text, max_tokens, &mut ids, &mut scratch);
        ids
    }

    /// Append the ids of the first `max_tokens` tokens of `text` (with `<s>`/`</s>`) to `out`.
    ///
    /// Only a prefix of the text is tokenised, cut at whitespace: no piece spans a word boundary
    /// (`▁` only begins a piece: checked when the model loads, else the whole text is
    /// tokenised), so the tokens of the whole words of a prefix are the whole text's. The prefix starts at [`PREFIX_BYTES_PER_TOKEN`] bytes a token and doubles until it
    /// yields more than `max_tokens` tokens or is the whole text (a text without whitespace, as in
    /// Chinese, is tokenised whole). A 5 MB page costs 192 tokens' work, not 5 MB's.
    pub(crate) fn encode_limited_into(
        &self,
        text: &str,
        max_tokens: usize,
        out: &mut Vec<u32>,
        scratch: &mut TokScratch,
    ) {
        let before = out.len();
        let mut budget = if self.words_apart {
            max_tokens.saturating_mul(PREFIX_BYTES_PER_TOKEN)
        } else {
            usize::MAX
        };
        loop {
            let part = whitespace_prefix(text, budget);
            self.encode_into(part, out, scratch);
            // Tokens between <s> and </s>.
            let tokens = out.len() - before - 2;
            if part.len() == text.len() || tokens > max_tokens {
                break;
            }
            out.truncate(before);
            budget = budget.saturating_mul(2);
        }
        if out.len() - before > max_tokens.saturating_add(2) {
            out.truncate(before + 1 + max_tokens);
            out.push(EOS_ID);
        }
    }

    /// Append the ids of `text` (with `<s>`/`</s>`) to `out`, reusing `scratch`.
    pub(crate) fn encode_into(&self, text: &str, out: &mut Vec<u32>, scratch: &mut TokScratch) {
        out.push(BOS_ID);
        let mut norm = std::mem::take(&mut scratch.norm);
        norm.clear();
        self.norm.normalize(text, &mut norm);
        if norm.is_empty() {
            out.push(UNK_ID);
        } else if self.words_apart {
            // No piece spans two words, so the best segmentation of the text is that of each
            // word (`▁` and what follows up to the next `▁`) in turn — exactly: piece scores are
            // f32 and their sums exact in f64, so no comparison depends on where a sum starts.
            // News repeats its words, so most are segmented once per thread.
            let mut start = 0;
            while start < norm.len() {
                let from = start + norm[start..].chars().next().map_or(1, char::len_utf8);
                let end = norm[from..].find(SPACE).map_or(norm.len(), |i| from + i);
                let word = &norm[start..end];
                match scratch.words.get(word) {
                    Some(ids) => out.extend_from_slice(ids),
                    None => {
                        let first = out.len();
                        self.viterbi(word.as_bytes(), scratch, out);
                        if word.len() <= WORD_CACHE_MAX_BYTES {
                            if scratch.words.len() >= WORD_CACHE_ENTRIES {
                                scratch.words.clear();
                            }
                            scratch.words.insert(word.into(), out[first..].into());
                        }
                    }
                }
                start = end;
            }
        } else {
            self.viterbi(norm.as_bytes(), scratch, out);
        }
        scratch.norm = norm;
        out.push(EOS_ID);
    }

    /// Appends the best segmentation of `text` (normalised) to `out`.
    fn viterbi(&self, text: &[u8], s: &mut TokScratch, out: &mut Vec<u32>) {
        let n = text.len();
        s.best.clear();
        s.best.resize(n + 1, -1e38);
        s.best[0] = 0.0;
        s.start.clear();
        s.start.resize(n + 1, 0);
        s.piece.clear();
        s.piece.resize(n + 1, 0);
        let is_boundary = |i: usize| i >= n || (text[i] & 0xC0) != 0x80;
        let mut i = 0;
        while i < n {
            let base = s.best[i];
            let char_end = {
                let mut e = i + 1;
                while !is_boundary(e) {
                    e += 1;
                }
                e
            };
            let mut has_single = false;
            let mut node = 0u32;
            let mut j = i;
            while j < n {
                match self.trie.child(node, text[j]) {
                    Some(c) => node = c,
                    None => break,
                }
                j += 1;
                if is_boundary(j) {
                    if let Some(id) = self.trie.value(node) {
                        let score = base + self.scores[id as usize] as f64;
                        if score > s.best[j] {
                            s.best[j] = score;
                            s.start[j] = i;
                            s.piece[j] = id;
                        }
                        if j == char_end {
                            has_single = true;
                        }
                    }
                }
            }
            if !has_single {
                let score = base + self.unk_score;
                if score > s.best[char_end] {
                    s.best[char_end] = score;
                    s.start[char_end] = i;
                    s.piece[char_end] = UNK_ID;
                }
            }
            i = char_end;
        }
        let first = out.len();
        let mut p = n;
        while p > 0 {
            out.push(s.piece[p]);
            p = s.start[p];
        }
        out[first..].reverse();
    }
}

/// First guess of the bytes a token takes (most pieces are 2–8 bytes; Arabic letters take 2 each):
/// generous, so one pass usually suffices.
const PREFIX_BYTES_PER_TOKEN: usize = 16;

/// `text` up to the last whitespace at or before `budget` bytes; the whole text when it is no
/// longer, or has no whitespace before the budget.
fn whitespace_prefix(text: &str, budget: usize) -> &str {
    if text.len() <= budget {
        return text;
    }
    let mut end = budget;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(cut) if cut > 0 => &text[..cut],
        _ => text,
    }
}

/// Words whose pieces a [`TokScratch`] keeps at most; when full it starts again (≈ 6 MB).
const WORD_CACHE_ENTRIES: usize = 1 << 16;
/// Longer words (a text without spaces is one word) are segmented each time, not kept.
const WORD_CACHE_MAX_BYTES: usize = 64;

/// Reusable buffers for tokenisation (no allocation per token), and the pieces of words
/// segmented before.
#[derive(Default)]
pub(crate) struct TokScratch {
    norm: String,
    best: Vec<f64>,
    start: Vec<usize>,
    piece: Vec<u32>,
    words: HashMap<Box<str>, Box<[u32]>>,
}

/// A byte trie over the vocabulary: `(node, byte) -> child` in one hash map, and the piece id
/// of nodes that end a piece.
struct PieceTrie {
    children: HashMap<u64, u32, BuildFx>,
    values: Vec<u32>, // piece id + 1, 0 = none
}

impl PieceTrie {
    fn build(pieces: &[String]) -> PieceTrie {
        let mut children: HashMap<u64, u32, BuildFx> =
            HashMap::with_capacity_and_hasher(pieces.len() * 3, BuildFx);
        let mut values = vec![0u32];
        for (id, p) in pieces.iter().enumerate() {
            let mut node = 0u32;
            for &b in p.as_bytes() {
                let key = ((node as u64) << 8) | b as u64;
                node = match children.get(&key) {
                    Some(&c) => c,
                    None => {
                        let c = values.len() as u32;
                        values.push(0);
                        children.insert(key, c);
                        c
                    }
                };
            }
            // The first piece with a given string wins, like a dict filled in id order would
            // keep the last: the vocabulary has no duplicates, so either rule gives the same.
            values[node as usize] = id as u32 + 1;
        }
        PieceTrie { children, values }
    }

    #[inline]
    fn child(&self, node: u32, b: u8) -> Option<u32> {
        self.children
            .get(&(((node as u64) << 8) | b as u64))
            .copied()
    }

    #[inline]
    fn value(&self, node: u32) -> Option<u32> {
        match self.values[node as usize] {
            0 => None,
            v => Some(v - 1),
        }
    }
}

/// A fast multiplicative hasher for the trie's integer keys.
#[derive(Clone, Copy, Default)]
struct BuildFx;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The `nmt_nfkc` normaliser from the model's precompiled charsmap.
struct Normalizer {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl Normalizer {
    fn new(charsmap: &[u8]) -> Result<Normalizer, Error> {
        if charsmap.is_empty() {
            return Ok(Normalizer {
                units: Vec::new(),
                replacements: Vec::new(),
            });
        }
        if charsmap.len() < 4 {
            return Err(Error::Format("sp.model: truncated charsmap".into()));
        }
        let trie_size =
            u32::from_le_bytes([charsmap[0], charsmap[1], charsmap[2], charsmap[3]]) as usize;
        if charsmap.len() < 4 + trie_size || trie_size & 3 != 0 {
            return Err(Error::Format("sp.model: bad charsmap size".into()));
        }
        let units = charsmap[4..4 + trie_size]
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Normalizer {
            units,
            replacements: charsmap[4 + trie_size..].to_vec(),
        })
    }

    #[inline]
    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// The replacement of the longest charsmap key at the start of `data`, and how many bytes it
    /// covers; or the first character unchanged when no key matches.
    fn normalize_prefix<'a>(&'a self, data: &'a [u8]) -> (&'a [u8], usize) {
        let mut best_len = 0;
        let mut best_value = 0usize;
        if !self.units.is_empty() {
            let mut node = Self::offset(self.units[0]);
            for (i, &c) in data.iter().enumerate() {
                node ^= c as usize;
                let Some(&unit) = self.units.get(node) else {
                    break;
                };
                if (unit & 0x8000_00FF) != c as u32 {
                    break;
                }
                node ^= Self::offset(unit);
                if unit & 0x100 != 0 {
                    best_len = i + 1;
                    best_value = (self.units[node] & 0x7FFF_FFFF) as usize;
                }
            }
        }
        if best_len == 0 || best_value >= self.replacements.len() {
            let len = utf8_len(data);
            return (&data[..len], len);
        }
        let rest = &self.replacements[best_value..];
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        (&rest[..end], best_len)
    }

    fn normalize(&self, text: &str, out: &mut String) {
        let raw = text.as_bytes();
        let n = raw.len();
        let mut pos = 0;
        // Leading whitespace is dropped.
        while pos < n {
            let (p, adv) = self.normalize_prefix(&raw[pos..]);
            if p != b" " {
                break;
            }
            pos += adv;
        }
        if pos >= n {
            return;
        }
        let mut buf: Vec<u8> = std::mem::take(out).into_bytes();
        buf.clear();
        buf.extend_from_slice(SPACE.as_bytes());
        let mut prev_space = true;
        while pos < n {
            let (mut p, adv) = self.normalize_prefix(&raw[pos..]);
            pos += adv;
            if prev_space {
                while let [b' ', rest @ ..] = p {
                    p = rest;
                }
            }
            if p.is_empty() {
                continue;
            }
            for &b in p {
                if b == b' ' {
                    buf.extend_from_slice(SPACE.as_bytes());
                } else {
                    buf.push(b);
                }
            }
            prev_space = p[p.len() - 1] == b' ';
        }
        while buf.ends_with(SPACE.as_bytes()) {
            buf.truncate(buf.len() - SPACE.len());
        }
        // The charsmap's replacements are valid UTF-8 and the rest is copied whole characters
        // from a &str, so this cannot fail; fall back to lossy conversion all the same.
        *out = match String::from_utf8(buf) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
    }
}

/// Byte length of the UTF-8 character starting `data` (1 for a stray byte).
fn utf8_len(data: &[u8]) -> usize {
    let first = data[0];
    let len = if first < 0x80 {
        1
    } else if first >> 5 == 0x6 {
        2
    } else if first >> 4 == 0xE {
        3
    } else if first >> 3 == 0x1E {
        4
    } else {
        1
    };
    if len > data.len() || data[1..len].iter().any(|&b| b & 0xC0 != 0x80) {
        1
    } else {
        len
    }
}

enum Value<'a> {
    Varint(#[allow(dead_code)] u64),
    Fixed32(u32),
    Fixed64(#[allow(dead_code)] u64),
    Bytes(&'a [u8]),
}

fn read_varint(data: &[u8], pos: &mut usize) -> Result<u64, &'static str> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *data.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        v |= ((b & 0x7F) as u64) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
        shift += 7;
        if shift > 63 {
            return Err("varint too long");
        }
    }
}

/// The top-level fields of one protobuf message, in order.
fn proto_fields(data: &[u8]) -> Result<Vec<(u64, Value<'_>)>, &'static str> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let tag = read_varint(data, &mut pos)?;
        let field = tag >> 3;
        let v = match tag & 7 {
            0 => Value::Varint(read_varint(data, &mut pos)?),
            1 => {
                let b = data.get(pos..pos + 8).ok_or("truncated fixed64")?;
                pos += 8;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Fixed64(u64::from_le_bytes(a))
            }
            2 => {
                let len = read_varint(data, &mut pos)? as usize;
                let b = data.get(pos..pos + len).ok_or("truncated bytes")?;
                pos += len;
                Value::Bytes(b)
            }
            5 => {
                let b = data.get(pos..pos + 4).ok_or("truncated fixed32")?;
                pos += 4;
                Value::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            _ => return Err("unsupported wire type"),
        };
        out.push((field, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's tokenizer, segmenting word by word with one scratch (so the second time a word
    /// comes it is taken from the scratch), gives the reference ids of the parity fixture, and
    /// the same ids as segmenting each text whole.
    #[test]
    fn words_segmented_once_give_the_ids_of_the_whole_text() {
        let sp = std::fs::read(crate::default_model_dir().join("sp.model"))
            .expect("the model is installed (`khabar model install`)");
        let by_word = Tokenizer::from_bytes(&sp).unwrap();
        assert!(by_word.words_apart);
        let whole = Tokenizer {
            words_apart: false,
            ..Tokenizer::from_bytes(&sp).unwrap()
        };
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/usem3_parity.jsonl"
        );
        let cases: Vec<(String, Vec<u32>)> = std::fs::read_to_string(fixture)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let ids = v["ids"].as_array().unwrap();
                (
                    v["text"].as_str().unwrap().to_string(),
                    ids.iter().map(|x| x.as_u64().unwrap() as u32).collect(),
                )
            })
            .collect();
        let mut scratch = TokScratch::default();
        for pass in 0..2 {
            for (text, want) in &cases {
                let mut got = Vec::new();
                by_word.encode_into(text, &mut got, &mut scratch);
                assert_eq!(&got, want, "pass {pass}: {text:?}");
                let mut all_at_once = Vec::new();
                whole.encode_into(text, &mut all_at_once, &mut TokScratch::default());
                assert_eq!(all_at_once, got, "{text:?}");
            }
        }
        assert!(
            scratch.words.len() > 1000,
            "{} words kept",
            scratch.words.len()
        );
    }

    /// A tiny model: pieces with scores, no charsmap (identity normalisation).
    fn tiny() -> Tokenizer {
        let pieces: &[(&str, f32)] = &[
            ("<unk>", 0.0),
            ("<s>", 0.0),
            ("</s>", 0.0),
            ("\u{2581}", -2.0),
            ("\u{2581}a", -1.0),
            ("b", -3.0),
            ("ab", -2.5),
            ("\u{2581}ab", -1.5),
            ("a", -2.0),
        ];
        let mut model = Vec::new();
        for (p, s) in pieces {
            let mut sub = vec![0x0A, p.len() as u8];
            sub.extend_from_slice(p.as_bytes());
            sub.push(0x15);
            sub.extend_from_slice(&s.to_le_bytes());
            model.push(0x0A);
            model.push(sub.len() as u8);
            model.extend_from_slice(&sub);
        }
        Tokenizer::from_bytes(&model).unwrap()
    }

    #[test]
    fn whitespace_is_collapsed_and_trimmed() {
        let t = tiny();
        assert_eq!(t.normalize("  a   b  "), "\u{2581}a\u{2581}b");
        assert_eq!(t.normalize("   "), "");
        assert_eq!(t.normalize(""), "");
    }

    #[test]
    fn viterbi_picks_best_path_and_unk() {
        let t = tiny();
        // "▁ab" (-1.5) beats "▁a"+"b" (-4.0).
        assert_eq!(t.encode("ab"), vec![BOS_ID, 7, EOS_ID]);
        // "z" is not covered: <unk>.
        assert_eq!(t.encode("a z"), vec![BOS_ID, 4, 3, UNK_ID, EOS_ID]);
        assert_eq!(t.encode(" "), vec![BOS_ID, UNK_ID, EOS_ID]);
    }

    #[test]
    fn utf8_len_handles_stray_bytes() {
        assert_eq!(utf8_len("é".as_bytes()), 2);
        assert_eq!(utf8_len(&[0xC3]), 1);
        assert_eq!(utf8_len("٢".as_bytes()), 2);
    }
}
