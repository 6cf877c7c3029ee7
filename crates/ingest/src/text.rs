//! Plain-text articles: one article per file, the whole file as its body.
//!
//! Boilerplate lines (share prompts, copyright footers, breadcrumbs) stay in the body here: the
//! analyse stage removes and records them, so every span still points into what was read.

use crate::{decode_text, read_capped, too_large, Item, Limits, Rejection};
use khabar_core::{Article, Source};
use std::io::Read;

/// Reads one plain-text article from `reader`, named `name` in messages and provenance.
pub fn read(reader: &mut dyn Read, name: &str, limits: &Limits) -> Item {
    let reject = |reason: String| {
        Item::Rejected(Rejection {
            source: name.to_string(),
            reason,
        })
    };
    let bytes = match read_capped(reader, limits.max_article_bytes) {
        Ok(bytes) => bytes,
        Err(e) => return reject(format!("cannot read: {e}")),
    };
    if bytes.len() > limits.max_article_bytes {
        return reject(too_large(bytes.len() as u64, limits));
    }
    match decode_text(bytes) {
        Ok((body, warning)) => {
            let source = if name == "-" {
                Source::Stdin
            } else {
                Source::File {
                    path: name.to_string(),
                }
            };
            let mut article = Article::new(source, body);
            article.warnings.extend(warning);
            Item::Article(article)
        }
        Err(reason) => reject(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_bytes(bytes: &[u8]) -> Item {
        read(&mut &bytes[..], "t.txt", &Limits::default())
    }

    fn reason(item: Item) -> String {
        match item {
            Item::Rejected(r) => r.reason,
            Item::Article(a) => panic!("expected a rejection, got article {}", a.id),
        }
    }

    #[test]
    fn reads_utf8_text_and_strips_bom() {
        match read_bytes("\u{feff}وزير الخارجية".as_bytes()) {
            Item::Article(a) => assert_eq!(a.body, "وزير الخارجية"),
            Item::Rejected(r) => panic!("{}", r.reason),
        }
    }

    #[test]
    fn rejects_binary_invalid_utf8_and_empty() {
        assert!(reason(read_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")).contains("binary"));
        assert!(reason(read_bytes(&crate::charset::noise(4000)))
            .starts_with(crate::charset::UNKNOWN_ENCODING));
        assert!(reason(read_bytes(b"  \n\t ")).contains("empty"));
    }

    #[test]
    fn an_undeclared_legacy_encoding_is_read_as_what_it_is() {
        let arabic = "قال وزير الخارجية الكويتي إن المحادثات مع نظيره الروسي في موسكو تناولت العلاقات الثنائية.";
        let french =
            "Le ministre des Affaires étrangères a rencontré son homologue à Moscou vendredi.";
        for (text, encoding) in [
            (arabic, encoding_rs::WINDOWS_1256),
            (french, encoding_rs::WINDOWS_1252),
        ] {
            let (bytes, _, _) = encoding.encode(text);
            match read_bytes(&bytes) {
                Item::Article(a) => {
                    assert_eq!(a.body, text);
                    assert!(a.warnings[0].contains(encoding.name()), "{:?}", a.warnings);
                }
                Item::Rejected(r) => panic!("{}", r.reason),
            }
        }
    }

    #[test]
    fn rejects_oversized_article_without_reading_it_all() {
        let limits = Limits {
            max_article_bytes: 10,
        };
        let mut endless = std::io::repeat(b'a');
        match read(&mut endless, "big.txt", &limits) {
            Item::Rejected(r) => assert!(r.reason.contains("limit"), "{}", r.reason),
            Item::Article(_) => panic!("oversized article accepted"),
        }
    }
}
