//! khabar's full-text search: a [Tantivy](https://docs.rs/tantivy) index over the store's
//! articles and events, tokenised by khabar's own analyser ([`tokenizer`]), ranked by BM25, with
//! filters (language, outlet, date range), cross-script queries through entity ids ([`query`])
//! and snippets that point at a sentence of a stored body ([`snippet`]).
//!
//! The index is derived, never the source of truth. It lives in its own directory (the CLI
//! uses `search-index/` in the data directory) as two Tantivy indexes, each of whose commits
//! carries, atomically, what of the store it holds:
//! - `articles/`: articles are never changed or deleted once stored, so the index holds the
//!   first *n* in the store's ingest order and records *n* and the last one's sequence number;
//!   catching up indexes the articles after them.
//! - `events/`: events are re-synthesised and re-grouped, so the index records a fingerprint of
//!   each event it holds; catching up re-indexes the events whose fingerprint changed and drops
//!   the ones the store no longer has, then merges away the deleted documents (so BM25's
//!   statistics, and the scores, are those of a fresh build).
//!
//! A `kill -9` at any moment leaves each index at its last commit, which records what it holds,
//! so the next catch-up gives the index a rebuild would ([`SearchIndex::rebuild`]).
//!
//! ```
//! use khabar_search::{Query, SearchIndex, Target};
//! use khabar_store::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(&dir.path().join("store")).unwrap();
//! let mut index = SearchIndex::open(&dir.path().join("search-index")).unwrap();
//! let progress = index.catch_up(&store).unwrap();
//! assert_eq!(progress.articles_added, 0);
//! let hits = index
//!     .search(&store, None, &Query::new("Lavrov", Target::Events))
//!     .unwrap();
//! assert!(hits.is_empty());
//! ```
#![warn(missing_docs)]

mod index;
pub mod query;
pub mod snippet;
pub mod tokenizer;

pub use index::{Progress, SearchIndex};
pub use query::{Query, Target};
pub use snippet::Snippet;

use chrono::NaiveDate;
use serde::Serialize;
use std::path::PathBuf;

/// What can go wrong with the search index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Tantivy failed on the index in `path`.
    #[error("search index {path}: {source}")]
    Index {
        /// The index directory.
        path: PathBuf,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// A file or directory of the index could not be read, written or removed.
    #[error("search index {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process is updating the index; it brings the index up to date itself.
    #[error("search index {0}: another process is updating it")]
    Busy(PathBuf),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] khabar_store::Error),
    /// The store lists an article it cannot return.
    #[error("search index: the store lists article {0} but has no document for it")]
    MissingArticle(String),
    /// A commit's record of what the index holds is unreadable.
    #[error("search index {path}: unreadable commit record: {reason}")]
    Payload {
        /// The index directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The query has nothing to search for.
    #[error("empty query {0:?}: it has no word to search for")]
    EmptyQuery(String),
}

/// Results of the crate's fallible functions.
pub type Result<T> = std::result::Result<T, Error>;

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An event.
    Event,
    /// An article.
    Article,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Event or article.
    pub kind: Kind,
    /// The event's or article's id.
    pub id: String,
    /// The BM25 score.
    pub score: f32,
    /// The event's date, or the article's publication date.
    pub date: Option<NaiveDate>,
    /// The event's title (in the filtered language when it has one), or the article's headline.
    pub title: String,
    /// The sentence that matches the query best, with the matching words.
    pub snippet: Option<Snippet>,
}
