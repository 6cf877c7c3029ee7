//! What two analysed articles share, as numbers in 0..1 the similarity model weighs.

use chrono::NaiveDate;
use khabar_core::{Doc, EntityKind, EventKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Number of features.
pub const COUNT: usize = 10;

/// Feature names, in the order of [`PairFeatures::to_array`].
pub const NAMES: [&str; COUNT] = [
    "doc_cosine",
    "sentence_cosine",
    "entity_overlap",
    "shared_people",
    "place_overlap",
    "date_close",
    "date_far",
    "kind_conflict",
    "word_overlap",
    "same_language",
];

/// Everything the model knows about a pair of articles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PairFeatures {
    /// Cosine of the document vectors.
    pub doc_cosine: f32,
    /// Best cosine between a lead sentence of one and a lead sentence of the other (the document
    /// cosine when either has no sentence vectors).
    pub sentence_cosine: f32,
    /// Jaccard overlap of all entity ids (people, places, countries, organisations).
    pub entity_overlap: f32,
    /// People named by both, counted up to [`PEOPLE_CAP`], over the cap.
    pub shared_people: f32,
    /// Jaccard overlap of places and countries.
    pub place_overlap: f32,
    /// 1 when both event dates are known and within a day, 0.5 within three days, else 0.
    pub date_close: f32,
    /// 1 when both event dates are known and more than three days apart.
    pub date_far: f32,
    /// 1 when one reports a phone call and the other a meeting, visit or press conference.
    pub kind_conflict: f32,
    /// Same language: Jaccard overlap of content-word stems. Different languages: 0.
    pub word_overlap: f32,
    /// 1 when both are in the same language.
    pub same_language: f32,
}

/// Shared people beyond this many add no more evidence.
pub const PEOPLE_CAP: usize = 3;

/// Stems shorter than this (in characters) are function words in both scripts.
const MIN_STEM_CHARS: usize = 3;

impl PairFeatures {
    /// The features of a pair.
    pub fn of(a: &Doc, b: &Doc) -> PairFeatures {
        let doc_cosine = match (&a.embedding, &b.embedding) {
            (Some(x), Some(y)) => dot(x, y),
            _ => 0.0,
        };
        let sentence_cosine = best_pair(&a.sentence_embeddings, &b.sentence_embeddings)
            .unwrap_or(doc_cosine)
            .max(doc_cosine);
        let entities = |d: &Doc, keep: &dyn Fn(EntityKind) -> bool| -> BTreeSet<String> {
            d.mentions
                .iter()
                .filter(|m| keep(m.kind))
                .map(|m| m.entity.clone())
                .collect()
        };
        let all = |_: EntityKind| true;
        let places = |k: EntityKind| matches!(k, EntityKind::Place | EntityKind::Country);
        let people = |k: EntityKind| k == EntityKind::Person;
        let shared_people = entities(a, &people)
            .intersection(&entities(b, &people))
            .count()
            .min(PEOPLE_CAP) as f32
            / PEOPLE_CAP as f32;
        let (date_close, date_far) = match (event_day(a), event_day(b)) {
            (Some(x), Some(y)) => {
                let days = (x - y).num_days().abs();
                match days {
                    0..=1 => (1.0, 0.0),
                    2..=3 => (0.5, 0.0),
                    _ => (0.0, 1.0),
                }
            }
            _ => (0.0, 0.0),
        };
        let same_language = a.language.code == b.language.code && a.language.code != "und";
        PairFeatures {
            doc_cosine,
            sentence_cosine,
            entity_overlap: jaccard(&entities(a, &all), &entities(b, &all)),
            shared_people,
            place_overlap: jaccard(&entities(a, &places), &entities(b, &places)),
            date_close,
            date_far,
            kind_conflict: kinds_conflict(a, b) as u8 as f32,
            word_overlap: if same_language {
                jaccard(&stems(a), &stems(b))
            } else {
                0.0
            },
            same_language: same_language as u8 as f32,
        }
    }

    /// The features as an array, in the order of [`NAMES`].
    pub fn to_array(&self) -> [f32; COUNT] {
        [
            self.doc_cosine,
            self.sentence_cosine,
            self.entity_overlap,
            self.shared_people,
            self.place_overlap,
            self.date_close,
            self.date_far,
            self.kind_conflict,
            self.word_overlap,
            self.same_language,
        ]
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn best_pair(a: &[Vec<f32>], b: &[Vec<f32>]) -> Option<f32> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| dot(x, y)))
        .fold(None, |best, c| Some(best.map_or(c, |b: f32| b.max(c))))
}

fn jaccard<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> f32 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / union as f32
}

fn stems(d: &Doc) -> BTreeSet<&str> {
    d.tokens
        .iter()
        .map(|t| t.stem.as_str())
        .filter(|s| s.chars().count() >= MIN_STEM_CHARS && !s.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// The day an article's event happened, as far as the article says: the date it names most often
/// within a week before (or the day after) its publication; failing that, the date it names
/// most often; failing that, its publication day. None for an undated article that names no date.
pub fn event_day(d: &Doc) -> Option<NaiveDate> {
    let published = d.article.published_at.as_ref().map(|p| p.at.date_naive());
    let mut counts: HashMap<NaiveDate, usize> = HashMap::new();
    for date in &d.dates {
        counts.entry(date.date).or_default();
        *counts.get_mut(&date.date).unwrap() += 1;
    }
    let most_named = |keep: &dyn Fn(&NaiveDate) -> bool| {
        counts
            .iter()
            .filter(|(day, _)| keep(day))
            .max_by(|(d1, c1), (d2, c2)| c1.cmp(c2).then(d2.cmp(d1)))
            .map(|(day, _)| *day)
    };
    match published {
        Some(p) => most_named(&|day| {
            let offset = (p - *day).num_days();
            (-1..=7).contains(&offset)
        })
        .or(Some(p)),
        None => most_named(&|_| true),
    }
}

fn kinds_conflict(a: &Doc, b: &Doc) -> bool {
    let primary = |d: &Doc| d.cues.kinds.first().map(|(k, _)| *k);
    let in_person = |k: EventKind| {
        matches!(
            k,
            EventKind::Meeting | EventKind::Visit | EventKind::PressConference
        )
    };
    match (primary(a), primary(b)) {
        (Some(x), Some(y)) => {
            (x == EventKind::PhoneCall && in_person(y))
                || (y == EventKind::PhoneCall && in_person(x))
        }
        _ => false,
    }
}
