//! `khabar merge`, `split`, `move`, `undo`, `log`: corrections that stick.
//!
//! A correction is stored as a decision with its time and reason, and as the pairs of articles it
//! keeps together or apart. Every later regrouping — a new ingest, another correction — honours
//! those pairs, so a correction survives whatever arrives next, while new articles can still join
//! a corrected event. `undo` withdraws a decision; `log` lists them.

use super::Dirs;
use crate::exit::outln;
use crate::pipeline::regroup;
use anyhow::{bail, Result};
use khabar_cluster::model::FITTED;
use khabar_core::{ArticleId, EventId};
use khabar_store::{Constraint, Reads, Store, Writer};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `khabar merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Two or more events that report one happening.
    #[arg(required = true, num_args = 2..)]
    pub events: Vec<String>,
    /// Why (kept in the log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Arguments of `khabar split`.
#[derive(clap::Args)]
pub struct SplitArgs {
    /// The event.
    pub event: String,
    /// The articles that report something else (ids, unique prefixes of them, or URLs): they
    /// become an event of their own.
    #[arg(required = true)]
    pub articles: Vec<String>,
    /// Why (kept in the log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Arguments of `khabar move`.
#[derive(clap::Args)]
pub struct MoveArgs {
    /// The article (its id, a unique prefix of it, or its URL).
    pub article: String,
    /// The event it belongs to.
    pub event: String,
    /// Why (kept in the log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Arguments of `khabar undo`.
#[derive(clap::Args)]
pub struct UndoArgs {
    /// The decision number (see `khabar log`).
    pub decision: i64,
}

/// Arguments of `khabar log`.
#[derive(clap::Args)]
pub struct LogArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The event a name given by the user stands for (see [`Reads::resolve`]), saying what the name
/// turned out to be when it was not the event's own id.
fn event_named(w: &Writer, name: &str) -> Result<EventId> {
    let resolved = w.resolve(name)?;
    if let Some(note) = resolved.note {
        eprintln!("note: {note}");
    }
    Ok(resolved.event)
}

/// The article a name given by the user stands for: its id, a unique prefix of it, or its URL
/// (see [`Reads::resolve`]).
fn article_named(w: &Writer, name: &str) -> Result<ArticleId> {
    match w.resolve(name)?.article {
        Some(article) => Ok(article),
        None => bail!(
            "{name} names an event, not an article (give an article's id, a unique prefix of it, or its URL)"
        ),
    }
}

fn members(w: &Writer, event: &EventId) -> Result<Vec<ArticleId>> {
    let found: Vec<ArticleId> = w.members(event)?.into_iter().map(|m| m.article).collect();
    if found.is_empty() {
        bail!("no event {event} (list them with `khabar events`)");
    }
    Ok(found)
}

fn pairs(xs: &[ArticleId], ys: &[ArticleId], together: bool) -> Vec<Constraint> {
    xs.iter()
        .flat_map(|x| {
            ys.iter().filter(move |y| *y != x).map(move |y| Constraint {
                a: *x,
                b: *y,
                together,
            })
        })
        .collect()
}

/// Stores a decision and regroups what it touches, in one transaction; prints where the articles
/// ended up.
fn decide(
    dirs: &Dirs,
    kind: &str,
    reason: Option<&str>,
    build: impl FnOnce(&Writer) -> Result<(serde_json::Value, Vec<Constraint>)>,
) -> Result<ExitCode> {
    let mut store = Store::open_existing(&dirs.data)?;
    let decided = store.write(|w| {
        // A correction that makes no sense is refused before anything is written.
        let (detail, constraints) = match build(w) {
            Ok(built) => built,
            Err(refused) => return Ok(Err(refused)),
        };
        let mut touched: Vec<ArticleId> = constraints.iter().flat_map(|c| [c.a, c.b]).collect();
        touched.sort();
        touched.dedup();
        let id = w.add_decision(kind, &detail, reason, &constraints)?;
        regroup(w, &FITTED, &touched)?;
        Ok(Ok((id, touched)))
    })?;
    let (id, touched) = decided?;
    outln!("decision {id} ({kind}) recorded; undo with `khabar undo {id}`");
    super::search::update(dirs);
    print_events_of(&store, &touched)?;
    Ok(ExitCode::SUCCESS)
}

fn print_events_of(store: &Store, articles: &[ArticleId]) -> Result<()> {
    let mut events: Vec<EventId> = Vec::new();
    for a in articles {
        if let Some(m) = store.membership(a)? {
            if !events.contains(&m.event) {
                events.push(m.event);
            }
        }
    }
    let mut out = crate::terminal::Clean::new(std::io::stdout().lock());
    for id in events {
        if let Some(e) = store.event(&id)? {
            let ids: Vec<&str> = e.members.iter().map(|m| m.article.as_str()).collect();
            writeln!(
                out,
                "  {}  {} article(s): {}",
                e.id,
                ids.len(),
                ids.join(" ")
            )?;
        }
    }
    Ok(())
}

/// Runs `khabar merge`.
pub fn run_merge(args: &MergeArgs, dirs: &Dirs) -> Result<ExitCode> {
    decide(dirs, "merge", args.reason.as_deref(), |w| {
        let mut events: Vec<(&String, EventId)> = Vec::new();
        for name in &args.events {
            let event = event_named(w, name)?;
            if let Some((first, _)) = events.iter().find(|(_, e)| *e == event) {
                bail!("{first} and {name} are both event {event}: merge needs different events");
            }
            events.push((name, event));
        }
        let mut all = Vec::new();
        for (_, e) in &events {
            all.extend(members(w, e)?);
        }
        // Chained to the first article: "together" is transitive.
        let first = all[..1].to_vec();
        Ok((
            serde_json::json!({
                "events": events.iter().map(|(_, e)| e).collect::<Vec<_>>(),
                "articles": all
            }),
            pairs(&first, &all, true),
        ))
    })
}

/// Runs `khabar split`.
pub fn run_split(args: &SplitArgs, dirs: &Dirs) -> Result<ExitCode> {
    decide(dirs, "split", args.reason.as_deref(), |w| {
        let event = event_named(w, &args.event)?;
        let current = members(w, &event)?;
        let leaving = args
            .articles
            .iter()
            .map(|name| article_named(w, name))
            .collect::<Result<Vec<_>>>()?;
        for a in &leaving {
            if !current.contains(a) {
                bail!("article {a} is not in event {event}");
            }
        }
        let staying: Vec<ArticleId> = current
            .into_iter()
            .filter(|a| !leaving.contains(a))
            .collect();
        if staying.is_empty() {
            bail!("that would leave event {event} empty: name only the articles that leave");
        }
        let mut constraints = pairs(&leaving, &staying, false);
        constraints.extend(pairs(&leaving[..1], &leaving, true));
        Ok((
            serde_json::json!({"event": event, "leaving": leaving, "staying": staying}),
            constraints,
        ))
    })
}

/// Runs `khabar move`.
pub fn run_move(args: &MoveArgs, dirs: &Dirs) -> Result<ExitCode> {
    decide(dirs, "move", args.reason.as_deref(), |w| {
        let article = article_named(w, &args.article)?;
        let Some(from) = w.membership(&article)? else {
            bail!("no article {} in the store", args.article);
        };
        let to = event_named(w, &args.event)?;
        let target = members(w, &to)?;
        let old: Vec<ArticleId> = w
            .members(&from.event)?
            .into_iter()
            .map(|m| m.article)
            .filter(|a| a != &article && !target.contains(a))
            .collect();
        let one = std::slice::from_ref(&article);
        let mut constraints = pairs(one, &target, true);
        constraints.extend(pairs(one, &old, false));
        Ok((
            serde_json::json!({"article": article, "from": from.event, "to": to}),
            constraints,
        ))
    })
}

/// Runs `khabar undo`.
pub fn run_undo(args: &UndoArgs, dirs: &Dirs) -> Result<ExitCode> {
    let mut store = Store::open_existing(&dirs.data)?;
    let touched = store.write(|w| {
        if !w.undo_decision(args.decision)? {
            return Ok(None);
        }
        let touched = w.decision_articles(args.decision)?;
        regroup(w, &FITTED, &touched)?;
        Ok(Some(touched))
    })?;
    let Some(touched) = touched else {
        bail!("no decision {} in force (see `khabar log`)", args.decision);
    };
    outln!("decision {} undone", args.decision);
    super::search::update(dirs);
    print_events_of(&store, &touched)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `khabar log`.
pub fn run_log(args: &LogArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = super::events::open_existing(dirs)?;
    let decisions = store.decisions()?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &decisions)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = crate::terminal::Clean::new(out);
    if decisions.is_empty() {
        writeln!(out, "no corrections yet")?;
    }
    for d in decisions {
        writeln!(
            out,
            "{:>4}  {}  {:<5}  {}{}{}",
            d.id,
            d.at,
            d.kind,
            d.detail,
            d.reason
                .map(|r| format!("  reason: {r}"))
                .unwrap_or_default(),
            d.undone_at
                .map(|u| format!("  (undone {u})"))
                .unwrap_or_default()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
