//! A query: its words (as the [`crate::tokenizer`] indexes them), the entities it names, and
//! filters.
//!
//! Cross-script matching goes through the analyse stage's language-independent entity ids,
//! indexed with every article and event:
//! - a run of query words that the [`Gazetteer`] knows as a country, place or organisation (or a
//!   country's adjective) is that entry's id: `الكويت`, `بالكويت`, `Kuwait`, `Kuwaiti` are all
//!   `country:KW`;
//! - any other word may be a person's family name: its consonant skeleton
//!   ([`khabar_analyse::entities::skeleton`]) is the family part of the person ids the analyse
//!   stage gives (`لافروف` and `Lavrov` are both `person:lfrf`), which the index holds beside
//!   the full id (`person:lfrf.s`).

use crate::tokenizer::{words, Word};
use chrono::NaiveDate;
use khabar_analyse::entities::skeleton;
use khabar_analyse::gazetteer::{word_key, CaseRule, Gazetteer};
use khabar_analyse::normalise::proclitic_readings;

/// A skeleton shorter than this is not looked up as a family name: two consonants match too
/// many words (وزير and "Zaire" are both `zr`). Lavrov (`lfrf`), Sabah (`sbh`) pass.
pub const MIN_PERSON_SKELETON: usize = 3;

/// What to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Events (their titles in every language, participants, places, topics, reports' titles).
    Events,
    /// Articles (title and kept body).
    Articles,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct Query {
    /// The words, in any script.
    pub text: String,
    /// Events or articles.
    pub target: Target,
    /// Only events with an article in this language, or articles in it (ISO 639-1).
    pub lang: Option<String>,
    /// Only events reported by this outlet, or its articles (compared in matching form).
    pub outlet: Option<String>,
    /// Only events on or after this date (articles: published on or after it).
    pub since: Option<NaiveDate>,
    /// Only events on or before this date (articles: published on or before it).
    pub until: Option<NaiveDate>,
    /// At most this many hits.
    pub limit: usize,
}

/// Hits returned when the request does not say.
pub const DEFAULT_LIMIT: usize = 10;

impl Query {
    /// A query for `text` without filters.
    pub fn new(text: &str, target: Target) -> Query {
        Query {
            text: text.to_string(),
            target,
            lang: None,
            outlet: None,
            since: None,
            until: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A query's words and the entity ids they name.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The words with their search terms.
    pub words: Vec<Word>,
    /// Entity ids: gazetteer ids, and `person:` + skeleton for possible family names.
    pub entities: Vec<String>,
}

/// The family part of a person id (`person:lfrf.s` → `person:lfrf`); other ids have none.
pub fn family_id(id: &str) -> Option<&str> {
    id.strip_prefix("person:")
        .and_then(|_| id.split_once('.'))
        .map(|(family, _)| family)
}

/// The keys a query word can start a gazetteer name with: the word, and for Arabic its
/// readings without proclitics (بالكويت → الكويت), each without the article, as the gazetteer
/// keys them.
fn keys_of(word: &Word) -> Vec<String> {
    let mut keys = vec![word_key(&word.folded).to_string()];
    if word
        .folded
        .chars()
        .any(khabar_analyse::normalise::is_arabic_letter)
    {
        for (r, _) in proclitic_readings(&word.folded).iter().skip(1) {
            let k = word_key(r).to_string();
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// The words of `text` and the entities they name, through `gazetteer` when there is one.
pub fn parse(text: &str, gazetteer: Option<&Gazetteer>) -> Parsed {
    let words = words(text);
    let mut entities: Vec<String> = Vec::new();
    let mut push = |id: String| {
        if !entities.contains(&id) {
            entities.push(id);
        }
    };
    let mut i = 0;
    while i < words.len() {
        let mut found: Option<(usize, String)> = None;
        if let Some(gz) = gazetteer {
            for key in keys_of(&words[i]) {
                let mut key = key;
                let mut j = i + 1;
                loop {
                    match gz.lookup_prefix(&key) {
                        None => break,
                        Some(Some(hit)) => {
                            let as_written = words[i..j]
                                .iter()
                                .map(|w| w.span.slice(text))
                                .collect::<Vec<_>>();
                            // weak names are common words, translated names belong to one
                            // language ("Island" is Iceland in German), acronyms must be
                            // written in capitals ("us" is not the USA)
                            let usable = !hit.weak
                                && hit.langs == 0
                                && (hit.case != CaseRule::Upper
                                    || as_written
                                        .iter()
                                        .all(|w| !w.chars().any(char::is_lowercase)));
                            if usable && found.as_ref().is_none_or(|(b, _)| j > *b) {
                                found = Some((j, gz.entry(hit).id.clone()));
                            }
                        }
                        Some(None) => {}
                    }
                    if j >= words.len() || j - i >= gz.max_words {
                        break;
                    }
                    key.push(' ');
                    key.push_str(word_key(&words[j].folded));
                    j += 1;
                }
                if found.is_some() {
                    break;
                }
            }
        }
        match found {
            Some((end, id)) => {
                push(id);
                i = end;
            }
            None => {
                let w = &words[i];
                if !w.folded.chars().any(|c| c.is_ascii_digit()) {
                    for key in keys_of(w) {
                        let sk = skeleton(&key);
                        if sk.chars().count() >= MIN_PERSON_SKELETON {
                            push(format!("person:{sk}"));
                        }
                    }
                }
                i += 1;
            }
        }
    }
    Parsed { words, entities }
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_analyse::gazetteer::{Entry, EntryKind};
    use std::collections::BTreeMap;

    fn country(id: &str, en: &[&str], ar: &[&str], adj_en: &[&str]) -> Entry {
        Entry {
            id: id.into(),
            kind: EntryKind::Country,
            en: en.iter().map(|s| s.to_string()).collect(),
            ar: ar.iter().map(|s| s.to_string()).collect(),
            translated: BTreeMap::new(),
            en_weak: Vec::new(),
            ar_weak: Vec::new(),
            adj_en: adj_en.iter().map(|s| s.to_string()).collect(),
            adj_ar: Vec::new(),
            country: None,
            population: 0,
        }
    }

    pub(crate) fn gazetteer() -> Gazetteer {
        Gazetteer::from_entries(vec![
            country("country:KW", &["Kuwait"], &["الكويت"], &["Kuwaiti"]),
            country("country:US", &["United States", "US"], &[], &[]),
        ])
    }

    #[test]
    fn place_names_in_both_scripts_and_with_proclitics_are_one_id() {
        let gz = gazetteer();
        for q in [
            "الكويت",
            "بالكويت",
            "والكويت",
            "للكويت",
            "Kuwait",
            "kuwait",
            "Kuwaiti",
        ] {
            assert_eq!(parse(q, Some(&gz)).entities, ["country:KW"], "{q}");
        }
        assert_eq!(
            parse("the United States", Some(&gz)).entities,
            ["country:US"]
        );
        // an acronym in lower case is a word
        assert!(!parse("us", Some(&gz))
            .entities
            .contains(&"country:US".to_string()));
        assert!(parse("US", Some(&gz))
            .entities
            .contains(&"country:US".to_string()));
    }

    #[test]
    fn family_names_in_both_scripts_are_one_skeleton() {
        for q in ["Lavrov", "لافروف", "ولافروف", "لافـروف"] {
            assert!(
                parse(q, None).entities.contains(&"person:lfrf".to_string()),
                "{q}: {:?}",
                parse(q, None).entities
            );
        }
        assert_eq!(family_id("person:lfrf.s"), Some("person:lfrf"));
        assert_eq!(family_id("person:lfrf"), None);
        assert_eq!(family_id("country:KW"), None);
        // short skeletons are not looked up
        assert!(parse("وزير", None).entities.is_empty());
    }
}
