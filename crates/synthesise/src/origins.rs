//! Independent origins: which members are the same information under another name.
//!
//! A member's information is its outlet's own, or credited to a news agency (a credit line such
//! as "المصدر: تاس", a dateline such as "MOSCOW, Nov 3 (KUNA)", an RSS `<source>`, or an attribution
//! such as "according to RT"), or a near-identical copy of another member's body. Agreement is
//! then counted in origins: five outlets running one KUNA story are one confirmation, not five.

use khabar_core::{ArticleId, Doc, Origin};
use std::collections::BTreeMap;

/// News agencies and the outlets most often credited by others, with the names they go by in
/// both scripts. Source: each agency's own name and its usual Arabic and English credit forms as
/// printed in datelines and credit lines.
const AGENCIES: &[(&str, &[&str])] = &[
    (
        "KUNA",
        &[
            "KUNA",
            "Kuwait News Agency",
            "كونا",
            "وكالة الأنباء الكويتية",
        ],
    ),
    (
        "SPA",
        &["SPA", "Saudi Press Agency", "واس", "وكالة الأنباء السعودية"],
    ),
    ("WAM", &["WAM", "Emirates News Agency", "وام"]),
    ("QNA", &["QNA", "Qatar News Agency", "قنا"]),
    ("BNA", &["BNA", "Bahrain News Agency", "بنا"]),
    ("ONA", &["Oman News Agency", "العمانية"]),
    ("Petra", &["Petra", "بترا"]),
    (
        "MENA",
        &["MENA", "Middle East News Agency", "أ ش أ", "أ.ش.أ"],
    ),
    ("SANA", &["SANA", "سانا"]),
    (
        "AFP",
        &["AFP", "Agence France-Presse", "أ ف ب", "أ.ف.ب", "فرانس برس"],
    ),
    ("Reuters", &["Reuters", "رويترز"]),
    ("AP", &["AP", "Associated Press", "أسوشيتد برس"]),
    ("dpa", &["dpa", "د ب أ"]),
    ("Anadolu", &["Anadolu", "Anadolu Agency", "الأناضول"]),
    ("Xinhua", &["Xinhua", "شينخوا"]),
    ("TASS", &["TASS", "تاس"]),
    ("RIA Novosti", &["RIA Novosti", "ريا نوفوستي"]),
    ("RT", &["RT", "Russia Today", "روسيا اليوم"]),
    ("WAFA", &["WAFA", "وفا"]),
    ("IRNA", &["IRNA", "إرنا"]),
];

/// Boilerplate the analyse stage removed that can carry a credit.
pub(crate) const CREDIT_REASONS: &[&str] = &[
    "source-credit",
    "dateline",
    "byline",
    "signature",
    "end-marker",
];

/// Phrases after which a name is the source of what follows.
const ATTRIBUTIONS: &[&str] = &[
    "according to",
    "citing",
    "told",
    "بحسب ما ذكر",
    "بحسب ما نقلت",
    "بحسب",
    "نقلا عن",
    "نقلاً عن",
    "وفقا ل",
    "وفقاً ل",
    "ذكر موقع",
    "ذكرت وكالة",
];

/// How far into the body an attribution still names the source of the story, in bytes.
const ATTRIBUTION_WINDOW: usize = 1200;

/// Word 5-grams shared (Jaccard) at or above this make two bodies one text with edits.
pub const NEAR_COPY_JACCARD: f64 = 0.6;

/// Length of the word shingles compared.
const SHINGLE: usize = 5;

/// Headlines shorter than this many words are too generic to say two articles are one story.
const TITLE_MIN_WORDS: usize = 4;

/// A headline without the outlet's and the section's decorations: "Opinion | X - The Outlet" and
/// "X" give the same key (the longest of the parts between separators, case and punctuation
/// folded).
pub fn title_key(title: &str) -> Option<String> {
    let longest = title
        .split(['|', '–', '—'])
        .flat_map(|part| part.split(" - "))
        .max_by_key(|part| part.split_whitespace().count())?;
    let words: Vec<String> = longest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    (words.len() >= TITLE_MIN_WORDS).then(|| words.join(" "))
}

/// The agency an article credits, with the words that credit it.
fn credit(d: &Doc) -> Option<(&'static str, String)> {
    if let Some(source) = &d.article.credited_source {
        if let Some(name) = agency_in(source) {
            return Some((name, source.clone()));
        }
    }
    for r in d
        .removed
        .iter()
        .filter(|r| CREDIT_REASONS.contains(&r.reason.as_str()))
    {
        let words = d.text(r.span);
        if let Some(name) = agency_in(words) {
            return Some((name, words.trim().to_string()));
        }
    }
    let head = &d.article.body[..floor_char(&d.article.body, ATTRIBUTION_WINDOW)];
    for phrase in ATTRIBUTIONS {
        for (at, _) in head.match_indices(phrase) {
            let after = &head[at + phrase.len()..];
            let window = &after[..floor_char(after, 60)];
            if let Some((name, name_end)) = agency_at(window) {
                let end = at + phrase.len() + name_end;
                return Some((name, head[at..end].trim().to_string()));
            }
        }
    }
    None
}

fn floor_char(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The first agency named in `text`, by whole-word match of any of its names.
fn agency_in(text: &str) -> Option<&'static str> {
    agency_at(text).map(|(name, _)| name)
}

/// The first agency named in `text` and the byte offset where its name ends.
fn agency_at(text: &str) -> Option<(&'static str, usize)> {
    let mut best: Option<(usize, &'static str, usize)> = None;
    for (name, aliases) in AGENCIES {
        for alias in *aliases {
            for (at, _) in text.match_indices(alias) {
                let before = text[..at].chars().next_back();
                let after = text[at + alias.len()..].chars().next();
                let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
                if boundary(before) && boundary(after) && best.is_none_or(|(b, ..)| at < b) {
                    best = Some((at, name, at + alias.len()));
                }
            }
        }
    }
    best.map(|(_, name, end)| (name, end))
}

/// Hashes of the word 5-grams of a document's tokens, sorted, without repeats: what near-copy
/// detection compares. Computed when an article is stored, since stored documents keep no tokens.
pub fn shingles(d: &Doc) -> Vec<u64> {
    let words: Vec<&str> = d.tokens.iter().map(|t| t.norm.as_str()).collect();
    let mut out: Vec<u64> = words
        .windows(SHINGLE)
        .map(|w| {
            w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, word| {
                word.bytes()
                    .chain(std::iter::once(b' '))
                    .fold(h, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
            })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard of two sorted sets without repeats.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let both = khabar_cluster::features::shared(a, b);
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// The origin of every doc (sorted by article id, as the event's members are), each given with
/// its word 5-gram hashes ([`shingles`]).
pub fn origins(docs: &[(&Doc, &[u64])]) -> BTreeMap<ArticleId, Origin> {
    let mut out: BTreeMap<ArticleId, Origin> = BTreeMap::new();
    for (d, _) in docs {
        let origin = match credit(d) {
            Some((name, words)) => Origin {
                kind: "agency".into(),
                key: format!("agency:{name}"),
                copy_of: None,
                evidence: Some(words),
            },
            None => Origin {
                kind: "own".into(),
                key: format!(
                    "own:{}",
                    d.article
                        .outlet
                        .clone()
                        .unwrap_or_else(|| d.article.id.to_string())
                ),
                copy_of: None,
                evidence: None,
            },
        };
        out.insert(d.article.id, origin);
    }
    // Near-identical bodies: the later one (by publication, then id) copies the earlier one and
    // shares its origin.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let when = |d: &Doc| d.article.published_at.as_ref().map(|p| p.at);
    order.sort_by(|&i, &j| {
        let (a, b) = (docs[i].0, docs[j].0);
        (when(a).is_none(), when(a), &a.article.id).cmp(&(
            when(b).is_none(),
            when(b),
            &b.article.id,
        ))
    });
    for (rank, &i) in order.iter().enumerate() {
        let (copy, copy_shingles) = &docs[i];
        let original = order[..rank].iter().find(|&&j| {
            !copy_shingles.is_empty() && {
                let (_, original_shingles) = &docs[j];
                jaccard(copy_shingles, original_shingles) >= NEAR_COPY_JACCARD
            }
        });
        if let Some(&j) = original {
            let original_id = docs[j].0.article.id;
            let key = out[&original_id].key.clone();
            let origin = out
                .get_mut(&copy.article.id)
                .expect("every doc has an origin");
            origin.kind = "copy".into();
            origin.key = key;
            origin.copy_of = Some((original_id, "near-body".into()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_variants_share_a_key() {
        let key = title_key("Kuwait and Russia discuss Gaza in Moscow talks");
        assert!(key.is_some());
        assert_eq!(
            title_key("Opinion | Kuwait and Russia discuss Gaza in Moscow talks - The Daily"),
            key
        );
        assert_eq!(
            title_key("KUWAIT AND RUSSIA DISCUSS GAZA IN MOSCOW TALKS | Example News"),
            key
        );
        assert_ne!(
            title_key("Kuwait and Russia discuss trade in Moscow talks"),
            key
        );
        assert_eq!(
            title_key("Live | Updates"),
            None,
            "too short to identify a story"
        );
    }

    #[test]
    fn agencies_are_found_by_whole_names_in_both_scripts() {
        assert_eq!(agency_in("MOSCOW, Nov 3 (KUNA) -- Kuwait"), Some("KUNA"));
        assert_eq!(agency_in("المصدر: تاس"), Some("TASS"));
        assert_eq!(agency_in("القاهرة (أ ف ب) -"), Some("AFP"));
        assert_eq!(agency_in("Reporting by Reuters staff"), Some("Reuters"));
        // Not inside other words.
        assert_eq!(agency_in("a SPARTAN effort"), None);
        assert_eq!(agency_in("the APEC summit"), None);
    }
}
