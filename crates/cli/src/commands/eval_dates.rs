//! `khabar eval dates [DIR]`: publication dates scored on htmldate's benchmark form
//! (`benchmark/gold.jsonl` + `benchmark/pages/FILE`, gzipped HTML), at day level.
//!
//! As htmldate's own comparison counts: a page dated on the gold day is right (tp), on another
//! day wrong (fp), undated a miss (fn); precision tp/(tp+fp), recall tp/(tp+fn), F1. Figures are
//! given overall, per declared page language, and for the even and odd lines of the gold file
//! (a split to develop on one half and check on the other). Every page that is not right is
//! counted in one failure class.

use crate::exit::outln;
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use khabar_core::PublishedAt;
use khabar_ingest::html::{page_metadata, PageContext};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// Where the benchmark lives in a fresh clone.
const DEFAULT_DIR: &str = "data/eval/dates-htmldate";

/// Arguments of `khabar eval dates`.
#[derive(clap::Args, Debug)]
pub struct EvalDatesArgs {
    /// Benchmark directory holding `benchmark/gold.jsonl` and `benchmark/pages/`.
    #[arg(default_value = DEFAULT_DIR)]
    pub dir: PathBuf,
    /// Read every page as crawled at this instant (RFC 3339), as a WARC record would give it:
    /// checks that no page is dated with its crawl time.
    #[arg(long, value_name = "RFC3339")]
    pub crawled_at: Option<String>,
    /// Print one JSON object (figures and every page's outcome) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Deserialize)]
struct Gold {
    file: String,
    url: String,
    /// `null` on a page that carries no publication date.
    gold: Option<NaiveDate>,
}

/// Counts of one group of pages.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Counts {
    /// Pages.
    pub pages: u64,
    /// Dated on the gold day.
    pub right: u64,
    /// Dated on another day.
    pub wrong: u64,
    /// Undated.
    pub undated: u64,
    /// Undated, rightly: the gold page has no date (counted in neither figure).
    pub rightly_undated: u64,
}

impl Counts {
    fn add(&mut self, outcome: &Outcome) {
        self.pages += 1;
        match outcome {
            Outcome::Right => self.right += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Undated => self.undated += 1,
            Outcome::RightlyUndated => self.rightly_undated += 1,
        }
    }

    /// tp / (tp + fp); `None` when nothing was dated.
    pub fn precision(&self) -> Option<f64> {
        let dated = self.right + self.wrong;
        (dated > 0).then(|| self.right as f64 / dated as f64)
    }

    /// tp / (tp + fn), where fn counts the undated pages.
    pub fn recall(&self) -> Option<f64> {
        let n = self.right + self.undated;
        (n > 0).then(|| self.right as f64 / n as f64)
    }

    /// Harmonic mean of precision and recall; 0 when either is 0 or undefined.
    pub fn f1(&self) -> f64 {
        match (self.precision(), self.recall()) {
            (Some(p), Some(r)) if p + r > 0.0 => 2.0 * p * r / (p + r),
            _ => 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Right,
    Wrong,
    Undated,
    RightlyUndated,
}

/// One page's result.
#[derive(Debug, Serialize)]
struct Page {
    file: String,
    lang: String,
    gold: Option<NaiveDate>,
    found: Option<PublishedAt>,
    outcome: Outcome,
    class: Option<String>,
}

/// The failure class of a page that is not right: `undated`, `unreadable`, `crawl_time` (dated
/// with the crawl instant), `one_day_off`, or `wrong_<source>` (the source that gave the date).
fn failure_class(
    gold: Option<NaiveDate>,
    found: Option<&PublishedAt>,
    crawled_at: Option<DateTime<Utc>>,
) -> Option<String> {
    let found = found?;
    let day = found.at.date_naive();
    if Some(day) == gold {
        return None;
    }
    if Some(found.at.with_timezone(&Utc)) == crawled_at {
        return Some("crawl_time".into());
    }
    if gold.is_some_and(|gold| (day - gold).num_days().abs() == 1) {
        return Some("one_day_off".into());
    }
    let source = serde_json::to_value(found.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Some(format!("wrong_{source}"))
}

fn read_page(path: &Path) -> Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::MultiGzDecoder::new(file)
            .read_to_end(&mut bytes)
            .with_context(|| format!("{}: not gzip", path.display()))?;
    } else {
        std::io::BufReader::new(file)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(bytes)
}

/// Runs `khabar eval dates`.
pub fn run_eval_dates(args: &EvalDatesArgs) -> Result<()> {
    let crawled_at = args
        .crawled_at
        .as_deref()
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|d| d.with_timezone(&Utc))
                .with_context(|| format!("--crawled-at {raw:?} is not an RFC 3339 instant"))
        })
        .transpose()?;
    let bench = args.dir.join("benchmark");
    let gold_path = bench.join("gold.jsonl");
    let gold_file = std::fs::File::open(&gold_path)
        .with_context(|| format!("cannot open {}", gold_path.display()))?;
    let mut pages = Vec::new();
    for (i, line) in std::io::BufReader::new(gold_file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", gold_path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let gold: Gold = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a gold record", gold_path.display(), i + 1))?;
        let bytes = read_page(&bench.join("pages").join(&gold.file))?;
        let context = PageContext {
            url: Some(&gold.url),
            crawled_at,
            http_charset: None,
        };
        let (found, lang, unreadable) = match page_metadata(&bytes, &context) {
            Ok(meta) => (meta.published_at, meta.lang, false),
            Err(_) => (None, None, true),
        };
        let outcome = match &found {
            None if gold.gold.is_none() => Outcome::RightlyUndated,
            None => Outcome::Undated,
            Some(f) if Some(f.at.date_naive()) == gold.gold => Outcome::Right,
            Some(_) => Outcome::Wrong,
        };
        let class = if unreadable {
            Some("unreadable".into())
        } else if outcome == Outcome::RightlyUndated {
            None
        } else if found.is_none() {
            Some("undated".into())
        } else {
            failure_class(gold.gold, found.as_ref(), crawled_at)
        };
        pages.push((
            i,
            Page {
                file: gold.file,
                lang: lang.unwrap_or_else(|| "und".into()),
                gold: gold.gold,
                found,
                outcome,
                class,
            },
        ));
    }
    let mut all = Counts::default();
    let mut halves: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut by_lang: BTreeMap<String, Counts> = BTreeMap::new();
    let mut classes: BTreeMap<String, u64> = BTreeMap::new();
    for (i, page) in &pages {
        all.add(&page.outcome);
        halves
            .entry(if i % 2 == 0 { "even" } else { "odd" })
            .or_default()
            .add(&page.outcome);
        by_lang
            .entry(page.lang.clone())
            .or_default()
            .add(&page.outcome);
        if let Some(class) = &page.class {
            *classes.entry(class.clone()).or_default() += 1;
        }
    }
    let figures = |c: &Counts| {
        serde_json::json!({
            "pages": c.pages, "right": c.right, "wrong": c.wrong, "undated": c.undated,
            "rightly_undated": c.rightly_undated,
            "precision": c.precision(), "recall": c.recall(), "f1": c.f1(),
        })
    };
    if args.json {
        let report = serde_json::json!({
            "dir": args.dir.display().to_string(),
            "crawled_at": crawled_at.map(|c| c.to_rfc3339()),
            "all": figures(&all),
            "halves": halves.iter().map(|(k, c)| (k.to_string(), figures(c))).collect::<BTreeMap<_, _>>(),
            "languages": by_lang.iter().map(|(k, c)| (k.clone(), figures(c))).collect::<BTreeMap<_, _>>(),
            "failures": classes,
            "pages": pages.iter().map(|(_, p)| p).collect::<Vec<_>>(),
        });
        outln!("{report}");
        return Ok(());
    }
    let line = |name: &str, c: &Counts| {
        let f = |x: Option<f64>| x.map_or("n/a".into(), |x| format!("{x:.3}"));
        format!(
            "{name:<8} pages {:>4}  dated {:>4}  right {:>4}  P {}  R {}  F1 {:.3}",
            c.pages,
            c.right + c.wrong,
            c.right,
            f(c.precision()),
            f(c.recall()),
            c.f1()
        )
    };
    outln!("{}", line("all", &all));
    for (name, c) in &halves {
        outln!("{}", line(name, c));
    }
    for (lang, c) in &by_lang {
        outln!("{}", line(&format!("lang {lang}"), c));
    }
    let listed: Vec<String> = classes.iter().map(|(k, n)| format!("{k} {n}")).collect();
    outln!("failures: {}", listed.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::DateSource;

    fn at(raw: &str, source: DateSource) -> PublishedAt {
        khabar_ingest::dates::parse(raw, source, 0.9).unwrap()
    }

    #[test]
    fn figures_count_wrong_days_against_precision_and_undated_pages_against_recall() {
        let mut c = Counts::default();
        for o in [
            Outcome::Right,
            Outcome::Right,
            Outcome::Right,
            Outcome::Wrong,
            Outcome::Undated,
            Outcome::RightlyUndated,
        ] {
            c.add(&o);
        }
        assert_eq!(c.precision(), Some(0.75));
        assert_eq!(c.recall(), Some(0.75));
        assert!((c.f1() - 0.75).abs() < 1e-12);
        assert_eq!(Counts::default().precision(), None);
        assert_eq!(Counts::default().f1(), 0.0);
    }

    #[test]
    fn failures_are_classed_by_what_went_wrong() {
        let gold = NaiveDate::from_ymd_opt(2020, 5, 12);
        let crawl = DateTime::parse_from_rfc3339("2021-01-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let class = |raw, source| failure_class(gold, Some(&at(raw, source)), Some(crawl));
        assert_eq!(class("2020-05-12T23:00:00Z", DateSource::MetaTag), None);
        assert_eq!(
            class("2020-05-13T01:00:00Z", DateSource::MetaTag).as_deref(),
            Some("one_day_off")
        );
        assert_eq!(
            class("2021-01-01", DateSource::TimeElement).as_deref(),
            Some("wrong_time_element")
        );
        assert_eq!(
            class("2021-01-02T10:00:00Z", DateSource::WarcDate).as_deref(),
            Some("crawl_time")
        );
        assert_eq!(failure_class(gold, None, None), None);
    }
}
