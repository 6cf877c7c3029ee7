//! Sentences and word tokens of the clean text, in the matching form, with spans back into the
//! original body.
//!
//! Sentences end at `.`, `!`, `?`, `؟` followed by a space, a closing quote or the end of the
//! paragraph (not after English abbreviations such as "No." or "Nov.", initials, or inside a
//! number), and at every paragraph (kept line) end. Tokens are runs of letters and digits; a
//! number keeps its thousands separators and decimal point ("9,000", "2.5"), and Arabic letters
//! and digits are split apart ("الذكرى57" → "الذكرى", "57").

use crate::data;
use crate::limits::{self, MAX_SENTENCES, MAX_TOKENS};
use crate::normalise::{is_arabic_letter, proclitic_readings, Normalised};
use khabar_core::{Span, Truncated};

/// One word of the matching-form text.
#[derive(Debug, Clone)]
pub struct Tok {
    /// Start byte in the matching form.
    pub s: usize,
    /// End byte in the matching form.
    pub e: usize,
    /// Index of its sentence.
    pub sent: usize,
    /// Lower-case matching form.
    pub lower: String,
    /// Arabic-script word.
    pub arabic: bool,
    /// Starts with a capital letter (Latin, Cyrillic, Greek).
    pub cap: bool,
    /// All letters are capitals.
    pub upper: bool,
    /// A number (digits with optional , and .).
    pub number: bool,
    /// The word and its readings without proclitics (Arabic: وللكويت → الكويت), with the bytes
    /// cut; computed once here because every extractor asks ([`proclitic_readings`]).
    pub readings: Vec<(String, usize)>,
}

/// A text ready for the extractors: matching form, sentences and tokens.
#[derive(Debug)]
pub struct Text {
    /// Matching form of the body up to the end of its last region (removed lines included, but
    /// never used).
    pub norm: Normalised,
    /// Sentences as matching-form byte ranges.
    pub sents: Vec<(usize, usize)>,
    /// Paragraph index of each sentence.
    pub para_of: Vec<usize>,
    /// Tokens in order.
    pub toks: Vec<Tok>,
    /// Set when the regions hold more than [`MAX_SENTENCES`] sentences or [`MAX_TOKENS`]
    /// tokens: the text from there on is not split (a sentence is cut after the last token
    /// that fits).
    pub truncated: Option<Truncated>,
    /// Length of the whole body in bytes (a truncated part runs to its end).
    pub body_len: usize,
}

impl Text {
    /// Splits the kept `regions` (original byte spans, one per paragraph) of `body`.
    pub fn new(body: &str, regions: &[Span]) -> Text {
        // what follows the last region is never looked at: its matching form would only cost
        let end = regions.last().map_or(0, |r| r.end.min(body.len()));
        let norm = Normalised::new(&body[..end]);
        let mut sents = Vec::new();
        let mut para_of = Vec::new();
        let mut toks = Vec::new();
        let mut cut: Option<(&str, usize, usize)> = None; // bound, its value, matching-form byte
        'regions: for (pi, r) in regions.iter().enumerate() {
            let s = norm.from_original(r.start);
            let e = norm.from_original(r.end);
            for (a, b) in split_sentences(&norm.text, s, e) {
                if sents.len() == MAX_SENTENCES {
                    cut = Some(("sentences", MAX_SENTENCES, a));
                    break 'regions;
                }
                let first = toks.len();
                tokenize(&norm.text, a, b, sents.len(), &mut toks);
                if toks.len() > MAX_TOKENS {
                    cut = Some(("tokens", MAX_TOKENS, toks[MAX_TOKENS].s));
                    toks.truncate(MAX_TOKENS);
                    if toks.len() > first {
                        sents.push((a, toks[MAX_TOKENS - 1].e));
                        para_of.push(pi);
                    }
                    break 'regions;
                }
                sents.push((a, b));
                para_of.push(pi);
            }
        }
        let truncated = cut.map(|(bound, limit, at)| {
            limits::truncated(bound, limit, norm.to_original(at, at).start, body.len())
        });
        Text {
            norm,
            sents,
            para_of,
            toks,
            truncated,
            body_len: body.len(),
        }
    }

    /// The matching-form text of a token.
    pub fn tok_text(&self, i: usize) -> &str {
        &self.norm.text[self.toks[i].s..self.toks[i].e]
    }

    /// The characters between token `i` and token `i + 1` (empty at the end).
    pub fn gap(&self, i: usize) -> &str {
        if i + 1 >= self.toks.len() {
            return "";
        }
        &self.norm.text[self.toks[i].e..self.toks[i + 1].s]
    }

    /// Where a phrase ends whose first word is token `i` (already matched by the caller) and
    /// whose `rest` words follow it, each joined to the previous one: the token after the last,
    /// or None when they do not follow.
    pub fn phrase_end(&self, i: usize, rest: &[String]) -> Option<usize> {
        let mut j = i + 1;
        for w in rest {
            if j < self.toks.len() && self.joined(j - 1, false) && self.toks[j].lower == *w {
                j += 1;
            } else {
                return None;
            }
        }
        Some(j)
    }

    /// True when tokens `i` and `i + 1` are in one sentence with only spaces (and at most a
    /// hyphen when `hyphen`) between them.
    pub fn joined(&self, i: usize, hyphen: bool) -> bool {
        if i + 1 >= self.toks.len() || self.toks[i].sent != self.toks[i + 1].sent {
            return false;
        }
        let g = self.gap(i);
        g.chars()
            .all(|c| c.is_whitespace() || (hyphen && matches!(c, '-' | '–' | '‐')))
            && g.chars().filter(|c| !c.is_whitespace()).count() <= 1
    }

    /// Original span of tokens `a..b` (token indices, `b` exclusive).
    pub fn span(&self, a: usize, b: usize) -> Span {
        self.norm.to_original(self.toks[a].s, self.toks[b - 1].e)
    }

    /// Original span of a matching-form byte range.
    pub fn span_bytes(&self, s: usize, e: usize) -> Span {
        self.norm.to_original(s, e)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('\u{0621}'..='\u{065F}').contains(&c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Appends the tokens of `text[a..b]` to `out`.
pub fn tokenize(text: &str, a: usize, b: usize, sent: usize, out: &mut Vec<Tok>) {
    let slice = &text[a..b];
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_word_char(c) {
            continue;
        }
        let start = i;
        let mut end = i + c.len_utf8();
        let mut prev = c;
        while let Some(&(j, d)) = chars.peek() {
            let joins = if is_word_char(d) {
                !((is_arabic_letter(prev) && d.is_ascii_digit())
                    || (prev.is_ascii_digit() && is_arabic_letter(d)))
            } else if (d == ',' || d == '.') && prev.is_ascii_digit() {
                // 9,000 / 2.5: a separator between digits
                slice[j + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_ascii_digit())
            } else {
                false
            };
            if !joins {
                break;
            }
            end = j + d.len_utf8();
            prev = d;
            chars.next();
        }
        let word = &slice[start..end];
        let arabic = word.chars().any(is_arabic_letter);
        let first = word.chars().next().unwrap_or(' ');
        let letters = word.chars().filter(|c| c.is_alphabetic());
        let upper =
            word.chars().any(|c| c.is_alphabetic()) && letters.clone().all(|c| c.is_uppercase());
        let lower = word.to_lowercase();
        let readings = if arabic {
            proclitic_readings(&lower)
        } else {
            vec![(lower.clone(), 0)]
        };
        out.push(Tok {
            s: a + start,
            e: a + end,
            sent,
            readings,
            lower,
            arabic,
            cap: first.is_uppercase(),
            upper,
            number: word
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.'),
        });
    }
}

/// Sentence ranges of `text[a..b]` (one paragraph), trimmed.
pub fn split_sentences(text: &str, a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let slice = &text[a..b];
    let mut start = 0usize;
    let bytes: Vec<(usize, char)> = slice.char_indices().collect();
    let mut k = 0;
    while k < bytes.len() {
        let (i, c) = bytes[k];
        if matches!(c, '.' | '!' | '?' | '؟' | '\n') {
            // consume closing quotes/brackets after the mark
            let mut m = k + 1;
            while m < bytes.len() && matches!(bytes[m].1, '"' | '»' | '”' | '\'' | ')' | '’') {
                m += 1;
            }
            let at_end = m >= bytes.len();
            let next_space = !at_end && bytes[m].1.is_whitespace();
            let mut boundary = c == '\n' || at_end || next_space;
            if boundary && c == '.' {
                boundary = !is_abbreviation(&slice[start..i]);
            }
            if boundary {
                let end = if m < bytes.len() {
                    bytes[m].0
                } else {
                    slice.len()
                };
                push_trimmed(&mut out, slice, start, end, a);
                start = end;
                k = m;
                continue;
            }
        }
        k += 1;
    }
    push_trimmed(&mut out, slice, start, slice.len(), a);
    out
}

fn is_abbreviation(before: &str) -> bool {
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if word.is_empty() {
        return false;
    }
    // initials ("J.") and dotted acronyms ("U.S")
    if word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase()) {
        return true;
    }
    let lw = word.to_lowercase();
    data::ABBREVIATIONS.contains(&lw.as_str())
}

fn push_trimmed(out: &mut Vec<(usize, usize)>, slice: &str, s: usize, e: usize, base: usize) {
    let piece = &slice[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if piece.trim().chars().any(|c| c.is_alphanumeric()) {
        out.push((base + s + lead, base + e - trail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        split_sentences(t, 0, t.len())
            .into_iter()
            .map(|(a, b)| &t[a..b])
            .collect()
    }

    #[test]
    fn sentences_and_tokens_past_their_bounds_are_recorded_as_truncated() {
        let body = "One two.\n".repeat(MAX_SENTENCES + 3);
        let t = Text::new(&body, &[Span::new(0, body.len())]);
        assert_eq!(t.sents.len(), MAX_SENTENCES);
        let cut = t.truncated.expect("the sentence bound is recorded");
        assert_eq!(
            (cut.bound.as_str(), cut.limit),
            ("sentences", MAX_SENTENCES)
        );
        assert_eq!(cut.span, Span::new(9 * MAX_SENTENCES, body.len()));

        // one sentence longer than the token bound is cut after its last token that fits
        let body = "word ".repeat(MAX_TOKENS + 7);
        let t = Text::new(&body, &[Span::new(0, body.len())]);
        assert_eq!(t.toks.len(), MAX_TOKENS);
        assert_eq!(t.sents, vec![(0, 5 * MAX_TOKENS - 1)]);
        let cut = t.truncated.expect("the token bound is recorded");
        assert_eq!((cut.bound.as_str(), cut.limit), ("tokens", MAX_TOKENS));
        assert_eq!(cut.span, Span::new(5 * MAX_TOKENS, body.len()));

        let t = Text::new("Short. Text.", &[Span::new(0, 12)]);
        assert!(t.truncated.is_none());
    }

    #[test]
    fn splits_arabic_and_english() {
        assert_eq!(
            sents("قال لافروف. وأكد الصباح؟ نعم"),
            vec!["قال لافروف.", "وأكد الصباح؟", "نعم"]
        );
        assert_eq!(
            sents("Beyond Mark No. 162, he said. On Nov. 3 they met."),
            vec!["Beyond Mark No. 162, he said.", "On Nov. 3 they met."]
        );
        assert_eq!(
            sents("It cost 2.5 million. Fine"),
            vec!["It cost 2.5 million.", "Fine"]
        );
        assert_eq!(
            sents("He said \"yes.\" Then left."),
            vec!["He said \"yes.\"", "Then left."]
        );
    }

    #[test]
    fn tokens_keep_numbers_and_split_arabic_digits() {
        let t = "over 9,000 Palestinians الذكرى57 بـ60";
        let n = Normalised::new(t);
        let mut toks = Vec::new();
        tokenize(&n.text, 0, n.text.len(), 0, &mut toks);
        let words: Vec<&str> = toks.iter().map(|k| &n.text[k.s..k.e]).collect();
        assert_eq!(
            words,
            vec!["over", "9,000", "Palestinians", "الذكري", "57", "ب", "60"]
        );
        assert!(toks[1].number && toks[2].cap && toks[3].arabic);
    }
}
