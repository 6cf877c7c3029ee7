//! An analysed article: what the analyse stage found in it, every annotation with a span into
//! the original body, plus the vectors the embed stage adds.

use crate::{Article, Span};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An analysed article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Doc {
    /// The article as it came in (its body is what every span points into).
    pub article: Article,
    /// Detected language.
    pub language: Language,
    /// Boilerplate lines removed from the text, each recorded with why.
    pub removed: Vec<Removed>,
    /// Sentences of the clean text, in order (the title, if any, is not part of the body).
    pub sentences: Vec<Sentence>,
    /// Word tokens of the clean text with their matching form and light stem (for the similarity
    /// profile and near-copy hashes, both computed before the document is stored). Not stored:
    /// empty in a document read back from the store (stores written before migration 8 kept
    /// them), the analyser makes them again from the text.
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// Entity mentions with language-independent ids.
    pub mentions: Vec<Mention>,
    /// Dates the text names, absolute or resolved against the publication date.
    pub dates: Vec<DateRef>,
    /// Counted things: "9 آلاف قتيل", "over 9,000 Palestinians".
    pub figures: Vec<Figure>,
    /// Reported speech with its speaker.
    pub quotes: Vec<Quote>,
    /// What kind of happening the text reports, and whether it is a preview.
    pub cues: Cues,
    /// Document vector (unit length), set by the embed stage.
    pub embedding: Option<Vec<f32>>,
    /// Lead vectors (unit length), set by the embed stage: the article's headline when it has
    /// one, then its first sentences in order (a sentence that only repeats the headline left
    /// out), up to the pipeline's `LEAD_SENTENCES` in all. Not aligned with `sentences`: with a
    /// headline, vector 0 is the headline and vector 1 the first sentence after it. Empty when
    /// not computed.
    pub sentence_embeddings: Vec<Vec<f32>>,
    /// What the analyser did not analyse because the article is beyond one of its bounds per
    /// article (`khabar_analyse::limits`), in the order the bounds were met. Empty for an article
    /// within them (and in documents stored before the field existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truncated: Vec<Truncated>,
}

/// A part of an article left unanalysed because a bound per article was reached: nothing beyond
/// a bound is dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truncated {
    /// The bound reached: "lines", "sentences", "tokens", "people", "quotes".
    pub bound: String,
    /// Its value: at most this many were analysed.
    pub limit: usize,
    /// The part of the body where no more were looked for (it runs to the end of the body).
    pub span: Span,
}

impl Doc {
    /// The text of a span of this doc's body.
    pub fn text(&self, span: Span) -> &str {
        span.slice(&self.article.body)
    }

    /// This document without its tokens and vectors: the form the store keeps (the vectors are
    /// stored quantised beside it, and only what is computed before storing reads the tokens).
    pub fn slim(&self) -> Doc {
        Doc {
            article: self.article.clone(),
            language: self.language.clone(),
            removed: self.removed.clone(),
            sentences: self.sentences.clone(),
            tokens: Vec::new(),
            mentions: self.mentions.clone(),
            dates: self.dates.clone(),
            figures: self.figures.clone(),
            quotes: self.quotes.clone(),
            cues: self.cues.clone(),
            embedding: None,
            sentence_embeddings: Vec::new(),
            truncated: self.truncated.clone(),
        }
    }

    /// The sentence that contains `span`, if any.
    pub fn sentence_of(&self, span: Span) -> Option<&Sentence> {
        self.sentences.iter().find(|s| s.span.contains(&span))
    }
}

/// What the synthesise stage reads of an analysed article (`khabar_synthesise::input` makes it):
/// the document as the store keeps it — without tokens and vectors, which only other stages
/// read — and the hashes of its word 5-grams, which is all synthesise takes from the tokens
/// (stored beside the document, computed when it is stored).
#[derive(Debug, Clone)]
pub struct SynthesisInput {
    /// The document without tokens and vectors.
    pub doc: Doc,
    /// Hashes of the full document's word 5-grams, sorted, without repeats.
    pub shingles: Vec<u64>,
}

/// A detected language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Language {
    /// ISO 639-1 code ("ar", "en"), or "und" when undetermined.
    pub code: String,
    /// 0..1.
    pub confidence: f32,
}

/// A writing system, as far as telling the known languages apart needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Arabic, Persian, Urdu.
    Arabic,
    /// English, French, German, Spanish, Italian, Polish, Turkish.
    Latin,
    /// Russian.
    Cyrillic,
    /// Chinese.
    Han,
}

impl Script {
    /// The script a known language is written in.
    pub fn of_language(code: &str) -> Option<Script> {
        Some(match code {
            "ar" | "fa" | "ur" => Script::Arabic,
            "ru" => Script::Cyrillic,
            "zh" => Script::Han,
            "en" | "fr" | "de" | "es" | "it" | "pl" | "tr" => Script::Latin,
            _ => return None,
        })
    }

    /// Its name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Script::Arabic => "Arabic",
            Script::Latin => "Latin",
            Script::Cyrillic => "Cyrillic",
            Script::Han => "Han",
        }
    }
}

/// A stretch of the body removed as boilerplate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Removed {
    /// What was removed.
    pub span: Span,
    /// Why: "share-prompt", "copyright", "breadcrumb", "photo-credit", "source-credit",
    /// "language-switcher", "dateline", ...
    pub reason: String,
}

/// One sentence of clean text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    /// Where it is in the body.
    pub span: Span,
}

/// One word of the clean text.
///
/// Stored as a compact array `[start, end, norm]`, with the stem as a fourth element only when it
/// differs from `norm`: a doc holds one token per word, and as `{"span": {"start": …}, …}` objects
/// they were three quarters of a stored doc and of the time to read one back. The object form
/// (stores written before) is still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Where it is in the body.
    pub span: Span,
    /// Matching form: NFKC, lower-case, Arabic letters folded (alef/yaa/taa marbuta variants,
    /// no tatweel or diacritics), Arabic-Indic and Persian digits as ASCII.
    pub norm: String,
    /// Light stem of `norm` (Arabic clitics and affixes, English plural/-ing/-ed removed).
    pub stem: String,
}

impl Serialize for Token {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let same = self.stem == self.norm;
        let mut t = serializer.serialize_tuple(if same { 3 } else { 4 })?;
        t.serialize_element(&self.span.start)?;
        t.serialize_element(&self.span.end)?;
        t.serialize_element(&self.norm)?;
        if !same {
            t.serialize_element(&self.stem)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TokenVisitor)
    }
}

/// Reads a [`Token`] in either form: `[start, end, norm, stem?]` or the older object.
struct TokenVisitor;

impl<'de> serde::de::Visitor<'de> for TokenVisitor {
    type Value = Token;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a token: [start, end, norm] or [start, end, norm, stem]")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Token, A::Error> {
        use serde::de::Error;
        let missing = |what: &str| A::Error::custom(format!("token without its {what}"));
        let start = seq.next_element()?.ok_or_else(|| missing("start"))?;
        let end = seq.next_element()?.ok_or_else(|| missing("end"))?;
        let norm: String = seq
            .next_element()?
            .ok_or_else(|| missing("matching form"))?;
        let stem = seq.next_element()?.unwrap_or_else(|| norm.clone());
        Ok(Token {
            span: Span { start, end },
            norm,
            stem,
        })
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Token, A::Error> {
        #[derive(Deserialize)]
        struct Object {
            span: Span,
            norm: String,
            stem: String,
        }
        let o = Object::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Token {
            span: o.span,
            norm: o.norm,
            stem: o.stem,
        })
    }
}

/// The kind of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A country (id `country:XX`, ISO 3166 alpha-2).
    Country,
    /// A city or other place (id `place:GEONAMEID`).
    Place,
    /// An organisation (id `org:...`).
    Organisation,
    /// A person (id `person:` + a script-independent key of the name).
    Person,
}

/// A mention of an entity in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Language-independent id, e.g. `country:KW`, `place:524901`, `person:lvrv`.
    pub entity: String,
    /// What kind of entity.
    pub kind: EntityKind,
    /// The words in the text.
    pub span: Span,
    /// A display name for the entity in the text's own script.
    pub name: String,
    /// A role the text gives it here ("foreign minister of Kuwait" as `foreign_minister@country:KW`).
    pub role: Option<String>,
}

/// How a date was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateResolution {
    /// Written out in full in the text.
    Absolute,
    /// A relative or partial expression ("Friday", "أمس") resolved against `anchor`.
    Resolved {
        /// The date it was resolved from (usually the publication date).
        anchor: NaiveDate,
        /// What the anchor was ("published_at", "dateline").
        anchor_source: String,
    },
}

/// A date named in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateRef {
    /// The day.
    pub date: NaiveDate,
    /// The words in the text.
    pub span: Span,
    /// Absolute or resolved.
    pub resolution: DateResolution,
}

/// A counted quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The number (9 آلاف → 9000).
    pub value: f64,
    /// Unit if any ("tonne", "percent", "usd").
    pub unit: Option<String>,
    /// What is counted ("killed", "children"), normalised across languages where known.
    pub counted: Option<String>,
    /// "over", "almost", "about", or None for an exact figure.
    pub hedge: Option<String>,
    /// Index (in `Doc.figures`) of the figure this one is a part of: in "9,000 killed, 4,000 of
    /// them children" the 4,000 figure has `of` pointing at the 9,000 one.
    #[serde(default)]
    pub of: Option<usize>,
    /// The words in the text.
    pub span: Span,
}

/// Reported speech.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words.
    pub span: Span,
    /// Entity id of the speaker, when resolved.
    pub speaker: Option<String>,
}

/// The kind of happening an article reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Talks or a meeting in person.
    Meeting,
    /// A visit.
    Visit,
    /// A phone call.
    PhoneCall,
    /// A press conference.
    PressConference,
    /// A statement.
    Statement,
}

/// Event cues found in the text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cues {
    /// Kinds of happening the text names, most prominent first, each with where.
    pub kinds: Vec<(EventKind, Span)>,
    /// True when the text announces the happening rather than reports it (future tense,
    /// "من المقرر", "will discuss").
    pub preview: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(start: usize, end: usize, norm: &str, stem: &str) -> Token {
        Token {
            span: Span { start, end },
            norm: norm.into(),
            stem: stem.into(),
        }
    }

    #[test]
    fn tokens_are_stored_as_short_arrays_and_read_back() {
        let tokens = vec![token(0, 6, "تمت", "تمت"), token(7, 17, "زياره", "زيار")];
        let json = serde_json::to_string(&tokens).unwrap();
        assert_eq!(json, r#"[[0,6,"تمت"],[7,17,"زياره","زيار"]]"#);
        assert_eq!(serde_json::from_str::<Vec<Token>>(&json).unwrap(), tokens);
    }

    #[test]
    fn tokens_of_older_stores_are_read() {
        let json = r#"[{"span":{"start":7,"end":17},"norm":"زياره","stem":"زيار"}]"#;
        let read: Vec<Token> = serde_json::from_str(json).unwrap();
        assert_eq!(read, vec![token(7, 17, "زياره", "زيار")]);
    }

    #[test]
    fn a_malformed_token_is_an_error_that_says_what_is_missing() {
        let err = serde_json::from_str::<Token>("[0, 6]").unwrap_err();
        assert!(err.to_string().contains("matching form"), "{err}");
        assert!(serde_json::from_str::<Token>(r#"[0, 6, "a", "b", "c"]"#).is_err());
        assert!(serde_json::from_str::<Token>(r#""word""#).is_err());
    }
}
