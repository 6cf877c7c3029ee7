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

pub mod charset;
pub mod dates;
pub mod extract;
pub mod feed;
pub mod html;
pub mod jsonl;
pub mod markup;
pub mod outlet;
pub mod text;
pub mod warc;

use khabar_core::Article;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
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
    /// The format of a file, by its name, then by its first bytes (plain text when they are
    /// nothing else).
    pub fn of(path: &Path, head: &[u8]) -> Format {
        match Format::by_name(path) {
            // Sitemaps and other XML are not feeds; a feed says so in its first bytes.
            Some(Format::Feed) if lower_name(path).ends_with(".xml") => match Format::sniff(head) {
                Format::Html => Format::Html,
                _ => Format::Feed,
            },
            Some(format) => format,
            None => Format::sniff(head),
        }
    }

    /// The format a file's name gives, if any.
    pub fn by_name(path: &Path) -> Option<Format> {
        let name = lower_name(path);
        let ends = |suffixes: &[&str]| suffixes.iter().any(|s| name.ends_with(s));
        if ends(&[".jsonl", ".ndjson"]) {
            Some(Format::Jsonl)
        } else if ends(&[".txt"]) {
            Some(Format::Text)
        } else if ends(&[".html", ".htm", ".xhtml"]) {
            Some(Format::Html)
        } else if ends(&[".warc", ".warc.gz"]) {
            Some(Format::Warc)
        } else if ends(&[".rss", ".atom", ".xml"]) {
            Some(Format::Feed)
        } else {
            None
        }
    }

    /// The format first bytes show for certain, if any: a WARC record, an HTML page (also
    /// gzipped), a feed, or a JSONL line (a first line that is a whole JSON object, or too long
    /// to tell). Plain text has no signature, so it is never recognised here: a directory walk
    /// reads text only from `.txt` files (a `README.md` is not an article).
    pub fn recognise(head: &[u8]) -> Option<Format> {
        match Format::sniff(head) {
            Format::Text => None,
            Format::Jsonl => {
                let start = head
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(0);
                let rest = &head[start..];
                let rest = rest.strip_prefix(b"\xef\xbb\xbf").unwrap_or(rest);
                let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                    return Some(Format::Jsonl);
                };
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&rest[..end])
                    .is_ok()
                    .then_some(Format::Jsonl)
            }
            format => Some(format),
        }
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

/// How record `number` of input `name` is named in rejections: `file:line` for a JSONL line,
/// `file#N` for a WARC record, `file#itemN` for a feed item (as the stored article's
/// [`khabar_core::Source`] names it), and in words for standard input, which has no file name:
/// `stdin line 4`, `stdin record 4`, `stdin item 4`.
pub fn record_label(name: &str, unit: RecordUnit, number: u64) -> String {
    match (name == STDIN, unit) {
        (true, RecordUnit::Line) => format!("stdin line {number}"),
        (true, RecordUnit::Record) => format!("stdin record {number}"),
        (true, RecordUnit::Item) => format!("stdin item {number}"),
        (false, RecordUnit::Line) => format!("{name}:{number}"),
        (false, RecordUnit::Record) => format!("{name}#{number}"),
        (false, RecordUnit::Item) => format!("{name}#item{number}"),
    }
}

/// What a record number counts in [`record_label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordUnit {
    /// A JSONL line (1-based).
    Line,
    /// A WARC record (0-based, as [`khabar_core::Source::WarcRecord`] counts).
    Record,
    /// A feed item (0-based, as [`khabar_core::Source::FeedItem`] counts).
    Item,
}

/// The name readers are given for standard input (and record in [`khabar_core::Source`]);
/// rejections say `stdin` instead.
pub(crate) const STDIN: &str = "-";

/// Something a directory walk left out on purpose, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path as the walk reached it.
    pub path: PathBuf,
    /// Why it was not read.
    pub reason: SkipReason,
}

/// Why a path was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A file in a directory whose name and first bytes match none of khabar's formats (a
    /// `README.md`, an image). A file named on the command line is read whatever its name.
    NotAnArticleFormat,
    /// A FIFO, socket or device in a directory: never opened (a FIFO would block the walk).
    SpecialFile(&'static str),
    /// A directory reached again (a symbolic link to `.` or to an ancestor): each directory is
    /// walked once.
    DirectoryAlreadyRead(PathBuf),
    /// A file reached again through a link: each file is read once.
    FileAlreadyRead,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::NotAnArticleFormat => f.write_str("not an article format"),
            SkipReason::SpecialFile(kind) => write!(f, "{kind}, not a regular file"),
            SkipReason::DirectoryAlreadyRead(first) => {
                write!(f, "the directory {} again, read once", first.display())
            }
            SkipReason::FileAlreadyRead => f.write_str("a file already read through another path"),
        }
    }
}

/// What [`read_input`] reports besides the items it hands over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// What was skipped on purpose, in walk order.
    pub skipped: Vec<Skipped>,
}

/// A file name, lower-cased.
fn lower_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Reads `input`, handing every article and every rejection to `sink`, in a deterministic order
/// (directories sorted by name, files front to back), and returns what it skipped.
///
/// In a directory (walked recursively, hidden entries left out) only files of a known format are
/// read: by name (`.txt`, `.jsonl`, `.html`, `.warc.gz`, `.rss`, … see [`Format::of`]) or, for
/// other names, by content (a WARC, HTML page, feed or JSONL line at the start). Each directory is
/// walked once and each file read once, keyed by device and inode, so links to `.` cannot
/// multiply the walk; FIFOs, sockets and devices are skipped without being opened. A file named
/// in `input` itself is read whatever its name, as is a FIFO (`<(zcat batch.jsonl.gz)`): reading
/// it is what was asked for.
///
/// An article that names no outlet but has a URL gets its URL's registrable domain as outlet
/// ([`outlet::derive_if_missing`]).
pub fn read_input(input: &Input, limits: &Limits, sink: &mut dyn FnMut(Item)) -> ReadReport {
    let mut sink = |mut item: Item| {
        match &mut item {
            Item::Article(article) => outlet::derive_if_missing(article),
            // Whole-stream rejections of standard input (a readers' `name`) say so in words.
            Item::Rejected(r) if r.source == STDIN => r.source = "stdin".into(),
            Item::Rejected(_) => {}
        }
        sink(item)
    };
    let mut report = ReadReport::default();
    match input {
        Input::Stdin => {
            let stdin = io::stdin();
            read_stream(&mut stdin.lock(), STDIN, None, limits, &mut sink);
        }
        Input::Path(path) => Walk {
            limits,
            sink: &mut sink,
            report: &mut report,
            directories: HashMap::new(),
            files: HashSet::new(),
        }
        .read(path),
    }
    report
}

/// A file's identity: the same (device, inode) is the same file, whatever path reached it.
type FileKey = (u64, u64);

/// One walk over a path named by the user.
struct Walk<'a> {
    limits: &'a Limits,
    sink: &'a mut dyn FnMut(Item),
    report: &'a mut ReadReport,
    /// Directories walked, with the path they were first reached by.
    directories: HashMap<FileKey, PathBuf>,
    /// Files read.
    files: HashSet<FileKey>,
}

impl Walk<'_> {
    fn reject(&mut self, path: &Path, reason: String) {
        (self.sink)(Item::Rejected(Rejection {
            source: path.display().to_string(),
            reason,
        }))
    }

    fn skip(&mut self, path: &Path, reason: SkipReason) {
        self.report.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// Reads the path the user named, then (for a directory) everything under it, depth first
    /// in name order. A stack, not recursion: a deep tree cannot overflow the call stack.
    fn read(mut self, root: &Path) {
        let mut stack = vec![root.to_path_buf()];
        while let Some(path) = stack.pop() {
            let named = path == root;
            // Follows symbolic links: a link is read as what it points to.
            let meta = match fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) => {
                    self.reject(&path, format!("cannot read: {e}"));
                    continue;
                }
            };
            let key = (meta.dev(), meta.ino());
            let kind = meta.file_type();
            if kind.is_dir() {
                if let Some(first) = self.directories.get(&key) {
                    let first = first.clone();
                    self.skip(&path, SkipReason::DirectoryAlreadyRead(first));
                    continue;
                }
                self.directories.insert(key, path.clone());
                let mut entries = match fs::read_dir(&path) {
                    Ok(entries) => entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            !p.file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                        })
                        .collect::<Vec<_>>(),
                    Err(e) => {
                        self.reject(&path, format!("cannot list directory: {e}"));
                        continue;
                    }
                };
                // Popped in name order.
                entries.sort_by(|a, b| b.cmp(a));
                stack.extend(entries);
                continue;
            }
            let streamable = kind.is_file() || (named && (kind.is_fifo() || kind.is_char_device()));
            if !streamable {
                let what = special_kind(&kind);
                if named {
                    self.reject(&path, format!("{what}, not a file khabar can read"));
                } else {
                    self.skip(&path, SkipReason::SpecialFile(what));
                }
                continue;
            }
            if !self.files.insert(key) {
                self.skip(&path, SkipReason::FileAlreadyRead);
                continue;
            }
            self.read_file(&path, named, kind.is_file().then_some(meta.len()));
        }
    }

    /// Reads one file: whatever its format when `named`, else only a known format.
    fn read_file(&mut self, path: &Path, named: bool, len: Option<u64>) {
        let file = match fs::File::open(path) {
            Ok(file) => file,
            Err(e) => return self.reject(path, format!("cannot open: {e}")),
        };
        let mut reader = BufReader::with_capacity(1 << 16, file);
        if !named && Format::by_name(path).is_none() {
            let known = match reader.fill_buf() {
                Ok(head) => Format::recognise(head).is_some(),
                Err(e) => return self.reject(path, format!("cannot read: {e}")),
            };
            if !known {
                return self.skip(path, SkipReason::NotAnArticleFormat);
            }
        }
        let name = path.display().to_string();
        read_stream(
            &mut reader,
            &name,
            Some((path, len)),
            self.limits,
            self.sink,
        );
    }
}

/// What a special file is, in words.
fn special_kind(kind: &fs::FileType) -> &'static str {
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_char_device() {
        "a character device"
    } else {
        "a special file"
    }
}

/// Reads one stream (a file or stdin) whose name for messages is `name`; `file` is the file's
/// path and, for a regular file, its size.
fn read_stream(
    reader: &mut dyn BufRead,
    name: &str,
    file: Option<(&Path, Option<u64>)>,
    limits: &Limits,
    sink: &mut dyn FnMut(Item),
) {
    let head = match reader.fill_buf() {
        Ok(head) => head,
        Err(e) => {
            return sink(Item::Rejected(Rejection {
                source: name.to_string(),
                reason: format!("cannot read: {e}"),
            }))
        }
    };
    if let Some(encoding) = utf16_bom(head) {
        // UTF-16 text (Windows' "Unicode" files) is read as the UTF-8 it decodes to, whatever
        // its format; its size on disk says nothing about its text's.
        let mut decoded = BufReader::with_capacity(1 << 16, Utf16Reader::new(reader, encoding));
        let file = file.map(|(path, _)| (path, None));
        return read_stream(&mut decoded, name, file, limits, sink);
    }
    let head = head.to_vec();
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
        Format::Text => match file.and_then(|(_, len)| len) {
            Some(len) if len > limits.max_article_bytes as u64 => sink(Item::Rejected(Rejection {
                source: name.to_string(),
                reason: too_large(len, limits),
            })),
            Some(_) => sink(text::read(reader, name, limits)),
            // A stream of unknown size (stdin, a FIFO) is read up to the limit and no further.
            None => {
                let bytes = match read_capped(reader, limits.max_article_bytes) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        return sink(Item::Rejected(Rejection {
                            source: name.to_string(),
                            reason: format!("cannot read: {e}"),
                        }))
                    }
                };
                if bytes.len() > limits.max_article_bytes {
                    return sink(Item::Rejected(Rejection {
                        source: name.to_string(),
                        reason: format!(
                            "over the {} limit for one article after reading {} (a mis-crawl or a whole-site dump, not an article; reading stopped there)",
                            mebibytes(limits.max_article_bytes as u64),
                            mebibytes(bytes.len() as u64 - 1),
                        ),
                    }));
                }
                sink(text::read(&mut &bytes[..], name, limits))
            }
        },
    }
}

/// The UTF-16 encoding a byte-order mark at the start of `head` announces.
fn utf16_bom(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    match encoding_rs::Encoding::for_bom(head) {
        Some((encoding, _)) if encoding != encoding_rs::UTF_8 => Some(encoding),
        _ => None,
    }
}

/// A UTF-16 stream read as UTF-8, decoded as it is read (the byte-order mark dropped; a broken
/// surrogate becomes U+FFFD).
struct Utf16Reader<'a> {
    inner: &'a mut dyn BufRead,
    decoder: encoding_rs::Decoder,
    decoded: Vec<u8>,
    pos: usize,
    finished: bool,
}

impl<'a> Utf16Reader<'a> {
    fn new(inner: &'a mut dyn BufRead, encoding: &'static encoding_rs::Encoding) -> Self {
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            decoded: Vec::new(),
            pos: 0,
            finished: false,
        }
    }
}

impl Read for Utf16Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.decoded.len() && !self.finished {
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let room = self
                .decoder
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len() * 3 + 16);
            self.decoded.resize(room, 0);
            let (_, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.decoded, last);
            self.inner.consume(read);
            self.decoded.truncate(written);
            self.pos = 0;
            self.finished = last;
        }
        let n = buf.len().min(self.decoded.len() - self.pos);
        buf[..n].copy_from_slice(&self.decoded[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A size in MiB, as the limits are set.
fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The message for an article over the size limit.
pub(crate) fn too_large(len: u64, limits: &Limits) -> String {
    format!(
        "{} is over the {} limit for one article (a mis-crawl or a whole-site dump, not an article)",
        mebibytes(len),
        mebibytes(limits.max_article_bytes as u64)
    )
}

/// Reads at most `limit + 1` bytes, so oversized input is detected without buffering it all.
pub(crate) fn read_capped(reader: &mut dyn Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// True when the first bytes of an input are binary data, not text: more than one in 20 of
/// them control bytes (NUL included), or a gzip header. One stray NUL in a line of text is not.
pub(crate) fn looks_binary(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    sample.starts_with(&[0x1f, 0x8b]) || controls * 20 > sample.len().max(1)
}

/// Checks raw bytes are text: not binary, not empty, UTF-8 or (declaring no encoding, as plain
/// text cannot) a legacy encoding guessed with confidence ([`charset`]). Returns the text
/// without a BOM and, when the encoding was guessed, a warning naming it.
pub(crate) fn decode_text(bytes: Vec<u8>) -> Result<(String, Option<String>), String> {
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
    let (mut text, warning) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let (text, encoding) = charset::decode_undeclared(e.as_bytes(), None)?;
            let warning = format!(
                "not UTF-8 and no encoding declared: read as {}, the encoding its bytes fit",
                encoding.name()
            );
            (text, Some(warning))
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    if text.trim().is_empty() {
        return Err("empty: no text".into());
    }
    Ok((text, warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_one(bytes: &[u8], name: &str, file: Option<(&Path, Option<u64>)>) -> Vec<Item> {
        let mut items = Vec::new();
        let limits = Limits {
            max_article_bytes: 1024 * 1024,
        };
        read_stream(&mut &bytes[..], name, file, &limits, &mut |i| items.push(i));
        items
    }

    #[test]
    fn utf16_with_a_bom_is_text_not_binary() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "وزير الخارجية الكويتي في موسكو".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        match &read_one(
            &bytes,
            "a.txt",
            Some((Path::new("a.txt"), Some(bytes.len() as u64))),
        )[..]
        {
            [Item::Article(a)] => assert_eq!(a.body, "وزير الخارجية الكويتي في موسكو"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_oversized_stream_says_where_reading_stopped() {
        let big = vec![b'a'; 3 * 1024 * 1024];
        match &read_one(&big, STDIN, None)[..] {
            [Item::Rejected(r)] => {
                assert!(r.reason.contains("over the 1.0 MiB limit"), "{}", r.reason);
                assert!(r.reason.contains("after reading 1.0 MiB"), "{}", r.reason);
            }
            other => panic!("{other:?}"),
        }
    }
}
