//! Figures across sources: which reported numbers are the same fact, and which conflict.
//!
//! Two figures are about the same thing when they count the same thing in the same unit
//! (`counted` and `unit`, normalised across languages by the analyse stage: "9 آلاف قتيل" and
//! "over 9,000 killed" are both `killed`). They agree when the ranges their wording allows
//! overlap: "over 9,000" allows 9,000 and more, "almost 4,000" a little under 4,000, "about 400"
//! ten percent either way, and a round number ("9 آلاف", "4,000") the rounding it implies.

use crate::citation;
use khabar_core::{ArticleId, Disagreement, Doc, Figure, KeyFigure, Reported};
use std::collections::BTreeMap;

/// Units that name or order things rather than count them: a year, "the 11th plane", "Mark No.
/// 162". Sources that cite different ones are not contradicting each other.
const NOT_COUNTS: &[&str] = &["year", "ordinal", "number"];

/// How far a hedged figure may be from its number (fractions of it). News rounds down to the
/// last round number it has passed: "over 9,000" is said of 9,000 to about 10,000, not of
/// 12,000, which would be reported as "over 12,000".
const ABOUT: f64 = 0.10;
const ALMOST: f64 = 0.15;
const OVER: f64 = 0.15;

/// A round number is read as rounded to this fraction of itself.
const ROUNDING: f64 = 0.05;

/// The values a figure's wording allows.
fn range(f: &Figure) -> (f64, f64) {
    let x = f.value;
    match f.hedge.as_deref() {
        Some("over") | Some("more than") | Some("at least") => (x, x * (1.0 + OVER)),
        Some("almost") | Some("nearly") | Some("up to") => (x * (1.0 - ALMOST), x),
        Some(_) => (x * (1.0 - ABOUT), x * (1.0 + ABOUT)),
        None if is_round(x) => (x * (1.0 - ROUNDING), x * (1.0 + ROUNDING)),
        None => (x, x),
    }
}

/// 9,000, 400, 4,000 are round; 9,137 and 47 are not.
fn is_round(x: f64) -> bool {
    x >= 100.0 && (x % 100.0 == 0.0)
}

fn overlaps(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// The slot a figure fills, or None when it does not count anything comparable.
fn slot(f: &Figure) -> Option<String> {
    if f.unit.as_deref().is_some_and(|u| NOT_COUNTS.contains(&u)) {
        return None;
    }
    match (&f.counted, &f.unit) {
        (Some(c), Some(u)) => Some(format!("{c}|{u}")),
        (Some(c), None) => Some(c.clone()),
        (None, Some(u)) => Some(format!("|{u}")),
        (None, None) => None,
    }
}

/// One value of a slot: the figures (from any article) whose ranges overlap.
struct Value<'a> {
    range: (f64, f64),
    figures: Vec<(&'a Doc, &'a Figure)>,
}

/// Key figures of the reports and the slots where they conflict.
pub fn figures(reports: &[&Doc]) -> (Vec<KeyFigure>, Vec<Disagreement>) {
    let mut by_slot: BTreeMap<String, Vec<(&Doc, &Figure)>> = BTreeMap::new();
    for d in reports {
        for f in &d.figures {
            if let Some(s) = slot(f) {
                by_slot.entry(s).or_default().push((d, f));
            }
        }
    }
    let mut key = Vec::new();
    let mut conflicts = Vec::new();
    for (slot, found) in by_slot {
        let mut values: Vec<Value> = Vec::new();
        for (d, f) in found {
            let r = range(f);
            match values.iter_mut().find(|v| overlaps(v.range, r)) {
                Some(v) => {
                    v.range = (v.range.0.max(r.0), v.range.1.min(r.1));
                    v.figures.push((d, f));
                }
                None => values.push(Value {
                    range: r,
                    figures: vec![(d, f)],
                }),
            }
        }
        let reported: Vec<(KeyFigure, usize)> = values
            .iter()
            .map(|v| {
                let kf = key_figure(&slot, v);
                let n = kf.reported.sources.len();
                (kf, n)
            })
            .collect();
        // A conflict is two values each given by a different article (one article giving two
        // numbers for one slot is usually two sub-counts, not a contradiction).
        let sources: Vec<&Vec<ArticleId>> =
            reported.iter().map(|(k, _)| &k.reported.sources).collect();
        let conflicting = sources.len() > 1
            && sources.iter().any(|a| {
                sources
                    .iter()
                    .any(|b| a.iter().any(|x| !b.contains(x)) && b.iter().any(|y| !a.contains(y)))
            });
        if conflicting {
            conflicts.push(Disagreement {
                slot: format!("figure:{slot}"),
                values: reported
                    .iter()
                    .map(|(k, _)| Reported {
                        value: display(k),
                        sources: k.reported.sources.clone(),
                        citations: k.reported.citations.clone(),
                        origins: Vec::new(),
                    })
                    .collect(),
            });
        }
        key.extend(reported.into_iter().map(|(k, _)| k));
    }
    // Most widely reported first.
    key.sort_by(|a, b| {
        b.reported
            .sources
            .len()
            .cmp(&a.reported.sources.len())
            .then(a.slot.cmp(&b.slot))
    });
    (key, conflicts)
}

fn key_figure(slot: &str, v: &Value) -> KeyFigure {
    // The value: an exact figure if any source gives one inside the agreed range, else the first.
    let exact = v.figures.iter().find(|(_, f)| f.hedge.is_none());
    let (_, chosen) = exact.unwrap_or(&v.figures[0]);
    let mut sources: Vec<ArticleId> = Vec::new();
    let mut citations = Vec::new();
    for (d, f) in &v.figures {
        if !sources.contains(&d.article.id) {
            sources.push(d.article.id);
            citations.push(citation(d, f.span));
        }
    }
    let mut kf = KeyFigure {
        slot: slot.to_string(),
        value: chosen.value,
        hedge: if exact.is_some() {
            None
        } else {
            chosen.hedge.clone()
        },
        reported: Reported {
            value: String::new(),
            sources,
            citations,
            origins: Vec::new(),
        },
    };
    kf.reported.value = display(&kf);
    kf
}

/// "over 9,000 killed", "400 tonne aid".
fn display(k: &KeyFigure) -> String {
    let (counted, unit) = k.slot.split_once('|').unwrap_or((&k.slot, ""));
    let mut words = Vec::new();
    if let Some(h) = &k.hedge {
        words.push(h.clone());
    }
    words.push(thousands(k.value));
    for w in [unit, counted] {
        if !w.is_empty() {
            words.push(w.to_string());
        }
    }
    words.join(" ")
}

fn thousands(x: f64) -> String {
    if x.fract() != 0.0 {
        return format!("{x}");
    }
    let digits = format!("{}", x as i64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64, hedge: Option<&str>) -> Figure {
        Figure {
            value,
            unit: None,
            counted: Some("killed".into()),
            hedge: hedge.map(String::from),
            of: None,
            span: khabar_core::Span::new(0, 1),
        }
    }

    #[test]
    fn hedges_agree_inside_their_range_and_conflict_outside() {
        let exact = range(&figure(9000.0, None));
        assert!(overlaps(exact, range(&figure(9000.0, Some("over")))));
        assert!(overlaps(
            range(&figure(4000.0, None)),
            range(&figure(4000.0, Some("almost")))
        ));
        assert!(overlaps(
            range(&figure(400.0, None)),
            range(&figure(400.0, Some("about")))
        ));
        assert!(!overlaps(exact, range(&figure(12000.0, None))));
        assert!(!overlaps(
            range(&figure(9000.0, Some("over"))),
            range(&figure(12000.0, Some("over")))
        ));
        assert!(!overlaps(
            range(&figure(47.0, None)),
            range(&figure(48.0, None))
        ));
        assert_eq!(thousands(9000.0), "9,000");
        assert_eq!(thousands(1234567.0), "1,234,567");
    }
}
