//! RSS 2.0, RSS 1.0 (RDF) and Atom feed files: every item (`<item>` / `<entry>`) becomes an
//! article.
//!
//! | article field | RSS | Atom |
//! |---|---|---|
//! | `body` | `content:encoded`, else `description` (HTML turned to text), else the title | `content`, else `summary`, else the title |
//! | `title` | `title` | `title` |
//! | `url` | `link` | `link href` (`rel="alternate"` or no `rel`) |
//! | `published_at` (source `Feed`) | `pubDate` / `dc:date` (0.9) | `published` (0.9), else `updated` (0.7) |
//! | `outlet` | channel `title` | feed `title` |
//! | `declared_lang` | channel `language` | `xml:lang` |
//! | `credited_source` | `source` (the outlet the item credits) | `source/title` |
//!
//! Many feeds carry headlines only: such an item is an article whose body is its title. An item
//! with neither text nor title is rejected as `file#itemN`; a date the reader cannot parse, or
//! one before 1990 or in the future, is dropped with a warning (the item stays undated). A feed
//! that stops being well-formed XML is rejected at the item where it broke; items before it
//! have been read.

use crate::{dates, extract, Item, Limits, Rejection};
use chrono::Utc;
use khabar_core::{Article, DateSource, Source};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::io::BufRead;

#[derive(Debug, Default)]
struct Entry {
    title: String,
    link: Option<String>,
    /// An RSS `<link>`'s text, which entity references split into pieces.
    link_text: String,
    content: String,
    summary: String,
    published: String,
    updated: String,
    source: String,
    guid: String,
    lang: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Title,
    Link,
    Content,
    Summary,
    Published,
    Updated,
    Source,
    Guid,
}

fn field_of(qualified: &str, local: &str) -> Option<Field> {
    Some(match (qualified, local) {
        (_, "title") => Field::Title,
        (_, "link") => Field::Link,
        ("content:encoded", _) | (_, "content") => Field::Content,
        (_, "description") | (_, "summary") => Field::Summary,
        (_, "pubDate") | (_, "published") | ("dc:date", _) | (_, "issued") => Field::Published,
        (_, "updated") | (_, "modified") => Field::Updated,
        (_, "source") => Field::Source,
        (_, "guid") | (_, "id") => Field::Guid,
        _ => return None,
    })
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| {
            a.normalized_value(XmlVersion::default())
                .ok()
                .map(|v| v.trim().to_string())
        })
        .filter(|v| !v.is_empty())
}

/// Reads every item of a feed stream named `name`.
pub fn read(reader: &mut dyn BufRead, name: &str, limits: &Limits, sink: &mut dyn FnMut(Item)) {
    // A feed declared in a legacy charset (`<?xml … encoding="windows-1256"?>`, still seen on
    // Arabic sites) is read whole, up to a cap, and decoded to UTF-8 first; UTF-8 feeds stream.
    let declared = match reader.fill_buf() {
        Ok(head) => xml_encoding(head),
        Err(_) => None,
    };
    if let Some(encoding) = declared.filter(|e| *e != encoding_rs::UTF_8) {
        let cap = crate::html::max_page_bytes(limits).saturating_mul(4);
        let bytes = match crate::read_capped(reader, cap) {
            Ok(bytes) if bytes.len() <= cap => bytes,
            Ok(_) => {
                return sink(Item::Rejected(Rejection {
                    source: name.to_string(),
                    reason: format!(
                        "{} feed over {} MB: too large to decode",
                        encoding.name(),
                        cap / 1_000_000
                    ),
                }))
            }
            Err(e) => {
                return sink(Item::Rejected(Rejection {
                    source: name.to_string(),
                    reason: format!("cannot read: {e}"),
                }))
            }
        };
        let (text, _, _) = encoding.decode(&bytes);
        // The prolog still names the old charset; the parser reads the bytes as UTF-8 anyway.
        return parse(&mut text.as_bytes(), name, limits, sink);
    }
    parse(reader, name, limits, sink)
}

/// The charset an XML prolog declares, if it declares one.
fn xml_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &head[..head.len().min(256)];
    let text = String::from_utf8_lossy(head);
    let prolog = text.trim_start_matches('\u{feff}').trim_start();
    if !prolog.starts_with("<?xml") {
        return None;
    }
    let prolog = &prolog[..prolog.find("?>")?];
    let at = prolog.find("encoding")?;
    let rest = prolog[at + 8..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    let label = rest[1..].split(quote).next()?;
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
}

fn parse(reader: &mut dyn BufRead, name: &str, limits: &Limits, sink: &mut dyn FnMut(Item)) {
    let mut xml = Reader::from_reader(reader);
    xml.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut item_depth: Option<usize> = None;
    let mut entry = Entry::default();
    let mut field: Option<(Field, usize)> = None;
    let mut outlet: Option<String> = None;
    let mut feed_lang: Option<String> = None;
    let mut channel_title = String::new();
    let mut in_channel_title = false;
    let mut in_language = false;
    let mut items = 0u64;
    let mut saw_feed = false;
    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let at = xml.buffer_position();
                sink(Item::Rejected(Rejection {
                    source: crate::record_label(name, crate::RecordUnit::Item, items),
                    reason: format!(
                        "feed is not well-formed XML at byte {at}: {e}; the {items} items before it were read"
                    ),
                }));
                return;
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let qualified = e.name().as_ref().to_string();
                let local = e.local_name().as_ref().to_string();
                if stack.is_empty() {
                    saw_feed = matches!(local.as_str(), "rss" | "feed" | "RDF");
                    if !saw_feed {
                        sink(Item::Rejected(Rejection {
                            source: name.to_string(),
                            reason: format!(
                                "not an RSS or Atom feed: the root element is <{qualified}>"
                            ),
                        }));
                        return;
                    }
                    feed_lang = attr(e, "xml:lang").or(feed_lang);
                }
                if !empty {
                    stack.push(local.clone());
                }
                let depth = stack.len();
                match item_depth {
                    None if matches!(local.as_str(), "item" | "entry") && !empty => {
                        item_depth = Some(depth);
                        entry = Entry {
                            lang: attr(e, "xml:lang"),
                            ..Entry::default()
                        };
                    }
                    None => {
                        // Feed-level title (rss/channel/title, feed/title) and language.
                        let parent = stack
                            .len()
                            .checked_sub(2)
                            .and_then(|i| stack.get(i))
                            .map(String::as_str);
                        in_channel_title = !empty
                            && local == "title"
                            && matches!(parent, Some("channel" | "feed"));
                        in_language = !empty && local == "language";
                    }
                    Some(item) => {
                        let child_depth = if empty { depth + 1 } else { depth };
                        if field.is_none() && child_depth == item + 1 {
                            let f = field_of(&qualified, &local);
                            if f == Some(Field::Link) {
                                // Atom links are empty elements with href.
                                let rel = attr(e, "rel");
                                if let Some(href) = attr(e, "href") {
                                    if entry.link.is_none()
                                        && matches!(rel.as_deref(), None | Some("alternate"))
                                    {
                                        entry.link = Some(href);
                                    }
                                }
                            }
                            if f == Some(Field::Source) {
                                if let Some(url) = attr(e, "url") {
                                    entry.source = url;
                                }
                            }
                            if !empty {
                                if let Some(f) = f {
                                    field = Some((f, depth));
                                    if f == Field::Source {
                                        entry.source.clear();
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Event::End(_) => {
                let depth = stack.len();
                if let Some((f, d)) = field {
                    if d == depth {
                        field = None;
                        if f == Field::Link && entry.link.is_none() {
                            entry.link = clean(&std::mem::take(&mut entry.link_text));
                        }
                    }
                }
                if item_depth == Some(depth) {
                    item_depth = None;
                    let source = crate::record_label(name, crate::RecordUnit::Item, items);
                    sink(
                        match finish(
                            std::mem::take(&mut entry),
                            name,
                            items,
                            &outlet,
                            &feed_lang,
                            limits,
                        ) {
                            Ok(article) => Item::Article(article),
                            Err(reason) => Item::Rejected(Rejection { source, reason }),
                        },
                    );
                    items += 1;
                }
                if in_channel_title {
                    in_channel_title = false;
                    outlet = clean(&channel_title);
                }
                in_language = false;
                stack.pop();
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                let text = match &event {
                    Event::Text(t) => t.xml10_content(),
                    Event::CData(t) => t.xml10_content(),
                    Event::GeneralRef(r) => entity(r).into(),
                    _ => unreachable!("matched above"),
                };
                take_text(&text, field, &stack, &mut entry, limits);
                if in_channel_title {
                    channel_title.push_str(&text);
                }
                if in_language && item_depth.is_none() {
                    feed_lang = clean(&text).or(feed_lang);
                }
            }
            Event::Eof => {
                if !saw_feed {
                    sink(Item::Rejected(Rejection {
                        source: name.to_string(),
                        reason: "empty feed: no root element".into(),
                    }));
                } else if item_depth.is_some() {
                    sink(Item::Rejected(Rejection {
                        source: crate::record_label(name, crate::RecordUnit::Item, items),
                        reason: "feed ends inside an item (truncated file)".into(),
                    }));
                }
                return;
            }
            _ => {}
        }
        buf.clear();
    }
}

/// The text an entity or character reference stands for (`&amp;`, `&#x627;`); an undeclared one
/// (HTML's `&nbsp;`, copied from pages) stays as written.
fn entity(reference: &BytesRef) -> String {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        Ok(None) => quick_xml::escape::resolve_predefined_entity(reference)
            .map_or_else(|| format!("&{};", &**reference), str::to_string),
        Err(_) => format!("&{};", &**reference),
    }
}

fn take_text(
    text: &str,
    field: Option<(Field, usize)>,
    stack: &[String],
    entry: &mut Entry,
    limits: &Limits,
) {
    let Some((field, depth)) = field else {
        return;
    };
    let target = match field {
        Field::Title => &mut entry.title,
        Field::Link => {
            if stack.len() == depth {
                entry.link_text.push_str(text);
            }
            return;
        }
        Field::Content => &mut entry.content,
        Field::Summary => &mut entry.summary,
        Field::Published => &mut entry.published,
        Field::Updated => &mut entry.updated,
        Field::Guid => &mut entry.guid,
        Field::Source => {
            // RSS: the element's text; Atom: its <title> child.
            let own = stack.len() == depth;
            let title = stack.len() == depth + 1 && stack.last().is_some_and(|s| s == "title");
            if own || title {
                if title {
                    entry.source.clear();
                }
                entry.source.push_str(text);
            }
            return;
        }
    };
    if target.len() + text.len() <= limits.max_article_bytes.saturating_mul(4) {
        target.push_str(text);
    }
}

fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn finish(
    entry: Entry,
    name: &str,
    index: u64,
    outlet: &Option<String>,
    feed_lang: &Option<String>,
    limits: &Limits,
) -> Result<Article, String> {
    let title = clean(&extract::fragment_text(&entry.title));
    let content = extract::fragment_text(&entry.content);
    let summary = extract::fragment_text(&entry.summary);
    let body = if !content.trim().is_empty() {
        content
    } else if !summary.trim().is_empty() {
        summary
    } else if let Some(title) = &title {
        title.clone()
    } else {
        return Err("item has no text, description or title".into());
    };
    if body.len() > limits.max_article_bytes {
        return Err(crate::too_large(body.len() as u64, limits));
    }
    let mut article = Article::new(
        Source::FeedItem {
            path: name.to_string(),
            item: index,
        },
        body,
    );
    article.title = title;
    // An item without a link is often identified by its permalink guid (Atom: id).
    let guid = entry.guid.trim();
    article.url = entry.link.or_else(|| {
        (guid.starts_with("http://") || guid.starts_with("https://")).then(|| guid.to_string())
    });
    article.outlet = outlet.clone();
    article.credited_source = clean(&entry.source);
    article.declared_lang = entry.lang.or_else(|| feed_lang.clone()).and_then(|l| {
        let tag = l.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        (tag.len() >= 2 && tag.len() <= 3).then_some(tag)
    });
    let now = Utc::now();
    for (raw, confidence) in [(&entry.published, 0.9), (&entry.updated, 0.7)] {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match dates::parse(raw, DateSource::Feed, confidence) {
            Some(date) => match dates::implausible(&date, now) {
                None => {
                    article.published_at = Some(date);
                    break;
                }
                Some(reason) => article.warnings.push(reason),
            },
            None => article.warnings.push(format!(
                "feed date {raw:?} is not a date the reader understands; left out"
            )),
        }
    }
    Ok(article)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(xml: &str) -> (Vec<Article>, Vec<Rejection>) {
        let mut articles = Vec::new();
        let mut rejected = Vec::new();
        read(
            &mut xml.as_bytes(),
            "f.rss",
            &Limits::default(),
            &mut |item| match item {
                Item::Article(a) => articles.push(a),
                Item::Rejected(r) => rejected.push(r),
            },
        );
        (articles, rejected)
    }

    #[test]
    fn reads_rss_items_with_links_dates_and_sources() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>وكالة الأنباء</title><language>ar</language>
<item><title>لافروف يلتقي نظيره الكويتي</title><link>https://example.com/a</link>
<description><![CDATA[<p>التقى وزير الخارجية الروسي <b>سيرغي لافروف</b> نظيره الكويتي.</p>]]></description>
<pubDate>Fri, 03 Nov 2023 10:00:00 +0300</pubDate>
<source url="https://kuna.example/rss">KUNA</source></item>
<item><title>Headline only</title><link>https://example.com/b</link><pubDate>yesterday</pubDate></item>
<item><link>https://example.com/c</link></item>
<item><guid isPermaLink="true">https://example.com/d</guid><description>Guid only.</description></item>
</channel></rss>"#;
        let (articles, rejected) = read_all(xml);
        assert_eq!(articles.len(), 3);
        let a = &articles[0];
        assert_eq!(
            a.body,
            "التقى وزير الخارجية الروسي سيرغي لافروف نظيره الكويتي."
        );
        assert_eq!(a.title.as_deref(), Some("لافروف يلتقي نظيره الكويتي"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.outlet.as_deref(), Some("وكالة الأنباء"));
        assert_eq!(a.credited_source.as_deref(), Some("KUNA"));
        assert_eq!(a.declared_lang.as_deref(), Some("ar"));
        let published = a.published_at.as_ref().unwrap();
        assert_eq!(published.source, DateSource::Feed);
        assert_eq!(published.at.to_rfc3339(), "2023-11-03T10:00:00+03:00");
        assert_eq!(
            a.source,
            Source::FeedItem {
                path: "f.rss".into(),
                item: 0
            }
        );
        assert_eq!(articles[1].body, "Headline only");
        assert!(articles[1].published_at.is_none());
        assert!(articles[1].warnings[0].contains("yesterday"));
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].source, "f.rss#item2");
        assert_eq!(articles[2].url.as_deref(), Some("https://example.com/d"));
    }

    #[test]
    fn entity_references_are_resolved_inside_links_and_text() {
        // The XML parser hands `&amp;` and `&#x627;` over as events of their own, between
        // pieces of text: a link must be the whole of its pieces, not the first one.
        let xml = r#"<rss version="2.0"><channel><title>T</title>
<item><title>Tom &amp; Jerry &#x627;&#1604;</title>
<link>https://example.com/story?id=7&amp;page=2</link>
<description>Cats &lt;3 mice &amp; cheese.</description></item>
</channel></rss>"#;
        let (articles, rejected) = read_all(xml);
        assert!(rejected.is_empty(), "{rejected:?}");
        let a = &articles[0];
        assert_eq!(
            a.url.as_deref(),
            Some("https://example.com/story?id=7&page=2")
        );
        assert_eq!(a.title.as_deref(), Some("Tom & Jerry ال"));
        assert_eq!(a.body, "Cats <3 mice & cheese.");
    }

    #[test]
    fn reads_atom_entries() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Example News</title>
<entry><title type="html">Ministers &amp;amp; envoys meet</title>
<link rel="alternate" href="https://example.com/x"/><link rel="self" href="https://example.com/x.atom"/>
<published>2023-11-03T07:00:00Z</published><updated>2023-11-04T07:00:00Z</updated>
<summary type="html">&lt;p&gt;They met in Moscow.&lt;/p&gt;</summary>
<source><id>urn:x</id><title>Reuters</title></source></entry></feed>"#;
        let (articles, rejected) = read_all(xml);
        assert!(rejected.is_empty(), "{rejected:?}");
        let a = &articles[0];
        assert_eq!(a.body, "They met in Moscow.");
        assert_eq!(a.title.as_deref(), Some("Ministers & envoys meet"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/x"));
        assert_eq!(a.outlet.as_deref(), Some("Example News"));
        assert_eq!(a.credited_source.as_deref(), Some("Reuters"));
        assert_eq!(a.declared_lang.as_deref(), Some("en"));
        assert_eq!(a.published_at.as_ref().unwrap().confidence, 0.9);
    }

    #[test]
    fn reads_a_windows_1256_feed() {
        let xml = "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss><channel><title>الوطن</title>\
                   <item><title>عنوان</title><description>نص الخبر</description></item></channel></rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(xml);
        let mut articles = Vec::new();
        read(&mut &bytes[..], "f.xml", &Limits::default(), &mut |item| {
            if let Item::Article(a) = item {
                articles.push(a)
            }
        });
        assert_eq!(articles[0].body, "نص الخبر");
        assert_eq!(articles[0].outlet.as_deref(), Some("الوطن"));
    }

    #[test]
    fn broken_xml_is_rejected_at_the_item_and_earlier_items_kept() {
        let xml = "<rss><channel><item><title>One</title></item><item><title>Two</titel></item></channel></rss>";
        let (articles, rejected) = read_all(xml);
        assert_eq!(articles.len(), 1);
        assert_eq!(rejected[0].source, "f.rss#item1");
        assert!(
            rejected[0].reason.contains("well-formed"),
            "{}",
            rejected[0].reason
        );
        let (_, rejected) = read_all("<html><body>not a feed</body></html>");
        assert!(rejected[0].reason.contains("not an RSS or Atom feed"));
    }
}
