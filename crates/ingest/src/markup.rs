//! Bounds on a page's markup, applied in one linear pass before it is parsed.
//!
//! html5ever's cost is quadratic in two things a hostile or broken page can have in any number
//! within the size limit: attributes on one element (each new one is compared with those before
//! it, to drop duplicates) and the depth of the tree (each start tag looks for an open `<p>` or
//! `<button>` through the stack of open elements). A 1.2 MB page with 100k attributes on one
//! element, or 100k nested `<div>`s, took seconds to minutes. So before parsing:
//!
//! - an element keeps its first [`MAX_ATTRIBUTES`] attributes;
//! - elements opened deeper than [`MAX_DEPTH`] lose their tags (not their text), as browsers
//!   flatten such trees.
//!
//! What was cut is counted and reported ([`Cuts::warnings`]), so the article says so.

use std::borrow::Cow;

/// Attributes kept per element. Real elements carry tens (`id`, `class`, `data-*`, ARIA, the
/// metadata a page has); a few hundred bound html5ever's duplicate check to a few thousand
/// comparisons per element.
pub const MAX_ATTRIBUTES: usize = 256;

/// Elements kept on the path from the root: Blink's HTML parser stops nesting at this depth
/// (`kMaximumHTMLParserDOMTreeDepth` = 512 in Chromium's `html_construction_site`).
pub const MAX_DEPTH: usize = 512;

/// What [`bound`] cut from a page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cuts {
    /// Attributes dropped beyond [`MAX_ATTRIBUTES`], and on how many elements.
    pub attributes: usize,
    /// Elements that had more than [`MAX_ATTRIBUTES`] attributes.
    pub crowded_elements: usize,
    /// Start and end tags dropped beyond [`MAX_DEPTH`].
    pub deep_tags: usize,
}

impl Cuts {
    /// The cuts as the article's warnings (none when nothing was cut).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.attributes > 0 {
            out.push(format!(
                "markup truncated: {} attributes dropped from {} element(s) that had more than {MAX_ATTRIBUTES}",
                self.attributes, self.crowded_elements
            ));
        }
        if self.deep_tags > 0 {
            out.push(format!(
                "markup truncated: {} tags nested deeper than {MAX_DEPTH} elements dropped (their text kept)",
                self.deep_tags
            ));
        }
        out
    }
}

/// Elements without content (no end tag), which do not deepen the tree.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "frame", "basefont", "bgsound",
];

/// Elements a later sibling closes implicitly (`<p>a<p>b` is two paragraphs, not nested ones)
/// and the document's own: not counted, so a page of unclosed paragraphs is not "deep".
const IMPLIED_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// The page with its markup bounded, and what was cut. Linear in the page's length; the page
/// is returned as it is when nothing is cut.
pub fn bound(html: &str) -> (Cow<'_, str>, Cuts) {
    let b = html.as_bytes();
    let mut cuts = Cuts::default();
    // Byte ranges to leave out, in order.
    let mut cut: Vec<(usize, usize)> = Vec::new();
    // Open elements counted towards the depth, by name, and tags dropped but not yet closed.
    let mut open: std::collections::HashMap<String, usize> = Default::default();
    let mut depth = 0usize;
    let mut dropped: std::collections::HashMap<String, usize> = Default::default();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + at;
        i = lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut j = name_start;
        while j < b.len() && !matches!(b[j], b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'/' | b'>') {
            j += 1;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        // Attributes, to the end of the tag.
        let mut count = 0;
        let mut over_from = None;
        loop {
            while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let attr_start = j;
            j += 1; // An attribute name may start with `=`.
            while j < b.len()
                && !matches!(
                    b[j],
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'/' | b'>' | b'='
                )
            {
                j += 1;
            }
            let mut k = j;
            while k < b.len() && matches!(b[k], b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                k += 1;
            }
            if b.get(k) == Some(&b'=') {
                k += 1;
                while k < b.len() && matches!(b[k], b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                    k += 1;
                }
                match b.get(k) {
                    Some(&q @ (b'"' | b'\'')) => {
                        k = memchr::memchr(q, &b[k + 1..]).map_or(b.len(), |e| k + 1 + e + 1);
                    }
                    _ => {
                        while k < b.len()
                            && !matches!(b[k], b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'>')
                        {
                            k += 1;
                        }
                    }
                }
                j = k;
            }
            count += 1;
            if count == MAX_ATTRIBUTES + 1 {
                over_from = Some(attr_start);
            }
        }
        // `<path/>`: self-closing in SVG and MathML (in HTML the slash is ignored, so counting
        // it as closed can only under-count depth, never cut a real page).
        let self_closing = j < b.len() && b[j - 1] == b'/';
        let end = (j + 1).min(b.len());
        if closing {
            if let Some(n) = dropped.get_mut(&name).filter(|n| **n > 0) {
                *n -= 1;
                cuts.deep_tags += 1;
                cut.push((lt, end));
            } else if let Some(n) = open.get_mut(&name).filter(|n| **n > 0) {
                *n -= 1;
                depth -= 1;
            }
            i = end;
            continue;
        }
        if let Some(from) = over_from {
            cuts.attributes += count - MAX_ATTRIBUTES;
            cuts.crowded_elements += 1;
            cut.push((from, j));
        }
        i = end;
        let name_str = name.as_str();
        if RAW_TEXT.contains(&name_str) {
            // Its text runs to its end tag; `<` inside is not markup.
            let close = format!("</{name_str}");
            i = find_ignore_case(b, i, close.as_bytes()).unwrap_or(b.len());
        }
        if self_closing || VOID.contains(&name_str) || IMPLIED_END.contains(&name_str) {
            continue;
        }
        if depth >= MAX_DEPTH {
            if over_from.is_some() {
                // The whole tag goes: forget the attribute cut inside it.
                cut.pop();
            }
            *dropped.entry(name).or_default() += 1;
            cuts.deep_tags += 1;
            cut.push((lt, end));
        } else {
            *open.entry(name).or_default() += 1;
            depth += 1;
        }
    }
    if cut.is_empty() {
        return (Cow::Borrowed(html), cuts);
    }
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for (start, end) in cut {
        out.push_str(&html[from..start]);
        from = end;
    }
    out.push_str(&html[from..]);
    (Cow::Owned(out), cuts)
}

/// Where `needle` next occurs in `b` from `from`.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&b[from.min(b.len())..], needle).map(|at| from + at)
}

/// Where `needle` (lower-case ASCII) next occurs in `b` from `from`, in any case.
fn find_ignore_case(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(at) = memchr::memchr(b'<', &b[i.min(b.len())..]) {
        let at = i + at;
        if b.len() - at >= needle.len() && b[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_page_is_left_as_it_is() {
        let page = "<!doctype html><html><head><title>a < b</title><script>if (a<b) x()</script>\
                    </head><body><p>one<p>two<div class=x id=y><br><img src=a.png></div></body></html>";
        let (out, cuts) = bound(page);
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(cuts, Cuts::default());
        assert!(cuts.warnings().is_empty());
    }

    #[test]
    fn attributes_beyond_the_bound_are_dropped_and_counted() {
        let attrs: String = (0..1000).map(|i| format!(" a{i}=\"v>{i}\"")).collect();
        let page = format!("<div{attrs}>text</div>");
        let (out, cuts) = bound(&page);
        assert_eq!(cuts.attributes, 1000 - MAX_ATTRIBUTES);
        assert_eq!(cuts.crowded_elements, 1);
        let last_kept = format!(" a{}=\"v>{}\"", MAX_ATTRIBUTES - 1, MAX_ATTRIBUTES - 1);
        assert!(out.contains(&last_kept), "{out}");
        assert!(out.ends_with(">text</div>"), "{out}");
        assert!(!out.contains(&format!(" a{MAX_ATTRIBUTES}=")));
    }

    #[test]
    fn tags_beyond_the_depth_bound_are_dropped_with_their_text_kept() {
        let n = MAX_DEPTH + 100;
        let page = format!("{}deep text{}", "<div>".repeat(n), "</div>".repeat(n));
        let (out, cuts) = bound(&page);
        assert_eq!(cuts.deep_tags, 200);
        assert_eq!(
            out,
            format!(
                "{}deep text{}",
                "<div>".repeat(MAX_DEPTH),
                "</div>".repeat(MAX_DEPTH)
            )
        );
        assert!(cuts.warnings()[0].contains("200 tags"));
    }

    #[test]
    fn self_closed_svg_elements_are_not_depth() {
        let page = format!(
            "<div><svg>{}</svg><p>text</p></div>",
            "<path d=\"M0 0\"/><use href=#i />".repeat(2 * MAX_DEPTH)
        );
        let (out, cuts) = bound(&page);
        assert_eq!(cuts, Cuts::default());
        assert_eq!(out, page);
    }

    #[test]
    fn unclosed_paragraphs_and_list_items_are_not_depth() {
        let page = "<ul>".to_string() + &"<li><p>item".repeat(3 * MAX_DEPTH) + "</ul>";
        let (out, cuts) = bound(&page);
        assert_eq!(cuts, Cuts::default());
        assert_eq!(out, page);
    }
}
