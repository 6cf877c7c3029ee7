//! `khabar events`, `khabar show EVENT`, `khabar export`.

use super::Dirs;
use anyhow::{bail, Context, Result};
use khabar_core::{Citation, Event, EventId};
use khabar_store::{Reads, Store};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// A title language choice.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TitleLang {
    /// Arabic.
    Ar,
    /// English.
    En,
}

impl TitleLang {
    fn code(self) -> &'static str {
        match self {
            TitleLang::Ar => "ar",
            TitleLang::En => "en",
        }
    }
}

/// Arguments of `khabar events`.
#[derive(clap::Args)]
pub struct EventsArgs {
    /// Print a JSON array of events (see docs/event-schema.md).
    #[arg(long)]
    pub json: bool,
    /// Language of the titles, where a member in that language exists.
    #[arg(long, value_enum)]
    pub lang: Option<TitleLang>,
}

/// Arguments of `khabar show`.
#[derive(clap::Args)]
pub struct ShowArgs {
    /// The event id (as `khabar events` prints it).
    pub event: String,
    /// Print the event as JSON.
    #[arg(long)]
    pub json: bool,
    /// Language of the title, where a member in that language exists.
    #[arg(long, value_enum)]
    pub lang: Option<TitleLang>,
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

/// The store, which must exist already (reading commands never create one).
pub fn open_existing(dirs: &Dirs) -> Result<Store> {
    let db = dirs.data.join(khabar_store::DB_FILE);
    if !db.exists() {
        bail!(
            "no store at {} yet: run `khabar ingest PATH...` (or `khabar demo`) first",
            db.display()
        );
    }
    Ok(Store::open(&dirs.data)?)
}

fn with_title(mut event: Event, lang: Option<TitleLang>) -> Event {
    if let Some(title) = lang.and_then(|l| event.titles.get(l.code())) {
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
        .map(|e| with_title(e, args.lang))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &events)?;
        writeln!(out)?;
    } else {
        print_table(&mut out, &events)?;
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
    let id = EventId::from_stored(args.event.clone());
    let Some(event) = store.event(&id)? else {
        bail!("no event {} (list them with `khabar events`)", args.event);
    };
    let event = with_title(event, args.lang);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &event)?;
        writeln!(out)?;
    } else {
        print_event(&mut out, &event)?;
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
            m.published_at.as_deref().unwrap_or("undated"),
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
    let store = open_existing(dirs)?;
    let events = store.events()?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match args.format {
        ExportFormat::Jsonl => {
            for e in &events {
                serde_json::to_writer(&mut out, e)?;
                writeln!(out)?;
            }
        }
        ExportFormat::Csv => {
            writeln!(
                out,
                "event,event_date,event_title,article,lang,outlet,published_at,preview,source"
            )?;
            for e in &events {
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
                        m.preview.to_string(),
                        m.source.clone(),
                    ];
                    let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                    writeln!(out, "{}", row.join(","))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// RFC 4180 quoting.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
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
}
