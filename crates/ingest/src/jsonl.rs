//! JSONL input: one JSON object per line.
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `text` | string | the article body; required unless `title` is given |
//! | `id` | string or number | the caller's own id, kept as `external_id` |
//! | `url` | string | where it was published |
//! | `outlet` | string | publishing outlet |
//! | `title` | string | headline; the body of a record without `text` (see [`record_body`]) |
//! | `published_at` | string | RFC 3339 (`2023-11-03T10:00:00+03:00`) or a day (`2023-11-03`) |
//! | `lang` | string | declared language (ISO 639-1) |
//! | `html` | string | a raw HTML page (what crawlers export), read as an HTML page fetched from `url` when the record has no `text`; the record's own fields override what the page says |
//!
//! Other fields are ignored (an evaluation file's `event` label, for instance). A bad line is
//! rejected as `file:line` with its reason and reading goes on; blank lines are skipped. Lines are
//! read with a cap, so a huge line costs no more memory than the limit.

use crate::{record_label, Item, Limits, RecordUnit, Rejection};
use chrono::{DateTime, NaiveDate};
use khabar_core::{Article, DateSource, PublishedAt, Source};
use serde::Deserialize;
use std::io::BufRead;

/// One JSONL record as written by the user.
#[derive(Debug, Deserialize)]
struct Record {
    text: Option<String>,
    #[serde(default)]
    id: Option<serde_json::Value>,
    url: Option<String>,
    outlet: Option<String>,
    title: Option<String>,
    published_at: Option<String>,
    lang: Option<String>,
    html: Option<String>,
}

/// JSON escapes and field names make a record somewhat longer than its text.
const RECORD_OVERHEAD: usize = 64 * 1024;

/// Reads every record of a JSONL stream named `name`.
pub fn read(reader: &mut dyn BufRead, name: &str, limits: &Limits, sink: &mut dyn FnMut(Item)) {
    // A JSON-escaped body can take up to 6 bytes per byte of text (\uXXXX), so a line may be
    // longer than the body limit and still carry an acceptable article.
    let line_limit = limits.max_article_bytes.saturating_mul(6) + RECORD_OVERHEAD;
    // A binary file named `.jsonl` (gzipped, say) is one rejection, not one per "line".
    match reader.fill_buf() {
        Ok(head) if crate::looks_binary(head) => {
            return sink(Item::Rejected(Rejection {
                source: name.to_string(),
                reason: if head.starts_with(&[0x1f, 0x8b]) {
                    "gzip-compressed, not JSONL text: decompress it first".into()
                } else {
                    "binary data (mostly control bytes), not JSONL text".into()
                },
            }))
        }
        _ => {}
    }
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        number += 1;
        line.clear();
        let (read, overflowed) = match read_line_capped(reader, &mut line, line_limit) {
            Ok(r) => r,
            Err(e) => {
                sink(Item::Rejected(Rejection {
                    source: record_label(name, RecordUnit::Line, number),
                    reason: format!("cannot read: {e}"),
                }));
                return;
            }
        };
        if read == 0 {
            return;
        }
        let source = record_label(name, RecordUnit::Line, number);
        if overflowed {
            sink(Item::Rejected(Rejection {
                source,
                reason: format!(
                    "line of over {} MB: over the limit for one article",
                    line_limit / 1_000_000
                ),
            }));
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        sink(match parse(&line, name, number, limits) {
            Ok(article) => Item::Article(article),
            Err(reason) => Item::Rejected(Rejection { source, reason }),
        });
    }
}

/// Reads one line into `line`, keeping at most `limit` bytes; returns bytes consumed and whether
/// the line was longer than `limit` (the rest of it is consumed and dropped).
fn read_line_capped(
    reader: &mut dyn BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut overflowed = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((consumed, overflowed));
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        if !overflowed {
            if line.len() + chunk.len() > limit {
                overflowed = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let n = chunk.len();
        reader.consume(n);
        consumed += n;
        if done {
            return Ok((consumed, overflowed));
        }
    }
}

fn parse(line: &[u8], name: &str, number: u64, limits: &Limits) -> Result<Article, String> {
    // JSON text cannot hold a raw NUL (an escaped \u0000 is caught below): this record is
    // broken, not the whole input.
    if let Some(at) = line.iter().position(|&b| b == 0) {
        return Err(format!(
            "NUL byte in record (at byte {at} of the line): not JSON text"
        ));
    }
    let text = String::from_utf8(line.to_vec()).map_err(|e| {
        format!(
            "not valid UTF-8 (first bad byte at offset {} of the line); convert it to UTF-8 first",
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let record: Record =
        serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
    let source = Source::JsonlRecord {
        path: name.to_string(),
        line: number,
    };
    if let Some(html) = record
        .html
        .as_deref()
        .filter(|h| !h.trim().is_empty() && record.text.is_none())
    {
        return from_html(html, &record, source, limits);
    }
    let body = record_body(record.text.as_deref(), record.title.as_deref())?;
    let field = if record.text.as_deref() == Some(body) {
        "text"
    } else {
        "title"
    };
    if body.len() > limits.max_article_bytes {
        return Err(crate::too_large(body.len() as u64, limits));
    }
    if body.contains('\0') {
        return Err(format!(
            "\"{field}\" contains NUL characters: binary, not text"
        ));
    }
    let body = body.to_string();
    let mut article = Article::new(source, body);
    fill(&mut article, record);
    Ok(article)
}

/// A record's raw `html` read as the page fetched from its `url`, then the record's own fields.
fn from_html(
    html: &str,
    record: &Record,
    source: Source,
    limits: &Limits,
) -> Result<Article, String> {
    let cap = crate::html::max_page_bytes(limits);
    if html.len() > cap {
        return Err(format!(
            "\"html\" over {} MB: a mis-crawl, not an article page",
            cap / 1_000_000
        ));
    }
    let context = crate::html::PageContext {
        url: record.url.as_deref().filter(|u| !u.trim().is_empty()),
        ..Default::default()
    };
    let mut article = crate::html::article_from_html(html.as_bytes(), source, &context, limits)
        .map_err(|reason| format!("\"html\": {reason}"))?;
    // The page's URL (its canonical link, else the record's `url` it was read as) stands.
    let record = Record {
        text: None,
        id: record.id.clone(),
        url: None,
        outlet: record.outlet.clone(),
        title: record.title.clone(),
        published_at: record.published_at.clone(),
        lang: record.lang.clone(),
        html: None,
    };
    fill(&mut article, record);
    Ok(article)
}

/// Sets an article's fields from its record: the record's own values, where it gives them.
fn fill(article: &mut Article, record: Record) {
    article.external_id = record.id.map(|id| match id {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    article.url = given(record.url).or(article.url.take());
    if let Some(outlet) = given(record.outlet) {
        article.outlet = Some(outlet);
        article.outlet_source = khabar_core::OutletSource::Given;
    }
    article.title = given(record.title).or(article.title.take());
    article.declared_lang = given(record.lang).or(article.declared_lang.take());
    if let Some(raw) = given(record.published_at) {
        match parse_date(&raw) {
            // The same plausibility rule as page dates: not before 1990, not after it was read.
            Some(published) => match crate::dates::implausible(&published, chrono::Utc::now()) {
                None => article.published_at = Some(published),
                Some(why) => article.warnings.push(format!(
                    "{why}; article left {}",
                    if article.published_at.is_some() {
                        "with the page's date"
                    } else {
                        "undated"
                    }
                )),
            },
            None => article.warnings.push(format!(
                "published_at {raw:?} is neither RFC 3339 nor YYYY-MM-DD; article left {}",
                if article.published_at.is_some() {
                    "with the page's date"
                } else {
                    "undated"
                }
            )),
        }
    }
}

/// The body of a JSONL record: its `text` when that is not blank, else its `title` when that is
/// not blank (a headline-only record, as RSS items and headline feeds often are: the feed reader
/// does the same), else the reason the record is not an article.
///
/// Everything that identifies a JSONL record's article by its body (`ArticleId::of_body`) uses
/// this, so it finds the article the ingest stored: `khabar eval clusters` reads gold files
/// with it.
pub fn record_body<'a>(text: Option<&'a str>, title: Option<&'a str>) -> Result<&'a str, String> {
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        return Ok(text);
    }
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        return Ok(title);
    }
    Err(match text {
        None => "missing the field \"text\" (or \"title\", for a headline-only record)".into(),
        Some(_) => "empty \"text\" and no \"title\"".into(),
    })
}

/// An input-field date: RFC 3339, or a day.
pub fn parse_date(raw: &str) -> Option<PublishedAt> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(PublishedAt {
            at,
            date_only: false,
            source: DateSource::InputField,
            confidence: 1.0,
        });
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    Some(PublishedAt {
        at: day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset(),
        date_only: true,
        source: DateSource::InputField,
        confidence: 1.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str, limits: &Limits) -> (Vec<Article>, Vec<Rejection>) {
        let mut articles = Vec::new();
        let mut rejected = Vec::new();
        read(
            &mut input.as_bytes(),
            "in.jsonl",
            limits,
            &mut |item| match item {
                Item::Article(a) => articles.push(a),
                Item::Rejected(r) => rejected.push(r),
            },
        );
        (articles, rejected)
    }

    #[test]
    fn reads_fields_and_rejects_bad_lines_by_number() {
        let input = concat!(
            "{\"id\": 7, \"text\": \"نص الخبر\", \"outlet\": \"KUNA\", \"published_at\": \"2023-11-03\", \"lang\": \"ar\", \"event\": \"x\"}\n",
            "\n",
            "{\"outlet\": \"no text, no title\"}\n",
            "{broken\n",
            "{\"text\": \"dated badly\", \"published_at\": \"last Friday\"}\n",
            "{\"text\": \"dated too early\", \"published_at\": \"1970-01-01\"}\n",
            "{\"text\": \"dated in the future\", \"published_at\": \"2999-01-01T00:00:00Z\"}\n",
        );
        let (articles, rejected) = read_all(input, &Limits::default());
        assert_eq!(articles.len(), 4);
        assert_eq!(articles[0].external_id.as_deref(), Some("7"));
        assert_eq!(articles[0].outlet.as_deref(), Some("KUNA"));
        assert_eq!(articles[0].declared_lang.as_deref(), Some("ar"));
        let published = articles[0].published_at.as_ref().unwrap();
        assert!(published.date_only);
        assert_eq!(published.at.date_naive().to_string(), "2023-11-03");
        assert!(articles[1].published_at.is_none());
        assert!(articles[1].warnings[0].contains("undated"));
        for implausible in &articles[2..] {
            assert!(implausible.published_at.is_none(), "{implausible:?}");
            assert!(implausible.warnings[0].contains("left undated"));
        }
        let sources: Vec<_> = rejected.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["in.jsonl:3", "in.jsonl:4"]);
        assert!(rejected[0].reason.contains("\"text\""));
    }

    #[test]
    fn a_headline_only_record_is_an_article_whose_body_is_its_title() {
        let input = concat!(
            "{\"id\": \"h1\", \"title\": \"Quake hits Taal volcano\", \"lang\": \"en\"}\n",
            "{\"title\": \"Headline over a blank text\", \"text\": \"  \"}\n",
            "{\"title\": \"Headline\", \"text\": \"The body wins when there is one.\"}\n",
            "{\"title\": \" \", \"text\": \"\"}\n",
            "{\"title\": \"\"}\n",
        );
        let (articles, rejected) = read_all(input, &Limits::default());
        let bodies: Vec<_> = articles.iter().map(|a| a.body.as_str()).collect();
        assert_eq!(
            bodies,
            [
                "Quake hits Taal volcano",
                "Headline over a blank text",
                "The body wins when there is one."
            ]
        );
        assert_eq!(
            articles[0].title.as_deref(),
            Some("Quake hits Taal volcano")
        );
        assert_eq!(
            articles[0].id,
            khabar_core::ArticleId::of_body("Quake hits Taal volcano")
        );
        assert_eq!(articles[2].title.as_deref(), Some("Headline"));
        let sources: Vec<_> = rejected.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["in.jsonl:4", "in.jsonl:5"]);
        assert_eq!(rejected[0].reason, "empty \"text\" and no \"title\"");
        assert!(
            rejected[1].reason.contains("missing the field \"text\""),
            "{}",
            rejected[1].reason
        );
    }

    #[test]
    fn a_raw_nul_rejects_its_record_and_stdin_records_are_named_in_words() {
        let input = b"{\"text\": \"fine\"}\n{\"text\": \"bad\0byte\"}\n{\"text\": \"also fine\"}\n";
        let mut articles = 0;
        let mut rejected = Vec::new();
        read(
            &mut &input[..],
            "-",
            &Limits::default(),
            &mut |item| match item {
                Item::Article(_) => articles += 1,
                Item::Rejected(r) => rejected.push(r),
            },
        );
        assert_eq!(articles, 2);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].source, "stdin line 2");
        assert!(
            rejected[0].reason.contains("NUL byte in record"),
            "{}",
            rejected[0].reason
        );
    }

    #[test]
    fn a_record_with_raw_html_is_read_as_the_page_at_its_url() {
        let page = "<html lang=de><head><title>Seite</title>\
            <meta property=\"article:published_time\" content=\"2020-04-28T10:00:00+02:00\"></head>\
            <body><nav><a href=/>Start</a></nav><article><h1>Schlagzeile</h1>\
            <p>Der Minister traf am Dienstag seinen Amtskollegen in Moskau, wie das Ministerium mitteilte.</p>\
            </article></body></html>";
        let line = serde_json::json!({
            "id": 7, "url": "https://example.de/2020/04/28/treffen", "html": page, "outlet": "Beispiel"
        });
        let (articles, rejected) = read_all(&format!("{line}\n"), &Limits::default());
        assert!(rejected.is_empty(), "{rejected:?}");
        let a = &articles[0];
        assert!(a.body.contains("Amtskollegen in Moskau"), "{}", a.body);
        assert!(!a.body.contains("Start"), "{}", a.body);
        assert_eq!(
            a.url.as_deref(),
            Some("https://example.de/2020/04/28/treffen")
        );
        assert_eq!(a.outlet.as_deref(), Some("Beispiel"));
        assert_eq!(a.external_id.as_deref(), Some("7"));
        assert_eq!(a.declared_lang.as_deref(), Some("de"));
        let published = a.published_at.as_ref().unwrap();
        assert_eq!(published.source, DateSource::MetaTag);
        assert_eq!(published.at.to_rfc3339(), "2020-04-28T10:00:00+02:00");
        assert_eq!(
            a.source,
            Source::JsonlRecord {
                path: "in.jsonl".into(),
                line: 1
            }
        );
        // A page with no text is rejected with the record's line and the reason.
        let empty = serde_json::json!({"url": "https://example.de/", "html": "<html><body><nav>x</nav></body></html>"});
        let (_, rejected) = read_all(&format!("{empty}\n"), &Limits::default());
        assert!(
            rejected[0].reason.starts_with("\"html\": no article text"),
            "{rejected:?}"
        );
    }

    #[test]
    fn record_body_prefers_text_then_title() {
        assert_eq!(record_body(Some("body"), Some("title")), Ok("body"));
        assert_eq!(record_body(Some(" \n"), Some("title")), Ok("title"));
        assert_eq!(record_body(None, Some("title")), Ok("title"));
        assert!(record_body(None, None).is_err());
        assert!(record_body(None, Some("  ")).is_err());
        assert!(record_body(Some(""), None).is_err());
    }

    #[test]
    fn an_overlong_line_is_rejected_and_reading_goes_on() {
        let limits = Limits {
            max_article_bytes: 10,
        };
        let long = format!(
            "{{\"text\": \"{}\"}}\n{{\"text\": \"ok\"}}\n",
            "a".repeat(200_000)
        );
        let (articles, rejected) = read_all(&long, &limits);
        assert_eq!(articles.len(), 1);
        assert_eq!(rejected[0].source, "in.jsonl:1");
    }

    /// 200 MB of JSONL articles, generated on the fly (never held in memory).
    struct Stream {
        record: Vec<u8>,
        pos: usize,
        left: usize,
    }

    impl std::io::Read for Stream {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.left == 0 {
                return Ok(0);
            }
            let n = buf.len().min(self.record.len() - self.pos).min(self.left);
            buf[..n].copy_from_slice(&self.record[self.pos..self.pos + n]);
            self.pos = (self.pos + n) % self.record.len();
            self.left -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_200_mb_batch_streams_in_constant_memory() {
        let text = "وزير الخارجية الكويتي يبحث مع نظيره الروسي في موسكو. ".repeat(40);
        let record = format!("{}\n", serde_json::json!({"text": text, "outlet": "X"})).into_bytes();
        let total = 200 * 1024 * 1024 / record.len() * record.len();
        let mut reader = std::io::BufReader::new(Stream {
            record,
            pos: 0,
            left: total,
        });
        let peak_mb = || khabar_core::measure::status_mb("VmHWM:").expect("/proc/self/status");
        let before = peak_mb();
        let mut articles = 0usize;
        read(
            &mut reader,
            "big.jsonl",
            &Limits::default(),
            &mut |item| match item {
                Item::Article(_) => articles += 1,
                Item::Rejected(r) => panic!("{}: {}", r.source, r.reason),
            },
        );
        let grown = peak_mb() - before;
        assert!(articles > 40_000, "{articles}");
        assert!(
            grown < 64.0,
            "peak memory grew by {grown:.0} MB reading 200 MB"
        );
    }
}
