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
        Ok(body) => {
            let source = if name == "-" {
                Source::Stdin
            } else {
                Source::File {
                    path: name.to_string(),
                }
            };
            Item::Article(Article::new(source, body))
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
        assert!(reason(read_bytes(b"caf\xe9 au lait")).contains("UTF-8"));
        assert!(reason(read_bytes(b"  \n\t ")).contains("empty"));
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
