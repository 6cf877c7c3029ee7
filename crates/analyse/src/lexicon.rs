//! The tables of [`crate::data`] in matching form, built once.

use crate::data;
use crate::normalise::fold;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Folded word lists, keyed for fast lookup.
pub struct Lexicon {
    /// Role titles as word lists, longest first, with their role id.
    pub titles: Vec<(Vec<String>, &'static str)>,
    /// Counterpart words.
    pub counterpart: HashSet<String>,
    /// Honorifics.
    pub honorifics: HashSet<String>,
    /// Honorifics that introduce a given name.
    pub given_honorifics: HashSet<String>,
    /// Name particles.
    pub particles: HashSet<String>,
    /// Arabic words that end a name.
    pub name_stop: HashSet<String>,
    /// Verbs of saying (all forms generated).
    pub say: HashSet<String>,
    /// Arabic months (one or two words).
    pub months_ar: Vec<(Vec<String>, u32)>,
    /// English months.
    pub months_en: HashMap<String, u32>,
    /// Months of the other detected languages ([`data::OTHER_MONTHS`]).
    pub months_other: HashMap<String, u32>,
    /// Hijri months (one or two words).
    pub months_hijri: Vec<(Vec<String>, u32)>,
    /// Weekdays.
    pub weekdays: HashMap<String, u32>,
    /// Relative day phrases.
    pub relative: Vec<(Vec<String>, i64)>,
    /// Arabic ordinal day words.
    pub ordinals: HashMap<String, u32>,
    /// Hedges (word lists, longest first).
    pub hedges: Vec<(Vec<String>, &'static str)>,
    /// Number words.
    pub number_words: HashMap<String, f64>,
    /// Units (word lists, longest first).
    pub units: Vec<(Vec<String>, &'static str)>,
    /// Counted nouns.
    pub counted: HashMap<String, &'static str>,
    /// Victim words (word lists).
    pub victims: Vec<Vec<String>>,
    /// "of them" (word lists).
    pub of_them: Vec<Vec<String>>,
    /// Event cues (word lists, longest first).
    pub cues: Vec<(Vec<String>, &'static str)>,
    /// Preview phrases.
    pub preview: Vec<Vec<String>>,
    /// Future verb stems.
    pub future_stems: Vec<String>,
    /// Nouns that announce a place name.
    pub place_nouns: HashSet<String>,
    /// First words of titles, cues and preview phrases (a token none of whose readings is one
    /// skips those lists).
    pub firsts: HashSet<String>,
}

fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !(c.is_alphanumeric() || c == '%'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn by_len<T>(mut v: Vec<(Vec<String>, T)>) -> Vec<(Vec<String>, T)> {
    v.sort_by_key(|a| std::cmp::Reverse(a.0.len()));
    v
}

/// The lexicon.
pub fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let set = |xs: &[&str]| xs.iter().map(|s| fold(s)).collect::<HashSet<String>>();
        let mut say = HashSet::new();
        for v in data::ARABIC_SAY_VERBS {
            let f = fold(v);
            // perfect: قال قالت قالا قالوا; with و/ف
            for form in [
                f.clone(),
                format!("{f}ت"),
                format!("{f}ا"),
                format!("{f}وا"),
            ] {
                say.insert(form.clone());
                say.insert(format!("و{form}"));
                say.insert(format!("ف{form}"));
            }
            // participles take the indefinite accusative: مؤكدا → مؤكدا, مؤكده
            if let Some(stem) = f.strip_suffix('ا') {
                say.insert(format!("{stem}ه"));
                say.insert(stem.to_string());
            }
        }
        for v in data::ENGLISH_SAY_VERBS {
            say.insert(fold(v));
        }
        Lexicon {
            titles: by_len(
                data::ROLE_TITLES
                    .iter()
                    .map(|(t, r)| (words(t), *r))
                    .collect(),
            ),
            counterpart: set(data::COUNTERPART_WORDS),
            honorifics: set(data::HONORIFICS),
            given_honorifics: set(data::GIVEN_NAME_HONORIFICS),
            particles: set(data::NAME_PARTICLES),
            name_stop: set(data::ARABIC_NAME_STOPWORDS),
            say,
            months_ar: by_len(
                data::ARABIC_MONTHS
                    .iter()
                    .map(|(m, n)| (words(m), *n))
                    .collect(),
            ),
            months_hijri: by_len(
                data::HIJRI_MONTHS
                    .iter()
                    .map(|(m, n)| (words(m), *n))
                    .collect(),
            ),
            months_en: data::ENGLISH_MONTHS
                .iter()
                .map(|(m, n)| (m.to_string(), *n))
                .collect(),
            months_other: data::OTHER_MONTHS
                .iter()
                .map(|(m, n)| (m.to_string(), *n))
                .collect(),
            weekdays: data::WEEKDAYS.iter().map(|(d, n)| (fold(d), *n)).collect(),
            relative: by_len(
                data::RELATIVE_DAYS
                    .iter()
                    .map(|(d, n)| (words(d), *n))
                    .collect(),
            ),
            ordinals: data::ARABIC_ORDINALS
                .iter()
                .map(|(d, n)| (fold(d), *n))
                .collect(),
            hedges: by_len(data::HEDGES.iter().map(|(h, n)| (words(h), *n)).collect()),
            number_words: data::NUMBER_WORDS
                .iter()
                .map(|(w, v, _)| (fold(w), *v))
                .collect(),
            units: by_len(data::UNITS.iter().map(|(u, n)| (words(u), *n)).collect()),
            counted: data::COUNTED.iter().map(|(w, n)| (fold(w), *n)).collect(),
            victims: data::VICTIM_WORDS.iter().map(|w| words(w)).collect(),
            of_them: data::OF_THEM.iter().map(|w| words(w)).collect(),
            cues: by_len(
                data::EVENT_CUES
                    .iter()
                    .map(|(c, k)| (words(c), *k))
                    .collect(),
            ),
            preview: data::PREVIEW_PHRASES.iter().map(|w| words(w)).collect(),
            future_stems: data::FUTURE_VERB_STEMS.iter().map(|w| fold(w)).collect(),
            place_nouns: set(data::PLACE_NOUNS),
            firsts: data::ROLE_TITLES
                .iter()
                .map(|(t, _)| t)
                .chain(data::EVENT_CUES.iter().map(|(c, _)| c))
                .chain(data::PREVIEW_PHRASES.iter())
                .chain(data::COUNTERPART_WORDS.iter())
                .filter_map(|p| words(p).into_iter().next())
                .collect(),
        }
    })
}
