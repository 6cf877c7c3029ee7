//! What two analysed articles share, as numbers in 0..1 the similarity model weighs.

use chrono::NaiveDate;
use khabar_core::{Doc, EntityKind, EventKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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

/// What the model needs of one article, compact enough to keep for every recent article: its
/// language, event day and kind, and hashed sets of entity ids and content-word stems.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Language code.
    pub lang: String,
    /// The day its event happened, as far as it says (see [`event_day`]).
    pub event_day: Option<NaiveDate>,
    /// The most prominent kind of happening it reports.
    pub kind: Option<EventKind>,
    /// Hashed entity ids of every kind, sorted.
    pub entities: Vec<u64>,
    /// Hashed ids of places and countries, sorted.
    pub places: Vec<u64>,
    /// Hashed ids of people, sorted.
    pub people: Vec<u64>,
    /// Hashed content-word stems of the lead, sorted.
    pub stems: Vec<u64>,
}

/// Content-word stems kept per article: the lead carries the story, and a cap keeps profiles small.
pub const MAX_STEMS: usize = 160;

impl Profile {
    /// The profile of an analysed article.
    pub fn of(d: &Doc) -> Profile {
        let ids = |keep: &dyn Fn(EntityKind) -> bool| -> Vec<u64> {
            sorted(
                d.mentions
                    .iter()
                    .filter(|m| keep(m.kind))
                    .map(|m| hash(&m.entity)),
            )
        };
        let mut stems = Vec::new();
        for t in &d.tokens {
            let s = t.stem.as_str();
            if s.chars().count() >= MIN_STEM_CHARS && !s.chars().all(|c| c.is_ascii_digit()) {
                let h = hash(s);
                if !stems.contains(&h) {
                    stems.push(h);
                    if stems.len() == MAX_STEMS {
                        break;
                    }
                }
            }
        }
        Profile {
            lang: d.language.code.clone(),
            event_day: event_day(d),
            kind: d.cues.kinds.first().map(|(k, _)| *k),
            entities: ids(&|_| true),
            places: ids(&|k| matches!(k, EntityKind::Place | EntityKind::Country)),
            people: ids(&|k| k == EntityKind::Person),
            stems: sorted(stems.into_iter()),
        }
    }
}

/// An article's vectors: the document vector and its lead sentences' vectors.
#[derive(Debug, Clone, Copy)]
pub struct Vectors<'a> {
    /// Unit document vector (empty when the article has none).
    pub doc: &'a [f32],
    /// Unit sentence vectors.
    pub sentences: &'a [Vec<f32>],
}

impl<'a> Vectors<'a> {
    /// The vectors the embed stage put on a Doc.
    pub fn of(d: &'a Doc) -> Vectors<'a> {
        Vectors {
            doc: d.embedding.as_deref().unwrap_or(&[]),
            sentences: &d.sentence_embeddings,
        }
    }
}

impl PairFeatures {
    /// The features of a pair of analysed, embedded articles.
    pub fn of(a: &Doc, b: &Doc) -> PairFeatures {
        PairFeatures::between(
            &Profile::of(a),
            Vectors::of(a),
            &Profile::of(b),
            Vectors::of(b),
        )
    }

    /// The features of a pair from their profiles and vectors.
    pub fn between(a: &Profile, av: Vectors, b: &Profile, bv: Vectors) -> PairFeatures {
        let doc_cosine = if av.doc.len() == bv.doc.len() && !av.doc.is_empty() {
            dot(av.doc, bv.doc)
        } else {
            0.0
        };
        let sentence_cosine = best_pair(av.sentences, bv.sentences)
            .unwrap_or(doc_cosine)
            .max(doc_cosine);
        let (date_close, date_far) = match (a.event_day, b.event_day) {
            (Some(x), Some(y)) => match (x - y).num_days().abs() {
                0..=1 => (1.0, 0.0),
                2..=3 => (0.5, 0.0),
                _ => (0.0, 1.0),
            },
            _ => (0.0, 0.0),
        };
        let same_language = a.lang == b.lang && a.lang != "und";
        PairFeatures {
            doc_cosine,
            sentence_cosine,
            entity_overlap: jaccard(&a.entities, &b.entities),
            shared_people: shared(&a.people, &b.people).min(PEOPLE_CAP) as f32 / PEOPLE_CAP as f32,
            place_overlap: jaccard(&a.places, &b.places),
            date_close,
            date_far,
            kind_conflict: kinds_conflict(a.kind, b.kind) as u8 as f32,
            word_overlap: if same_language {
                jaccard(&a.stems, &b.stems)
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

/// FNV-1a: a stable hash (the same in every run and build), unlike std's randomised one.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn sorted(values: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = values.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Size of the intersection of two sorted, deduplicated lists.
fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    let both = shared(a, b);
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f32 / union as f32
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

/// The day an article's event happened, as far as the article says: the date it names most often
/// within a week before (or the day after) its publication, else its publication day. An undated
/// article has no event day: the dates it names could be history ("the borders of 1967") as well
/// as news, and guessing would be worse than saying nothing.
pub fn event_day(d: &Doc) -> Option<NaiveDate> {
    let published = d.article.published_at.as_ref()?.at.date_naive();
    let mut counts: HashMap<NaiveDate, usize> = HashMap::new();
    for date in &d.dates {
        let offset = (published - date.date).num_days();
        if (-1..=7).contains(&offset) {
            *counts.entry(date.date).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|(d1, c1), (d2, c2)| c1.cmp(c2).then(d2.cmp(d1)))
        .map(|(day, _)| day)
        .or(Some(published))
}

fn kinds_conflict(a: Option<EventKind>, b: Option<EventKind>) -> bool {
    let in_person = |k: EventKind| {
        matches!(
            k,
            EventKind::Meeting | EventKind::Visit | EventKind::PressConference
        )
    };
    match (a, b) {
        (Some(x), Some(y)) => {
            (x == EventKind::PhoneCall && in_person(y))
                || (y == EventKind::PhoneCall && in_person(x))
        }
        _ => false,
    }
}
