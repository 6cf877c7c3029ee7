//! What came in: one news article as read from a file, a JSONL record, a web page or an archive.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Stable id of an article: the first 16 hex digits of the SHA-256 of its normalised body
/// (NFKC, whitespace runs folded to one space, trimmed). The same text ingested twice, from
/// anywhere, is the same article.
///
/// Held as its 16 ASCII digits inline, not as a heap string: grouping compares, hashes and copies
/// ids at every step, and an allocation per copy cost more than the comparison itself. Ordered
/// as its text is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArticleId([u8; ArticleId::LEN]);

impl ArticleId {
    /// Hex digits in an id.
    const LEN: usize = 16;

    /// The id of a body text.
    pub fn of_body(body: &str) -> Self {
        let normalised: String = body.nfkc().collect::<String>();
        let folded = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
        let digest = Sha256::digest(folded.as_bytes());
        let mut digits = [0u8; Self::LEN];
        hex::encode_to_slice(&digest[..Self::LEN / 2], &mut digits).expect("16 digits for 8 bytes");
        ArticleId(digits)
    }

    /// Reads an id as [`ArticleId::as_str`] writes it: 16 lower-case hex digits (from the store,
    /// or typed by a user).
    pub fn parse(text: &str) -> Result<Self, InvalidArticleId> {
        let digits: [u8; Self::LEN] = text
            .as_bytes()
            .try_into()
            .map_err(|_| InvalidArticleId(text.into()))?;
        if !digits
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return Err(InvalidArticleId(text.into()));
        }
        Ok(ArticleId(digits))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("an id holds only ASCII hex digits")
    }
}

/// Text that is not an article id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidArticleId(pub String);

impl fmt::Display for InvalidArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an article id (16 lower-case hex digits, as `khabar events` and `khabar show` print them)",
            self.0
        )
    }
}

impl std::error::Error for InvalidArticleId {}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArticleId({:?})", self.as_str())
    }
}

impl Serialize for ArticleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ArticleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ArticleId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for ArticleId {
    type Err = InvalidArticleId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ArticleId::parse(text)
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
    /// Microdata or a microformat on the page: `itemprop=datePublished` (`@content`,
    /// `@datetime`), hAtom `<abbr class=published title=…>`.
    Microdata,
    /// A date in the URL path.
    UrlPath,
    /// A dateline or date line in the article text.
    Dateline,
    /// The WARC record's date (when it was crawled). No longer given as a publication date (the
    /// crawl time is [`Article::crawled_at`]); read only from stores written before.
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

/// How an article's outlet was learnt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutletSource {
    /// The input named it (a JSONL `outlet`, a page's `og:site_name`, a feed's title).
    #[default]
    Given,
    /// Nothing named it: it is the registrable domain of the article's URL (`news.bbc.co.uk`
    /// → `bbc.co.uk`), so reports from one site count as one outlet.
    FromUrl,
}

impl OutletSource {
    /// True for [`OutletSource::Given`] (the default, left out of stored JSON).
    pub fn is_given(&self) -> bool {
        *self == OutletSource::Given
    }
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
    /// How `outlet` was learnt (meaningless while it is `None`).
    #[serde(default, skip_serializing_if = "OutletSource::is_given")]
    pub outlet_source: OutletSource,
    /// Canonical URL, when known.
    pub url: Option<String>,
    /// Headline, when known.
    pub title: Option<String>,
    /// Publication date with its source, when known.
    pub published_at: Option<PublishedAt>,
    /// When the page was crawled or fetched (WARC-Date), when known. Never a publication date:
    /// it bounds one (a page is not published after it was crawled) and places an undated
    /// article in time for candidates, while the article stays undated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crawled_at: Option<DateTime<FixedOffset>>,
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
    /// The headline without surrounding space, when there is one that is not blank.
    pub fn headline(&self) -> Option<&str> {
        self.title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// An article with only a source and a body; the id is computed from the body.
    pub fn new(source: Source, body: String) -> Self {
        Article {
            id: ArticleId::of_body(&body),
            source,
            external_id: None,
            outlet: None,
            outlet_source: OutletSource::Given,
            url: None,
            title: None,
            published_at: None,
            crawled_at: None,
            declared_lang: None,
            body,
            warnings: Vec::new(),
            credited_source: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_from_its_text_and_orders_as_its_text() {
        let a = ArticleId::of_body("Lavrov met  al-Yahya\nin Moscow.");
        assert_eq!(a, ArticleId::of_body("Lavrov met al-Yahya in Moscow."));
        assert_eq!(a.as_str().len(), 16);
        assert_eq!(ArticleId::parse(a.as_str()), Ok(a));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{a}\""));
        assert_eq!(serde_json::from_str::<ArticleId>(&json).unwrap(), a);
        let (x, y) = (
            ArticleId::parse("0fffffffffffffff").unwrap(),
            ArticleId::parse("a000000000000000").unwrap(),
        );
        assert!(x < y && x.as_str() < y.as_str());
    }

    #[test]
    fn text_that_is_not_an_id_is_refused_with_a_reason() {
        for bad in [
            "",
            "abc",
            "0123456789abcdeF",
            "0123456789abcdefa",
            "0123456789abcdeg",
        ] {
            let err = ArticleId::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("16 lower-case hex digits"),
                "{err}"
            );
        }
        assert!(serde_json::from_str::<ArticleId>("\"abc\"").is_err());
    }
}
