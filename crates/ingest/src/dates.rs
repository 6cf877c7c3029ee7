//! Publication dates as web pages, feeds and archives write them, and the checks that keep a
//! wrong one out.
//!
//! Every date keeps where it came from ([`DateSource`]) and a confidence. A date is never made
//! up from the ingest time. A candidate before 1990, or after the moment the page was crawled
//! (the WARC record date) or read, is rejected and the reason kept, so the caller can record it
//! in `Article.warnings` and try the next candidate.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use khabar_core::{DateSource, PublishedAt};
use scraper::{ElementRef, Html};

/// Confidence of a date read from the visible text near the headline: below a `<time>` element
/// (0.7) and a URL path (0.6), since a byline may be followed by dates of other things.
const VISIBLE_TEXT_CONFIDENCE: f32 = 0.5;

/// How much visible text after the start of the headline is searched for its date, in
/// characters: enough for a headline, a standfirst and a byline, not the article's body, whose
/// dates are of the events it reports.
const AFTER_HEADLINE_CHARS: usize = 1500;

/// Text nodes before the headline also searched: sites print the date above it too.
const BEFORE_HEADLINE_NODES: usize = 6;

/// Parses a date as pages write it: RFC 3339 / ISO 8601 (with or without seconds, offset or
/// `T`), RFC 2822 (RSS `pubDate`), or a bare day. Times without an offset are taken as UTC.
pub fn parse(raw: &str, source: DateSource, confidence: f32) -> Option<PublishedAt> {
    // Arabic-Indic (٠١٢) and Persian (۰۱۲) digits, as some Arabic sites write even their
    // machine-readable dates.
    let ascii: String;
    let raw = if raw
        .chars()
        .any(|c| ('٠'..='٩').contains(&c) || ('۰'..='۹').contains(&c))
    {
        ascii = raw
            .chars()
            .map(|c| match c {
                '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
                '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
                _ => c,
            })
            .collect();
        ascii.trim()
    } else {
        raw.trim()
    };
    if raw.is_empty() || raw.len() > 64 {
        return None;
    }
    let timed = |at: DateTime<FixedOffset>| PublishedAt {
        at,
        date_only: false,
        source,
        confidence,
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(timed(at));
    }
    if let Ok(at) = DateTime::parse_from_rfc2822(raw) {
        return Some(timed(at));
    }
    // ISO 8601 variants: `+0300` offsets, no seconds, a space instead of `T`, fractions.
    let iso = raw.replacen(' ', "T", 1);
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(at) = DateTime::parse_from_str(&iso, format) {
            return Some(timed(at));
        }
    }
    let naive = iso.trim_end_matches('Z');
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(timed(at.and_utc().fixed_offset()));
        }
    }
    // RFC 2822 with a named zone chrono does not know ("EDT" is known, "CEST" is not): keep the
    // day and time, drop the zone, and say so by a lower confidence.
    if let Some((head, _zone)) = raw.rsplit_once(' ') {
        for format in ["%a, %d %b %Y %H:%M:%S", "%d %b %Y %H:%M:%S"] {
            if let Ok(at) = NaiveDateTime::parse_from_str(head, format) {
                return Some(PublishedAt {
                    confidence: confidence * 0.9,
                    ..timed(at.and_utc().fixed_offset())
                });
            }
        }
    }
    let day_part = raw.get(..10).unwrap_or(raw);
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(day) = NaiveDate::parse_from_str(day_part, format) {
            return Some(day_only(day, source, confidence));
        }
    }
    None
}

/// The date written in the visible text near the headline (`<h1>`, else the start of the
/// page's text): a byline's "Published 12 May 2020", "24 نيسان / أبريل 2020", "12.05.2020", read
/// by the analyse stage's date parser, the first absolute date found. Text whose element `skip`
/// places in navigation or a block about other articles, and scripts, are not read.
pub fn in_visible_text(document: &Html, skip: impl Fn(ElementRef) -> bool) -> Option<PublishedAt> {
    let mut texts: Vec<&str> = Vec::new();
    let mut headline: Option<usize> = None;
    for node in document.root_element().descendants() {
        if let Some(el) = ElementRef::wrap(node) {
            let name = el.value().name();
            if headline.is_none() && name == "h1" {
                headline = Some(texts.len());
            }
            continue;
        }
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let Some(parent) = node.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        if matches!(
            parent.value().name(),
            "script" | "style" | "noscript" | "template" | "title" | "option"
        ) || skip(parent)
        {
            continue;
        }
        texts.push(text);
        if let Some(h) = headline {
            let after: usize = texts[h..].iter().map(|t| t.chars().count()).sum();
            if after > AFTER_HEADLINE_CHARS {
                break;
            }
        }
    }
    let start = headline.map_or(0, |h| h.saturating_sub(BEFORE_HEADLINE_NODES));
    let mut budget = AFTER_HEADLINE_CHARS + 1;
    texts[start..]
        .iter()
        .take_while(|t| {
            let fits = budget > 0;
            budget = budget.saturating_sub(t.chars().count());
            fits
        })
        .find_map(|t| {
            // Long runs of text are body paragraphs; a date line is short.
            (t.chars().count() <= 200)
                .then(|| khabar_analyse::dates::first_absolute(t))
                .flatten()
        })
        .map(|(day, _)| day_only(day, DateSource::Dateline, VISIBLE_TEXT_CONFIDENCE))
}

/// [`parse`], else a date written in words ("٢٤ نيسان ٢٠٢٠", "jeudi 27 juin 2019") read by
/// the analyse stage's parser, as a day: how some pages fill even their machine-readable fields.
pub fn parse_any(raw: &str, source: DateSource, confidence: f32) -> Option<PublishedAt> {
    parse(raw, source, confidence).or_else(|| {
        let raw = raw.trim();
        (raw.chars().count() <= 64)
            .then(|| khabar_analyse::dates::first_absolute(raw))
            .flatten()
            .map(|(day, _)| day_only(day, source, confidence))
    })
}

/// A day without a time, stored at 00:00 UTC with `date_only` set.
pub fn day_only(day: NaiveDate, source: DateSource, confidence: f32) -> PublishedAt {
    PublishedAt {
        at: day
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .fixed_offset(),
        date_only: true,
        source,
        confidence,
    }
}

/// A date in a URL path: `/2019/11/19/`, `/2019-11-19/`, or `/20191119/` style segments.
pub fn from_url(url: &str) -> Option<PublishedAt> {
    let path = khabar_core::url::path(url)?;
    let segments: Vec<&str> = path.split('/').collect();
    let number = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let plausible = |y: u32| (1990..=2100).contains(&y);
    let make = |y: u32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y as i32, m, d).map(|day| day_only(day, DateSource::UrlPath, 0.6))
    };
    for window in segments.windows(3) {
        if let (Some(y), Some(m), Some(d)) = (
            number(window[0], 4),
            number(window[1], 2).or_else(|| number(window[1], 1)),
            number(window[2], 2).or_else(|| number(window[2], 1)),
        ) {
            if plausible(y) {
                if let Some(found) = make(y, m, d) {
                    return Some(found);
                }
            }
        }
    }
    for segment in &segments {
        // `2019-11-19` or `2019-11-19-some-slug`.
        if let Some(prefix) = segment.get(..10) {
            let parts: Vec<&str> = prefix.split('-').collect();
            if parts.len() == 3 {
                if let (Some(y), Some(m), Some(d)) = (
                    number(parts[0], 4),
                    number(parts[1], 2),
                    number(parts[2], 2),
                ) {
                    if plausible(y) {
                        if let Some(found) = make(y, m, d) {
                            return Some(found);
                        }
                    }
                }
            }
        }
        if let Some(n) = number(segment, 8) {
            let (y, m, d) = (n / 10000, n / 100 % 100, n % 100);
            if plausible(y) {
                if let Some(found) = make(y, m, d) {
                    return Some(found);
                }
            }
        }
    }
    None
}

/// Why a candidate date cannot be a publication date, if it cannot: before 1990, or after the
/// crawl time (`not_after`, the WARC record date or the time of reading).
pub fn implausible(date: &PublishedAt, not_after: DateTime<Utc>) -> Option<String> {
    let floor = NaiveDate::from_ymd_opt(1990, 1, 1)
        .expect("valid day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let at = date.at.with_timezone(&Utc);
    if at < floor {
        return Some(format!(
            "{:?} date {} is before 1990: not a publication date of a news article",
            date.source,
            date.at.to_rfc3339()
        ));
    }
    // A day-only date is stored at 00:00 UTC, so a page crawled at 08:00 can carry that day.
    if at > not_after {
        return Some(format!(
            "{:?} date {} is after the page was crawled or read ({}): rejected as a publication date",
            date.source,
            date.at.to_rfc3339(),
            not_after.to_rfc3339()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(p: &PublishedAt) -> String {
        p.at.date_naive().to_string()
    }

    #[test]
    fn parses_the_forms_pages_use() {
        for raw in [
            "2019-11-19T12:30:00Z",
            "2019-11-19T12:30:00+03:00",
            "2019-11-19T12:30:00+0300",
            "2019-11-19T12:30:00.123Z",
            "2019-11-19 12:30:00",
            "2019-11-19T12:30",
            "Tue, 19 Nov 2019 12:30:00 GMT",
            "Tue, 19 Nov 2019 12:30:00 +0300",
            "Tue, 19 Nov 2019 12:30:00 CEST",
        ] {
            let p = parse(raw, DateSource::MetaTag, 0.9).unwrap_or_else(|| panic!("{raw}"));
            assert_eq!(day(&p), "2019-11-19", "{raw}");
            assert!(!p.date_only, "{raw}");
        }
        let p = parse("2019-11-19", DateSource::MetaTag, 0.9).unwrap();
        assert!(p.date_only);
        let p = parse("٢٠١٩-١١-١٩T12:30:00+03:00", DateSource::MetaTag, 0.9).unwrap();
        assert_eq!(day(&p), "2019-11-19");
        assert!(parse("last Friday", DateSource::MetaTag, 0.9).is_none());
    }

    #[test]
    fn reads_the_date_written_near_the_headline() {
        let date = |html: &str| {
            in_visible_text(&Html::parse_document(html), |el| {
                el.ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.value().attr("class") == Some("related"))
            })
            .map(|p| (day(&p), p.source))
        };
        let body = "<p>".to_string() + &"Lange Rede über den 1. Januar. ".repeat(80) + "</p>";
        assert_eq!(
            date(&format!(
                "<h1>Title</h1><p class=byline>Published 12 May 2020</p>{body}"
            )),
            Some(("2020-05-12".into(), DateSource::Dateline))
        );
        assert_eq!(
            date("<div>24 نيسان / أبريل 2020</div><h1>عنوان</h1><p>نص</p>").map(|d| d.0),
            Some("2020-04-24".into())
        );
        // A date in a block about other articles, or deep in the body, is not the page's.
        assert_eq!(
            date(&format!(
                "<h1>T</h1><ul class=related><li>3 March 2019</li></ul>{body}<p>12 May 2020</p>"
            )),
            None
        );
    }

    #[test]
    fn reads_machine_fields_written_in_words() {
        let p = parse_any("24 نيسان 2020", DateSource::MetaTag, 0.9).unwrap();
        assert_eq!(day(&p), "2020-04-24");
        assert!(p.date_only);
        let p = parse_any("jeudi 27 juin 2019", DateSource::Microdata, 0.85).unwrap();
        assert_eq!(day(&p), "2019-06-27");
        assert!(parse_any("Sport", DateSource::MetaTag, 0.9).is_none());
    }

    #[test]
    fn the_day_is_the_day_in_the_values_own_offset() {
        // 23:30 in New York is already the next day in UTC; the page means the 8th.
        let p = parse("2023-11-08T23:30:00-05:00", DateSource::JsonLd, 0.95).unwrap();
        assert_eq!(day(&p), "2023-11-08");
        let p = parse("Wed, 08 Nov 2023 23:30:00 -0500", DateSource::Feed, 0.9).unwrap();
        assert_eq!(day(&p), "2023-11-08");
    }

    #[test]
    fn finds_dates_in_url_paths() {
        for url in [
            "https://example.com/news/2019/11/19/some-story",
            "https://example.com/2019-11-19/story.html",
            "https://example.com/news/20191119/story",
            "https://example.com/a/2019-11-19-story-slug",
        ] {
            let p = from_url(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(day(&p), "2019-11-19", "{url}");
            assert_eq!(p.source, DateSource::UrlPath);
        }
        assert!(from_url("https://example.com/news/12345678901/story").is_none());
        assert!(from_url("https://example.com/story-1234").is_none());
        // A date-like query is not the path.
        assert!(from_url("https://example.com/show?id=2019/11/19").is_none());
    }

    #[test]
    fn rejects_dates_before_1990_and_after_the_crawl() {
        let crawl = DateTime::parse_from_rfc3339("2019-11-19T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let old = parse("1970-01-01T00:00:00Z", DateSource::MetaTag, 0.9).unwrap();
        assert!(implausible(&old, crawl).unwrap().contains("1990"));
        let future = parse("2019-11-20T00:00:00Z", DateSource::JsonLd, 0.9).unwrap();
        assert!(implausible(&future, crawl).unwrap().contains("crawled"));
        let same_day = parse("2019-11-19", DateSource::UrlPath, 0.6).unwrap();
        assert!(implausible(&same_day, crawl).is_none());
        let before = parse("2019-11-18T23:00:00-05:00", DateSource::MetaTag, 0.9).unwrap();
        assert!(implausible(&before, crawl).is_none());
    }
}
