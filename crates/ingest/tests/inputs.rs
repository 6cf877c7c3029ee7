//! Web inputs end to end through `read_input`: HTML files, WARC.gz (one gzip member per record,
//! as Common Crawl writes them), RSS, chosen by name and by content.

use flate2::write::GzEncoder;
use flate2::Compression;
use khabar_core::{Article, DateSource, Source};
use khabar_ingest::{read_input, warc, Format, Input, Item, Limits, Rejection};
use std::io::Write;
use std::path::Path;

const PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Talks - Example</title>\
<meta property=\"article:published_time\" content=\"2023-11-03T10:00:00Z\"></head><body>\
<nav><a href=\"/\">Home</a></nav><article><h1>Talks</h1><p>The foreign ministers met in Moscow on \
Friday, officials said, and agreed to meet again next year.</p></article></body></html>";

fn read(path: &Path) -> (Vec<Article>, Vec<Rejection>) {
    let mut articles = Vec::new();
    let mut rejected = Vec::new();
    read_input(
        &Input::Path(path.into()),
        &Limits::default(),
        &mut |item| match item {
            Item::Article(a) => articles.push(a),
            Item::Rejected(r) => rejected.push(r),
        },
    );
    (articles, rejected)
}

fn gz_member(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn warc_gz_with_one_member_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = Vec::new();
    for (i, date) in ["2023-11-04T00:00:00Z", "2023-11-02T00:00:00Z"]
        .iter()
        .enumerate()
    {
        let mut record = Vec::new();
        warc::write_response(
            &mut record,
            &format!("https://example.com/story-{i}"),
            date,
            PAGE.as_bytes(),
        )
        .unwrap();
        file.extend(gz_member(&record));
    }
    file.extend(gz_member(b"WARC/1.0\r\nWARC-Type: response\r\n\r\n"));
    let path = dir.path().join("crawl.warc.gz");
    std::fs::write(&path, &file).unwrap();
    let (articles, rejected) = read(&path);
    assert_eq!(articles.len(), 2);
    assert_eq!(articles[0].title.as_deref(), Some("Talks"));
    assert_eq!(
        articles[0].published_at.as_ref().unwrap().source,
        DateSource::MetaTag
    );
    // Crawled the day before the page claims to be published: that date is refused.
    let second = &articles[1];
    assert!(second
        .warnings
        .iter()
        .any(|w| w.contains("after the page was crawled")));
    // The crawl time is kept as such, not given as the publication date.
    assert!(second.published_at.is_none(), "{:?}", second.published_at);
    assert!(second.crawled_at.is_some());
    assert!(second.warnings.iter().any(|w| w.starts_with("undated")));
    assert!(matches!(
        &second.source,
        Source::WarcRecord { record: 1, .. }
    ));
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0].source.ends_with("crawl.warc.gz#2"),
        "{rejected:?}"
    );

    // The same bytes without a telling name are recognised by content.
    let unnamed = dir.path().join("download.bin");
    std::fs::write(&unnamed, &file).unwrap();
    assert_eq!(Format::sniff(&file[..file.len().min(1024)]), Format::Warc);
    assert_eq!(read(&unnamed).0.len(), 2);
}

#[test]
fn html_and_feed_files_by_name_and_content() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.html"), PAGE).unwrap();
    std::fs::write(dir.path().join("b"), PAGE).unwrap();
    std::fs::write(
        dir.path().join("c.xml"),
        "<?xml version=\"1.0\"?><rss><channel><title>Feed</title><item><title>One</title>\
         <description>Body one.</description></item></channel></rss>",
    )
    .unwrap();
    let (articles, rejected) = read(dir.path());
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(articles.len(), 3);
    assert_eq!(articles[0].body, articles[1].body);
    assert!(articles[0].body.starts_with("The foreign ministers"));
    assert_eq!(articles[0].declared_lang.as_deref(), Some("en"));
    assert_eq!(articles[2].body, "Body one.");
    assert_eq!(articles[2].outlet.as_deref(), Some("Feed"));
}

#[test]
fn hostile_pages_are_read_or_rejected_without_a_crash() {
    use khabar_core::Source;
    use khabar_ingest::html::{article_from_html, PageContext};
    let read = |html: &[u8]| {
        article_from_html(
            html,
            Source::File {
                path: "x.html".into(),
            },
            &PageContext::default(),
            &Limits::default(),
        )
    };
    // 10,000 nested elements: no recursion in scoring or rendering. (html5ever's parse time
    // grows with the square of the nesting depth: 100,000 levels take seconds.)
    let deep = format!(
        "<html><body>{}<p>Deep inside, the minister said, talks went well.</p>{}</body></html>",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    assert!(read(deep.as_bytes()).is_ok());
    // Tag soup and binary junk.
    assert!(read(b"<p>Unclosed <b>bold <i>text, with commas, that goes on for a while.").is_ok());
    assert!(read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_err());
    assert!(read(b"").is_err());
}

#[test]
fn warc_page_in_windows_1256_declared_only_by_http_header() {
    let (html, _, _) = encoding_rs::WINDOWS_1256.encode(
        "<html lang=\"ar\"><body><div class=\"news\"><p>أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين، \
         تشمل قروضاً ميسرة وتوزيع البذور مجاناً على صغار المنتجين.</p></div></body></html>",
    );
    let http = [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1256\r\n\r\n".as_slice(),
        &html,
    ]
    .concat();
    let mut record = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/ar/1\r\n\
         WARC-Date: 2023-11-04T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n\
         Content-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    record.extend_from_slice(&http);
    record.extend_from_slice(b"\r\n\r\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ar.warc");
    std::fs::write(&path, &record).unwrap();
    let (articles, rejected) = read(&path);
    assert!(rejected.is_empty(), "{rejected:?}");
    assert!(articles[0].body.starts_with("أعلنت الحكومة اليوم"));
    assert_eq!(articles[0].declared_lang.as_deref(), Some("ar"));
    assert_eq!(articles[0].outlet.as_deref(), Some("example.com"));
}

#[test]
fn formats_by_name_and_by_content() {
    let of = |name: &str, head: &[u8]| Format::of(Path::new(name), head);
    assert_eq!(of("a.warc.gz", b""), Format::Warc);
    assert_eq!(of("a.WARC", b""), Format::Warc);
    assert_eq!(of("news.rss", b""), Format::Feed);
    assert_eq!(of("news.atom", b""), Format::Feed);
    assert_eq!(
        of("feed.xml", b"<?xml version=\"1.0\"?><rss>"),
        Format::Feed
    );
    assert_eq!(of("page.xml", b"<!DOCTYPE html><html>"), Format::Html);
    assert_eq!(of("page.HTM", b""), Format::Html);
    assert_eq!(Format::sniff(b"\xef\xbb\xbf<!doctype html>"), Format::Html);
    assert_eq!(
        Format::sniff(b"<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
        Format::Feed
    );
    assert_eq!(Format::sniff(b"WARC/1.1\r\n"), Format::Warc);
    assert_eq!(Format::sniff(b"  {\"text\": \"x\"}"), Format::Jsonl);
    assert_eq!(Format::sniff("وزير الخارجية".as_bytes()), Format::Text);
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn fixture_crawl_warc_gz() {
    let (articles, rejected) = read(&fixture("crawl.warc.gz"));
    let records: Vec<u64> = articles
        .iter()
        .map(|a| match &a.source {
            Source::WarcRecord { record, .. } => *record,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(records, [1, 3, 5]);
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0].source.ends_with("crawl.warc.gz#4"),
        "{rejected:?}"
    );
    assert!(articles[0].body.starts_with("استقبل وزير الخارجية الروسي"));
    assert_eq!(
        articles[0].published_at.as_ref().unwrap().source,
        DateSource::JsonLd
    );
    let english = &articles[1];
    assert_eq!(
        english.published_at.as_ref().unwrap().source,
        DateSource::TimeElement
    );
    assert!(english.warnings.iter().any(|w| w.contains("2031")));
}

#[test]
fn fixture_feeds() {
    let (articles, rejected) = read(&fixture("ar-feed.rss"));
    assert_eq!(articles.len(), 3);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].source.ends_with("ar-feed.rss#item3"));
    let first = &articles[0];
    assert_eq!(
        first.body,
        "استقبل وزير الخارجية الروسي سيرغي لافروف نظيره الكويتي في موسكو، وبحثا العلاقات الثنائية."
    );
    assert_eq!(
        first.credited_source.as_deref(),
        Some("وكالة الخليج للأنباء")
    );
    assert_eq!(first.outlet.as_deref(), Some("موجز الأخبار"));
    // A headline-only item is an article whose body is its headline, dated by dc:date.
    assert_eq!(articles[1].body, "ارتفاع أسعار النفط مع تراجع المخزونات");
    assert_eq!(
        articles[1].published_at.as_ref().unwrap().source,
        DateSource::Feed
    );
    // A date in the future is refused with the reason kept.
    assert!(articles[2].published_at.is_none());
    assert!(articles[2].warnings[0].contains("2091"));

    let (articles, rejected) = read(&fixture("en-feed.atom"));
    assert!(rejected.is_empty());
    assert_eq!(articles.len(), 2);
    assert_eq!(
        articles[0].url.as_deref(),
        Some("https://riverside.example/news/council-bus-routes")
    );
    assert_eq!(articles[0].published_at.as_ref().unwrap().confidence, 0.9);
    assert_eq!(articles[1].published_at.as_ref().unwrap().confidence, 0.7);
    assert_eq!(articles[1].credited_source.as_deref(), Some("Wire Service"));
    assert_eq!(
        articles[1].url.as_deref(),
        Some("https://riverside.example/news/storm")
    );
}

#[test]
fn gzipped_html_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html.gz");
    std::fs::write(&path, gz_member(PAGE.as_bytes())).unwrap();
    let (articles, rejected) = read(&path);
    assert!(rejected.is_empty(), "{rejected:?}");
    assert!(articles[0].body.starts_with("The foreign ministers"));
}
