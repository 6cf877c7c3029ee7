//! What two analysed articles share, as numbers in 0..1 the similarity model weighs.

use chrono::NaiveDate;
use khabar_core::{Doc, EntityKind, EventKind, Script};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Number of model inputs.
pub const COUNT: usize = 16;

/// One model input: its name, the [`PairFeatures`] field it is computed from, and the sign its
/// weight must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// Name, as `khabar eval fit` prints it.
    pub name: &'static str,
    /// The [`PairFeatures`] field it is computed from: explanations add up an input's segments
    /// under the name of the one measurement they cut.
    pub measure: &'static str,
    /// Sign its weight must keep (see [`INPUTS`]).
    pub sign: i8,
}

/// The model inputs, in the order of [`PairFeatures::to_array`]. The cosines enter the model as
/// their excess over the [`Background`] of the pair's languages, cut into segments at
/// [`DOC_KNOTS`] and [`LEAD_KNOTS`] (how far the excess runs inside each segment): each segment
/// gets its own slope, so the model can learn that more alike matters less and less once two
/// reports are clearly one story, which a single straight input cannot bend to. Signs: evidence
/// of likeness may only raise the score, so the score never falls as two reports get more alike
/// (and an explanation never says shared people counted against a pair); a conflict may only
/// lower it.
pub const INPUTS: [Input; COUNT] = [
    Input {
        name: "doc_cosine_excess_to_0.1",
        measure: "doc_cosine",
        sign: 1,
    },
    Input {
        name: "doc_cosine_excess_0.1_to_0.3",
        measure: "doc_cosine",
        sign: 1,
    },
    Input {
        name: "doc_cosine_excess_0.3_to_0.5",
        measure: "doc_cosine",
        sign: 1,
    },
    Input {
        name: "doc_cosine_excess_over_0.5",
        measure: "doc_cosine",
        sign: 1,
    },
    Input {
        name: "sentence_cosine_excess",
        measure: "sentence_cosine",
        sign: 1,
    },
    Input {
        name: "lead_cosine_excess_to_0.2",
        measure: "lead_cosine",
        sign: 1,
    },
    Input {
        name: "lead_cosine_excess_0.2_to_0.4",
        measure: "lead_cosine",
        sign: 1,
    },
    Input {
        name: "lead_cosine_excess_0.4_to_0.6",
        measure: "lead_cosine",
        sign: 1,
    },
    Input {
        name: "lead_cosine_excess_over_0.6",
        measure: "lead_cosine",
        sign: 1,
    },
    Input {
        name: "lead_alignment",
        measure: "lead_alignment",
        sign: 1,
    },
    Input {
        name: "entity_overlap",
        measure: "entity_overlap",
        sign: 1,
    },
    Input {
        name: "shared_people",
        measure: "shared_people",
        sign: 1,
    },
    Input {
        name: "place_overlap",
        measure: "place_overlap",
        sign: 1,
    },
    Input {
        name: "kind_conflict",
        measure: "kind_conflict",
        sign: -1,
    },
    Input {
        name: "shared_vocabulary_excess",
        measure: "shared_vocabulary",
        sign: 1,
    },
    Input {
        name: "shared_figures",
        measure: "shared_figures",
        sign: 1,
    },
];

/// Knots of the document-cosine segments, on the excess over the background (see [`INPUTS`]).
pub const DOC_KNOTS: [f32; 3] = [0.1, 0.3, 0.5];

/// Knots of the lead-cosine segments, on the excess over the background (see [`INPUTS`]).
pub const LEAD_KNOTS: [f32; 3] = [0.2, 0.4, 0.6];

/// Lead sentences compared one to one for [`PairFeatures::lead_cosine`] and
/// [`PairFeatures::lead_alignment`]: the first three carry who, what, where and when.
pub const LEAD: usize = 3;

/// Mean cosines and vocabulary overlap of *unrelated* articles for one pair of languages.
///
/// Cosines are not comparable across language pairs: two unrelated German articles score higher
/// than two unrelated articles in Arabic and English. The model therefore sees how far a pair's
/// cosine rises above the background of its languages, which lets what it learns on one language
/// pair carry over to another. So with the vocabulary: two articles in one language share common
/// words, two in different scripts share none, whether or not they report one story; measured as
/// an excess, a vocabulary that cannot overlap says nothing either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Background {
    /// Mean document cosine.
    pub doc: f32,
    /// Mean best-lead-sentence cosine.
    pub sentence: f32,
    /// Mean weighted vocabulary overlap ([`crate::vocabulary::overlap`]).
    #[serde(default)]
    pub vocabulary: f32,
}

/// Everything the model knows about a pair of articles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairFeatures {
    /// Cosine of the document vectors.
    pub doc_cosine: f32,
    /// Best cosine between a lead sentence of one and a lead sentence of the other, or the
    /// document cosine when that is higher or either has no sentence vectors.
    pub sentence_cosine: f32,
    /// Best cosine between one of the first [`LEAD`] sentences of each (the document cosine when
    /// either has no sentence vectors).
    #[serde(default)]
    pub lead_cosine: f32,
    /// How well the first [`LEAD`] sentences of each find a match in the other's: the mean, over
    /// both sides' sentences, of each one's best cosine with the other side's (0 without vectors).
    #[serde(default)]
    pub lead_alignment: f32,
    /// Jaccard overlap of all entity ids (people, places, countries, organisations).
    pub entity_overlap: f32,
    /// People named by both, counted up to [`PEOPLE_CAP`], over the cap.
    pub shared_people: f32,
    /// Jaccard overlap of places and countries.
    pub place_overlap: f32,
    /// Days between the two articles' event days, when both are known. Not a model input: the
    /// labelled data has too few dated articles to fit a weight, so a gap is a rule instead (see
    /// [`crate::model::MAX_EVENT_DAY_GAP`]).
    pub day_gap: Option<u32>,
    /// 1 when one reports a phone call and the other a meeting, visit or press conference.
    pub kind_conflict: f32,
    /// Overlap of the content-word stems of both leads, each weighted by how rare it is in the
    /// stream ([`crate::vocabulary::overlap`]), in any two languages: names and acronyms are
    /// often written alike across languages.
    pub shared_vocabulary: f32,
    /// Jaccard overlap of the numbers both report (counts, sums, percentages, in any script).
    #[serde(default)]
    pub shared_figures: f32,
    /// The pair is scored without its vocabulary overlap (see
    /// [`crate::model::SimilarityModel`]): its two languages are written in different scripts
    /// ([`Script::of_language`]; a language whose script is not known counts as sharing one), so
    /// no word can be shared, or one side is a headline alone ([`SHORT`]), whose handful of stems
    /// makes two shared words look like strong evidence.
    #[serde(default)]
    pub without_vocabulary: bool,
    /// Each article's length class ([`length_class`]: [`FULL`], [`MEDIUM`] or [`SHORT`]). Links
    /// stored before this field existed read as two full articles.
    #[serde(default)]
    pub lengths: [u8; 2],
    /// The background cosines of the pair's languages and lengths: unrelated headlines are much
    /// less alike than unrelated full articles, so a pair with a shorter side is measured against
    /// the background of such pairs (see [`crate::model::background`]).
    pub background: Background,
}

/// A text with one lead vector at most and fewer tokens than this is short (see
/// [`length_class`]): headlines run to about 20 tokens and one-sentence leads to about 50, while
/// a long text the sentence splitter could not cut (no punctuation) has hundreds.
pub const SHORT_MAX_TOKENS: u32 = 64;

/// A text that is not short and has fewer tokens than this is of medium length (see
/// [`length_class`]): a headline and two or three sentences (an RSS item's summary) run to 60–120
/// tokens, while the document vector reads up to 192.
pub const MEDIUM_MAX_TOKENS: u32 = 128;

/// A text with fewer lead vectors than this (a headline and two sentences, or three sentences)
/// may be of medium length (see [`length_class`]); the pipeline embeds 4.
pub const MEDIUM_MAX_UNITS: usize = 4;

/// Length class of a full article (see [`length_class`]).
pub const FULL: u8 = 0;
/// Length class of a text of a headline and a few sentences (see [`length_class`]).
pub const MEDIUM: u8 = 1;
/// Length class of a headline alone (see [`length_class`]).
pub const SHORT: u8 = 2;

/// How long an article is, for its background ([`crate::model::background`]): unrelated short
/// texts are much less alike than unrelated full articles (the document vector of a headline
/// says less; the best of fewer lead cosines is lower). [`SHORT`]: a headline alone (a body that
/// only repeats it) or one sentence without a headline, under [`SHORT_MAX_TOKENS`] (its one lead
/// vector is then its document vector too); [`MEDIUM`]: any other text with fewer than
/// [`MEDIUM_MAX_UNITS`] lead vectors and [`MEDIUM_MAX_TOKENS`] tokens; else [`FULL`].
pub fn length_class(p: &Profile, v: Vectors) -> u8 {
    if v.sentences.len() <= 1 && p.tokens < SHORT_MAX_TOKENS {
        SHORT
    } else if v.sentences.len() < MEDIUM_MAX_UNITS && p.tokens < MEDIUM_MAX_TOKENS {
        MEDIUM
    } else {
        FULL
    }
}

/// Combinations of two length classes other than two full articles.
pub const SHORTER_COMBINATIONS: usize = 5;

/// Index of a pair's length classes: 0 for two full articles, else 1 + the position of the
/// combination in [`crate::model::SHORTER_BACKGROUNDS`] (full–medium, medium–medium, full–short,
/// medium–short, short–short).
pub fn lengths_index(lengths: [u8; 2]) -> usize {
    let (lo, hi) = (lengths[0].min(lengths[1]), lengths[0].max(lengths[1]));
    match (lo.min(SHORT), hi.min(SHORT)) {
        (FULL, FULL) => 0,
        (FULL, MEDIUM) => 1,
        (MEDIUM, MEDIUM) => 2,
        (FULL, _) => 3,
        (MEDIUM, _) => 4,
        _ => 5,
    }
}

fn many_tokens() -> u32 {
    u32::MAX
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
    #[serde(with = "hash_list")]
    pub entities: Vec<u64>,
    /// Hashed ids of places and countries, sorted.
    #[serde(with = "hash_list")]
    pub places: Vec<u64>,
    /// Person ids (`person:FAMILY.GIVEN`, or `person:FAMILY` when only a surname is written),
    /// sorted: compared by compatibility, not equality (see [`same_person`]).
    pub people: Vec<String>,
    /// Hashed content-word stems of the lead, sorted.
    #[serde(with = "hash_list")]
    pub stems: Vec<u64>,
    /// Each stem's weight, in the order of `stems`: its inverse document frequency among the
    /// articles stored up to this one, in 1/[`WEIGHT_SCALE`](crate::vocabulary::WEIGHT_SCALE)
    /// steps (see [`crate::vocabulary`]). Empty until weighed, and in profiles stored before
    /// weights existed: every stem then weighs 1.
    #[serde(default, with = "byte_list")]
    pub stem_weights: Vec<u8>,
    /// How many articles, in storing order, the counts that weighed `stem_weights` were taken
    /// over: the articles stored before this one's batch and the whole batch (so the order
    /// within a batch changes no weight). `None` in profiles stored before batches were weighed
    /// as a set: those were weighed over the articles up to themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighed_over: Option<u32>,
    /// Hashed values of the figures it reports, sorted.
    #[serde(default, with = "hash_list")]
    pub figures: Vec<u64>,
    /// Tokens in its clean text, for [`length_class`] (profiles stored before this field
    /// existed read as long).
    #[serde(default = "many_tokens")]
    pub tokens: u32,
}

/// How a profile's hash lists are stored: base64 of each hash's 8 little-endian bytes (11
/// characters a hash instead of ~20 as JSON numbers; the stems are most of a stored profile).
/// Lists stored before, as JSON arrays of numbers, read as they were.
mod hash_list {
    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(hashes: &[u64], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        s.serialize_str(&super::base64::encode(&bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        d.deserialize_any(HashList)
    }

    struct HashList;

    impl<'de> Visitor<'de> for HashList {
        type Value = Vec<u64>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("base64 of 64-bit hashes, or an array of them")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<u64>, E> {
            let bytes = super::base64::decode(text).map_err(E::custom)?;
            if bytes.len() % 8 != 0 {
                return Err(E::custom(format!("{} bytes of 8-byte hashes", bytes.len())));
            }
            Ok(bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(h) = seq.next_element()? {
                out.push(h);
            }
            Ok(out)
        }
    }
}

/// How a profile's byte lists (its stem weights) are stored: base64.
mod byte_list {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::base64::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<str>>::deserialize(d)?;
        super::base64::decode(&text).map_err(serde::de::Error::custom)
    }
}

/// Standard base64 without padding, for the lists a stored profile keeps.
mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    /// Each byte's value in [`ALPHABET`], or 255.
    const VALUE: [u8; 256] = {
        let mut table = [255u8; 256];
        let mut i = 0;
        while i < 64 {
            table[ALPHABET[i] as usize] = i as u8;
            i += 1;
        }
        table
    };

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode(text: &str) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::with_capacity(text.len() / 4 * 3 + 2);
        for chunk in text.as_bytes().chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                let v = VALUE[c as usize];
                if v == 255 {
                    return Err(format!("{:?} is not base64", c as char));
                }
                n |= (v as u32) << (18 - 6 * i);
            }
            if chunk.len() < 2 {
                return Err("base64 cut short".into());
            }
            bytes.extend((0..chunk.len() - 1).map(|i| (n >> (16 - 8 * i)) as u8));
        }
        Ok(bytes)
    }
}

/// Content-word stems kept per article: the lead carries the story, and a cap keeps profiles small.
pub const MAX_STEMS: usize = 160;

impl Profile {
    /// The profile of an analysed article, its stems not yet weighed (see
    /// [`DocumentFrequencies::weigh`](crate::vocabulary::DocumentFrequencies::weigh)).
    pub fn of(d: &Doc) -> Profile {
        let ids = |keep: &dyn Fn(EntityKind) -> bool| -> Vec<u64> {
            sorted(
                d.mentions
                    .iter()
                    .filter(|m| keep(m.kind))
                    .map(|m| stable_hash(&m.entity)),
            )
        };
        let mut stems = Vec::new();
        for t in &d.tokens {
            let s = t.stem.as_str();
            if s.chars().count() >= MIN_STEM_CHARS && !s.chars().all(|c| c.is_ascii_digit()) {
                let h = stable_hash(s);
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
            people: {
                let mut people: Vec<String> = d
                    .mentions
                    .iter()
                    .filter(|m| m.kind == EntityKind::Person)
                    .map(|m| m.entity.clone())
                    .collect();
                people.sort_unstable();
                people.dedup();
                people
            },
            stems: sorted(stems.into_iter()),
            // Weighed when stored, against the counts of the articles before it.
            stem_weights: Vec::new(),
            weighed_over: None,
            figures: sorted(d.figures.iter().map(|f| stable_hash(&f.value.to_string()))),
            tokens: d.tokens.len().min(u32::MAX as usize) as u32,
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
    /// The features of a pair from their profiles and vectors.
    pub fn between(a: &Profile, av: Vectors, b: &Profile, bv: Vectors) -> PairFeatures {
        let doc_cosine = if av.doc.len() == bv.doc.len() && !av.doc.is_empty() {
            dot(av.doc, bv.doc)
        } else {
            0.0
        };
        let cosines = Cosines::between(av.sentences, bv.sentences);
        let sentence_cosine = cosines
            .best(usize::MAX)
            .unwrap_or(doc_cosine)
            .max(doc_cosine);
        let lead_cosine = cosines.best(LEAD).unwrap_or(doc_cosine);
        let day_gap = match (a.event_day, b.event_day) {
            (Some(x), Some(y)) => Some((x - y).num_days().unsigned_abs() as u32),
            _ => None,
        };
        let entity_overlap = jaccard(&a.entities, &b.entities);
        let lengths = [length_class(a, av), length_class(b, bv)];
        PairFeatures {
            doc_cosine,
            sentence_cosine,
            entity_overlap,
            // Counted from both sides, the smaller kept: "Al-Sabah" alone matches two Al-Sabahs
            // of the other report, but names one person; and the pair scores the same either way
            // round.
            shared_people: matched_people(a, b)
                .min(matched_people(b, a))
                .min(PEOPLE_CAP) as f32
                / PEOPLE_CAP as f32,
            place_overlap: jaccard(&a.places, &b.places),
            day_gap,
            kind_conflict: kinds_conflict(a.kind, b.kind) as u8 as f32,
            shared_vocabulary: crate::vocabulary::overlap(a, b),
            without_vocabulary: lengths.contains(&SHORT)
                || matches!(
                    (Script::of_language(&a.lang), Script::of_language(&b.lang)),
                    (Some(x), Some(y)) if x != y
                ),
            lead_cosine,
            lead_alignment: cosines.alignment(LEAD),
            shared_figures: jaccard(&a.figures, &b.figures),
            lengths,
            background: crate::model::background(&a.lang, &b.lang, lengths),
        }
    }

    /// The model inputs, in the order of [`INPUTS`].
    pub fn to_array(&self) -> [f32; COUNT] {
        let [d0, d1, d2, d3] = segments(self.doc_cosine - self.background.doc, DOC_KNOTS);
        let [l0, l1, l2, l3] = segments(self.lead_cosine - self.background.sentence, LEAD_KNOTS);
        [
            d0,
            d1,
            d2,
            d3,
            self.sentence_cosine - self.background.sentence,
            l0,
            l1,
            l2,
            l3,
            self.lead_alignment,
            self.entity_overlap,
            self.shared_people,
            self.place_overlap,
            self.kind_conflict,
            self.shared_vocabulary - self.background.vocabulary,
            self.shared_figures,
        ]
    }
}

/// How many of `a`'s people [`same_person`] matches among `b`'s.
fn matched_people(a: &Profile, b: &Profile) -> usize {
    a.people
        .iter()
        .filter(|p| b.people.iter().any(|q| same_person(p, q)))
        .count()
}

/// True when two person ids can name the same person: the same id, or the same family name where
/// one of them gives no given name ("Lavrov" in one report, "Sergei Lavrov" in another). Two
/// different given names under one family name (two Al-Sabahs) are two people.
pub fn same_person(a: &str, b: &str) -> bool {
    let family = |id: &str| id.split('.').next().unwrap_or(id).to_string();
    a == b || (family(a) == family(b) && (!a.contains('.') || !b.contains('.')))
}

/// FNV-1a: a stable hash (the same in every run and build), unlike std's randomised one.
pub fn stable_hash(s: &str) -> u64 {
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
pub fn shared(a: &[u64], b: &[u64]) -> usize {
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

/// Dot product in 16 independent lanes, which the compiler vectorises (a plain running sum
/// cannot be reordered, and scoring a candidate takes a dozen of these).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..16 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// The cosines between every sentence vector of one article and every one of the other, computed
/// once per pair: the sentence features read different corners of the same table.
struct Cosines {
    cols: usize,
    values: Vec<f32>,
}

impl Cosines {
    fn between(a: &[Vec<f32>], b: &[Vec<f32>]) -> Cosines {
        Cosines {
            cols: b.len(),
            values: a
                .iter()
                .flat_map(|x| b.iter().map(move |y| dot(x, y)))
                .collect(),
        }
    }

    fn rows(&self) -> usize {
        self.values.len().checked_div(self.cols).unwrap_or(0)
    }

    /// The best cosine among the first `n` sentences of each side (None without sentences).
    fn best(&self, n: usize) -> Option<f32> {
        (0..self.rows().min(n))
            .flat_map(|i| (0..self.cols.min(n)).map(move |j| (i, j)))
            .map(|(i, j)| self.values[i * self.cols + j])
            .reduce(f32::max)
    }

    /// Mean, over the first `n` sentences of both sides, of each one's best cosine with the other
    /// side's first `n` (0 without sentences).
    fn alignment(&self, n: usize) -> f32 {
        let (rows, cols) = (self.rows().min(n), self.cols.min(n));
        if rows == 0 || cols == 0 {
            return 0.0;
        }
        let at = |i: usize, j: usize| self.values[i * self.cols + j];
        let by_row: f32 = (0..rows)
            .map(|i| {
                (0..cols)
                    .map(|j| at(i, j))
                    .fold(f32::NEG_INFINITY, f32::max)
            })
            .sum();
        let by_col: f32 = (0..cols)
            .map(|j| {
                (0..rows)
                    .map(|i| at(i, j))
                    .fold(f32::NEG_INFINITY, f32::max)
            })
            .sum();
        (by_row + by_col) / (rows + cols) as f32
    }
}

/// `x` cut at three knots: the part up to the first (which may be negative), the parts inside the
/// two spans between knots, and the part over the last. They add up to `x`.
fn segments(x: f32, knots: [f32; 3]) -> [f32; 4] {
    [
        x.min(knots[0]),
        (x - knots[0]).clamp(0.0, knots[1] - knots[0]),
        (x - knots[1]).clamp(0.0, knots[2] - knots[1]),
        (x - knots[2]).max(0.0),
    ]
}

/// The day an article's event happened, as far as the article says: the date it names most often
/// within a week before (or the day after) its publication (ties: the first named), else its
/// publication day. An undated
/// article has no event day: the dates it names could be history ("the borders of 1967") as well
/// as news, and guessing would be worse than saying nothing.
pub fn event_day(d: &Doc) -> Option<NaiveDate> {
    let published = d.article.published_at.as_ref()?.at.date_naive();
    // Day -> (times named, first position named).
    let mut counts: HashMap<NaiveDate, (usize, usize)> = HashMap::new();
    for date in &d.dates {
        let offset = (published - date.date).num_days();
        if (-1..=7).contains(&offset) {
            let entry = counts.entry(date.date).or_insert((0, date.span.start));
            entry.0 += 1;
            entry.1 = entry.1.min(date.span.start);
        }
    }
    // Most often named; a tie goes to the one named first (the lead says what happened; later
    // days are background: "on Wednesday the minister had said ...").
    counts
        .into_iter()
        .max_by(|(_, (c1, p1)), (_, (c2, p2))| c1.cmp(c2).then(p2.cmp(p1)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_store_hash_lists_as_base64_and_read_the_older_arrays() {
        let profile = Profile {
            lang: "en".into(),
            stems: vec![0, 1, u64::MAX, 0x0123_4567_89ab_cdef],
            entities: vec![42],
            ..Profile::default()
        };
        let json = serde_json::to_value(&profile).unwrap();
        assert_eq!(json["entities"], "KgAAAAAAAAA"); // 42 as 8 little-endian bytes
        assert_eq!(json["places"], "");
        assert_eq!(json["stems"].as_str().unwrap().len(), 43); // 32 bytes, 11 characters each 8
        let back: Profile = serde_json::from_value(json).unwrap();
        assert_eq!(back, profile);
        // Stored before: arrays of numbers.
        let old: Profile = serde_json::from_str(
            r#"{"lang":"en","event_day":null,"kind":null,"entities":[42],"places":[],
                "people":[],"stems":[0,1,18446744073709551615,81985529216486895]}"#,
        )
        .unwrap();
        assert_eq!(old.stems, profile.stems);
        assert_eq!(old.entities, [42]);
        for bad in [r#""K""#, r#""KgAA""#, r#""Kg!A""#] {
            let json = format!(
                r#"{{"lang":"en","event_day":null,"kind":null,"entities":{bad},"places":"","people":[],"stems":""}}"#
            );
            assert!(serde_json::from_str::<Profile>(&json).is_err(), "{bad}");
        }
    }

    #[test]
    fn vocabulary_is_left_out_across_scripts_and_for_a_headline_alone() {
        let article = |lang: &str, tokens: u32| Profile {
            lang: lang.into(),
            stems: vec![1, 2, 3],
            tokens,
            ..Profile::default()
        };
        let lead = vec![vec![1.0f32, 0.0]; 4];
        let headline = vec![vec![1.0f32, 0.0]; 1];
        let full = Vectors {
            doc: &[1.0, 0.0],
            sentences: &lead,
        };
        let short = Vectors {
            doc: &[1.0, 0.0],
            sentences: &headline,
        };
        let without = |a: &Profile, av: Vectors, b: &Profile, bv: Vectors| {
            PairFeatures::between(a, av, b, bv).without_vocabulary
        };
        let (ar, en, de, xx) = (
            article("ar", 500),
            article("en", 500),
            article("de", 500),
            article("und", 500),
        );
        assert!(without(&ar, full, &en, full));
        assert!(!without(&de, full, &en, full));
        assert!(!without(&ar, full, &ar, full));
        // A language of unknown script may share words with any.
        assert!(!without(&xx, full, &ar, full));
        assert!(without(&en, full, &article("en", 12), short));
        // Same stems, all weighing 1: the overlap is 1 whatever the languages.
        assert_eq!(
            PairFeatures::between(&de, full, &en, full).shared_vocabulary,
            1.0
        );
    }

    #[test]
    fn alignment_is_the_mean_best_match_of_both_sides() {
        let alignment = |a: &[Vec<f32>], b: &[Vec<f32>]| Cosines::between(a, b).alignment(LEAD);
        let (x, y) = (vec![1.0, 0.0], vec![0.0, 1.0]);
        assert_eq!(
            alignment(&[x.clone(), y.clone()], &[y.clone(), x.clone()]),
            1.0
        );
        // One side's two sentences both match its single sentence; the other's matches one of two.
        assert!((alignment(std::slice::from_ref(&x), &[x.clone(), y]) - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(alignment(&[x], &[]), 0.0);
    }

    #[test]
    fn best_cosines_read_the_lead_corner_of_the_table() {
        let unit = |i: usize| {
            let mut v = vec![0.0f32; 40];
            v[i] = 1.0;
            v
        };
        // Only the fifth sentences match: the best of all sees it, the best of the lead does not.
        let a: Vec<Vec<f32>> = (0..5).map(unit).collect();
        let b: Vec<Vec<f32>> = (10..14).map(unit).chain([unit(4)]).collect();
        let cosines = Cosines::between(&a, &b);
        assert_eq!(cosines.best(usize::MAX), Some(1.0));
        assert_eq!(cosines.best(LEAD), Some(0.0));
        assert_eq!(Cosines::between(&a, &[]).best(LEAD), None);
        assert!((dot(&unit(33), &unit(33)) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn segments_add_up_to_the_value_and_fill_in_order() {
        for x in [-0.3f32, 0.05, 0.1, 0.25, 0.45, 0.9] {
            let s = segments(x, DOC_KNOTS);
            assert!((s.iter().sum::<f32>() - x).abs() < 1e-6, "{x}: {s:?}");
        }
        assert_eq!(segments(0.4, DOC_KNOTS)[3], 0.0);
        assert!((segments(0.4, DOC_KNOTS)[2] - 0.1).abs() < 1e-6);
        assert_eq!(segments(-0.2, DOC_KNOTS), [-0.2, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_surname_alone_matches_the_full_name_but_not_a_relative() {
        assert!(same_person("person:lfrf.s", "person:lfrf"));
        assert!(same_person("person:lfrf", "person:lfrf.s"));
        assert!(same_person("person:lfrf.s", "person:lfrf.s"));
        assert!(!same_person("person:sbh.s", "person:sbh.n"));
        assert!(!same_person("person:lfrf.s", "person:sfd.a"));
    }

    /// A surname alone in one report that matches two relatives in the other names one person,
    /// and the pair's feature is the same whichever report comes first.
    #[test]
    fn shared_people_are_counted_the_same_both_ways() {
        let with_people = |people: &[&str]| Profile {
            people: people.iter().map(|p| p.to_string()).collect(),
            ..Profile::default()
        };
        let two = with_people(&["person:sbh.n", "person:sbh.s", "person:lfrf.s"]);
        let one = with_people(&["person:sbh", "person:lfrf"]);
        let v = Vectors {
            doc: &[1.0, 0.0],
            sentences: &[],
        };
        let ab = PairFeatures::between(&two, v, &one, v).shared_people;
        let ba = PairFeatures::between(&one, v, &two, v).shared_people;
        assert_eq!(ab, ba);
        assert_eq!(ab, 2.0 / PEOPLE_CAP as f32);
    }
}
