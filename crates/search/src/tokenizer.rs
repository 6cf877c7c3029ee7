//! khabar's analyser as a Tantivy tokenizer: the analyse stage's matching form
//! ([`khabar_analyse::normalise`]: diacritics, tatweel and bidi marks dropped, alef-hamza
//! variants → ا, ى → ي, ة → ه, NFKC, Latin diacritics) and its light stemmer
//! ([`khabar_analyse::stem`]: و/ف, the article with its prepositions, plural and pronoun
//! suffixes), not Tantivy's Snowball Arabic stemmer, which over-stems (وزير → زير) and keeps
//! و+ال.
//!
//! An Arabic word is indexed under every reading the analyse stage gives it without a proclitic
//! ([`khabar_analyse::normalise::proclitic_readings`]: بموسكو is also موسكو), all at the word's
//! position, so a query word with or without ب/ل/ك/و finds the same texts.

use khabar_analyse::normalise::{proclitic_readings, Normalised};
use khabar_analyse::sentences::{tokenize, Tok};
use khabar_analyse::stem::stem;
use khabar_core::Span;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under in the index.
pub const TOKENIZER: &str = "khabar";

/// One word of a text: where it is and the terms it is indexed under (its light stem first).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Byte span in the original text.
    pub span: Span,
    /// The lower-case matching form as written.
    pub folded: String,
    /// Its search terms: the stem, then the stems of its readings without proclitics.
    pub terms: Vec<String>,
}

/// The words of `text` with their search terms.
pub fn words(text: &str) -> Vec<Word> {
    let norm = Normalised::new(text);
    let mut toks: Vec<Tok> = Vec::new();
    tokenize(&norm.text, 0, norm.text.len(), 0, &mut toks);
    toks.into_iter()
        .map(|tok| {
            let mut terms = vec![stem(&tok.lower)];
            if tok.arabic {
                for (reading, _) in proclitic_readings(&tok.lower).iter().skip(1) {
                    let t = stem(reading);
                    if !terms.contains(&t) {
                        terms.push(t);
                    }
                }
            }
            Word {
                span: norm.to_original(tok.s, tok.e),
                folded: tok.lower,
                terms,
            }
        })
        .collect()
}

/// The Tantivy tokenizer over [`words`].
#[derive(Debug, Clone, Default)]
pub struct KhabarTokenizer {
    tokens: Vec<Token>,
}

/// The tokens of one text, every term of a word at the word's position.
pub struct KhabarTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl Tokenizer for KhabarTokenizer {
    type TokenStream<'a> = KhabarTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KhabarTokenStream<'a> {
        self.tokens.clear();
        for (position, word) in words(text).into_iter().enumerate() {
            for term in word.terms {
                self.tokens.push(Token {
                    offset_from: word.span.start,
                    offset_to: word.span.end,
                    position,
                    text: term,
                    position_length: 1,
                });
            }
        }
        KhabarTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

impl TokenStream for KhabarTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut t = KhabarTokenizer::default();
        let mut stream = t.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The first (stem) term of each word.
    fn stems(text: &str) -> Vec<String> {
        words(text)
            .into_iter()
            .map(|w| w.terms[0].clone())
            .collect()
    }

    #[test]
    fn every_spelling_variant_folds_to_one_term() {
        let variants = [
            // plain, diacritics, tatweel, and + article, with ب + article
            ("الكويت", "كويت"),
            ("الكُوَيْت", "كويت"),
            ("الكويـــت", "كويت"),
            ("والكويت", "كويت"),
            ("بالكويت", "كويت"),
            ("للكويت", "كويت"),
            // hamza variants of alef
            ("إسرائيل", "اسرائيل"),
            ("أسرائيل", "اسرائيل"),
            ("آسرائيل", "اسرائيل"),
            ("ٱسرائيل", "اسرائيل"),
            // final ى / ي
            ("مصطفى", "مصطفي"),
            ("مصطفي", "مصطفي"),
            // final ة / ه (taa marbuta is also a suffix the stemmer removes)
            ("وزارة", "وزار"),
            ("وزاره", "وزار"),
        ];
        for (written, term) in variants {
            assert_eq!(stems(written), vec![term.to_string()], "{written}");
        }
    }

    #[test]
    fn a_bare_preposition_is_a_second_reading_at_the_same_position() {
        // بموسكو: "in Moscow"; the stemmer keeps a bare ب (it is a root letter of بحث)
        let w = &words("بموسكو")[0];
        assert_eq!(w.terms, vec!["بموسكو".to_string(), "موسكو".to_string()]);
        assert_eq!(terms("بحث"), vec!["بحث".to_string()]);
        let mut t = KhabarTokenizer::default();
        let mut s = t.token_stream("وصل بموسكو");
        let mut positions = Vec::new();
        while s.advance() {
            positions.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(
            positions,
            vec![
                ("وصل".to_string(), 0),
                ("بموسكو".to_string(), 1),
                ("موسكو".to_string(), 1)
            ]
        );
    }

    #[test]
    fn english_is_lower_cased_and_light_stemmed() {
        assert_eq!(
            stems("Kuwaiti Talks in MOSCOW"),
            ["kuwaiti", "talk", "in", "moscow"]
        );
        assert_eq!(stems("Koweït"), ["koweit"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "قال الوزيـر: وَالكويت";
        let ws = words(text);
        assert_eq!(ws.len(), 3);
        assert_eq!(ws[1].span.slice(text), "الوزيـر");
        assert_eq!(ws[2].span.slice(text), "وَالكويت");
    }
}
