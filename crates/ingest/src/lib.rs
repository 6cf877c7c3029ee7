//! khabar's ingest stage: readers that turn files, JSONL records, web pages and archives into
//! [`Article`]s, rejecting bad input with a reason that names the file or record.
//!
//! Readers stream: each article is handed to a sink as soon as it is read, so a 200 MB JSONL batch
//! is read in constant memory, while a single 200 MB "article" is refused by [`Limits`].
//!
//! ```
//! use khabar_ingest::{read_input, Input, Item, Limits};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("a.txt"), "Lavrov met his Kuwaiti counterpart in Moscow.").unwrap();
//! std::fs::write(dir.path().join("b.jsonl"), "{\"text\": \"Another story.\", \"outlet\": \"KUNA\"}\nnot json\n").unwrap();
//! let mut articles = Vec::new();
//! let mut rejected = Vec::new();
//! read_input(&Input::Path(dir.path().into()), &Limits::default(), &mut |item| match item {
//!     Item::Article(a) => articles.push(a),
//!     Item::Rejected(r) => rejected.push(r),
//! });
//! assert_eq!(articles.len(), 2);
//! assert_eq!(rejected.len(), 1);
//! assert!(rejected[0].source.ends_with("b.jsonl:2"));
//! ```
#![warn(missing_docs)]

pub mod dates;
pub mod extract;
pub mod feed;
pub mod html;
pub mod jsonl;
pub mod text;
pub mod warc;

use khabar_core::Article;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest article body accepted, in bytes. Real news articles are a few KB to a few hundred KB;
/// anything this large is a mis-crawl (a whole site dump, a binary), not one article.
pub const MAX_ARTICLE_BYTES: usize = 5 * 1024 * 1024;

/// Limits applied while reading.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest article body in bytes (default [`MAX_ARTICLE_BYTES`]).
    pub max_article_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_article_bytes: MAX_ARTICLE_BYTES,
        }
    }
}

/// What to read.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file, or a directory read recursively in sorted order.
    Path(PathBuf),
    /// Standard input: JSONL if it starts with `{`, else one plain-text article.
    Stdin,
}

/// A record or file that could not be read as an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The file, `file:line`, or `file#record`.
    pub source: String,
    /// Why, in words a user can act on.
    pub reason: String,
}

/// One result of reading: an article or a rejection.
// Items are handed over one at a time and never stored in bulk, so the size gap between the
// variants costs nothing worth an allocation per article.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item {
    /// A readable article.
    Article(Article),
    /// Something that was not.
    Rejected(Rejection),
}

/// Input formats, chosen by file name and, failing that, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One article per file, plain text.
    Text,
    /// One JSON object per line (see [`jsonl`]).
    Jsonl,
    /// One web page per file: main content and metadata (see [`html`]).
    Html,
    /// A WARC archive, plain or gzipped (see [`warc`]).
    Warc,
    /// An RSS or Atom feed (see [`feed`]).
    Feed,
}

impl Format {
    /// The format of a file, by its name, then by its first bytes.
    pub fn of(path: &Path, head: &[u8]) -> Format {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            return Format::Jsonl;
        }
        if name.ends_with(".txt") {
            return Format::Text;
        }
        if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml") {
            return Format::Html;
        }
        if name.ends_with(".warc") || name.ends_with(".warc.gz") {
            return Format::Warc;
        }
        if name.ends_with(".rss") || name.ends_with(".atom") {
            return Format::Feed;
        }
        if name.ends_with(".xml") {
            // Sitemaps and other XML are not feeds; a feed says so in its first bytes.
            return match Format::sniff(head) {
                Format::Html => Format::Html,
                _ => Format::Feed,
            };
        }
        Format::sniff(head)
    }

    /// The format of unnamed content (stdin), by its first bytes.
    pub fn sniff(head: &[u8]) -> Format {
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        let head = head[start..]
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(&head[start..]);
        if head.starts_with(b"WARC/1.") {
            return Format::Warc;
        }
        if head.starts_with(&[0x1f, 0x8b]) {
            // Gzip: a WARC.gz if what it holds starts like a WARC record, a gzipped page if it
            // starts like HTML (`.html.gz` as crawlers and benchmarks store pages).
            let mut inner = [0u8; 512];
            let mut decoder = flate2::read::GzDecoder::new(head);
            let mut got = 0;
            while got < inner.len() {
                match decoder.read(&mut inner[got..]) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got += n,
                }
            }
            if inner[..got].starts_with(b"WARC/1.") {
                return Format::Warc;
            }
            if got > 0
                && !inner[..got].starts_with(&[0x1f, 0x8b])
                && Format::sniff(&inner[..got]) == Format::Html
            {
                return Format::Html;
            }
            return Format::Text;
        }
        let lower = head[..head.len().min(512)].to_ascii_lowercase();
        let contains = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
        if lower.starts_with(b"{") {
            return Format::Jsonl;
        }
        let markup = lower.starts_with(b"<");
        if markup && (contains(b"<!doctype html") || contains(b"<html")) {
            return Format::Html;
        }
        if markup && (contains(b"<rss") || contains(b"<feed") || contains(b"<rdf:rdf")) {
            return Format::Feed;
        }
        Format::Text
    }
}

/// Reads `input`, handing every article and every rejection to `sink`, in a deterministic order
/// (directories sorted by name, files front to back).
pub fn read_input(input: &Input, limits: &Limits, sink: &mut dyn FnMut(Item)) {
    match input {
        Input::Stdin => {
            let stdin = io::stdin();
            read_stream(&mut stdin.lock(), "-", None, limits, sink);
        }
        Input::Path(path) => read_path(path, limits, sink),
    }
}

fn read_path(path: &Path, limits: &Limits, sink: &mut dyn FnMut(Item)) {
    let reject = |sink: &mut dyn FnMut(Item), reason: String| {
        sink(Item::Rejected(Rejection {
            source: path.display().to_string(),
            reason,
        }))
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return reject(sink, format!("cannot read: {e}")),
    };
    if meta.is_dir() {
        let mut entries = match fs::read_dir(path) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect::<Vec<_>>(),
            Err(e) => return reject(sink, format!("cannot list directory: {e}")),
        };
        entries.sort();
        for entry in entries {
            let hidden = entry
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !hidden {
                read_path(&entry, limits, sink);
            }
        }
        return;
    }
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return reject(sink, format!("cannot open: {e}")),
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    read_stream(
        &mut reader,
        &path.display().to_string(),
        Some((path, meta.len())),
        limits,
        sink,
    );
}

/// Reads one stream (a file or stdin) whose name for messages is `name`.
fn read_stream(
    reader: &mut dyn BufRead,
    name: &str,
    file: Option<(&Path, u64)>,
    limits: &Limits,
    sink: &mut dyn FnMut(Item),
) {
    let head = match reader.fill_buf() {
        Ok(head) => head.to_vec(),
        Err(e) => {
            return sink(Item::Rejected(Rejection {
                source: name.to_string(),
                reason: format!("cannot read: {e}"),
            }))
        }
    };
    let format = match file {
        Some((path, _)) => Format::of(path, &head),
        None => Format::sniff(&head),
    };
    match format {
        Format::Jsonl => jsonl::read(reader, name, limits, sink),
        Format::Html => {
            if head.starts_with(&[0x1f, 0x8b]) {
                let mut decoded = flate2::bufread::MultiGzDecoder::new(reader);
                sink(html::read(&mut decoded, name, limits))
            } else {
                sink(html::read(reader, name, limits))
            }
        }
        Format::Feed => feed::read(reader, name, limits, sink),
        Format::Warc => {
            if head.starts_with(&[0x1f, 0x8b]) {
                // Common Crawl writes one gzip member per record: MultiGzDecoder reads them all.
                let decoder = flate2::bufread::MultiGzDecoder::new(reader);
                let mut decoded = BufReader::with_capacity(1 << 16, decoder);
                warc::read(&mut decoded, name, limits, sink)
            } else {
                warc::read(reader, name, limits, sink)
            }
        }
        Format::Text => {
            if let Some((_, len)) = file {
                if len > limits.max_article_bytes as u64 {
                    return sink(Item::Rejected(Rejection {
                        source: name.to_string(),
                        reason: too_large(len, limits),
                    }));
                }
            }
            sink(text::read(reader, name, limits))
        }
    }
}

/// The message for an article over the size limit.
pub(crate) fn too_large(len: u64, limits: &Limits) -> String {
    format!(
        "{:.1} MB is over the {} MB limit for one article (a mis-crawl or a whole-site dump, not an article)",
        len as f64 / 1e6,
        limits.max_article_bytes / (1024 * 1024)
    )
}

/// Reads at most `limit + 1` bytes, so oversized input is detected without buffering it all.
pub(crate) fn read_capped(reader: &mut dyn Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Checks raw bytes are text: not binary, valid UTF-8, not empty. Returns the text without a BOM.
pub(crate) fn decode_text(bytes: Vec<u8>) -> Result<String, String> {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return Err("binary file (contains NUL bytes), not text".into());
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if controls * 20 > sample.len().max(1) {
        return Err("binary file (mostly control bytes), not text".into());
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (first bad byte at offset {}); convert it to UTF-8 first",
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    if text.trim().is_empty() {
        return Err("empty: no text".into());
    }
    Ok(text)
}
