//! `khabar entities`, `khabar entity ID-OR-NAME`.

use super::events::{open_existing, run_query};
use super::Dirs;
use crate::terminal::Clean;
use anyhow::{bail, Result};
use khabar_store::query::{entities, Entity, EventQuery, Sort};
use std::io::Write;
use std::process::ExitCode;

/// `--kind` values.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// People.
    Person,
    /// Countries, cities and other places.
    Place,
    /// Organisations.
    Org,
}

impl KindArg {
    /// Whether an entity of the analyse stage's `kind` is of this kind.
    fn holds(self, kind: &str) -> bool {
        match self {
            KindArg::Person => kind == "person",
            KindArg::Place => kind == "place" || kind == "country",
            KindArg::Org => kind == "organisation",
        }
    }
}

/// Arguments of `khabar entities`.
#[derive(clap::Args)]
pub struct EntitiesArgs {
    /// Only entities of this kind.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Print a JSON array: id, kind, names (one per language), events.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `khabar entity`.
#[derive(clap::Args)]
pub struct EntityArgs {
    /// The entity: its id (`person:lfrf.s`) or a name in any script (`Lavrov`, `لافروف`).
    pub entity: String,
    /// Print JSON: the entities so named and their events, oldest first.
    #[arg(long)]
    pub json: bool,
}

fn names(e: &Entity) -> String {
    let names: Vec<String> = e.names.iter().map(|(l, n)| format!("{l}: {n}")).collect();
    names.join(" / ")
}

/// Runs `khabar entities`.
pub fn run_entities(args: &EntitiesArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = open_existing(dirs)?;
    let found: Vec<Entity> = entities(&store, None)?
        .into_iter()
        .filter(|e| args.kind.is_none_or(|k| k.holds(&e.kind)))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &found)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Clean::new(&mut out);
    writeln!(out, "{:<28} {:<12} {:>6} NAMES", "ENTITY", "KIND", "EVENTS")?;
    for e in &found {
        writeln!(
            out,
            "{:<28} {:<12} {:>6} {}",
            e.id,
            e.kind,
            e.events,
            names(e)
        )?;
    }
    writeln!(
        out,
        "{} entities; their events: khabar entity ID-OR-NAME",
        found.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `khabar entity ID-OR-NAME`.
pub fn run_entity(args: &EntityArgs, dirs: &Dirs) -> Result<ExitCode> {
    let named = {
        let store = open_existing(dirs)?;
        entities(&store, Some(&args.entity))?
    };
    if named.is_empty() {
        bail!(
            "no entity {} is mentioned in the store (list them with `khabar entities`)",
            args.entity
        );
    }
    let query = EventQuery {
        entity: Some(args.entity.clone()),
        sort: Sort::Date,
        ascending: true,
        ..EventQuery::default()
    };
    let (page, _) = run_query(dirs, &query)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({"entities": named, "events": page.events});
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Clean::new(&mut out);
    for e in &named {
        writeln!(
            out,
            "{} ({}, {} events): {}",
            e.id,
            e.kind,
            e.events,
            names(e)
        )?;
    }
    writeln!(out, "{:<10} {:>4} {:<14} TITLE", "DATE", "ARTS", "EVENT")?;
    for e in &page.events {
        let date = e
            .date
            .as_ref()
            .map_or("-".to_string(), |d| d.value.to_string());
        writeln!(
            out,
            "{:<10} {:>4} {:<14} {}",
            date,
            e.members.len(),
            e.id,
            e.title
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
