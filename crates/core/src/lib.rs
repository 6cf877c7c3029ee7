//! The types that flow through khabar's pipeline, one stage adding to the next.
//!
//! An [`Article`] is what came in; the analyse stage turns it into a [`Doc`] (language, sentences,
//! entity mentions, dates, figures, quotes, event cues); the embed stage adds vectors; the cluster
//! stage groups Docs into events; the synthesise stage builds an [`Event`] whose every fact points
//! back at the article and sentence it came from (a [`Span`]).
//!
//! ```
//! use khabar_core::{Article, Source};
//!
//! let article = Article::new(Source::File { path: "a.txt".into() }, "Lavrov met his Kuwaiti counterpart.".into());
//! assert_eq!(article.id.as_str().len(), 16);
//! // The id depends on the normalised body only: the same text from elsewhere is the same article.
//! let again = Article::new(Source::Stdin, "Lavrov  met his Kuwaiti\ncounterpart. ".into());
//! assert_eq!(article.id, again.id);
//! ```
#![warn(missing_docs)]

pub mod article;
pub mod dirs;
pub mod doc;
pub mod event;
pub mod measure;
pub mod mix;
pub mod quantise;
mod span;
pub mod url;

pub use article::{
    Article, ArticleId, DateSource, InvalidArticleId, OutletSource, PublishedAt, Source,
};
pub use doc::{
    Cues, DateRef, DateResolution, Doc, EntityKind, EventKind, Figure, Language, Mention, Quote,
    Removed, Script, Sentence, SynthesisInput, Token, Truncated,
};
pub use event::{
    Citation, Copy, Disagreement, Event, EventId, EventQuote, KeyFigure, Member, Origin,
    Participant, Reported,
};
pub use mix::splitmix64;
pub use quantise::quantise;
pub use span::Span;
