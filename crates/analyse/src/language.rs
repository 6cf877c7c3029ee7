//! Language identification with a confidence, on a bounded prefix of the clean text.
//!
//! whatlang calls short Arabic phrases Persian or Urdu; lingua gets them right, but it costs
//! most of the analyse stage's time. So lingua decides only what cheap evidence cannot:
//! - Arabic script: Arabic spells ي and ك where Persian and Urdu write ی and ک (and use پ چ ژ
//!   گ, Urdu also ٹ ڈ ڑ ں ے ھ); with at least 40 letters and only Arabic spellings the text is
//!   Arabic, with confidence from the letter count;
//! - Latin script: function words of each language ([`crate::data::FUNCTION_WORDS`]); a
//!   language with at least 5 hits and three times the next one is taken;
//! - everything else, and short texts, go to lingua, restricted by the dominant script
//!   (Arabic, Persian, Urdu / the Latin, Cyrillic and Han languages).

use khabar_core::Language as DocLanguage;
use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// How many characters of clean text lingua looks at.
pub const PREFIX_CHARS: usize = 150;

/// How many characters the function-word count looks at (cheap: a word split and a lookup).
pub const FUNCTION_WORD_CHARS: usize = 800;

fn window(text: &str, chars: usize) -> &str {
    let end = text
        .char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    &text[..end]
}

/// A loaded detector (models are read once; cheap to share across threads).
pub struct Detector {
    arabic_script: LanguageDetector,
    other: LanguageDetector,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Detector")
    }
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector {
    /// Loads the models of the languages khabar detects.
    pub fn new() -> Detector {
        use Language::*;
        Detector {
            arabic_script: LanguageDetectorBuilder::from_languages(&[Arabic, Persian, Urdu])
                .with_preloaded_language_models()
                .build(),
            other: LanguageDetectorBuilder::from_languages(&[
                English, French, German, Spanish, Italian, Polish, Russian, Turkish, Chinese,
            ])
            .with_preloaded_language_models()
            .build(),
        }
    }

    /// The language of `text` (only its first [`PREFIX_CHARS`] letters-bearing characters are
    /// read). "und" with confidence 0 when there are no letters.
    pub fn detect(&self, text: &str) -> DocLanguage {
        let prefix = window(text, PREFIX_CHARS);
        let (mut arabic, mut letters) = (0usize, 0usize);
        for c in prefix.chars() {
            if c.is_alphabetic() {
                letters += 1;
                if crate::normalise::is_arabic_letter(c) {
                    arabic += 1;
                }
            }
        }
        if letters == 0 {
            return DocLanguage {
                code: "und".into(),
                confidence: 0.0,
            };
        }
        if arabic * 2 >= letters {
            if let Some(l) = arabic_by_spelling(prefix) {
                return l;
            }
        } else if let Some(l) = latin_by_function_words(window(text, FUNCTION_WORD_CHARS)) {
            return l;
        }
        let det = if arabic * 2 >= letters {
            &self.arabic_script
        } else {
            &self.other
        };
        let values = det.compute_language_confidence_values(prefix);
        match values.first() {
            Some((lang, conf)) => DocLanguage {
                code: lang.iso_code_639_1().to_string(),
                confidence: *conf as f32,
            },
            None => DocLanguage {
                code: "und".into(),
                confidence: 0.0,
            },
        }
    }
}

/// Arabic by its spelling (see the module doc), or None when lingua must decide.
fn arabic_by_spelling(text: &str) -> Option<DocLanguage> {
    let (mut arabic_only, mut persian_urdu, mut letters) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        match c {
            'ي' | 'ك' | 'ة' | 'ى' => {
                arabic_only += 1;
                letters += 1
            }
            'ی' | 'ک' | 'پ' | 'چ' | 'ژ' | 'گ' | 'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ھ' | 'ۀ' =>
            {
                persian_urdu += 1;
                letters += 1
            }
            c if crate::normalise::is_arabic_letter(c) => letters += 1,
            _ => {}
        }
    }
    (letters >= 40 && persian_urdu == 0 && arabic_only >= 3).then(|| DocLanguage {
        code: "ar".into(),
        confidence: (1.0 - 4.0 / letters as f32).clamp(0.5, 0.99),
    })
}

/// A Latin-script language by its function words, or None when lingua must decide.
fn latin_by_function_words(text: &str) -> Option<DocLanguage> {
    let mut hits = [0usize; 8];
    let table = crate::data::FUNCTION_WORDS;
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let lw = w.to_lowercase();
        for (k, (_, words)) in table.iter().enumerate() {
            if words.contains(&lw.as_str()) {
                hits[k] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..table.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(hits[k]));
    let (best, second) = (hits[order[0]], hits[order[1]]);
    (best >= 5 && best >= 3 * second).then(|| DocLanguage {
        code: table[order[0]].0.into(),
        confidence: (best as f32 / (best + second + 1) as f32).clamp(0.5, 0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_arabic_is_arabic() {
        let d = Detector::new();
        for s in ["وزير الخارجية الكويتي", "مباحثات كويتية روسية", "قال لافروف"]
        {
            assert_eq!(d.detect(s).code, "ar", "{s}");
        }
        assert_eq!(
            d.detect("The two ministers held talks in Moscow on Friday.")
                .code,
            "en"
        );
        assert_eq!(d.detect("...").code, "und");
        // Persian spelling goes to lingua, which calls it Persian
        assert_eq!(
            d.detect("وزیر امور خارجه روسیه با همتای کویتی خود در مسکو دیدار و گفتگو کرد")
                .code,
            "fa"
        );
        assert_eq!(d.detect("Der Außenminister hat sich mit dem Amtskollegen getroffen, und das ist nicht neu für die Region.").code, "de");
    }
}
