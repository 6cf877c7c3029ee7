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
//!
//! A language the input declares (JSONL `lang`, HTML `<html lang>`, RSS `<language>`: the
//! article's `declared_lang`) is taken before any of this when it is one khabar knows
//! ([`KNOWN`]), with confidence 1.0 — the detector never says 1.0, so 1.0 means "declared".
//! Short texts are where detection fails (one English headline in twelve of ECB+ was called
//! German, French, Italian or undetermined) and the publisher knows better. But a feed declares
//! one language for a whole site: when the text is written in another script than the declared
//! language's ([`SCRIPT_OVERRIDE_SHARE`] of its letters: an Arabic article under a feed's `en`),
//! the declaration is wrong, the detector's language is used and a warning says so
//! ([`Detector::decide`]).

use khabar_core::Language as DocLanguage;
pub use khabar_core::Script;
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

/// The languages khabar knows: those the detector can answer. A declared language is used only
/// when it is one of these.
pub const KNOWN: &[&str] = &[
    "ar", "fa", "ur", "en", "fr", "de", "es", "it", "pl", "ru", "tr", "zh",
];

/// A declared language is overruled when at least this share of the text's letters are of
/// another script than the declared language's.
pub const SCRIPT_OVERRIDE_SHARE: f32 = 0.8;

/// The confidence of a declared language (the detector never gives it: it stops at 0.99).
pub const DECLARED_CONFIDENCE: f32 = 1.0;

/// The highest confidence the detector gives.
const MAX_DETECTED_CONFIDENCE: f32 = 0.99;

/// The script of a letter, when it is one of the known languages' scripts.
fn script_of_char(c: char) -> Option<Script> {
    if crate::normalise::is_arabic_letter(c) {
        Some(Script::Arabic)
    } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
        Some(Script::Latin)
    } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
        Some(Script::Cyrillic)
    } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c) {
        Some(Script::Han)
    } else {
        None
    }
}

/// The script most of the letters of `text` are in, and its share of the letters (letters of
/// no known script count against it); None without letters.
pub fn dominant_script(text: &str) -> Option<(Script, f32)> {
    let mut counts = [0usize; 4];
    let mut letters = 0usize;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if let Some(s) = script_of_char(c) {
            counts[s as usize] += 1;
        }
    }
    let (best, &n) = counts.iter().enumerate().max_by_key(|&(_, n)| *n)?;
    if letters == 0 || n == 0 {
        return None;
    }
    let script = [Script::Arabic, Script::Latin, Script::Cyrillic, Script::Han][best];
    Some((script, n as f32 / letters as f32))
}

/// The known language a declared tag names: its primary subtag, lowercased ("en-GB", "EN",
/// "ar_EG" → "en", "en", "ar"); None for a language khabar does not know ("ja", "english").
pub fn known_language(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    KNOWN.iter().copied().find(|k| *k == primary)
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

    /// The language of a text whose input declared `declared` (see the module doc): the
    /// declared language with confidence [`DECLARED_CONFIDENCE`] when khabar knows it and the
    /// text is not plainly in another script, else the detected one ([`Detector::detect`]).
    /// The second value is a warning when a declaration was overruled.
    pub fn decide(&self, declared: Option<&str>, text: &str) -> (DocLanguage, Option<String>) {
        let Some(code) = declared.and_then(known_language) else {
            return (self.detect(text), None);
        };
        let declared_script = Script::of_language(code);
        if let Some((script, share)) = dominant_script(window(text, FUNCTION_WORD_CHARS)) {
            if Some(script) != declared_script && share >= SCRIPT_OVERRIDE_SHARE {
                let detected = self.detect(text);
                let warning = format!(
                    "declared language {code:?} does not fit the text ({:.0}% of its letters are {}): the detected language {:?} (confidence {:.2}) is used",
                    share * 100.0,
                    script.name(),
                    detected.code,
                    detected.confidence
                );
                return (detected, Some(warning));
            }
        }
        (
            DocLanguage {
                code: code.to_string(),
                confidence: DECLARED_CONFIDENCE,
            },
            None,
        )
    }

    /// The language of `text` (only its first [`PREFIX_CHARS`] letters-bearing characters are
    /// read). "und" with confidence 0 when there are no letters. The confidence is at most 0.99
    /// (1.0 is kept for a declared language).
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
                confidence: (*conf as f32).min(MAX_DETECTED_CONFIDENCE),
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

    #[test]
    fn a_declared_language_is_used_in_its_script() {
        let d = Detector::new();
        // ECB+ English headlines the detector alone calls German or Italian
        for headline in [
            "Ellen DeGeneres to host 2014 Oscars",
            "Vincent 'Chin' Gigante, 77, Crime Boss",
            "August 17, 2011",
        ] {
            let (l, warning) = d.decide(Some("en"), headline);
            assert_eq!(l.code, "en", "{headline}");
            assert_eq!(l.confidence, DECLARED_CONFIDENCE);
            assert!(warning.is_none());
        }
        // region subtags and case do not matter
        assert_eq!(d.decide(Some(" EN-gb"), "A story.").0.code, "en");
        assert_eq!(d.decide(Some("de_AT"), "Eine Geschichte.").0.code, "de");
        // a text with no letters keeps what was declared
        assert_eq!(d.decide(Some("ar"), "2023/11/03").0.code, "ar");
        // a few words of another script do not overrule it
        let (l, warning) = d.decide(
            Some("en"),
            "The minister, Abdullah Al-Yahya (عبدالله اليحيا), met his Russian counterpart.",
        );
        assert_eq!((l.code.as_str(), warning), ("en", None));
    }

    #[test]
    fn a_declaration_in_another_script_than_the_text_is_overruled_and_said() {
        let d = Detector::new();
        // an Arabic article in a feed that declares `en` for the whole site
        let arabic = "وزير الخارجية الكويتي يلتقي نظيره الروسي في موسكو لبحث العلاقات الثنائية";
        let (l, warning) = d.decide(Some("en"), arabic);
        assert_eq!(l.code, "ar");
        assert!(l.confidence < DECLARED_CONFIDENCE);
        let warning = warning.expect("the overruled declaration is reported");
        assert!(
            warning.contains("\"en\"") && warning.contains("Arabic") && warning.contains("\"ar\""),
            "{warning}"
        );
        // and the other way round: an English text declared Arabic
        let (l, warning) = d.decide(
            Some("ar"),
            "The two ministers held talks in Moscow on Friday and discussed the war in Gaza.",
        );
        assert_eq!(l.code, "en");
        assert!(warning.unwrap().contains("Latin"));
    }

    #[test]
    fn an_unknown_or_missing_declaration_leaves_it_to_the_detector() {
        let d = Detector::new();
        let text = "The two ministers held talks in Moscow on Friday.";
        for declared in [None, Some("ja"), Some("english"), Some("")] {
            let (l, warning) = d.decide(declared, text);
            assert_eq!(l, d.detect(text), "{declared:?}");
            assert!(l.confidence < DECLARED_CONFIDENCE);
            assert!(warning.is_none());
        }
    }
}
