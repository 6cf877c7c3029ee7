//! Scoring the analyser against gold annotations (`tests/gold/seeds.jsonl`, format in
//! `tests/gold/README.md`): precision and recall per annotation type.
//!
//! Types and what counts as a match:
//! - `entities`: the set of entity ids the text mentions;
//! - `roles`: the set of (entity id, role) pairs;
//! - `dates`: (date, words) pairs — same day, and the gold words and the found span contain
//!   one another (matching form);
//! - `figures`: (value, unit, counted, hedge, is-a-part) tuples, as a multiset;
//! - `quotes`: quoted stretches, matched when one contains the other (matching form);
//! - `quote_speakers`: matched quotes whose speaker is right (an unmatched or wrongly attributed
//!   quote counts against both precision and recall);
//! - `cue_kinds`: the set of event kinds named; `event_kind`: the most prominent one against
//!   the gold primary kind; `preview`: preview or report.

use crate::normalise::fold;
use khabar_core::{Doc, EventKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Gold annotations of one text.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldDoc {
    /// The text file, by name (resolved next to the gold file, then in the seeds directory).
    pub file: String,
    /// Entity ids the text mentions.
    #[serde(default)]
    pub entities: Vec<String>,
    /// (entity id, role) pairs.
    #[serde(default)]
    pub roles: Vec<(String, String)>,
    /// (ISO date, the words that give it).
    #[serde(default)]
    pub dates: Vec<(String, String)>,
    /// Figures.
    #[serde(default)]
    pub figures: Vec<GoldFigure>,
    /// Quotes.
    #[serde(default)]
    pub quotes: Vec<GoldQuote>,
    /// Event cues.
    pub cues: GoldCues,
}

/// A gold figure.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldFigure {
    /// Value.
    pub value: f64,
    /// Unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// What is counted.
    #[serde(default)]
    pub counted: Option<String>,
    /// Hedge.
    #[serde(default)]
    pub hedge: Option<String>,
    /// True when it is a part of the figure before ("4,000 of them").
    #[serde(default)]
    pub part: bool,
}

/// A gold quote: (a stretch of) its words and its speaker.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldQuote {
    /// The quoted words, or their beginning.
    pub text: String,
    /// Entity id of the speaker.
    pub speaker: Option<String>,
}

/// Gold cues.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldCues {
    /// Every kind the text names (snake_case names of [`EventKind`]).
    pub kinds: Vec<String>,
    /// The kind of the happening reported.
    pub primary: String,
    /// Preview rather than report.
    pub preview: bool,
}

/// True/false positives and false negatives of one type.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Counts {
    /// Found and in the gold.
    pub tp: usize,
    /// Found, not in the gold.
    pub fp: usize,
    /// In the gold, not found.
    pub fn_: usize,
}

impl Counts {
    /// Precision (1 when nothing was found and nothing was to be found).
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }

    /// Recall.
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }

    /// F1.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

/// The scores of one text: counts per type and what was missed or extra.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DocScore {
    /// Counts per type.
    pub counts: BTreeMap<String, Counts>,
    /// "type: item" for each false negative.
    pub missed: Vec<String>,
    /// "type: item" for each false positive.
    pub extra: Vec<String>,
}

/// The annotation types, in report order.
pub const TYPES: &[&str] = &[
    "entities",
    "roles",
    "dates",
    "figures",
    "quotes",
    "quote_speakers",
    "cue_kinds",
    "event_kind",
    "preview",
];

fn kind_name(k: EventKind) -> &'static str {
    match k {
        EventKind::Meeting => "meeting",
        EventKind::Visit => "visit",
        EventKind::PhoneCall => "phone_call",
        EventKind::PressConference => "press_conference",
        EventKind::Statement => "statement",
    }
}

fn squash(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn set_score(ty: &str, found: Vec<String>, gold: Vec<String>, out: &mut DocScore) {
    let found: std::collections::BTreeSet<String> = found.into_iter().collect();
    let gold: std::collections::BTreeSet<String> = gold.into_iter().collect();
    let mut c = Counts::default();
    for f in &found {
        if gold.contains(f) {
            c.tp += 1;
        } else {
            c.fp += 1;
            out.extra.push(format!("{ty}: {f}"));
        }
    }
    for g in gold.difference(&found) {
        c.fn_ += 1;
        out.missed.push(format!("{ty}: {g}"));
    }
    out.counts.insert(ty.into(), c);
}

/// Matches found items to gold items one to one with `same`; returns the pairs and counts.
fn match_items<F, G>(
    found: &[F],
    gold: &[G],
    same: impl Fn(&F, &G) -> bool,
) -> (Vec<(usize, usize)>, Counts) {
    let mut used = vec![false; found.len()];
    let mut pairs = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        if let Some(fi) = (0..found.len()).find(|&fi| !used[fi] && same(&found[fi], g)) {
            used[fi] = true;
            pairs.push((fi, gi));
        }
    }
    let c = Counts {
        tp: pairs.len(),
        fp: found.len() - pairs.len(),
        fn_: gold.len() - pairs.len(),
    };
    (pairs, c)
}

/// Scores one analysed text against its gold annotations.
pub fn score(doc: &Doc, gold: &GoldDoc) -> DocScore {
    let mut out = DocScore::default();
    let body = &doc.article.body;
    set_score(
        "entities",
        doc.mentions.iter().map(|m| m.entity.clone()).collect(),
        gold.entities.clone(),
        &mut out,
    );
    set_score(
        "roles",
        doc.mentions
            .iter()
            .filter_map(|m| m.role.as_ref().map(|r| format!("{} {r}", m.entity)))
            .collect(),
        gold.roles.iter().map(|(e, r)| format!("{e} {r}")).collect(),
        &mut out,
    );
    // dates
    let found: Vec<(String, String)> = doc
        .dates
        .iter()
        .map(|d| (d.date.to_string(), squash(d.span.slice(body))))
        .collect();
    let gd: Vec<(String, String)> = gold
        .dates
        .iter()
        .map(|(d, t)| (d.clone(), squash(t)))
        .collect();
    let (pairs, c) = match_items(&found, &gd, |f, g| {
        f.0 == g.0 && (f.1.contains(&g.1) || g.1.contains(&f.1))
    });
    report_unmatched(
        "dates",
        &found,
        &gd,
        &pairs,
        |x| format!("{} {}", x.0, x.1),
        &mut out,
    );
    out.counts.insert("dates".into(), c);
    // figures
    let key = |v: f64, u: &Option<String>, c: &Option<String>, h: &Option<String>, part: bool| {
        format!(
            "{v} unit={} counted={} hedge={}{}",
            u.as_deref().unwrap_or("-"),
            c.as_deref().unwrap_or("-"),
            h.as_deref().unwrap_or("-"),
            if part { " part" } else { "" }
        )
    };
    let found: Vec<String> = doc
        .figures
        .iter()
        .map(|f| key(f.value, &f.unit, &f.counted, &f.hedge, f.of.is_some()))
        .collect();
    let gf: Vec<String> = gold
        .figures
        .iter()
        .map(|f| key(f.value, &f.unit, &f.counted, &f.hedge, f.part))
        .collect();
    let (pairs, c) = match_items(&found, &gf, |a, b| a == b);
    report_unmatched("figures", &found, &gf, &pairs, |x| x.clone(), &mut out);
    out.counts.insert("figures".into(), c);
    // quotes
    let found: Vec<(String, Option<String>)> = doc
        .quotes
        .iter()
        .map(|q| (squash(q.span.slice(body)), q.speaker.clone()))
        .collect();
    let gq: Vec<(String, Option<String>)> = gold
        .quotes
        .iter()
        .map(|q| (squash(&q.text), q.speaker.clone()))
        .collect();
    let (pairs, c) = match_items(&found, &gq, |f, g| {
        !f.0.is_empty() && (f.0.contains(&g.0) || g.0.contains(&f.0))
    });
    report_unmatched(
        "quotes",
        &found,
        &gq,
        &pairs,
        |x| x.0.chars().take(40).collect(),
        &mut out,
    );
    out.counts.insert("quotes".into(), c);
    let right = pairs
        .iter()
        .filter(|(f, g)| found[*f].1 == gq[*g].1)
        .count();
    for (f, g) in &pairs {
        if found[*f].1 != gq[*g].1 {
            out.extra.push(format!(
                "quote_speakers: {:?} for {}",
                found[*f].1,
                gq[*g].0.chars().take(30).collect::<String>()
            ));
        }
    }
    out.counts.insert(
        "quote_speakers".into(),
        Counts {
            tp: right,
            fp: found.len() - right,
            fn_: gq.len() - right,
        },
    );
    // cues
    set_score(
        "cue_kinds",
        doc.cues
            .kinds
            .iter()
            .map(|(k, _)| kind_name(*k).to_string())
            .collect(),
        gold.cues.kinds.clone(),
        &mut out,
    );
    let primary = doc
        .cues
        .kinds
        .first()
        .map(|(k, _)| kind_name(*k))
        .unwrap_or("none");
    let ok = primary == gold.cues.primary;
    if !ok {
        out.missed.push(format!(
            "event_kind: {} (found {primary})",
            gold.cues.primary
        ));
    }
    out.counts.insert(
        "event_kind".into(),
        Counts {
            tp: usize::from(ok),
            fp: usize::from(!ok),
            fn_: usize::from(!ok),
        },
    );
    let ok = doc.cues.preview == gold.cues.preview;
    if !ok {
        out.missed.push(format!("preview: {}", gold.cues.preview));
    }
    out.counts.insert(
        "preview".into(),
        Counts {
            tp: usize::from(ok),
            fp: usize::from(!ok),
            fn_: usize::from(!ok),
        },
    );
    out
}

fn report_unmatched<T>(
    ty: &str,
    found: &[T],
    gold: &[T],
    pairs: &[(usize, usize)],
    show: impl Fn(&T) -> String,
    out: &mut DocScore,
) {
    for (i, f) in found.iter().enumerate() {
        if !pairs.iter().any(|(fi, _)| *fi == i) {
            out.extra.push(format!("{ty}: {}", show(f)));
        }
    }
    for (i, g) in gold.iter().enumerate() {
        if !pairs.iter().any(|(_, gi)| *gi == i) {
            out.missed.push(format!("{ty}: {}", show(g)));
        }
    }
}

/// Sums the counts of several texts per type.
pub fn total<'a>(scores: impl IntoIterator<Item = &'a DocScore>) -> BTreeMap<String, Counts> {
    let mut t: BTreeMap<String, Counts> = BTreeMap::new();
    for s in scores {
        for (k, c) in &s.counts {
            t.entry(k.clone()).or_default().add(*c);
        }
    }
    t
}

/// Reads a gold JSONL file.
pub fn read_gold(path: &std::path::Path) -> Result<Vec<GoldDoc>, crate::Error> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(line)
                .map_err(|e| crate::Error::Format(format!("{}:{}: {e}", path.display(), i + 1)))?,
        );
    }
    Ok(out)
}
