//! A real-world happening as reported by one or more articles, with every fact cited.

use crate::{ArticleId, EventKind, Span};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Stable id of an event: derived from its founding member (the smallest article id in it), so
/// the same articles give the same event id whatever the ingest order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(String);

impl EventId {
    /// The id of an event founded by `article`.
    pub fn founded_by(article: &ArticleId) -> Self {
        EventId(format!("e{}", &article.as_str()[..12]))
    }

    /// Wraps an id read back from the store or typed by a user.
    pub fn from_stored(id: String) -> Self {
        EventId(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a fact was read: an article and the sentence in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Citation {
    /// The article.
    pub article: ArticleId,
    /// The sentence's byte span in the article body.
    pub span: Span,
    /// The sentence text, for display.
    pub text: String,
}

/// Another copy of an article: the same text or the same page seen again, from an outlet that
/// still counts, with the dedup layer that recognised it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Copy {
    /// Where it was read.
    pub source: String,
    /// Its outlet, when known.
    pub outlet: Option<String>,
    /// Its URL, when known.
    pub url: Option<String>,
    /// `exact-body` (same normalised text) or `canonical-url` (same page).
    pub layer: String,
}

/// Where an article's information comes from, so that agreement is counted in independent
/// origins, not in copies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// `own` (the outlet's own reporting), `agency` (it credits a news agency or another
    /// outlet), or `copy` (a near-identical body of another member).
    pub kind: String,
    /// Who the information comes from: the agency credited, the original's origin for a copy,
    /// the outlet (or article) itself for own reporting. Equal keys are one origin.
    pub key: String,
    /// For a copy: the article it copies and the layer that found it (`near-body`, `title`).
    pub copy_of: Option<(ArticleId, String)>,
    /// The words that say so ("المصدر: تاس", "(KUNA)"), when there are any.
    pub evidence: Option<String>,
}

/// A member article of an event, with what a reader needs to weigh it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The article.
    #[serde(rename = "id")]
    pub article: ArticleId,
    /// Where it came from (file, record, URL).
    pub source: String,
    /// Language code.
    pub lang: String,
    /// Outlet, when known.
    pub outlet: Option<String>,
    /// True when the input named no outlet and `outlet` is its URL's registrable domain.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outlet_from_url: bool,
    /// Headline or first sentence.
    pub title: String,
    /// Publication date, when known.
    pub published_at: Option<String>,
    /// True when the article announces the event before it happened.
    pub preview: bool,
    /// Where its information comes from.
    pub origin: Origin,
    /// Other copies of it (other outlets, other URLs of the page).
    #[serde(default)]
    pub copies: Vec<Copy>,
    /// What of it was not analysed, past the analyser's bounds per article (`Doc::truncated`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truncated: Vec<crate::Truncated>,
    /// What reading it met that did not stop it (`Article::warnings`: markup cut to its
    /// bounds, an encoding guessed, a date after the crawl time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A value of one slot together with who reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reported<T> {
    /// The value.
    pub value: T,
    /// The articles that give this value (some, such as a publication date, without a sentence).
    pub sources: Vec<ArticleId>,
    /// The sentences that say so.
    pub citations: Vec<Citation>,
    /// The independent origins among `sources` (see [`Origin::key`]): the count that weighs.
    #[serde(default)]
    pub origins: Vec<String>,
}

/// A person taking part, with the role the sources give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Language-independent entity id.
    pub entity: String,
    /// Names as written, one per language (`ar`, `en`, ...).
    pub names: BTreeMap<String, String>,
    /// The role most sources give, e.g. `foreign_minister@country:RU`.
    pub role: Option<String>,
    /// The articles that name this person, and the sentences.
    pub reported: Reported<String>,
}

/// A figure the sources give, with the articles and sentences that give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyFigure {
    /// What is counted and in what unit, e.g. `killed`, `children`, `aid|tonne`.
    pub slot: String,
    /// The value as the sources agree on it.
    pub value: f64,
    /// "over", "almost", "about" when every source hedges it; None when one gives it exactly.
    pub hedge: Option<String>,
    /// Who gives it, where.
    pub reported: Reported<String>,
}

/// Reported speech in an event, with who said it and where it is printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventQuote {
    /// Entity id of the speaker, when known.
    pub speaker: Option<String>,
    /// The speaker's name as the event's participants give it, when known.
    pub speaker_name: Option<String>,
    /// The quoted words.
    pub text: String,
    /// The sentence it is in.
    pub citation: Citation,
}

/// Two or more sources giving different values for the same slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    /// The slot, e.g. `foreign_minister@country:KW`, `date`, `figure:killed`.
    pub slot: String,
    /// Each value with the sentences that give it.
    pub values: Vec<Reported<String>>,
}

/// A cluster of articles about one real-world happening, synthesised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable id.
    pub id: EventId,
    /// One-line title taken from a member's own words, in the language most members use.
    pub title: String,
    /// A title per language present among the members, each from a member in that language.
    pub titles: BTreeMap<String, String>,
    /// Kind of happening, when the sources say.
    pub kind: Option<EventKind>,
    /// When it happened, by agreement of the sources, with the sentences that say so.
    pub date: Option<Reported<NaiveDate>>,
    /// Where it happened.
    pub place: Option<Reported<String>>,
    /// Who took part, each with the role the sources give, most-cited first.
    pub participants: Vec<Participant>,
    /// Countries, places and organisations most of the reports talk about (names in English
    /// where a source gives one), most-cited first.
    pub topics: Vec<String>,
    /// Figures the reports give, agreeing values merged across languages and hedges.
    pub figures: Vec<KeyFigure>,
    /// What was said, from reports only (a preview's "will discuss" is not something said).
    pub quotes: Vec<EventQuote>,
    /// The member articles.
    #[serde(rename = "articles")]
    pub members: Vec<Member>,
    /// Languages of the members, sorted.
    pub languages: Vec<String>,
    /// Distinct outlets of the members and their copies, sorted.
    pub outlets: Vec<String>,
    /// Independent origins of the members (see [`Origin::key`]), sorted.
    pub origins: Vec<String>,
    /// Where the sources disagree.
    pub disagreements: Vec<Disagreement>,
}
