//! `khabar events`, `khabar show EVENT`, `khabar export`.

use super::Dirs;
use crate::terminal::Clean;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use khabar_core::{Citation, Event, EventKind};
use khabar_store::query::{events_version, retired_since, EventQuery, Page, Sort};
use khabar_store::{Reads, Store};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A `--lang` value: one of the languages the analyse stage detects (its list is the one source).
fn title_lang() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(khabar_analyse::language::KNOWN)
}

/// The kinds of happening, as `--kind` takes them (the serialised names of [`EventKind`]).
const KINDS: [&str; 5] = [
    "meeting",
    "visit",
    "phone_call",
    "press_conference",
    "statement",
];

fn event_kind(text: &str) -> Result<EventKind, String> {
    serde_json::from_value(serde_json::Value::String(text.into()))
        .map_err(|_| format!("unknown kind {text}; one of {}", KINDS.join(", ")))
}

/// `--sort` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    /// Event date, newest first.
    Date,
    /// Number of articles, largest first.
    Size,
    /// Number of independent origins, most first.
    Origins,
    /// Last change in the store, most recent first.
    Updated,
}

/// Which events, in what order (docs/queries.md); every filter given must hold.
#[derive(clap::Args)]
pub struct Filters {
    /// Events on or after this day (YYYY-MM-DD); with --published, an article published then.
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Events on or before this day (YYYY-MM-DD); with --published, as --since.
    #[arg(long)]
    pub until: Option<NaiveDate>,
    /// --since/--until are the articles' publication dates, not the event's date.
    #[arg(long)]
    pub published: bool,
    /// Events with an article in this language; their titles are printed in it.
    #[arg(long, value_parser = title_lang())]
    pub lang: Option<String>,
    /// Events with an article from this outlet.
    #[arg(long)]
    pub outlet: Option<String>,
    /// Events with this independent origin (`KUNA` or `agency:KUNA`).
    #[arg(long)]
    pub origin: Option<String>,
    /// Events whose articles mention this entity: its id or a name in any script (`Lavrov`, `لافروف`).
    #[arg(long)]
    pub entity: Option<String>,
    /// Events at this place, by a name in any script.
    #[arg(long)]
    pub place: Option<String>,
    /// Events of this kind (meeting, visit, phone_call, press_conference, statement).
    #[arg(long, value_parser = event_kind)]
    pub kind: Option<EventKind>,
    /// Events whose sources disagree on something.
    #[arg(long)]
    pub disputed: bool,
    /// Events with at least this many articles.
    #[arg(long, value_name = "N")]
    pub min_articles: Option<u32>,
    /// Events with at least this many independent origins.
    #[arg(long, value_name = "N")]
    pub min_origins: Option<u32>,
    /// Order (ties by event id).
    #[arg(long, value_enum, default_value = "date")]
    pub sort: SortArg,
    /// At most N events; the position to go on from is printed as the next cursor.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Start after this position (the next cursor a page printed, with the same --sort).
    #[arg(long)]
    pub cursor: Option<String>,
}

impl Filters {
    /// The store query these arguments ask for.
    pub fn query(&self) -> Result<EventQuery> {
        Ok(EventQuery {
            since: self.since,
            until: self.until,
            published: self.published,
            lang: self.lang.clone(),
            outlet: self.outlet.clone(),
            origin: self.origin.clone(),
            entity: self.entity.clone(),
            place: self.place.clone(),
            kind: self.kind,
            disputed: self.disputed,
            min_articles: self.min_articles,
            min_origins: self.min_origins,
            sort: match self.sort {
                SortArg::Date => Sort::Date,
                SortArg::Size => Sort::Size,
                SortArg::Origins => Sort::Origins,
                SortArg::Updated => Sort::Updated,
            },
            limit: self.limit,
            cursor: self.cursor.as_deref().map(str::parse).transpose()?,
            ..EventQuery::default()
        })
    }
}

/// Arguments of `khabar events`.
#[derive(clap::Args)]
pub struct EventsArgs {
    /// Print a JSON array of events (see docs/event-schema.md); the next cursor goes to stderr.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub filters: Filters,
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
    /// One row per event: date, place, kind, titles, counts (docs/queries.md).
    Tsv,
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
    /// Only events stored or changed since this cursor (0: all); the cursor to pass next time
    /// is printed on stderr as `changed_since: N`, after a `retired: OLD NEW` line for each
    /// event merged away since (OLD's articles are now mostly in NEW).
    #[arg(long, value_name = "CURSOR")]
    pub changed_since: Option<i64>,
    #[command(flatten)]
    pub filters: Filters,
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

/// Runs a query on one snapshot of the store, with the events version of that snapshot.
pub fn run_query(dirs: &Dirs, query: &EventQuery) -> Result<(Page, i64)> {
    let mut store = open_existing(dirs)?;
    Ok(store.snapshot(|s| Ok((query.run(s)?, events_version(s)?)))?)
}

/// Runs `khabar events`.
pub fn run_events(args: &EventsArgs, dirs: &Dirs) -> Result<ExitCode> {
    let (page, _) = run_query(dirs, &args.filters.query()?)?;
    let events: Vec<Event> = page
        .events
        .into_iter()
        .map(|e| with_title(e, args.filters.lang.as_deref()))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &events)?;
        writeln!(out)?;
        if let Some(next) = &page.next_cursor {
            eprintln!("next_cursor: {next}");
        }
    } else {
        print_table(&mut Clean::new(&mut out), &events)?;
        if let Some(next) = &page.next_cursor {
            writeln!(out, "next page: --cursor {next}")?;
        }
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
    if let Some(path) = &args.output {
        refuse_store_file(path, &dirs.data)?;
    }
    let query = EventQuery {
        changed_since: args.changed_since,
        ..args.filters.query()?
    };
    let mut store = open_existing(dirs)?;
    let (page, version, retired) = store.snapshot(|s| {
        let retired = match args.changed_since {
            Some(v) => retired_since(s, v)?,
            None => Vec::new(),
        };
        Ok((query.run(s)?, events_version(s)?, retired))
    })?;
    drop(store);
    let events = page.events;
    // On stderr, and only when asked for: the export itself stays one clean file.
    let cursors = || {
        if let Some(next) = &page.next_cursor {
            eprintln!("next_cursor: {next}");
        }
        for (old, into) in &retired {
            eprintln!("retired: {old} {into}");
        }
        if args.changed_since.is_some() {
            eprintln!("changed_since: {version}");
        }
    };
    let Some(path) = &args.output else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write_export(&mut out, args.format, &events)?;
        out.flush()?;
        cursors();
        return Ok(ExitCode::SUCCESS);
    };
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
    cursors();
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
                        event_date(e),
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
        ExportFormat::Tsv => write_tsv(out, events)?,
    }
    Ok(())
}

/// The event's date as an export cell: empty when no article dates it.
fn event_date(e: &Event) -> String {
    e.date
        .as_ref()
        .map(|d| d.value.to_string())
        .unwrap_or_default()
}

/// Languages with a title column of their own in the TSV; titles in others share one column.
const TSV_TITLE_LANGS: [&str; 2] = ["ar", "en"];

/// One row per event. Titles in languages other than [`TSV_TITLE_LANGS`] go in
/// `titles_other` as `lang: title` joined by ` | `.
fn write_tsv(out: &mut dyn Write, events: &[Event]) -> Result<()> {
    writeln!(
        out,
        "event\tdate\tplace\tkind\ttitle_ar\ttitle_en\ttitles_other\tarticles\toutlets\torigins\tdisagreements"
    )?;
    for e in events {
        let kind = e
            .kind
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let title = |lang: &str| e.titles.get(lang).cloned().unwrap_or_default();
        let others: Vec<String> = e
            .titles
            .iter()
            .filter(|(lang, _)| !TSV_TITLE_LANGS.contains(&lang.as_str()))
            .map(|(lang, t)| format!("{lang}: {t}"))
            .collect();
        let fields = [
            e.id.to_string(),
            event_date(e),
            e.place
                .as_ref()
                .map(|p| p.value.clone())
                .unwrap_or_default(),
            kind,
            title(TSV_TITLE_LANGS[0]),
            title(TSV_TITLE_LANGS[1]),
            others.join(" | "),
            e.members.len().to_string(),
            e.outlets.len().to_string(),
            e.origins.len().to_string(),
            e.disagreements.len().to_string(),
        ];
        let row: Vec<String> = fields.iter().map(|f| tsv_field(f)).collect();
        writeln!(out, "{}", row.join("\t"))?;
    }
    Ok(())
}

/// A TSV cell: tab, newline, carriage return and backslash written as `\t`, `\n`, `\r`, `\\`
/// (so a row is one line of fields), and a cell a spreadsheet would run as a formula
/// neutralised with a leading `'`, as in the CSV.
fn tsv_field(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 1);
    if value.starts_with(FORMULA_STARTS) {
        out.push('\'');
    }
    for c in value.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
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
    use super::{csv_field, event_kind, tsv_field, KINDS};

    #[test]
    fn every_kind_listed_for_kind_is_one_the_events_use() {
        for kind in KINDS {
            let parsed = event_kind(kind).unwrap();
            assert_eq!(serde_json::to_value(parsed).unwrap(), kind);
        }
        assert!(event_kind("riot").unwrap_err().contains("phone_call"));
    }

    #[test]
    fn tsv_fields_escape_tabs_and_newlines_and_neutralise_formulas() {
        assert_eq!(tsv_field("plain, \"quoted\""), "plain, \"quoted\"");
        assert_eq!(tsv_field("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
        assert_eq!(tsv_field("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(tsv_field("\tx"), "'\\tx");
        for start in ["+1", "-1", "@SUM(A1)"] {
            assert_eq!(tsv_field(start), format!("'{start}"));
        }
        assert_eq!(tsv_field("2026-01-01"), "2026-01-01");
    }

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
