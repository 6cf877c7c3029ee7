//! HTML pages: main-content extraction ([`crate::extract`]) plus the metadata a news page
//! carries — title, canonical URL, publication date, site name, `lang` and `dir`.
//!
//! | field | read from, in order |
//! |---|---|
//! | `title` | `og:title`, JSON-LD `headline`, the first `h1`, `<title>` |
//! | `url` | `<link rel=canonical>`, `og:url`, JSON-LD `url`, then the URL the page was fetched from |
//! | `outlet` | `og:site_name`, JSON-LD `publisher.name`, `application-name`, then (when none is named) the registrable domain of the URL, marked `OutletSource::FromUrl` |
//! | `published_at` | JSON-LD `datePublished` (0.95), a publication `<meta>` tag (0.9), a `<time>` element (0.7), the URL path (0.6), the WARC record date (0.3) |
//! | `declared_lang` | `<html lang>`, `content-language`, `og:locale` (primary subtag) |
//!
//! A date before 1990 or after the crawl time (the WARC record date, else the time of reading)
//! is rejected with its reason in `Article.warnings`, and the next source is tried. A page is
//! decoded by its declared charset (`windows-1256` is common on Arabic sites) unless it is valid
//! UTF-8.

use crate::extract;
use crate::{dates, read_capped, Item, Limits, Rejection};
use chrono::{DateTime, Utc};
use khabar_core::{Article, DateSource, PublishedAt, Source};
use scraper::{Html, Selector};
use std::io::Read;
use std::sync::OnceLock;

/// What is known about a page from outside it.
#[derive(Debug, Clone, Default)]
pub struct PageContext<'a> {
    /// The URL it was fetched from (WARC-Target-URI, an RSS link).
    pub url: Option<&'a str>,
    /// When it was crawled (WARC-Date): no publication date may be later.
    pub crawled_at: Option<DateTime<Utc>>,
    /// Charset from the HTTP `Content-Type` header, if any.
    pub http_charset: Option<&'a str>,
}

/// The metadata of a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// Headline.
    pub title: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Site name.
    pub outlet: Option<String>,
    /// Publication date and where it came from.
    pub published_at: Option<PublishedAt>,
    /// `<html lang>` primary subtag, lowercased.
    pub lang: Option<String>,
    /// `<html dir>` (`rtl` for Arabic pages), lowercased.
    pub dir: Option<String>,
    /// Problems met (rejected dates, guessed charset).
    pub warnings: Vec<String>,
}

/// Largest HTML page read: pages carry markup and scripts around a body of at most
/// `max_article_bytes`, so they may be a few times larger.
pub fn max_page_bytes(limits: &Limits) -> usize {
    limits.max_article_bytes.saturating_mul(4)
}

/// Reads one HTML file.
pub fn read(reader: &mut dyn Read, name: &str, limits: &Limits) -> Item {
    let reject = |reason: String| {
        Item::Rejected(Rejection {
            source: name.to_string(),
            reason,
        })
    };
    let cap = max_page_bytes(limits);
    let bytes = match read_capped(reader, cap) {
        Ok(bytes) => bytes,
        Err(e) => return reject(format!("cannot read: {e}")),
    };
    if bytes.len() > cap {
        return reject(format!(
            "HTML page over {} MB: a mis-crawl, not an article page",
            cap / 1_000_000
        ));
    }
    let source = if name == "-" {
        Source::Stdin
    } else {
        Source::File {
            path: name.to_string(),
        }
    };
    match article_from_html(&bytes, source, &PageContext::default(), limits) {
        Ok(article) => Item::Article(article),
        Err(reason) => reject(reason),
    }
}

/// Turns a page into an article: decoded, parsed, main content extracted, metadata read.
pub fn article_from_html(
    bytes: &[u8],
    source: Source,
    context: &PageContext,
    limits: &Limits,
) -> Result<Article, String> {
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary content (contains NUL bytes), not an HTML page".into());
    }
    let tld = context
        .url
        .and_then(khabar_core::url::host)
        .and_then(|h| h.rsplit('.').next().map(str::to_string));
    let (text, charset_warning) = decode(bytes, context.http_charset, tld.as_deref())?;
    // Bounded first: html5ever's cost is quadratic in attributes per element and tree depth.
    let (markup, cuts) = crate::markup::bound(&text);
    let document = Html::parse_document(&markup);
    let extracted = extract::extract(&document);
    if extracted.text.trim().is_empty() {
        return Err(format!(
            "no article text found in the page ({} bytes of HTML)",
            bytes.len()
        ));
    }
    if extracted.text.len() > limits.max_article_bytes {
        return Err(crate::too_large(extracted.text.len() as u64, limits));
    }
    let mut meta = metadata(&document, context);
    meta.warnings.extend(charset_warning);
    meta.warnings.extend(cuts.warnings());
    let mut article = Article::new(source, extracted.text);
    article.title = meta.title;
    article.url = meta.url;
    article.outlet = meta.outlet;
    article.published_at = meta.published_at;
    article.declared_lang = meta.lang;
    article.warnings = meta.warnings;
    Ok(article)
}

// ---------------------------------------------------------------------------------------------
// Charset.

/// Decodes page bytes: by a BOM, as UTF-8 when valid, else by the declared charset (HTTP
/// header or `<meta charset>`), else by a trusted guess ([`crate::charset`], `tld` the page's
/// top-level domain when known) with a warning naming it. A page whose encoding cannot be told
/// is an error.
pub fn decode(
    bytes: &[u8],
    http_charset: Option<&str>,
    tld: Option<&str>,
) -> Result<(String, Option<String>), String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Ok((text.into_owned(), None));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), None));
    }
    let declared = http_charset
        .map(str::to_string)
        .or_else(|| meta_charset(bytes))
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes()));
    if let Some(encoding) = declared {
        let (text, _, _) = encoding.decode(bytes);
        return Ok((text.into_owned(), None));
    }
    let (text, encoding) = crate::charset::decode_undeclared(bytes, tld)?;
    let warning = format!(
        "page is not UTF-8 and declares no charset: read as {}, the encoding its bytes fit",
        encoding.name()
    );
    Ok((text, Some(warning)))
}

/// The charset a page declares in its first 4 KB (`<meta charset=…>` or `http-equiv`).
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")?;
    let rest = head[at + 8..].trim_start_matches(['"', '\'', ' ']);
    let label: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!label.is_empty()).then_some(label)
}

// ---------------------------------------------------------------------------------------------
// Metadata.

struct Selectors {
    meta: Selector,
    link_canonical: Selector,
    title: Selector,
    h1: Selector,
    json_ld: Selector,
    time: Selector,
    html: Selector,
}

fn selectors() -> &'static Selectors {
    static SELECTORS: OnceLock<Selectors> = OnceLock::new();
    SELECTORS.get_or_init(|| {
        let s = |css: &str| Selector::parse(css).expect("valid selector");
        Selectors {
            meta: s("meta"),
            link_canonical: s("link[rel~=canonical]"),
            title: s("title"),
            h1: s("h1"),
            json_ld: s("script[type=\"application/ld+json\"]"),
            time: s("time"),
            html: s("html"),
        }
    })
}

/// `<meta>` names that carry a publication date, most specific first.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "published_time",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "date",
    "article:modified_time",
];

fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Reads a page's metadata.
pub fn metadata(document: &Html, context: &PageContext) -> PageMeta {
    let sel = selectors();
    let mut meta = PageMeta::default();

    // <meta> tags by name/property/itemprop.
    let mut metas: Vec<(String, String)> = Vec::new();
    for el in document.select(&sel.meta) {
        let key = el
            .attr("property")
            .or_else(|| el.attr("name"))
            .or_else(|| el.attr("itemprop"))
            .or_else(|| el.attr("http-equiv"));
        if let (Some(key), Some(content)) = (key, el.attr("content")) {
            if let Some(content) = clean(content) {
                metas.push((key.trim().to_ascii_lowercase(), content));
            }
        }
    }
    let meta_value = |names: &[&str]| -> Option<String> {
        names.iter().find_map(|name| {
            metas
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    };
    let ld = json_ld(document);

    meta.title = meta_value(&["og:title", "twitter:title"])
        .or_else(|| ld.headline.clone())
        .or_else(|| {
            document
                .select(&sel.h1)
                .next()
                .and_then(|h| clean(&h.text().collect::<String>()))
        })
        .or_else(|| {
            document
                .select(&sel.title)
                .next()
                .and_then(|t| clean(&t.text().collect::<String>()))
        });

    let base = context.url;
    meta.url = document
        .select(&sel.link_canonical)
        .find_map(|l| l.attr("href").and_then(clean))
        .or_else(|| meta_value(&["og:url"]))
        .or_else(|| ld.url.clone())
        // A relative link that cannot be resolved (no page URL) is kept as the page wrote it.
        .map(|u| khabar_core::url::resolve(base, &u).unwrap_or(u))
        .or_else(|| base.map(str::to_string));

    // A page that names no outlet gets its URL's registrable domain from `read_input`
    // (`crate::outlet`), marked as derived.
    meta.outlet = meta_value(&["og:site_name"])
        .or_else(|| ld.publisher.clone())
        .or_else(|| meta_value(&["application-name"]));

    if let Some(html) = document.select(&sel.html).next() {
        meta.lang = html
            .attr("lang")
            .or_else(|| html.attr("xml:lang"))
            .and_then(primary_tag);
        meta.dir = html.attr("dir").map(|d| d.trim().to_ascii_lowercase());
    }
    if meta.lang.is_none() {
        meta.lang = meta_value(&["content-language", "og:locale", "language"])
            .as_deref()
            .and_then(primary_tag);
    }

    // Publication date candidates, surest first.
    let mut candidates: Vec<PublishedAt> = Vec::new();
    candidates.extend(
        ld.date_published
            .iter()
            .filter_map(|d| dates::parse(d, DateSource::JsonLd, 0.95)),
    );
    for name in DATE_META {
        for (k, v) in &metas {
            if k == name {
                let confidence = if *name == "article:modified_time" {
                    0.5
                } else {
                    0.9
                };
                if let Some(d) = dates::parse(v, DateSource::MetaTag, confidence) {
                    candidates.push(d);
                }
            }
        }
    }
    let mut times: Vec<(u8, String)> = document
        .select(&sel.time)
        .filter(|t| !elsewhere(*t))
        .filter_map(|t| {
            let value = t.attr("datetime")?.to_string();
            let rank = if t.attr("pubdate").is_some() || t.attr("itemprop") == Some("datePublished")
            {
                0
            } else {
                1
            };
            Some((rank, value))
        })
        .collect();
    times.sort_by_key(|(rank, _)| *rank);
    candidates.extend(
        times
            .iter()
            .filter_map(|(_, v)| dates::parse(v, DateSource::TimeElement, 0.7)),
    );
    if let Some(url) = meta.url.as_deref().or(base) {
        candidates.extend(dates::from_url(url));
    }
    if let Some(crawled) = context.crawled_at {
        candidates.push(PublishedAt {
            at: crawled.fixed_offset(),
            date_only: false,
            source: DateSource::WarcDate,
            confidence: 0.3,
        });
    }
    let not_after = context.crawled_at.unwrap_or_else(Utc::now);
    for candidate in candidates {
        match dates::implausible(&candidate, not_after) {
            None => {
                meta.published_at = Some(candidate);
                break;
            }
            Some(reason) => {
                if !meta.warnings.contains(&reason) {
                    meta.warnings.push(reason);
                }
            }
        }
    }
    meta
}

/// Words in `class`/`id` of blocks about other articles, whose `<time>` elements date those.
const ELSEWHERE: &[&str] = &[
    "related",
    "recommended",
    "recommendations",
    "popular",
    "trending",
    "mostread",
    "sidebar",
    "comment",
    "comments",
    "teaser",
    "teasers",
    "promo",
    "rail",
    "latest",
    "breaking",
    "ticker",
    "widget",
    "widgets",
];

/// Whether an element sits in navigation, a sidebar, a footer or a block about other articles
/// (a "related" list, today's date in the site header): its date is not this article's. As in
/// extraction, a layout name beside a content word (`content-with-sidebar`) does not count.
fn elsewhere(el: scraper::ElementRef) -> bool {
    el.ancestors()
        .filter_map(scraper::ElementRef::wrap)
        .any(|a| {
            let v = a.value();
            if matches!(v.name(), "nav" | "aside" | "footer") {
                return true;
            }
            let raw = format!(
                "{} {}",
                v.attr("id").unwrap_or(""),
                v.attr("class").unwrap_or("")
            );
            let words = extract::name_words(&raw);
            if words
                .iter()
                .any(|w| extract::CONTENT_WORDS.contains(&w.as_str()))
            {
                return false;
            }
            words.iter().any(|w| ELSEWHERE.contains(&w.as_str()))
                || (v.name() == "header" && words.iter().any(|w| w == "site"))
        })
}

/// The BCP-47 primary subtag, lowercased (`ar-EG` → `ar`, `en_US` → `en`).
fn primary_tag(lang: &str) -> Option<String> {
    let tag = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (tag.len() >= 2 && tag.len() <= 3 && tag.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(tag)
}

#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    url: Option<String>,
    publisher: Option<String>,
    date_published: Vec<String>,
}

/// What the page's JSON-LD blocks say about the article.
fn json_ld(document: &Html) -> JsonLd {
    let mut out = JsonLd::default();
    for script in document.select(&selectors().json_ld) {
        let raw: String = script.text().collect();
        let raw = raw
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .trim();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) else {
            continue;
        };
        walk_json_ld(&value, &mut out, 0);
    }
    out
}

fn walk_json_ld(value: &serde_json::Value, out: &mut JsonLd, depth: usize) {
    use serde_json::Value;
    if depth > 6 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                walk_json_ld(item, out, depth + 1);
            }
        }
        Value::Object(map) => {
            let text = |v: Option<&Value>| -> Option<String> {
                match v? {
                    Value::String(s) => clean(s),
                    Value::Array(a) => a.first().and_then(|x| x.as_str()).and_then(clean),
                    _ => None,
                }
            };
            let is_article = map.contains_key("datePublished") || map.contains_key("headline");
            if is_article {
                if let Some(d) = text(map.get("datePublished")) {
                    out.date_published.push(d);
                }
                if out.headline.is_none() {
                    out.headline = text(map.get("headline"));
                }
                if out.url.is_none() {
                    out.url = text(map.get("url")).or_else(|| match map.get("mainEntityOfPage") {
                        Some(Value::String(s)) => clean(s),
                        Some(Value::Object(o)) => text(o.get("@id")),
                        _ => None,
                    });
                }
                if out.publisher.is_none() {
                    if let Some(Value::Object(p)) = map.get("publisher") {
                        out.publisher = text(p.get("name"));
                    }
                }
            }
            for key in ["@graph", "mainEntity"] {
                if let Some(inner) = map.get(key) {
                    walk_json_ld(inner, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(head: &str, body: &str) -> String {
        format!("<!doctype html><html lang=\"ar-EG\" dir=\"rtl\"><head>{head}</head><body>{body}</body></html>")
    }

    const BODY: &str = "<article><p>نص الخبر الكامل، مع تفاصيل كثيرة عن اللقاء بين الوزيرين في موسكو يوم الجمعة.</p></article>";

    #[test]
    fn reads_metadata_in_order_of_trust() {
        let html = page(
            r#"<title>Page title - Site</title>
               <meta property="og:title" content="عنوان الخبر">
               <meta property="og:site_name" content="وكالة الأنباء">
               <link rel="canonical" href="/news/2023/11/03/story">
               <meta property="article:published_time" content="2023-11-03T10:00:00+03:00">
               <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"h","datePublished":"2023-11-02T09:00:00Z","publisher":{"@type":"Organization","name":"P"}}]}</script>"#,
            BODY,
        );
        let doc = Html::parse_document(&html);
        let meta = metadata(
            &doc,
            &PageContext {
                url: Some("https://example.com/x?y=1"),
                ..Default::default()
            },
        );
        assert_eq!(meta.title.as_deref(), Some("عنوان الخبر"));
        assert_eq!(
            meta.url.as_deref(),
            Some("https://example.com/news/2023/11/03/story")
        );
        assert_eq!(meta.outlet.as_deref(), Some("وكالة الأنباء"));
        assert_eq!(meta.lang.as_deref(), Some("ar"));
        assert_eq!(meta.dir.as_deref(), Some("rtl"));
        let published = meta.published_at.unwrap();
        assert_eq!(published.source, DateSource::JsonLd);
        assert_eq!(published.at.to_rfc3339(), "2023-11-02T09:00:00+00:00");
    }

    #[test]
    fn a_relative_canonical_link_resolves_against_the_page_url() {
        for (href, want) in [
            (
                "../politics/x.html",
                "https://example.com/news/politics/x.html",
            ),
            (
                "?page=2",
                "https://example.com/news/world/story.html?page=2",
            ),
        ] {
            let html = page(&format!("<link rel=\"canonical\" href=\"{href}\">"), BODY);
            let meta = metadata(
                &Html::parse_document(&html),
                &PageContext {
                    url: Some("https://example.com/news/world/story.html"),
                    ..Default::default()
                },
            );
            assert_eq!(meta.url.as_deref(), Some(want), "{href}");
        }
    }

    #[test]
    fn rejects_dates_after_the_crawl_and_before_1990() {
        let html = page(
            r#"<meta property="article:published_time" content="2024-01-01T00:00:00Z">
               <meta name="date" content="1970-01-01">"#,
            &format!("<time datetime=\"2023-11-03\">3 Nov</time>{BODY}"),
        );
        let crawled = DateTime::parse_from_rfc3339("2023-11-04T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let doc = Html::parse_document(&html);
        let meta = metadata(
            &doc,
            &PageContext {
                crawled_at: Some(crawled),
                ..Default::default()
            },
        );
        let published = meta.published_at.unwrap();
        assert_eq!(published.source, DateSource::TimeElement);
        assert!(published.date_only);
        assert_eq!(meta.warnings.len(), 2, "{:?}", meta.warnings);
        assert!(meta.warnings[0].contains("after the page was crawled"));
        assert!(meta.warnings[1].contains("1990"));
    }

    #[test]
    fn time_elements_of_other_articles_are_not_this_ones_date() {
        let html = page(
            "",
            &format!(
                "<header class=\"site-header\"><time datetime=\"2023-11-20\">today</time></header>\
                 <div class=\"related-news\"><time datetime=\"2023-11-01\">1 Nov</time></div>\
                 <article><time datetime=\"2023-11-03T10:00:00Z\">3 Nov</time>{BODY}</article>"
            ),
        );
        let doc = Html::parse_document(&html);
        let published = metadata(&doc, &PageContext::default())
            .published_at
            .unwrap();
        assert_eq!(published.at.to_rfc3339(), "2023-11-03T10:00:00+00:00");
    }

    #[test]
    fn an_undated_page_stays_undated() {
        let doc = Html::parse_document(&page("", BODY));
        assert!(metadata(&doc, &PageContext::default())
            .published_at
            .is_none());
    }

    #[test]
    fn decodes_windows_1256_arabic() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(
            "<html><head><meta charset=\"windows-1256\"></head><body><p>وزير الخارجية</p></body></html>",
        );
        let (text, warning) = decode(&bytes, None, None).unwrap();
        assert!(text.contains("وزير الخارجية"));
        assert!(warning.is_none());
    }

    #[test]
    fn an_undeclared_windows_1256_page_is_read_as_arabic() {
        let body = "<article><p>قال وزير الخارجية الكويتي إن المحادثات مع نظيره الروسي في موسكو تناولت \
                    العلاقات الثنائية والأوضاع في المنطقة، وأكد أن البلدين يتفقان على ضرورة الحل السلمي.</p></article>";
        let page = format!("<html><head><title>خبر</title></head><body>{body}</body></html>");
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&page);
        let article = article_from_html(
            &bytes,
            Source::File {
                path: "a.html".into(),
            },
            &PageContext::default(),
            &Limits::default(),
        )
        .unwrap();
        assert!(
            article.body.contains("وزير الخارجية الكويتي"),
            "{}",
            article.body
        );
        assert!(
            article.warnings.iter().any(|w| w.contains("windows-1256")),
            "{:?}",
            article.warnings
        );
    }

    #[test]
    fn a_page_of_unknown_encoding_is_rejected() {
        let mut bytes = b"<html><body><p>".to_vec();
        bytes.extend(crate::charset::noise(4000));
        bytes.extend(b"</p></body></html>");
        let err = article_from_html(
            &bytes,
            Source::File {
                path: "a.html".into(),
            },
            &PageContext::default(),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.starts_with(crate::charset::UNKNOWN_ENCODING), "{err}");
    }

    #[test]
    fn crowded_and_deep_markup_is_cut_with_a_note_and_its_text_kept() {
        let text = "The minister met his counterpart in Moscow on Friday to discuss the crisis.";
        let attrs: String = (0..100_000).map(|i| format!(" a{i}=v")).collect();
        let n = 100_000;
        for page in [
            format!("<html><body><div{attrs}><p>{text}</p></div></body></html>"),
            format!(
                "<html><body>{}<p>{text}</p>{}</body></html>",
                "<div>".repeat(n),
                "</div>".repeat(n)
            ),
        ] {
            let article = article_from_html(
                page.as_bytes(),
                Source::File {
                    path: "a.html".into(),
                },
                &PageContext::default(),
                &Limits::default(),
            )
            .unwrap();
            assert!(article.body.contains(text), "{}", article.body);
            assert!(
                article
                    .warnings
                    .iter()
                    .any(|w| w.starts_with("markup truncated")),
                "{:?}",
                article.warnings
            );
        }
    }

    #[test]
    fn a_page_without_text_is_rejected() {
        let err = article_from_html(
            b"<html><body><nav><a href=/>Home</a></nav></body></html>",
            Source::File {
                path: "x.html".into(),
            },
            &PageContext::default(),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.contains("no article text"), "{err}");
    }
}
