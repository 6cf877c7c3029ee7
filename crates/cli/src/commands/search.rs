//! `khabar search QUERY` and `khabar reindex`: full-text search over the store through the
//! derived index of khabar-search, kept in the data directory.

use super::Dirs;
use crate::exit::outln;
use crate::terminal::sanitise;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use khabar_analyse::Gazetteer;
use khabar_search::query::DEFAULT_LIMIT;
use khabar_search::{Error, Hit, Query, SearchIndex, Target};
use khabar_store::Store;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// The index's directory inside the data directory.
pub const INDEX_DIR: &str = "search-index";

/// Arguments of `khabar search`.
#[derive(clap::Args)]
pub struct SearchArgs {
    /// The words, in any script: names of people, places and organisations also find their
    /// mentions in the other script (Lavrov, لافروف).
    #[arg(required = true)]
    pub query: Vec<String>,
    /// Search events (the default).
    #[arg(long, conflicts_with = "articles")]
    pub events: bool,
    /// Search articles.
    #[arg(long)]
    pub articles: bool,
    /// Only events with an article in this language, or articles in it (ar, en, …).
    #[arg(long)]
    pub lang: Option<String>,
    /// Only events this outlet reports, or its articles.
    #[arg(long)]
    pub outlet: Option<String>,
    /// Only events on or after this date (YYYY-MM-DD; articles: published on or after it);
    /// a date filter leaves undated ones out.
    #[arg(long, value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Only events on or before this date (YYYY-MM-DD; articles: published on or before it).
    #[arg(long, value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// At most this many hits.
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    /// JSON: the hits with their snippets' byte spans in the stored bodies.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `khabar reindex`.
#[derive(clap::Args)]
pub struct ReindexArgs {}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("{s:?} is not YYYY-MM-DD: {e}"))
}

fn index_dir(dirs: &Dirs) -> PathBuf {
    dirs.data.join(INDEX_DIR)
}

/// Brings the index up to date with the store after a command changed it. The store is the
/// source of truth and has its changes already, so a failure here is a warning: the next
/// `khabar search` catches up, `khabar reindex` rebuilds.
pub fn update(dirs: &Dirs) {
    let result = (|| -> Result<()> {
        let store = Store::open_read_only(&dirs.data)?;
        SearchIndex::open(&index_dir(dirs))?.catch_up(&store)?;
        Ok(())
    })();
    match result {
        Ok(()) => {}
        // the other process brings it up to date
        Err(e) if matches!(e.downcast_ref::<Error>(), Some(Error::Busy(_))) => {}
        Err(e) => eprintln!("warning: the search index was not updated: {e:#} (`khabar search` catches up; `khabar reindex` rebuilds it)"),
    }
}

/// Runs `khabar search`.
pub fn run_search(args: &SearchArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = super::events::open_existing(dirs)?;
    let mut index = SearchIndex::open(&index_dir(dirs))?;
    match index.catch_up(&store) {
        Ok(_) => {}
        Err(Error::Busy(_)) => {
            eprintln!("note: another process is updating the search index; searching what it holds")
        }
        Err(e) => return Err(e).context("catching the search index up with the store"),
    }
    // without the gazetteer, place names still match as words, people's names across scripts
    let gazetteer = match Gazetteer::load(&dirs.gazetteer) {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("note: {e}; place and organisation names match as words only");
            None
        }
    };
    let query = Query {
        text: args.query.join(" "),
        target: if args.articles {
            Target::Articles
        } else {
            Target::Events
        },
        lang: args.lang.clone(),
        outlet: args.outlet.clone(),
        since: args.since,
        until: args.until,
        limit: args.limit,
    };
    let hits = index.search(&store, gazetteer.as_ref(), &query)?;
    if args.json {
        let json: Vec<serde_json::Value> = hits.iter().map(hit_json).collect();
        outln!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print_hits(&hits);
    }
    Ok(ExitCode::SUCCESS)
}

fn span(s: khabar_core::Span) -> [usize; 2] {
    [s.start, s.end]
}

fn hit_json(hit: &Hit) -> serde_json::Value {
    serde_json::json!({
        "kind": hit.kind,
        "id": hit.id,
        "date": hit.date,
        "title": hit.title,
        "score": hit.score,
        "snippet": hit.snippet.as_ref().map(|s| serde_json::json!({
            "article": s.article,
            "sentence": span(s.sentence),
            "text": s.text,
            "highlights": s.highlights.iter().map(|h| span(*h)).collect::<Vec<_>>(),
        })),
    })
}

fn print_hits(hits: &[Hit]) {
    if hits.is_empty() {
        eprintln!("no hits");
        return;
    }
    let (open, close) = if std::io::stdout().is_terminal() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    for hit in hits {
        let date = hit.date.map_or("-".to_string(), |d| d.to_string());
        outln!(
            "{}  {date}  {:.2}  {}",
            hit.id,
            hit.score,
            sanitise(&hit.title)
        );
        if let Some(s) = &hit.snippet {
            // Marked with private-use stand-ins first, so the text's own controls are escaped
            // and the highlight's are not.
            let marked = sanitise(&s.marked("\u{e000}", "\u{e001}"))
                .replace('\u{e000}', open)
                .replace('\u{e001}', close);
            outln!("    {}: {marked}", s.article);
        }
    }
}

/// Runs `khabar reindex`.
pub fn run_reindex(_args: &ReindexArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = super::events::open_existing(dirs)?;
    let mut index = SearchIndex::open(&index_dir(dirs))?;
    let progress = index.rebuild(&store)?;
    outln!(
        "indexed {} articles and {} events",
        progress.articles_added,
        progress.events_indexed
    );
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar bench search`.
#[derive(clap::Args)]
pub struct BenchSearchArgs {
    /// A store to index and search, such as one `khabar bench ingest --store DIR` kept.
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Queries to time.
    #[arg(long, default_value_t = 1000)]
    pub queries: usize,
    /// Seed of the query sample.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Words per benchmark query: one to three consecutive words of a stored article's first
/// sentence (what people type: a name, a name and a word, a short phrase).
const BENCH_MAX_WORDS: usize = 3;

/// Events whose own title is searched for the quality figure (the newest first).
const BENCH_TITLE_EVENTS: usize = 1000;

fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

/// Runs `khabar bench search`: builds the index of a store in a temporary directory (size,
/// time), then times queries drawn from the store's own articles, half on events and half on
/// articles, a third of them with a language or date filter.
pub fn run_bench_search(args: &BenchSearchArgs, dirs: &Dirs) -> Result<ExitCode> {
    use super::rng::Rng;
    use khabar_store::Reads;
    use std::time::Instant;
    anyhow::ensure!(
        args.store.join(khabar_store::DB_FILE).exists(),
        "no store in {}",
        args.store.display()
    );
    if cfg!(debug_assertions) && !args.json {
        eprintln!("note: a debug build; build with --release for figures worth reporting");
    }
    let store = Store::open(&args.store)?;
    let gazetteer = Gazetteer::load(&dirs.gazetteer).ok();
    let index_dir = super::eval_clusters::TempDir::new("khabar-bench-search")?;
    let build_start = Instant::now();
    let cpu_start = khabar_core::measure::cpu_seconds();
    let mut index = SearchIndex::open(index_dir.path())?;
    let progress = index.rebuild(&store)?;
    let index_seconds = build_start.elapsed().as_secs_f64();
    let index_cpu = khabar_core::measure::cpu_seconds()
        .zip(cpu_start)
        .map(|(b, a)| b - a);
    let index_bytes = dir_bytes(index_dir.path());

    // the queries: words of the first sentences of stored articles
    let mut ids = Vec::new();
    store.for_each_vectors(0, &mut |v| {
        ids.push(v.id);
        Ok(())
    })?;
    anyhow::ensure!(!ids.is_empty(), "the store has no articles");
    let mut rng = Rng::new(args.seed, 0x5ea2c4);
    let mut latencies = Vec::with_capacity(args.queries);
    let mut hits_total = 0usize;
    for k in 0..args.queries {
        let doc = store
            .doc(&ids[rng.below(ids.len())])?
            .context("an article the store lists")?;
        let first = doc
            .sentences
            .first()
            .map(|s| doc.text(s.span))
            .unwrap_or("");
        let words: Vec<&str> = first.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let n = 1 + rng.below(BENCH_MAX_WORDS.min(words.len()));
        let at = rng.below(words.len() + 1 - n);
        let mut query = Query::new(
            &words[at..at + n].join(" "),
            if k % 2 == 0 {
                Target::Events
            } else {
                Target::Articles
            },
        );
        match k % 6 {
            1 => query.lang = Some(doc.language.code.clone()),
            3 => {
                query.since = doc.article.published_at.as_ref().map(|p| p.at.date_naive());
                query.until = query
                    .since
                    .and_then(|d| d.checked_add_days(chrono::Days::new(7)));
            }
            _ => {}
        }
        let start = Instant::now();
        let hits = match index.search(&store, gazetteer.as_ref(), &query) {
            Ok(hits) => hits,
            // punctuation alone
            Err(Error::EmptyQuery(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        hits_total += hits.len();
    }
    anyhow::ensure!(!latencies.is_empty(), "no query could be made");
    // quality: does a query made of an event's own title find it in the top 3?
    let (mut titled, mut found) = (0usize, 0usize);
    for event in store.events()?.iter().take(BENCH_TITLE_EVENTS) {
        let mut query = Query::new(&event.title, Target::Events);
        query.limit = 3;
        match index.search(&store, gazetteer.as_ref(), &query) {
            Ok(hits) => {
                titled += 1;
                found += usize::from(hits.iter().any(|h| h.id == event.id.as_str()));
            }
            Err(Error::EmptyQuery(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    let (articles, events) = index.counts();
    let report = serde_json::json!({
        "articles": articles,
        "events": events,
        "index_bytes": index_bytes,
        "index_seconds": index_seconds,
        "index_cpu_seconds": index_cpu,
        "articles_per_second": progress.articles_added as f64 / index_seconds,
        "queries": latencies.len(),
        "mean_hits": hits_total as f64 / latencies.len() as f64,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": latencies[latencies.len() - 1],
        "own_title_top3": found as f64 / titled.max(1) as f64,
        "own_title_events": titled,
    });
    if args.json {
        outln!("{report}");
    } else {
        outln!(
            "indexed {articles} articles and {events} events in {index_seconds:.1} s ({:.0} articles/s), {:.1} MB ({:.0} bytes/article)",
            progress.articles_added as f64 / index_seconds,
            index_bytes as f64 / 1e6,
            index_bytes as f64 / articles.max(1) as f64,
        );
        outln!(
            "{} queries (with snippets): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.1} hits on average",
            latencies.len(),
            pct(0.5),
            pct(0.99),
            latencies[latencies.len() - 1],
            hits_total as f64 / latencies.len() as f64
        );
        outln!(
            "own title in the top 3: {found} of {titled} events ({:.1}%)",
            100.0 * found as f64 / titled.max(1) as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}
