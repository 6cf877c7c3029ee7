//! Main-content extraction: the article body of a news page, without menus, share bars,
//! related-article blocks, comments, captions or footers, in English, Arabic or any other
//! language.
//!
//! How it decides (readability's paragraph scoring, with trafilatura's habit of trusting the
//! containers publishers mark as the article body):
//!
//! 1. Parse with html5ever (what browsers do with broken markup). Drop subtrees that are never
//!    article text: scripts, styles, form controls, `nav`/`aside`/`footer`/`header`, figures
//!    and captions, the `h1` headline, hidden elements, and elements whose `class`/`id` words
//!    name boilerplate (share, social, related, comment, newsletter, promo, byline, tags …).
//!    Names are split into words (`socialShare`, `PageBuilder-pageRow`), layout words (sidebar,
//!    rail, header …) count only without a content word beside them, and a boilerplate-named
//!    element is kept when it holds 40% of the page's text, the marked body or a quoted post.
//! 2. One pass over the tree counts, for every element, its text, its link text and its commas
//!    (Latin and Arabic). Every paragraph (a `p`, `pre`, or a `div`/`td`/`font` holding only
//!    inline content and `<br>`s) of 25+ characters scores 1 + commas + length/100 (at most 3)
//!    and gives that score to its container (a bare-text `div`/`td` is its own), half to the
//!    next ancestor and a third to the one above; containers start with a bonus or penalty from
//!    their tag and names, and end scaled by 1 − link density.
//! 3. Containers the page marks as the body (`itemprop="articleBody"`, `article-body`,
//!    `story-body`, `entry-content` …; the innermost when one holds 80% of another's text) win
//!    when they hold a fair share of the best candidate's text; otherwise the best-scoring
//!    container wins, joined by siblings that score close to it (bodies split over `div`s).
//! 4. The winner is rendered block by block; a block that is mostly link text (related
//!    headlines), a bold first-line headline, a line that is only a date, or a known
//!    boilerplate line ("Advertisement", "Read more", "اقرأ أيضاً", "شارك", "تابعونا") is left
//!    out.
//!
//! Measured with [`evaluate`] against the article-extraction benchmark: see docs/inputs.md.

pub mod evaluate;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};
use std::collections::{HashMap, HashSet};

/// The extracted main content of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// Paragraphs joined by blank lines.
    pub text: String,
    /// How many paragraphs.
    pub paragraphs: usize,
    /// Which rule chose the content: `"marked-body"`, `"scored"`, or `"whole-body"`.
    pub strategy: &'static str,
}

/// Extracts the main content of a parsed page.
pub fn extract(html: &Html) -> Extracted {
    let root = html.tree.root();
    let classes = classify(root);
    let reason = |node: NodeRef<Node>| classes.get(&node.id()).and_then(|c| c.reason);
    // First pass: only tags and hidden elements are dropped. A boilerplate-named element that
    // holds 40% of the page's text, or the marked article body, is a layout wrapper
    // (`content-with-sidebar`, `rail-wrapper`), not a share bar: it is kept.
    let raw = measure(root, &classes, &|node, _| {
        reason(node).is_some_and(|r| r != "name")
    });
    let page_text = body_of(root)
        .and_then(|b| raw.get(&b.id()))
        .map_or(0, |s| s.text);
    let protected: HashSet<NodeId> = raw
        .iter()
        .filter(|(_, s)| s.marked || s.quotes || s.text * 10 >= page_text * 4)
        .map(|(id, _)| *id)
        .collect();
    let dropped = |node: NodeRef<Node>, _: &scraper::node::Element| match reason(node) {
        Some("name") => !protected.contains(&node.id()),
        Some(_) => true,
        None => false,
    };
    let stats = measure(root, &classes, &dropped);
    let containers = choose(root, &stats, &classes);
    let (strategy, nodes) = match containers {
        Some(chosen) => chosen,
        None => ("whole-body", vec![body_of(root).unwrap_or(root).id()]),
    };
    let mut blocks = Vec::new();
    for id in nodes {
        if let Some(node) = html.tree.get(id) {
            render(node, &dropped, &mut blocks);
        }
    }
    let blocks = clean_blocks(blocks);
    Extracted {
        paragraphs: blocks.len(),
        text: blocks.join("\n\n"),
        strategy,
    }
}

/// The text of an HTML fragment (a feed item's description), block by block, with scripts,
/// styles and hidden elements left out but no boilerplate scoring: a feed item is all content.
pub fn fragment_text(source: &str) -> String {
    if !source.contains('<') && !source.contains('&') {
        return source.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let fragment = Html::parse_fragment(source);
    let mut blocks = Vec::new();
    render(
        fragment.tree.root(),
        &|_, el| matches!(drop_reason(el), Some("tag" | "hidden")),
        &mut blocks,
    );
    // Feed texts end with "Read more" links and "The post … appeared first on …" lines: keep
    // every other block, links and all (aggregator descriptions are lists of links).
    blocks
        .into_iter()
        .filter(|b| !boilerplate_line(&b.text))
        .map(|b| b.text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Extracts the main content of an HTML string.
pub fn extract_html(source: &str) -> Extracted {
    extract(&Html::parse_document(source))
}

// ---------------------------------------------------------------------------------------------
// What is never content.

/// Elements whose whole subtree is never article text.
fn dropped_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "svg"
            | "canvas"
            | "button"
            | "select"
            | "option"
            | "input"
            | "textarea"
            | "label"
            | "nav"
            | "footer"
            | "aside"
            | "header"
            | "figure"
            | "figcaption"
            | "menu"
            | "dialog"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "picture"
            | "img"
            | "math"
            | "head"
            | "title"
            | "h1"
    )
}

/// Block-level elements: each starts a new paragraph when rendered.
fn block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "blockquote"
            | "pre"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "address"
            | "center"
            | "form"
            | "fieldset"
            | "body"
            | "html"
    )
}

/// `class`/`id` words that name boilerplate. Names are split into words at non-alphanumerics and
/// camelCase humps (`socialShare` → social, share; `PageBuilder-pageRow` → page, builder, page,
/// row), so `pager` does not match `pageRow` and `ad` does not match `header`.
const BOILERPLATE_WORDS: &[&str] = &[
    "share",
    "shares",
    "sharing",
    "sharebar",
    "sharetools",
    "social",
    "socials",
    "related",
    "comment",
    "comments",
    "newsletter",
    "newsletters",
    "subscribe",
    "subscription",
    "signup",
    "promo",
    "promos",
    "promotion",
    "promoted",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "masthead",
    "navbar",
    "navigation",
    "nav",
    "menu",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "popup",
    "modal",
    "outbrain",
    "taboola",
    "recirc",
    "recirculation",
    "trending",
    "mostread",
    "mostpopular",
    "popular",
    "recommended",
    "recommendations",
    "readmore",
    "seealso",
    "alsoread",
    "caption",
    "captions",
    "credit",
    "credits",
    "byline",
    "bylines",
    "toolbar",
    "tools",
    "paywall",
    "banner",
    "sponsor",
    "sponsored",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adv",
    "advertising",
    "dfp",
    "pagination",
    "pager",
    "skip",
    "screenreader",
    "sronly",
    "visuallyhidden",
    "tags",
    "tag",
    "topics",
    "keywords",
    "timestamp",
    "disclaimer",
    "copyright",
    "widget",
    "widgets",
    "rail",
    "teaser",
    "teasers",
    "jump",
    "print",
    "header",
    "embed",
    "author",
    "authors",
    "bio",
    "subscribe",
    "donate",
    "inline",
    "upsell",
    "signin",
    "login",
    "rss",
    "follow",
    "newsfeed",
    "ticker",
];

/// Splits `class`/`id` names into lowercase words (see [`BOILERPLATE_WORDS`]); whole pieces
/// (`mostread`) are kept too.
pub(crate) fn name_words(raw: &str) -> Vec<String> {
    let mut words = Vec::new();
    for piece in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        if piece.is_empty() {
            continue;
        }
        let mut word = String::new();
        let mut prev_lower = false;
        for c in piece.chars() {
            if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c.to_ascii_lowercase());
        }
        let whole = piece.to_ascii_lowercase();
        if word != whole {
            words.push(whole);
        }
        words.push(word);
    }
    words
}

/// `class`/`id` fragments that name the article body: such an element is never dropped for a
/// boilerplate name it also carries (`article-related` is dropped, `article-body` is not).
const BODY_NAMES: &[&str] = &[
    "articlebody",
    "article-body",
    "article_body",
    "article__body",
    "articletext",
    "article-text",
    "article_text",
    "article-content",
    "article_content",
    "articlecontent",
    "article__content",
    "story-body",
    "storybody",
    "story_body",
    "story-text",
    "story-content",
    "storycontent",
    "entry-content",
    "post-content",
    "post-body",
    "post_body",
    "post_content",
    "postbody",
    "body-text",
    "bodytext",
    "text-body",
    "content-body",
    "main-content",
    "article-main",
    "news-text",
    "news-body",
    "news_body",
    "newsbody",
    "detail-text",
    "details-body",
    "article-details",
    "field-body",
    "rich-text",
    "richtext",
];

/// The element's `id` and `class`, as written.
fn raw_names(el: &scraper::node::Element) -> String {
    let mut s = String::new();
    if let Some(id) = el.attr("id") {
        s.push_str(id);
        s.push(' ');
    }
    if let Some(class) = el.attr("class") {
        s.push_str(class);
    }
    s
}

fn names(el: &scraper::node::Element) -> String {
    raw_names(el).to_ascii_lowercase()
}

fn names_body(names: &str) -> bool {
    // Every body name holds one of these stems: test them first, most names have none.
    [
        "body", "text", "content", "article", "story", "main", "detail",
    ]
    .iter()
    .any(|stem| names.contains(stem))
        && BODY_NAMES.iter().any(|n| names.contains(n))
}

/// [`BOILERPLATE_WORDS`] as a set: every element's every name word is looked up.
fn boilerplate_words() -> &'static HashSet<&'static str> {
    static SET: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| BOILERPLATE_WORDS.iter().copied().collect())
}

fn boilerplate_named(el: &scraper::node::Element) -> bool {
    let raw = raw_names(el);
    if raw.is_empty() || names_body(&raw.to_ascii_lowercase()) {
        return false;
    }
    let words = name_words(&raw);
    let layout_ok = words.iter().any(|w| CONTENT_WORDS.contains(&w.as_str()));
    words.iter().any(|w| {
        boilerplate_words().contains(w.as_str())
            && !(layout_ok && LAYOUT_WORDS.contains(&w.as_str()))
    })
}

/// Boilerplate words that also name page layout: `content-with-sidebar`, `rail__body` and
/// `article-header-wrapper` hold the article, so these count only without a [`CONTENT_WORDS`]
/// word beside them (readability's "maybe a candidate" rule). The others (share, related,
/// comment …) drop the element whatever else it is called.
const LAYOUT_WORDS: &[&str] = &[
    "sidebar", "rail", "header", "masthead", "footer", "widget", "widgets", "banner", "teaser",
    "teasers", "inline", "jump", "print", "embed", "toolbar", "tools", "hidden", "pager",
];

/// Words that say an element holds the content.
pub(crate) const CONTENT_WORDS: &[&str] = &[
    "content", "article", "story", "main", "body", "post", "entry", "text", "column",
];

fn hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    match el.attr("style") {
        Some(style) => {
            let style: String = style
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            style.contains("display:none") || style.contains("visibility:hidden")
        }
        None => false,
    }
}

/// Decides whether an element (and its subtree) is left out.
type Dropper<'a> = dyn Fn(NodeRef<Node>, &scraper::node::Element) -> bool + 'a;

/// Why an element and its subtree are left out of the content, if they are: `"tag"`,
/// `"hidden"` or `"name"` (its `class`/`id` names boilerplate).
pub fn drop_reason(el: &scraper::node::Element) -> Option<&'static str> {
    let name = el.name();
    if dropped_tag(name) {
        return Some("tag");
    }
    if hidden(el) {
        return Some("hidden");
    }
    if matches!(name, "html" | "body" | "main" | "article") {
        return None;
    }
    boilerplate_named(el).then_some("name")
}

// ---------------------------------------------------------------------------------------------
// Measuring.

#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    /// Characters of visible text (whitespace runs count as one).
    text: usize,
    /// Of which inside links.
    links: usize,
    /// Commas, Latin and Arabic.
    commas: usize,
    /// Paragraph-like: a `p`/`pre`, or a `div`/`section`/`td` without block children.
    paragraph: bool,
    /// It, or an element inside it, is marked as the article body.
    marked: bool,
    /// It holds a `blockquote`: an embedded post quoted by the story (tweets quoted in news
    /// are statements), kept even inside a `social-media-embed` wrapper.
    quotes: bool,
}

struct Frame {
    id: NodeId,
    stats: Stats,
    has_block_child: bool,
}

/// One pass over the tree: text, link text and commas of every element not dropped.
/// What an element's tag and names say, computed once per page.
#[derive(Debug, Clone, Copy, Default)]
struct Class {
    /// Why it is dropped, if it is (see [`drop_reason`]).
    reason: Option<&'static str>,
    /// Marked as the article body.
    marked: bool,
}

/// Classes of the elements that have one (most have none and are not stored).
fn classify(root: NodeRef<Node>) -> HashMap<NodeId, Class> {
    let mut out = HashMap::new();
    for node in root.descendants() {
        if let Some(el) = element(node) {
            let class = Class {
                reason: drop_reason(el),
                marked: marked_body(el),
            };
            if class.reason.is_some() || class.marked {
                out.insert(node.id(), class);
            }
        }
    }
    out
}

fn measure(
    root: NodeRef<Node>,
    classes: &HashMap<NodeId, Class>,
    dropped: &Dropper,
) -> HashMap<NodeId, Stats> {
    let mut out = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut skipping: Option<NodeId> = None;
    let mut last_space = true;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        if dropped(node, el) {
                            skipping = Some(node.id());
                            continue;
                        }
                        if block_tag(el.name()) {
                            last_space = true;
                        }
                        stack.push(Frame {
                            id: node.id(),
                            stats: Stats::default(),
                            has_block_child: false,
                        });
                    }
                    Node::Text(text) => {
                        if let Some(frame) = stack.last_mut() {
                            let (chars, commas) = count_text(text, &mut last_space);
                            frame.stats.text += chars;
                            frame.stats.commas += commas;
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(skip) = skipping {
                    if skip == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                let Node::Element(el) = node.value() else {
                    continue;
                };
                let Some(mut frame) = stack.pop() else {
                    continue;
                };
                let name = el.name();
                if name == "a" {
                    frame.stats.links = frame.stats.text;
                }
                frame.stats.paragraph = match name {
                    "p" | "pre" => true,
                    "div" | "section" | "td" | "font" | "center" => !frame.has_block_child,
                    _ => false,
                };
                frame.stats.marked |= classes.get(&frame.id).is_some_and(|c| c.marked);
                frame.stats.quotes |= name == "blockquote";
                if let Some(parent) = stack.last_mut() {
                    parent.stats.marked |= frame.stats.marked;
                    parent.stats.quotes |= frame.stats.quotes;
                    parent.stats.text += frame.stats.text;
                    parent.stats.links += frame.stats.links;
                    parent.stats.commas += frame.stats.commas;
                    if block_tag(name) {
                        parent.has_block_child = true;
                    }
                }
                out.insert(frame.id, frame.stats);
            }
        }
    }
    out
}

/// Visible characters of a text node (whitespace runs as one) and its commas.
fn count_text(text: &str, last_space: &mut bool) -> (usize, usize) {
    let mut chars = 0;
    let mut commas = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            if !*last_space {
                chars += 1;
                *last_space = true;
            }
        } else {
            chars += 1;
            *last_space = false;
            if matches!(c, ',' | '،' | '、' | '，') {
                commas += 1;
            }
        }
    }
    (chars, commas)
}

fn link_density(s: &Stats) -> f64 {
    if s.text == 0 {
        0.0
    } else {
        s.links as f64 / s.text as f64
    }
}

// ---------------------------------------------------------------------------------------------
// Choosing.

fn element(node: NodeRef<'_, Node>) -> Option<&'_ scraper::node::Element> {
    match node.value() {
        Node::Element(el) => Some(el),
        _ => None,
    }
}

fn body_of(root: NodeRef<Node>) -> Option<NodeRef<Node>> {
    root.descendants()
        .find(|n| element(*n).is_some_and(|el| el.name() == "body"))
}

/// Starting score of a container from its tag and names.
fn initial_score(el: &scraper::node::Element) -> f64 {
    let tag = match el.name() {
        "article" => 10.0,
        "div" | "main" => 5.0,
        "section" => 3.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    let names = names(el);
    let class = if names_body(&names) {
        25.0
    } else if names.contains("content") || names.contains("article") || names.contains("story") {
        10.0
    } else {
        0.0
    };
    tag + class
}

/// Chooses the content containers, in document order, with the rule that chose them.
fn choose(
    root: NodeRef<Node>,
    stats: &HashMap<NodeId, Stats>,
    classes: &HashMap<NodeId, Class>,
) -> Option<(&'static str, Vec<NodeId>)> {
    // Readability scoring.
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    for node in root.descendants() {
        let Some(s) = stats.get(&node.id()) else {
            continue;
        };
        if !s.paragraph || s.text < 25 {
            continue;
        }
        let score = 1.0 + s.commas as f64 + (s.text as f64 / 100.0).min(3.0);
        // A `p` scores its container; a `div`/`td` of bare text split by `<br>` (old table
        // layouts) is itself a container.
        let own = element(node).is_some_and(|el| !matches!(el.name(), "p" | "pre"));
        let climb: Vec<NodeRef<Node>> = if own {
            std::iter::once(node)
                .chain(node.ancestors())
                .take(3)
                .collect()
        } else {
            node.ancestors().take(3).collect()
        };
        for (level, ancestor) in climb.into_iter().enumerate() {
            let Some(el) = element(ancestor) else {
                break;
            };
            if el.name() == "html" {
                break;
            }
            let entry = scores
                .entry(ancestor.id())
                .or_insert_with(|| initial_score(el));
            *entry += score
                / match level {
                    0 => 1.0,
                    1 => 2.0,
                    _ => 3.0,
                };
        }
    }
    // In document order, so ties resolve the same way on every run.
    let scored: Vec<(NodeId, f64)> = root
        .descendants()
        .filter_map(|n| scores.get(&n.id()).map(|&score| (n.id(), score)))
        .map(|(id, score)| {
            let ld = stats.get(&id).map(link_density).unwrap_or(0.0);
            (id, score * (1.0 - ld))
        })
        .collect();
    let top = scored.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));

    // Containers the page marks as the body, outermost only.
    let marked = marked_bodies(root, stats, classes);
    let marked_text: usize = marked
        .iter()
        .filter_map(|id| stats.get(id))
        .map(|s| s.text - s.links)
        .sum();
    if let Some((top_id, _)) = top {
        let top_stats = stats.get(&top_id).copied().unwrap_or_default();
        let top_text = top_stats.text - top_stats.links;
        if !marked.is_empty() && marked_text * 2 >= top_text && marked_text >= 200 {
            return Some(("marked-body", marked));
        }
        let tree = root.tree();
        let top_node = tree.get(top_id)?;
        let top_score = scored
            .iter()
            .find(|(id, _)| *id == top_id)
            .map(|x| x.1)
            .unwrap_or(0.0);
        let score_of: HashMap<NodeId, f64> = scored.into_iter().collect();
        let Some(parent) = top_node.parent() else {
            return Some(("scored", vec![top_id]));
        };
        let threshold = (top_score * 0.2).max(10.0);
        let top_class = element(top_node).and_then(|el| el.attr("class"));
        let mut chosen = Vec::new();
        for sibling in parent.children() {
            if sibling.id() == top_id {
                chosen.push(top_id);
                continue;
            }
            let Some(el) = element(sibling) else {
                continue;
            };
            let Some(s) = stats.get(&sibling.id()) else {
                continue;
            };
            let mut score = score_of.get(&sibling.id()).copied().unwrap_or(0.0);
            if top_class.is_some() && el.attr("class") == top_class {
                score += top_score * 0.2;
            }
            let ld = link_density(s);
            let keep = score >= threshold
                || (el.name() == "p" && s.text > 80 && ld < 0.25)
                || (el.name() == "p" && s.text > 0 && ld == 0.0 && s.commas > 0);
            if keep {
                chosen.push(sibling.id());
            }
        }
        return Some(("scored", chosen));
    }
    if !marked.is_empty() {
        return Some(("marked-body", marked));
    }
    None
}

/// Whether the page marks this element as the article body.
fn marked_body(el: &scraper::node::Element) -> bool {
    el.attr("itemprop") == Some("articleBody")
        || (!matches!(el.name(), "body" | "html") && names_body(&names(el)))
}

/// The containers the page marks as the body: the outermost marked elements, each replaced by
/// the marked elements inside it when those hold 80% of its text (`main-content` around
/// `article-body`: the more specific mark wins, the rest of the main column stays out).
fn marked_bodies(
    root: NodeRef<Node>,
    stats: &HashMap<NodeId, Stats>,
    classes: &HashMap<NodeId, Class>,
) -> Vec<NodeId> {
    let own_text = |id: &NodeId| stats.get(id).map_or(0, |s| s.text - s.links);
    let mut chosen = outermost_marked(root, false, stats, classes);
    for _ in 0..4 {
        let mut refined = Vec::with_capacity(chosen.len());
        let mut changed = false;
        for id in &chosen {
            let Some(node) = root.tree().get(*id) else {
                continue;
            };
            let inner = outermost_marked(node, true, stats, classes);
            let inner_text: usize = inner.iter().map(own_text).sum();
            if !inner.is_empty() && inner_text * 10 >= own_text(id) * 8 {
                refined.extend(inner);
                changed = true;
            } else {
                refined.push(*id);
            }
        }
        chosen = refined;
        if !changed {
            break;
        }
    }
    chosen
}

/// Marked elements under `root` (or `root` itself unless `below`) not inside another one.
fn outermost_marked(
    root: NodeRef<Node>,
    below: bool,
    stats: &HashMap<NodeId, Stats>,
    classes: &HashMap<NodeId, Class>,
) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut inside: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if inside.is_some() || (below && node.id() == root.id()) {
                    continue;
                }
                if !stats.contains_key(&node.id()) {
                    continue;
                }
                if classes.get(&node.id()).is_some_and(|c| c.marked) {
                    inside = Some(node.id());
                    out.push(node.id());
                }
            }
            Edge::Close(node) => {
                if inside == Some(node.id()) {
                    inside = None;
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Rendering.

struct Block {
    text: String,
    links: usize,
    chars: usize,
    /// Characters inside `b`/`strong`.
    bold: usize,
    heading: bool,
}

fn render(container: NodeRef<Node>, dropped: &Dropper, blocks: &mut Vec<Block>) {
    let mut current = Block {
        text: String::new(),
        links: 0,
        chars: 0,
        bold: 0,
        heading: false,
    };
    let mut in_bold = 0usize;
    let mut skipping: Option<NodeId> = None;
    let mut in_link = 0usize;
    let flush = |current: &mut Block, blocks: &mut Vec<Block>| {
        let text = current.text.trim();
        if !text.is_empty() {
            blocks.push(Block {
                text: text.to_string(),
                links: current.links,
                chars: current.chars,
                bold: current.bold,
                heading: current.heading,
            });
        }
        current.text.clear();
        current.links = 0;
        current.chars = 0;
        current.bold = 0;
        current.heading = false;
    };
    for edge in container.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        if node.id() != container.id() && dropped(node, el) {
                            skipping = Some(node.id());
                            continue;
                        }
                        let name = el.name();
                        if block_tag(name) || name == "br" {
                            flush(&mut current, blocks);
                        }
                        if matches!(name, "h2" | "h3" | "h4" | "h5" | "h6") {
                            current.heading = true;
                        }
                        if name == "a" {
                            in_link += 1;
                        }
                        if matches!(name, "b" | "strong") {
                            in_bold += 1;
                        }
                    }
                    Node::Text(text) => {
                        for c in text.chars() {
                            if c.is_whitespace() {
                                if !current.text.is_empty() && !current.text.ends_with(' ') {
                                    current.text.push(' ');
                                }
                            } else {
                                current.text.push(c);
                                current.chars += 1;
                                if in_link > 0 {
                                    current.links += 1;
                                }
                                if in_bold > 0 {
                                    current.bold += 1;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(skip) = skipping {
                    if skip == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if name == "a" {
                        in_link = in_link.saturating_sub(1);
                    }
                    if matches!(name, "b" | "strong") {
                        in_bold = in_bold.saturating_sub(1);
                    }
                    if block_tag(name) {
                        flush(&mut current, blocks);
                    }
                }
            }
        }
    }
    flush(&mut current, blocks);
}

/// Openings of lines that are page furniture, not reporting, in the languages khabar reads
/// first. A line of at most 120 characters that starts with one of these is left out.
const BOILERPLATE_LINES: &[&str] = &[
    "read more",
    "read also",
    "also read",
    "read next",
    "continue reading",
    "related:",
    "related articles",
    "related stories",
    "related coverage",
    "more:",
    "share this",
    "share on",
    "sign up for",
    "subscribe to",
    "follow us",
    "click here",
    "you may also like",
    "don't miss",
    "watch:",
    "listen:",
    "recommended:",
    "updated at",
    "updated:",
    "last updated",
    "published:",
    "this slideshow requires javascript",
    "getty images",
    "image:",
    "photo:",
    "(photo",
    "اقرأ أيضا",
    "اقرأ أيضًا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "إقرأ أيضًا",
    "إقرأ أيضاً",
    "اقرأ ايضا",
    "اقرأ المزيد",
    "إقرأ المزيد",
    "طالع أيضا",
    "طالع أيضاً",
    "شاهد أيضا",
    "شاهد أيضاً",
    "تابع أيضا",
    "تابع أيضاً",
    "يهمك أيضا",
    "يهمك أيضاً",
    "اقرأ كذلك",
    "مواضيع قد تهمك",
    "قد يهمك",
    "قد يعجبك",
    "المزيد من الأخبار",
    "للمزيد من الأخبار",
    "اضغط هنا",
    "انقر هنا",
    "شارك الخبر",
    "شارك المقال",
    "شارك على",
    "تابعونا",
    "تابعوا",
    "اشترك في",
    "اشترك الآن",
    "مواضيع ذات صلة",
    "أخبار ذات صلة",
    "اخبار ذات صلة",
    "مقالات ذات صلة",
    "الأكثر قراءة",
    "الاكثر قراءة",
    "حمّل تطبيق",
    "حمل تطبيق",
    "آخر تحديث",
    "اخر تحديث",
    "تاريخ النشر",
    "تاريخ التحديث",
];

/// Whole lines (punctuation aside) that are page furniture.
const BOILERPLATE_WHOLE_LINES: &[&str] = &[
    "advertisement",
    "advert",
    "advertising",
    "ad",
    "sponsored",
    "sponsored content",
    "comments",
    "share",
    "tweet",
    "email",
    "print",
    "tell us what you think",
    "إعلان",
    "اعلان",
    "شارك",
    "مشاركة",
    "طباعة",
    "تعليقات",
    "التعليقات",
];

/// Month names, so a line that is only a date ("November 19, 2019", "الجمعة 3 نوفمبر 2023")
/// can be told from a sentence.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ابريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "اغسطس",
    "سبتمبر",
    "أكتوبر",
    "اكتوبر",
    "نوفمبر",
    "ديسمبر",
    "كانون",
    "شباط",
    "آذار",
    "اذار",
    "نيسان",
    "أيار",
    "ايار",
    "حزيران",
    "تموز",
    "آب",
    "اب",
    "أيلول",
    "ايلول",
    "تشرين",
    "محرم",
    "صفر",
    "ربيع",
    "جمادى",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو",
    "القعدة",
    "الحجة",
];

/// A short line that is nothing but a date (and maybe a weekday and a time).
fn date_line(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 12 {
        return false;
    }
    let year = words.iter().any(|w| {
        w.len() == 4
            && w.chars().all(|c| c.is_ascii_digit())
            && (w.starts_with("19") || w.starts_with("20"))
    });
    let month = words.iter().filter(|w| MONTHS.contains(w)).count();
    let other = words
        .iter()
        .filter(|w| {
            !MONTHS.contains(w)
                && !w
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('٠'..='٩').contains(&c))
                && !matches!(
                    **w,
                    "am" | "pm"
                        | "a"
                        | "m"
                        | "p"
                        | "gmt"
                        | "utc"
                        | "et"
                        | "est"
                        | "edt"
                        | "updated"
                        | "published"
                        | "posted"
                        | "on"
                        | "at"
                        | "monday"
                        | "tuesday"
                        | "wednesday"
                        | "thursday"
                        | "friday"
                        | "saturday"
                        | "sunday"
                        | "mon"
                        | "tue"
                        | "wed"
                        | "thu"
                        | "fri"
                        | "sat"
                        | "sun"
                        | "الأحد"
                        | "الاثنين"
                        | "الإثنين"
                        | "الثلاثاء"
                        | "الأربعاء"
                        | "الاربعاء"
                        | "الخميس"
                        | "الجمعة"
                        | "السبت"
                        | "الأول"
                        | "الثاني"
                        | "الآخر"
                        | "الأولى"
                        | "الآخرة"
                        | "هـ"
                        | "ه"
                        | "ص"
                        | "م"
                        | "صباحا"
                        | "مساء"
                        | "مساءً"
                        | "صباحاً"
                )
        })
        .count();
    year && month >= 1 && other == 0
}

fn boilerplate_line(text: &str) -> bool {
    if text.chars().count() > 120 {
        return false;
    }
    let lower = text.to_lowercase();
    let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
    if BOILERPLATE_WHOLE_LINES.contains(&bare) {
        return true;
    }
    // WordPress feeds: "The post <title> appeared first on <site>."
    if lower.contains(" appeared first on ") {
        return true;
    }
    // WordPress shortcodes left in the text: `[button link=…]Send us…[/button]`.
    if lower.starts_with('[') && lower.contains("[/") {
        return true;
    }
    BOILERPLATE_LINES.iter().any(|p| lower.starts_with(p)) || date_line(&lower)
}

/// Whether a block reads as a headline set in bold (old layouts without `h1`): all bold, short,
/// no sentence-final punctuation.
fn bold_headline(b: &Block) -> bool {
    b.chars > 0
        && b.bold == b.chars
        && b.chars < 150
        && !b
            .text
            .trim_end()
            .ends_with(['.', '!', '?', '؟', '»', '"', ':', '”'])
}

fn clean_blocks(blocks: Vec<Block>) -> Vec<String> {
    blocks
        .into_iter()
        .enumerate()
        .filter(|(i, b)| {
            let ld = if b.chars == 0 {
                0.0
            } else {
                b.links as f64 / b.chars as f64
            };
            let linky = ld > 0.5;
            let headline = *i == 0 && bold_headline(b);
            !(linky || headline || boilerplate_line(&b.text) || (b.heading && b.chars < 2))
        })
        .map(|(_, b)| b.text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_lines_in_english_and_arabic() {
        for line in [
            "Advertisement",
            "ADVERT",
            "November 19, 2019",
            "Tuesday, Nov. 19, 2019 at 3:05 p.m. ET",
            "الجمعة 3 نوفمبر 2023",
            "3 تشرين الثاني 2023",
            "السبت 13 ربيع الآخر 1445 هـ - 28 أكتوبر 2023",
            "اقرأ أيضاً: وزراء الخارجية يجتمعون",
            "إعلان",
            "Updated at 1:23 p.m.",
            "[button link=\"x\"]Send us your review[/button]",
        ] {
            assert!(boilerplate_line(line), "{line}");
        }
        for line in [
            "Advertisers pulled out in May 2019, the company said.",
            "The talks began on November 19, 2019 in Moscow.",
            "وقال الوزير إن المحادثات بدأت في 3 نوفمبر 2023.",
            "Share prices fell.",
        ] {
            assert!(!boilerplate_line(line), "{line}");
        }
    }

    #[test]
    fn keeps_the_article_and_drops_furniture() {
        let page = r##"<html><body>
          <nav><a href="/">Home</a> <a href="/world">World</a></nav>
          <div class="share-bar"><a href="#">Share on Facebook</a></div>
          <article><h1>Ministers meet</h1>
            <div class="article-body">
              <p>The two foreign ministers met in Moscow on Friday, officials said, and discussed trade.</p>
              <p>Advertisement</p>
              <p>They agreed to meet again next year, according to a statement from the ministry.</p>
              <div class="related"><a href="/a">Another story entirely</a></div>
            </div>
          </article>
          <footer>Copyright 2023 Example News</footer>
        </body></html>"##;
        let out = extract_html(page);
        assert!(
            out.text.starts_with("The two foreign ministers"),
            "{}",
            out.text
        );
        assert!(out.text.contains("meet again next year"));
        for junk in [
            "Home",
            "Share",
            "Advertisement",
            "Another story",
            "Copyright",
            "Ministers meet",
        ] {
            assert!(!out.text.contains(junk), "{junk} in {}", out.text);
        }
        assert_eq!(out.paragraphs, 2);
    }

    #[test]
    fn the_innermost_marked_body_wins() {
        let para =
            "A sentence of reporting, with commas, and enough words to count as a paragraph.";
        let page = format!(
            "<html><body><div id=\"main-content\"><div class=\"article-body\"><p>{para}</p><p>{para}</p>\
             <p>{para}</p><p>{para}</p></div><div class=\"more\"><p>Elsewhere on the site, \
             a story about something else entirely.</p></div></div></body></html>"
        );
        let out = extract_html(&page);
        assert_eq!(out.strategy, "marked-body");
        assert_eq!(out.paragraphs, 4, "{}", out.text);
        assert!(!out.text.contains("Elsewhere"));
    }

    #[test]
    fn scores_unmarked_pages() {
        let para =
            "A sentence of reporting, with commas, and enough words to count as a paragraph.";
        let page = format!(
            "<html><body><div id=x><ul><li><a href=/1>Link one here</a></li><li><a href=/2>Link two here</a></li></ul></div>\
             <div id=y><p>{para}</p><p>{para}</p><p>{para}</p></div><div>Footer text</div></body></html>"
        );
        let out = extract_html(&page);
        assert_eq!(out.strategy, "scored");
        assert_eq!(out.paragraphs, 3);
        assert!(!out.text.contains("Link one"));
    }
}
