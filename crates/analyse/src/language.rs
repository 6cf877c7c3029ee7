//! Language identification with a confidence, by lingua on a bounded prefix of the clean text.
//!
//! whatlang calls short Arabic phrases Persian or Urdu; lingua gets them right. The text's
//! dominant script picks the candidate set first (Arabic script: Arabic, Persian, Urdu; other
//! scripts: the Latin, Cyrillic and Han languages), so lingua only weighs plausible languages,
//! which is both more accurate and faster.

use khabar_core::Language as DocLanguage;
use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// How many characters of clean text are looked at.
pub const PREFIX_CHARS: usize = 400;

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
        let end = text
            .char_indices()
            .nth(PREFIX_CHARS)
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        let prefix = &text[..end];
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
    }
}
