//! WARC and WARC.gz archives (WARC/1.0 and 1.1, e.g. Common Crawl's CC-NEWS): every `response`
//! record holding an HTML page becomes an article read by [`crate::html`], dated no later than
//! its `WARC-Date` (the crawl time).
//!
//! Reading streams record by record with one reused buffer, so memory stays flat however large
//! the archive is; a `.warc.gz` (one gzip member per record, as Common Crawl writes them, or one
//! for the whole file) is read through a multi-member gzip decoder by the caller.
//!
//! - `request`, `warcinfo`, `metadata`, `revisit` records, non-200 responses and non-HTML
//!   payloads (images, PDFs, robots.txt) are skipped silently: they are not articles.
//! - A malformed record (no `Content-Length`, a truncated block, a broken HTTP head, a page with
//!   no text) is rejected as `file#N` (N the 0-based record index) with the reason, and reading
//!   goes on at the next record.
//! - `Transfer-Encoding: chunked` and `Content-Encoding: gzip`/`deflate` payloads are decoded.
//! - `resource` records with an HTML content type (wget's `--warc-file`) are read as pages too.

use crate::html::{self, PageContext};
use crate::{record_label, Item, Limits, RecordUnit, Rejection};
use chrono::{DateTime, Utc};
use khabar_core::Source;
use std::io::{self, BufRead, Read};

/// Counts of what a WARC stream held, for benchmarks and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarcStats {
    /// Records seen.
    pub records: u64,
    /// HTML pages handed to the reader (articles + rejections among them).
    pub pages: u64,
    /// Records skipped as not articles.
    pub skipped: u64,
}

/// Reads every record of a (decompressed) WARC stream named `name`.
pub fn read(reader: &mut dyn BufRead, name: &str, limits: &Limits, sink: &mut dyn FnMut(Item)) {
    read_counting(reader, name, limits, sink);
}

/// Where the next record starts inside a block that runs over: the CRLF CRLF that ends a
/// record, then a version line.
const NEXT_RECORD: &[u8] = b"\r\n\r\nWARC/1.";

/// Like [`read`], returning what the stream held.
pub fn read_counting(
    reader: &mut dyn BufRead,
    name: &str,
    limits: &Limits,
    sink: &mut dyn FnMut(Item),
) -> WarcStats {
    let cap = html::max_page_bytes(limits);
    // Blocks up to this size are read whole (and checked for a record inside them); larger ones
    // are not pages and are skipped unread.
    let largest_read = cap as u64 + 64 * 1024;
    let reader = &mut Resumable {
        carry: Vec::new(),
        pos: 0,
        inner: reader,
    };
    let next_record = memchr::memmem::Finder::new(NEXT_RECORD);
    let mut stats = WarcStats::default();
    let mut block = Vec::new();
    let mut line = Vec::new();
    // The number of the next record (0-based); bytes between records are not a record.
    let mut index = 0u64;
    // True when the next record's version line has been read already.
    let mut pending = false;
    loop {
        let label = |index: u64| record_label(name, RecordUnit::Record, index);
        let reject = |sink: &mut dyn FnMut(Item), index: u64, reason: String| {
            sink(Item::Rejected(Rejection {
                source: label(index),
                reason,
            }))
        };
        if !pending {
            let version = match next_line(reader, &mut line) {
                Ok(Some(version)) => version,
                Ok(None) => return stats,
                Err(e) => {
                    reject(sink, index, format!("cannot read: {e}"));
                    return stats;
                }
            };
            if !version.starts_with(b"WARC/") {
                // Not a record: the archive does not start with one, or the record before
                // ended before its block did (too small a Content-Length), which was found there.
                let found = String::from_utf8_lossy(&version[..version.len().min(40)]).into_owned();
                sink(Item::Rejected(Rejection {
                    source: if index == 0 { name.to_string() } else { label(index - 1) },
                    reason: format!(
                        "expected a WARC/1.x version line, found {found:?}; skipping to the next record"
                    ),
                }));
                pending = resync(reader, &mut line);
                if !pending {
                    return stats;
                }
                continue;
            }
        }
        pending = false;
        stats.records += 1;
        let headers = match read_headers(reader, &mut line) {
            Ok(h) => h,
            Err(e) => {
                reject(sink, index, format!("cannot read the record headers: {e}"));
                return stats;
            }
        };
        let header = |key: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        };
        let Some(length) = header("Content-Length").and_then(|v| v.trim().parse::<u64>().ok())
        else {
            reject(
                sink,
                index,
                "record without a valid Content-Length; skipping to the next record".into(),
            );
            pending = resync(reader, &mut line);
            if !pending {
                return stats;
            }
            index += 1;
            continue;
        };
        let kind = header("WARC-Type").unwrap_or("").to_ascii_lowercase();
        let content_type = header("Content-Type").unwrap_or("").to_ascii_lowercase();
        let uri = header("WARC-Target-URI")
            .unwrap_or("")
            .trim_matches(['<', '>', ' '])
            .to_string();
        let crawled_at = header("WARC-Date")
            .and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok())
            .map(|d| d.with_timezone(&Utc));
        let truncated = header("WARC-Truncated").map(str::to_string);
        let http = kind == "response" && content_type.starts_with("application/http");
        let resource = kind == "resource"
            && (content_type.starts_with("text/html")
                || content_type.starts_with("application/xhtml"));
        if length > largest_read {
            if let Err(e) = skip(reader, length) {
                reject(sink, index, format!("truncated record: {e}"));
                return stats;
            }
            if http || resource {
                reject(
                    sink,
                    index,
                    format!(
                        "{uri}: {:.1} MB page is over the {} MB limit: a mis-crawl, not an article",
                        length as f64 / 1e6,
                        cap / 1_000_000
                    ),
                );
            } else {
                stats.skipped += 1;
            }
            index += 1;
            continue;
        }
        block.clear();
        let got = match reader.take(length).read_to_end(&mut block) {
            Ok(n) => n as u64,
            Err(e) => {
                reject(
                    sink,
                    index,
                    format!(
                        "truncated record: cannot read its block ({e}) after {} of its {length} bytes",
                        block.len()
                    ),
                );
                return stats;
            }
        };
        if got < length {
            reject(
                sink,
                index,
                format!("truncated record: Content-Length {length} but only {got} bytes left"),
            );
            return stats;
        }
        // A Content-Length too large runs into the next record: the block holds the CRLF CRLF
        // that ends this record and the next one's version line. The block ends there and the
        // rest is read again as what follows it, so the next record is not lost.
        let mut warnings = Vec::new();
        if let Some(end) = next_record.find(&block) {
            reader.push_front(&block[end + 4..]);
            block.truncate(end);
            warnings.push(format!(
                "WARC record {index}: Content-Length {length} runs {} bytes into the next record; read up to it",
                length - end as u64
            ));
        } else {
            // What follows a block is blank lines, then the next record (or the end). Anything
            // else means the Content-Length was too small and the block is cut short.
            match next_line(reader, &mut line) {
                Ok(None) => {}
                Ok(Some(next)) if next.starts_with(b"WARC/") => pending = true,
                Ok(Some(_)) | Err(_) => {
                    reject(
                        sink,
                        index,
                        format!(
                            "{}block goes on after its Content-Length of {length} bytes: the record is cut short; skipping to the next record",
                            if uri.is_empty() { String::new() } else { format!("{uri}: ") }
                        ),
                    );
                    pending = resync(reader, &mut line);
                    if !pending {
                        return stats;
                    }
                    index += 1;
                    continue;
                }
            }
        }
        if !(http || resource) {
            stats.skipped += 1;
            index += 1;
            continue;
        }
        if let Some(why) = truncated {
            warnings.push(format!(
                "the crawler truncated this page (WARC-Truncated: {why}): its text may be incomplete"
            ));
        }
        let page = if http {
            match http_payload(&block) {
                Ok(Some(page)) => page,
                Ok(None) => {
                    stats.skipped += 1;
                    index += 1;
                    continue;
                }
                Err(reason) => {
                    reject(sink, index, format!("{uri}: {reason}"));
                    index += 1;
                    continue;
                }
            }
        } else {
            Payload {
                body: std::borrow::Cow::Borrowed(&block[..]),
                charset: charset_of(&content_type),
            }
        };
        stats.pages += 1;
        let context = PageContext {
            url: (!uri.is_empty()).then_some(uri.as_str()),
            crawled_at,
            http_charset: page.charset.as_deref(),
        };
        let source = Source::WarcRecord {
            path: name.to_string(),
            record: index,
            uri: uri.clone(),
        };
        sink(
            match html::article_from_html(&page.body, source, &context, limits) {
                Ok(mut article) => {
                    article.warnings.extend(warnings);
                    Item::Article(article)
                }
                Err(reason) => Item::Rejected(Rejection {
                    source: label(index),
                    reason: if uri.is_empty() {
                        reason
                    } else {
                        format!("{uri}: {reason}")
                    },
                }),
            },
        );
        index += 1;
    }
}

/// The stream being read, with bytes put back in front of it: the part of an overlong block
/// that belongs to the records after it.
struct Resumable<'a> {
    carry: Vec<u8>,
    pos: usize,
    inner: &'a mut dyn BufRead,
}

impl Resumable<'_> {
    /// Puts `bytes` back, to be read before anything not read yet.
    fn push_front(&mut self, bytes: &[u8]) {
        let mut carry = Vec::with_capacity(bytes.len() + self.carry.len() - self.pos);
        carry.extend_from_slice(bytes);
        carry.extend_from_slice(&self.carry[self.pos..]);
        self.carry = carry;
        self.pos = 0;
    }
}

impl Read for Resumable<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Resumable<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.carry.len() {
            Ok(&self.carry[self.pos..])
        } else {
            self.inner.fill_buf()
        }
    }

    fn consume(&mut self, amount: usize) {
        if self.pos < self.carry.len() {
            self.pos += amount;
            if self.pos >= self.carry.len() {
                self.carry.clear();
                self.pos = 0;
            }
        } else {
            self.inner.consume(amount)
        }
    }
}

/// The next line that is not blank, without its line end; `None` at the end of the stream.
fn next_line(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    loop {
        line.clear();
        if read_line(reader, line)? == 0 {
            return Ok(None);
        }
        let text = trim_eol(line);
        if !text.is_empty() {
            return Ok(Some(text.to_vec()));
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// Reads one line (up to 64 KB; a longer "line" is cut, as no WARC header is that long).
fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    reader.take(64 * 1024).read_until(b'\n', line)
}

/// Skips lines until one starts a record (`WARC/`); false at the end of the stream.
fn resync(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> bool {
    loop {
        line.clear();
        match read_line(reader, line) {
            Ok(0) | Err(_) => return false,
            Ok(_) if line.starts_with(b"WARC/1.") => return true,
            Ok(_) => {}
        }
    }
}

fn read_headers(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<Vec<(String, String)>> {
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        line.clear();
        if read_line(reader, line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "archive ends inside a record header",
            ));
        }
        let text = trim_eol(line);
        if text.is_empty() {
            return Ok(headers);
        }
        let text = String::from_utf8_lossy(text);
        if text.starts_with([' ', '\t']) {
            // A folded continuation line.
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(text.trim());
            }
            continue;
        }
        if let Some((k, v)) = text.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        if headers.len() > 1000 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "over 1000 header lines: not a WARC record",
            ));
        }
    }
}

fn skip(reader: &mut dyn BufRead, length: u64) -> io::Result<()> {
    let skipped = io::copy(&mut reader.take(length), &mut io::sink())?;
    if skipped < length {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("Content-Length {length} but only {skipped} bytes left"),
        ));
    }
    Ok(())
}

struct Payload<'a> {
    body: std::borrow::Cow<'a, [u8]>,
    charset: Option<String>,
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// The HTML page inside an HTTP response block; `None` when it is not an HTML 200 response.
fn http_payload(block: &[u8]) -> Result<Option<Payload<'_>>, String> {
    let head_end = find(block, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| find(block, b"\n\n").map(|i| (i, i + 2)))
        .ok_or("HTTP response without the blank line that ends its headers")?;
    let head = String::from_utf8_lossy(&block[..head_end.0]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    if !status_line.starts_with("HTTP/") {
        return Err(format!(
            "not an HTTP response (starts {:?})",
            &status_line[..status_line.len().min(40)]
        ));
    }
    let status = status_line.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Ok(None);
    }
    let (mut content_type, mut chunked, mut encoding) = (String::new(), false, String::new());
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("content-type") {
                content_type = v.to_ascii_lowercase();
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            } else if k.eq_ignore_ascii_case("content-encoding") {
                encoding = v.to_ascii_lowercase();
            }
        }
    }
    let html_type = content_type.is_empty()
        || content_type.starts_with("text/html")
        || content_type.starts_with("application/xhtml");
    if !html_type {
        return Ok(None);
    }
    let mut body = std::borrow::Cow::Borrowed(&block[head_end.1..]);
    if chunked {
        if let Some(plain) = dechunk(&body) {
            body = std::borrow::Cow::Owned(plain);
        }
    }
    // Common Crawl stores payloads decoded (the header is kept as X-Crawler-Content-Encoding),
    // other crawlers do not: decode only what really is compressed.
    if body.starts_with(&[0x1f, 0x8b]) && encoding.contains("gzip") {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .map_err(|e| format!("Content-Encoding gzip payload does not decompress: {e}"))?;
        body = std::borrow::Cow::Owned(plain);
    } else if encoding.contains("deflate") {
        let mut plain = Vec::new();
        if flate2::read::ZlibDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .is_ok()
        {
            body = std::borrow::Cow::Owned(plain);
        }
    }
    Ok(Some(Payload {
        body,
        charset: charset_of(&content_type),
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `Transfer-Encoding: chunked`; `None` when the body is not chunked after all.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let eol = find(rest, b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size {
            out.extend_from_slice(rest);
            return Some(out);
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
}

/// Writes one WARC/1.0 `response` record holding an HTTP 200 HTML page (for tests, fixtures and
/// the benchmark builder).
pub fn write_response(
    out: &mut dyn io::Write,
    uri: &str,
    date: &str,
    html: &[u8],
) -> io::Result<()> {
    let http_head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        html.len()
    );
    let length = http_head.len() + html.len();
    write!(
        out,
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n\
         WARC-Record-ID: <urn:khabar:{length}:{}>\r\nContent-Type: application/http; msgtype=response\r\n\
         Content-Length: {length}\r\n\r\n",
        uri.len()
    )?;
    out.write_all(http_head.as_bytes())?;
    out.write_all(html)?;
    out.write_all(b"\r\n\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html lang=en><head><title>T</title></head><body><article><p>The ministers met in Moscow on Friday, officials said, and agreed to meet again.</p></article></body></html>";

    fn read_all(bytes: &[u8]) -> (Vec<khabar_core::Article>, Vec<Rejection>, WarcStats) {
        let mut articles = Vec::new();
        let mut rejected = Vec::new();
        let stats =
            read_counting(
                &mut &bytes[..],
                "x.warc",
                &Limits::default(),
                &mut |item| match item {
                    Item::Article(a) => articles.push(a),
                    Item::Rejected(r) => rejected.push(r),
                },
            );
        (articles, rejected, stats)
    }

    #[test]
    fn reads_responses_skips_the_rest_and_rejects_broken_records() {
        let mut warc = Vec::new();
        warc.extend_from_slice(
            b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n",
        );
        write_response(
            &mut warc,
            "https://example.com/2023/11/03/story",
            "2023-11-04T10:00:00Z",
            PAGE.as_bytes(),
        )
        .unwrap();
        warc.extend_from_slice(b"WARC/1.0\r\nWARC-Type: response\r\n\r\n");
        warc.extend_from_slice(b"garbage line\r\n");
        write_response(
            &mut warc,
            "https://example.com/empty",
            "2023-11-04T10:00:00Z",
            b"<html><body><nav>menu</nav></body></html>",
        )
        .unwrap();
        write_response(
            &mut warc,
            "https://example.com/again",
            "2023-11-04T10:00:00Z",
            PAGE.as_bytes(),
        )
        .unwrap();
        let (articles, rejected, stats) = read_all(&warc);
        assert_eq!(articles.len(), 2, "{rejected:?}");
        let a = &articles[0];
        assert_eq!(
            a.source,
            Source::WarcRecord {
                path: "x.warc".into(),
                record: 1,
                uri: "https://example.com/2023/11/03/story".into()
            }
        );
        assert_eq!(
            a.url.as_deref(),
            Some("https://example.com/2023/11/03/story")
        );
        let published = a.published_at.as_ref().unwrap();
        assert_eq!(published.source, khabar_core::DateSource::UrlPath);
        // Nothing on the second page dates it: its crawl time is kept apart, not as its date.
        assert!(articles[1].published_at.is_none());
        assert_eq!(
            articles[1].crawled_at.map(|c| c.to_rfc3339()).as_deref(),
            Some("2023-11-04T10:00:00+00:00")
        );
        let sources: Vec<&str> = rejected.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["x.warc#2", "x.warc#3"], "{rejected:?}");
        assert!(rejected[0].reason.contains("Content-Length"));
        assert!(rejected[1].reason.contains("no article text"));
        assert_eq!(stats.skipped, 1);
    }

    #[test]
    fn a_content_length_that_swallows_the_next_record_loses_nothing() {
        let record = |uri: &str| {
            let mut r = Vec::new();
            write_response(&mut r, uri, "2023-11-04T10:00:00Z", PAGE.as_bytes()).unwrap();
            r
        };
        let (first, second, third) = (
            record("https://e.com/a"),
            record("https://e.com/b"),
            record("https://e.com/c"),
        );
        // The first record's Content-Length also covers the whole second record.
        let text = String::from_utf8(first.clone()).unwrap();
        let old: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let grown = old + 4 + second.len() - 4;
        let mut warc = text
            .replacen(
                &format!("Content-Length: {old}\r\n\r\n"),
                &format!("Content-Length: {grown}\r\n\r\n"),
                1,
            )
            .into_bytes();
        warc.extend_from_slice(&second);
        warc.extend_from_slice(&third);
        let (articles, rejected, _) = read_all(&warc);
        assert!(rejected.is_empty(), "{rejected:?}");
        let records: Vec<u64> = articles
            .iter()
            .map(|a| match &a.source {
                Source::WarcRecord { record, .. } => *record,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(records, [0, 1, 2]);
        assert!(articles[0].warnings.iter().any(|w| w.contains("runs")));
    }

    #[test]
    fn a_truncated_archive_is_rejected_not_a_panic() {
        let mut warc = Vec::new();
        write_response(
            &mut warc,
            "https://e.com/a",
            "2023-11-04T10:00:00Z",
            PAGE.as_bytes(),
        )
        .unwrap();
        warc.truncate(warc.len() - 60);
        let (articles, rejected, _) = read_all(&warc);
        assert!(articles.is_empty());
        assert!(rejected[0].reason.contains("truncated"), "{rejected:?}");
    }

    #[test]
    fn decodes_chunked_and_gzipped_payloads() {
        assert_eq!(
            dechunk(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").unwrap(),
            b"hello world"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, PAGE.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend_from_slice(&gz);
        let payload = http_payload(&block).unwrap().unwrap();
        assert_eq!(&payload.body[..], PAGE.as_bytes());
        assert!(http_payload(b"HTTP/1.1 301 Moved\r\n\r\n")
            .unwrap()
            .is_none());
        assert!(
            http_payload(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG")
                .unwrap()
                .is_none()
        );
    }
}
