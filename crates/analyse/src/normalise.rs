//! The matching form of a text: NFKC, Arabic letters folded, digits as ASCII, with a byte map so
//! that every span found in the matching form points back into the original text.
//!
//! Folding (for matching only; the original text is never changed):
//! - tatweel (ـ), Arabic diacritics (harakat, shadda, sukun, superscript alef, Quranic marks) and
//!   bidi/zero-width marks are dropped;
//! - alef variants (أ إ آ ٱ) become ا, alef maqsura ى and Persian yeh ی become ي, Persian kaf ک
//!   becomes ك, taa marbuta ة becomes ه;
//! - Arabic-Indic (٠١٢…) and Persian (۰۱۲…) digits become ASCII digits, ٫ and ٬ become . and ,;
//! - Latin letters lose their diacritics (Arīsh → Arish);
//! - everything else goes through NFKC (presentation forms, full-width letters, ligatures).
//!
//! Case is kept in [`Normalised::text`]; [`fold`] gives the lower-case key used by lookups.

use khabar_core::Span;
use unicode_normalization::UnicodeNormalization;

/// A text in matching form with a map back to the original bytes.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// The matching form (case kept).
    pub text: String,
    /// For each byte of `text`, the original byte range of the character that produced it.
    map: Vec<(u32, u32)>,
    original_len: usize,
}

fn push_folded(c: char, out: &mut String) {
    match c {
        // tatweel, harakat and Quranic marks, superscript alef
        '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0610}'..='\u{061A}' => {}
        '\u{06D6}'..='\u{06ED}' => {}
        // bidi and zero-width marks
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => {}
        'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
        'ى' | 'ی' => out.push('ي'),
        'ک' => out.push('ك'),
        'ة' => out.push('ه'),
        '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        '٫' => out.push('.'),
        '٬' => out.push(','),
        c if c.is_ascii() || ('\u{0621}'..='\u{064A}').contains(&c) => out.push(c),
        // Latin letters with diacritics match their base letter (Arīsh = Arish, Koweït = Koweit)
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => {
            let mut any = false;
            for d in std::iter::once(c).nfd() {
                if d.is_ascii() {
                    out.push(d);
                    any = true;
                }
            }
            if !any {
                out.push(c);
            }
        }
        c => {
            // NFKC of a single character; fold its output again (presentation forms decompose
            // into base letters plus marks).
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            let mut changed = false;
            let mut tmp = String::new();
            for d in s.nfkc() {
                if d != c {
                    changed = true;
                }
                tmp.push(d);
            }
            if changed {
                for d in tmp.chars() {
                    if d == c {
                        out.push(d);
                    } else {
                        push_folded(d, out);
                    }
                }
            } else {
                out.push(c);
            }
        }
    }
}

impl Normalised {
    /// The matching form of `original`.
    pub fn new(original: &str) -> Normalised {
        let mut text = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(original.len());
        for (b, c) in original.char_indices() {
            let before = text.len();
            push_folded(c, &mut text);
            let end = (b + c.len_utf8()) as u32;
            for _ in before..text.len() {
                map.push((b as u32, end));
            }
        }
        Normalised {
            text,
            map,
            original_len: original.len(),
        }
    }

    /// The original span of the matching-form byte range `start..end`.
    pub fn to_original(&self, start: usize, end: usize) -> Span {
        if start >= end || self.map.is_empty() {
            let p = if start < self.map.len() {
                self.map[start].0 as usize
            } else {
                self.original_len
            };
            return Span::new(p, p);
        }
        let s = self.map[start.min(self.map.len() - 1)].0 as usize;
        let e = self.map[(end - 1).min(self.map.len() - 1)].1 as usize;
        Span::new(s, e.max(s))
    }

    /// The matching-form byte position of original byte `pos` (first byte at or after it).
    pub fn from_original(&self, pos: usize) -> usize {
        self.map.partition_point(|&(s, _)| (s as usize) < pos)
    }
}

/// The lower-case matching form of a word or phrase (the key every lookup uses).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_folded(c, &mut out);
    }
    if out.is_ascii() {
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
    }
}

/// True for a letter of the Arabic script (after folding).
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FF}')
}

/// Removes a leading Arabic article ال from a folded word when enough remains.
pub fn strip_article(w: &str) -> &str {
    match w.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 2 => rest,
        _ => w,
    }
}

/// The readings of a folded Arabic word with its proclitics removed: the word itself first, then
/// without و/ف, then without a preposition ب/ل/ك, each with the byte length removed. "للكويت"
/// gives ("للكويت", 0), ("الكويت", 2) (ل + the article's lost alef).
pub fn proclitic_readings(w: &str) -> Vec<(String, usize)> {
    let mut out = vec![(w.to_string(), 0usize)];
    let mut rest = w;
    let mut cut = 0usize;
    for conj in ["و", "ف"] {
        if let Some(r) = rest.strip_prefix(conj) {
            if r.chars().count() >= 3 {
                rest = r;
                cut += conj.len();
                out.push((rest.to_string(), cut));
            }
            break;
        }
    }
    if let Some(r) = rest.strip_prefix("لل") {
        if r.chars().count() >= 2 {
            // ل + the article with its alef dropped: the name starts after both lams
            out.push((format!("ال{r}"), cut + "لل".len()));
        }
    }
    for prep in ["ب", "ل", "ك"] {
        if let Some(r) = rest.strip_prefix(prep) {
            if r.chars().count() >= 3 {
                out.push((r.to_string(), cut + prep.len()));
            }
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_arabic_variants_and_keeps_spans() {
        let original = "أُعلنَ ـــ إسرائيلَ ٠٣ نوفمبر ٢٠٢٣ الكويتيّة";
        let n = Normalised::new(original);
        assert_eq!(n.text, "اعلن  اسرائيل 03 نوفمبر 2023 الكويتيه");
        let pos = n.text.find("2023").unwrap();
        let span = n.to_original(pos, pos + 4);
        assert_eq!(span.slice(original), "٢٠٢٣");
        let pos = n.text.find("الكويتيه").unwrap();
        assert_eq!(n.to_original(pos, n.text.len()).slice(original), "الكويتيّة");
    }

    #[test]
    fn nfkc_presentation_forms_and_persian_digits() {
        assert_eq!(fold("ﻻ"), "لا");
        assert_eq!(fold("۱۲۳"), "123");
        assert_eq!(fold("Ｋuwait"), "kuwait");
        assert_eq!(fold("مصطفى"), "مصطفي");
        assert_eq!(fold("Arīsh Koweït"), "arish koweit");
    }

    #[test]
    fn proclitics() {
        let r = proclitic_readings("والكويت");
        assert!(r.contains(&("الكويت".to_string(), 2)));
        let r = proclitic_readings("للكويت");
        assert!(r.contains(&("الكويت".to_string(), 4)));
        let r = proclitic_readings("بغداد");
        assert_eq!(r[0].0, "بغداد");
    }
}
