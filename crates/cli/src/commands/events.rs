//! `khabar events`, `khabar show EVENT`, `khabar export`.

use super::Dirs;
use crate::terminal::Clean;
use anyhow::{bail, Context, Result};
use khabar_core::{Citation, Event};
use khabar_store::{Reads, Store};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A `--lang` value: one of the languages the analyse stage detects (its list is the one source).
fn title_lang() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(khabar_analyse::language::KNOWN)
}

/// Arguments of `khabar events`.
#[derive(clap::Args)]
pub struct EventsArgs {
    /// Print a JSON array of events (see docs/event-schema.md).
    #[arg(long)]
    pub json: bool,
    /// Language of the titles, where a member in that language exists.
    #[arg(long, value_parser = title_lang())]
    pub lang: Option<String>,
}

/// Arguments of `khabar show`.
#[derive(clap::Args)]
pub struct ShowArgs {
    /// The event: its id (as `khabar events` prints it, or a unique prefix of it, or the id of
    /// an event since merged into it), or the id or URL of one of its articles.
    pub event: String,
    /// Print the event as JSON.
    #[arg(long)]
    pub json: bool,
    /// Language of the title, where a member in that language exists.
    #[arg(long, value_parser = title_lang())]
    pub lang: Option<String>,
}

/// Export formats.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// One event JSON object per line.
    Jsonl,
    /// One row per (event, article).
    Csv,
}

/// Arguments of `khabar export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// The store, opened for reading only: reading commands never create or change one.
pub fn open_existing(dirs: &Dirs) -> Result<Store> {
    let store = Store::open_read_only(&dirs.data)?;
    if store.article_count()? == 0 {
        eprintln!(
            "note: the store at {} is empty: add articles with `khabar ingest PATH...`",
            store.path().display()
        );
    }
    Ok(store)
}

/// The event `name` stands for (an id, a retired id, a prefix, an article id or URL), saying
/// on stderr what it was when it was not the event's own id.
pub fn resolve(store: &Store, name: &str) -> Result<khabar_store::Resolved> {
    let resolved = store.resolve(name)?;
    if let Some(note) = &resolved.note {
        eprintln!("note: {note}");
    }
    Ok(resolved)
}

fn with_title(mut event: Event, lang: Option<&str>) -> Event {
    if let Some(title) = lang.and_then(|l| event.titles.get(l)) {
        event.title = title.clone();
    }
    event
}

/// Runs `khabar events`.
pub fn run_events(args: &EventsArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = open_existing(dirs)?;
    let events: Vec<Event> = store
        .events()?
        .into_iter()
        .map(|e| with_title(e, args.lang.as_deref()))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &events)?;
        writeln!(out)?;
    } else {
        print_table(&mut Clean::new(&mut out), &events)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The events as a table a person can scan.
pub fn print_table(out: &mut dyn Write, events: &[Event]) -> Result<()> {
    writeln!(
        out,
        "{:<14} {:<10} {:>4} {:>7} {:<6} {:<5} TITLE",
        "EVENT", "DATE", "ARTS", "OUTLETS", "LANGS", "FLAGS"
    )?;
    for e in events {
        let date = e
            .date
            .as_ref()
            .map_or("-".to_string(), |d| d.value.to_string());
        let flags = if e.disagreements.is_empty() { "" } else { "!" };
        writeln!(
            out,
            "{:<14} {:<10} {:>4} {:>7} {:<6} {:<5} {}",
            e.id,
            date,
            e.members.len(),
            e.outlets.len(),
            e.languages.join(","),
            flags,
            e.title
        )?;
    }
    writeln!(
        out,
        "{} events; ! = the sources disagree (khabar show EVENT)",
        events.len()
    )?;
    Ok(())
}

/// Runs `khabar show EVENT`.
pub fn run_show(args: &ShowArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = open_existing(dirs)?;
    let id = resolve(&store, &args.event)?.event;
    let Some(event) = store.event(&id)? else {
        bail!("no event {} (list them with `khabar events`)", args.event);
    };
    let event = with_title(event, args.lang.as_deref());
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &event)?;
        writeln!(out)?;
    } else {
        print_event(&mut Clean::new(&mut out), &event)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn cite(out: &mut dyn Write, citations: &[Citation]) -> Result<()> {
    for c in citations {
        writeln!(
            out,
            "      [{} {}..{}] {}",
            c.article, c.span.start, c.span.end, c.text
        )?;
    }
    Ok(())
}

/// One event, every fact followed by the sentences it came from.
pub fn print_event(out: &mut dyn Write, e: &Event) -> Result<()> {
    writeln!(out, "{}  {}", e.id, e.title)?;
    if let Some(kind) = e.kind {
        writeln!(
            out,
            "  kind: {}",
            serde_json::to_value(kind)?.as_str().unwrap_or_default()
        )?;
    }
    match &e.date {
        Some(d) => {
            writeln!(
                out,
                "  date: {} (given by {} of {} articles)",
                d.value,
                d.sources.len(),
                e.members.len()
            )?;
            cite(out, &d.citations)?;
        }
        None => writeln!(out, "  date: unknown (no article dates it)")?,
    }
    if let Some(p) = &e.place {
        writeln!(
            out,
            "  place: {} (named by {} articles)",
            p.value,
            p.sources.len()
        )?;
        cite(out, &p.citations)?;
    }
    if !e.participants.is_empty() {
        writeln!(out, "  participants:")?;
        for p in &e.participants {
            let names: Vec<&str> = p.names.values().map(String::as_str).collect();
            writeln!(
                out,
                "    {} — {} (named by {} articles)",
                names.join(" / "),
                p.role.as_deref().unwrap_or("role not given"),
                p.reported.sources.len()
            )?;
            cite(out, &p.reported.citations)?;
        }
    }
    if !e.topics.is_empty() {
        writeln!(out, "  topics: {}", e.topics.join(", "))?;
    }
    if !e.figures.is_empty() {
        writeln!(out, "  figures:")?;
        for f in &e.figures {
            writeln!(
                out,
                "    {} (given by {} articles)",
                f.reported.value,
                f.reported.sources.len()
            )?;
            cite(out, &f.reported.citations)?;
        }
    }
    if !e.quotes.is_empty() {
        writeln!(out, "  said:")?;
        for q in &e.quotes {
            let who = q.speaker_name.as_deref().or(q.speaker.as_deref());
            writeln!(out, "    {}: «{}»", who.unwrap_or("unattributed"), q.text)?;
            cite(out, std::slice::from_ref(&q.citation))?;
        }
    }
    writeln!(
        out,
        "  articles ({}; languages {}; outlets {}):",
        e.members.len(),
        e.languages.join(", "),
        e.outlets.len()
    )?;
    for m in &e.members {
        writeln!(
            out,
            "    {} {} {:<24} {}{}",
            m.article,
            m.lang,
            match (&m.outlet, m.outlet_from_url) {
                (Some(outlet), true) => format!("{outlet} (from URL)"),
                (Some(outlet), false) => outlet.clone(),
                (None, _) => "(outlet unknown)".into(),
            },
            published(m),
            if m.preview {
                "  PREVIEW (published before the event)"
            } else {
                ""
            }
        )?;
        writeln!(out, "      {}", m.source)?;
        for t in &m.truncated {
            writeln!(
                out,
                "      truncated: more than {} {}, bytes {}..{} not analysed",
                t.limit, t.bound, t.span.start, t.span.end
            )?;
        }
        for w in &m.warnings {
            writeln!(out, "      warning: {w}")?;
        }
    }
    if e.disagreements.is_empty() {
        writeln!(out, "  disagreements: none found")?;
    } else {
        writeln!(out, "  disagreements:")?;
        for d in &e.disagreements {
            writeln!(out, "    {}:", d.slot)?;
            for v in &d.values {
                writeln!(
                    out,
                    "      \"{}\" according to {} article(s):",
                    v.value,
                    v.sources.len()
                )?;
                cite(out, &v.citations)?;
            }
        }
    }
    Ok(())
}

/// Runs `khabar export`.
pub fn run_export(args: &ExportArgs, dirs: &Dirs) -> Result<ExitCode> {
    let Some(path) = &args.output else {
        let store = open_existing(dirs)?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write_export(&mut out, args.format, &store.events()?)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    };
    refuse_store_file(path, &dirs.data)?;
    let store = open_existing(dirs)?;
    let events = store.events()?;
    // Written beside the target and renamed over it: a failed export leaves the old file (or
    // none), never half a file.
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".khabar-export")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot write {}: creating a file in {}",
                path.display(),
                dir.display()
            )
        })?;
    let mode = std::fs::metadata(path).map_or(NEW_FILE_MODE, |m| m.permissions().mode());
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(temp.as_file_mut());
    write_export(&mut out, args.format, &events)
        .and_then(|()| Ok(out.flush()?))
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(out);
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// Permissions of a new export file: what `File::create` gives under the usual umask 022.
const NEW_FILE_MODE: u32 = 0o644;

/// Refuses an export target inside the data directory (the store's database, its `-wal` and
/// `-shm`, anything else there) or another name of one of its files (a hard or symbolic link).
fn refuse_store_file(target: &Path, data: &Path) -> Result<()> {
    let Ok(data) = data.canonicalize() else {
        return Ok(()); // No data directory: nothing to overwrite (and no store to export).
    };
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let resolved = target.canonicalize().or_else(|_| {
        parent
            .canonicalize()
            .map(|p| p.join(target.file_name().unwrap_or_default()))
    });
    let inside = resolved.as_ref().is_ok_and(|r| r.starts_with(&data));
    let same_file = std::fs::metadata(target).is_ok_and(|t| {
        std::fs::read_dir(&data).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.metadata()
                    .is_ok_and(|m| m.dev() == t.dev() && m.ino() == t.ino())
            })
        })
    });
    if inside || same_file {
        bail!(
            "refusing to export onto {}: it is part of the store in {} (choose a file outside it)",
            target.display(),
            data.display()
        );
    }
    Ok(())
}

fn write_export(mut out: &mut dyn Write, format: ExportFormat, events: &[Event]) -> Result<()> {
    match format {
        ExportFormat::Jsonl => {
            for e in events {
                serde_json::to_writer(&mut out, e)?;
                writeln!(out)?;
            }
        }
        ExportFormat::Csv => {
            writeln!(
                out,
                "event,event_date,event_title,article,lang,outlet,published_at,published_source,published_confidence,crawled_at,preview,source"
            )?;
            for e in events {
                for m in &e.members {
                    let fields = [
                        e.id.to_string(),
                        e.date
                            .as_ref()
                            .map(|d| d.value.to_string())
                            .unwrap_or_default(),
                        e.title.clone(),
                        m.article.to_string(),
                        m.lang.clone(),
                        m.outlet.clone().unwrap_or_default(),
                        m.published_at.clone().unwrap_or_default(),
                        m.published_source.map(source_name).unwrap_or_default(),
                        m.published_confidence
                            .map(|c| format!("{c:.2}"))
                            .unwrap_or_default(),
                        m.crawled_at.clone().unwrap_or_default(),
                        m.preview.to_string(),
                        m.source.clone(),
                    ];
                    let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                    writeln!(out, "{}", row.join(","))?;
                }
            }
        }
    }
    Ok(())
}

/// What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// RFC 4180 quoting; a cell a spreadsheet would run as a formula (`=HYPERLINK(…)`) is
/// neutralised as OWASP recommends: a leading `'` and quoted.
fn csv_field(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        format!("\"'{}\"", value.replace('"', "\"\""))
    } else if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A date source as JSON names it (`meta_tag`, `dateline`…).
fn source_name(source: khabar_core::DateSource) -> String {
    serde_json::to_value(source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A member's publication date with its source and confidence, or "undated" with the crawl
/// time when that is all that is known, so a reader can tell one from the other.
fn published(m: &khabar_core::Member) -> String {
    match (&m.published_at, &m.crawled_at) {
        (Some(at), _) => format!(
            "{at} ({}{})",
            m.published_source.map(source_name).unwrap_or_default(),
            m.published_confidence
                .map(|c| format!(" {c:.2}"))
                .unwrap_or_default()
        ),
        (None, Some(crawled)) => format!("undated (crawled {crawled})"),
        (None, None) => "undated".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_formula_cells_are_neutralised() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_field(start), format!("\"'{start}\""));
        }
        assert_eq!(csv_field("2026-01-01"), "2026-01-01");
    }
}
