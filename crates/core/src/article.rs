//! What came in: one news article as read from a file, a JSONL record, a web page or an archive.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Stable id of an article: the first 16 hex digits of the SHA-256 of its normalised body
/// (NFKC, whitespace runs folded to one space, trimmed). The same text ingested twice, from
/// anywhere, is the same article.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    /// The id of a body text.
    pub fn of_body(body: &str) -> Self {
        let normalised: String = body.nfkc().collect::<String>();
        let folded = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
        let digest = Sha256::digest(folded.as_bytes());
        ArticleId(hex::encode(&digest[..8]))
    }

    /// Wraps an id read back from the store.
    pub fn from_stored(id: String) -> Self {
        ArticleId(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an article came from, so every fact can be traced to a file, a record or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A plain-text or HTML file.
    File {
        /// The file.
        path: String,
    },
    /// Line `line` (1-based) of a JSONL file.
    JsonlRecord {
        /// The file.
        path: String,
        /// 1-based line number.
        line: u64,
    },
    /// Record `record` (0-based) of a WARC file, with its target URI.
    WarcRecord {
        /// The file.
        path: String,
        /// 0-based record index.
        record: u64,
        /// WARC-Target-URI.
        uri: String,
    },
    /// An item of an RSS/Atom feed file.
    FeedItem {
        /// The feed file.
        path: String,
        /// 0-based item index.
        item: u64,
    },
    /// Standard input.
    Stdin,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File { path } => write!(f, "{path}"),
            Source::JsonlRecord { path, line } => write!(f, "{path}:{line}"),
            Source::WarcRecord { path, record, uri } => write!(f, "{path}#{record} ({uri})"),
            Source::FeedItem { path, item } => write!(f, "{path}#item{item}"),
            Source::Stdin => write!(f, "-"),
        }
    }
}

/// Where a publication date was read from. Never the ingest time: an article can be undated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// A field of the input record (JSONL `published_at`).
    InputField,
    /// An RSS/Atom item date.
    Feed,
    /// JSON-LD `datePublished`.
    JsonLd,
    /// A `<meta>` tag.
    MetaTag,
    /// A `<time>` element.
    TimeElement,
    /// A date in the URL path.
    UrlPath,
    /// A dateline or date line in the article text.
    Dateline,
    /// The WARC record's date (when it was crawled).
    WarcDate,
}

/// A publication date with where it came from and how sure we are of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedAt {
    /// The instant; a date-only source is stored at 00:00 UTC with `date_only` set.
    pub at: DateTime<FixedOffset>,
    /// True when the source gave a day without a time.
    pub date_only: bool,
    /// Where it was read.
    pub source: DateSource,
    /// 0..1: how much to trust it (an explicit field is surer than a dateline guess).
    pub confidence: f32,
}

/// One news article as it arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Hash of the normalised body.
    pub id: ArticleId,
    /// Where it was read from.
    pub source: Source,
    /// An id given by the input (JSONL `id`), kept for the user's cross-reference.
    pub external_id: Option<String>,
    /// Publishing outlet, when known.
    pub outlet: Option<String>,
    /// Canonical URL, when known.
    pub url: Option<String>,
    /// Headline, when known.
    pub title: Option<String>,
    /// Publication date with its source, when known.
    pub published_at: Option<PublishedAt>,
    /// Language the input declared (BCP-47 primary tag), if any; analyse detects its own.
    pub declared_lang: Option<String>,
    /// The body text as read (for HTML, the extracted main content).
    pub body: String,
    /// Problems met while reading that did not stop it (e.g. "declared date after crawl time").
    pub warnings: Vec<String>,
    /// The outlet an aggregator credits for the story (an RSS item's `<source>`), when the
    /// publisher in `outlet` is not the one who reported it.
    #[serde(default)]
    pub credited_source: Option<String>,
}

impl Article {
    /// An article with only a source and a body; the id is computed from the body.
    pub fn new(source: Source, body: String) -> Self {
        Article {
            id: ArticleId::of_body(&body),
            source,
            external_id: None,
            outlet: None,
            url: None,
            title: None,
            published_at: None,
            declared_lang: None,
            body,
            warnings: Vec::new(),
            credited_source: None,
        }
    }
}
