//! `khabar`: turn a stream of multilingual news articles into a searchable database of events,
//! with who reports what. A thin binary over the stage crates; see docs/architecture.md.

mod commands;
mod exit;
mod pipeline;
mod progress;
mod signals;
mod terminal;

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// khabar — news articles in, events out: who did what, when, where, who reports it, and where
/// the reports disagree.
#[derive(Parser)]
#[command(name = "khabar", version, about, long_about = None, after_help = exit::HELP)]
struct Cli {
    /// Where the store lives (by default in the user data directory).
    #[arg(
        long,
        global = true,
        env = "KHABAR_DATA",
        default_value_os_t = khabar_core::dirs::data_dir()
    )]
    data_dir: PathBuf,
    /// Where the embedding model is installed (by default in the user cache directory).
    #[arg(long, global = true, env = "KHABAR_MODEL_DIR", default_value_os_t = khabar_embed::default_model_dir())]
    model_dir: PathBuf,
    /// Where the gazetteer is installed (by default in the user cache directory).
    #[arg(long, global = true, env = "KHABAR_GAZETTEER_DIR", default_value_os_t = khabar_analyse::default_gazetteer_dir())]
    gazetteer_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read articles (files, directories, `-` for stdin) and add them to the store.
    Ingest(commands::ingest::IngestArgs),
    /// List the events.
    Events(commands::events::EventsArgs),
    /// Show one event: date, place, participants, articles, facts with their sentences.
    Show(commands::events::ShowArgs),
    /// Why articles were grouped: similarity and its parts, threshold, the next best event.
    Explain(commands::explain::ExplainArgs),
    /// Export the events (all, or those the filters select).
    Export(commands::events::ExportArgs),
    /// List the people, places and organisations the articles mention.
    Entities(commands::entities::EntitiesArgs),
    /// Show one entity's events over time.
    Entity(commands::entities::EntityArgs),
    /// Search events (or articles) in any script: BM25, filters, highlighted sentences.
    Search(commands::search::SearchArgs),
    /// Rebuild the search index from the store.
    Reindex(commands::search::ReindexArgs),
    /// Correct the grouping: these events report one happening.
    Merge(commands::correct::MergeArgs),
    /// Correct the grouping: these articles report something else.
    Split(commands::correct::SplitArgs),
    /// Correct the grouping: this article belongs to that event.
    Move(commands::correct::MoveArgs),
    /// Withdraw a correction.
    Undo(commands::correct::UndoArgs),
    /// The corrections made so far.
    Log(commands::correct::LogArgs),
    /// Copy the store to one file, consistently, even while an ingest runs.
    Backup(commands::store::BackupArgs),
    /// Check the store for damage and broken invariants; fails when anything is wrong.
    Check(commands::store::CheckArgs),
    /// Install what is missing, ingest the bundled example articles, print the events.
    Demo(commands::demo::DemoArgs),
    /// Install or inspect the embedding model.
    Model(commands::model::ModelArgs),
    /// Embed text lines from stdin: one JSON array of 512 floats per line.
    Embed(commands::model::EmbedArgs),
    /// Install or inspect the gazetteer (countries, places, organisations).
    Data(commands::analyse::DataArgs),
    /// Analyse one article file and print what was found (JSON).
    Analyse(commands::analyse::AnalyseArgs),
    /// Measure quality on labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure speed.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print a shell completion script (e.g. `khabar completions bash > ~/.local/share/bash-completion/completions/khabar`).
    Completions(commands::shell::CompletionsArgs),
    /// Print the man page (roff), e.g. `khabar man | man -l -`.
    Man,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Same-story pairs (SemEval-2022 Task 8 form): Pearson r and ROC-AUC of the event similarity.
    Pairs(commands::eval::PairsArgs),
    /// Fit the similarity model on labelled pairs by cross-validation and print the weights.
    Fit(commands::eval::FitArgs),
    /// Precision and recall of the analyse stage against gold annotations.
    Analyse(commands::analyse::EvalAnalyseArgs),
    /// Main-content extraction against ground-truth article bodies.
    Extraction(commands::extraction::EvalExtractionArgs),
    /// Event clustering on a gold stream: ingest it into a fresh store, compare the events.
    Clusters(commands::eval_clusters::EvalClustersArgs),
    /// Publication dates on htmldate's benchmark form: precision, recall, F1 at day level.
    Dates(commands::eval_dates::EvalDatesArgs),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// WARC reading and extraction throughput.
    Warc(commands::extraction::BenchWarcArgs),
    /// End-to-end ingest throughput on a corpus built from real texts.
    Ingest(commands::bench::BenchIngestArgs),
    /// Search index size, indexing time and query latency on a store.
    Search(commands::search::BenchSearchArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" to clap that go to stdout and succeed.
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            };
            // A closed pipe (`khabar --help | head -1`) is no reason to complain.
            let _ = e.print();
            return exit::code(code);
        }
    };
    let dirs = commands::Dirs {
        data: cli.data_dir,
        model: cli.model_dir,
        gazetteer: cli.gazetteer_dir,
    };
    let result = match &cli.command {
        Command::Ingest(args) => commands::ingest::run(args, &dirs),
        Command::Events(args) => commands::events::run_events(args, &dirs),
        Command::Show(args) => commands::events::run_show(args, &dirs),
        Command::Explain(args) => commands::explain::run(args, &dirs),
        Command::Export(args) => commands::events::run_export(args, &dirs),
        Command::Entities(args) => commands::entities::run_entities(args, &dirs),
        Command::Entity(args) => commands::entities::run_entity(args, &dirs),
        Command::Search(args) => commands::search::run_search(args, &dirs),
        Command::Reindex(args) => commands::search::run_reindex(args, &dirs),
        Command::Merge(args) => commands::correct::run_merge(args, &dirs),
        Command::Split(args) => commands::correct::run_split(args, &dirs),
        Command::Move(args) => commands::correct::run_move(args, &dirs),
        Command::Undo(args) => commands::correct::run_undo(args, &dirs),
        Command::Log(args) => commands::correct::run_log(args, &dirs),
        Command::Backup(args) => commands::store::run_backup(args, &dirs),
        Command::Check(args) => commands::store::run_check(args, &dirs),
        Command::Demo(args) => commands::demo::run(args, &dirs),
        Command::Model(args) => {
            commands::model::run_model(args, &dirs.model).map(|_| ExitCode::SUCCESS)
        }
        Command::Embed(args) => {
            commands::model::run_embed(args, &dirs.model).map(|_| ExitCode::SUCCESS)
        }
        Command::Data(args) => {
            commands::analyse::run_data(args, &dirs.gazetteer).map(|_| ExitCode::SUCCESS)
        }
        Command::Analyse(args) => {
            commands::analyse::run_analyse(args, &dirs.gazetteer).map(|_| ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Analyse(args)) => {
            commands::analyse::run_eval_analyse(args, &dirs.gazetteer).map(|_| ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Pairs(args)) => commands::eval::run_pairs(args, &dirs),
        Command::Eval(EvalCommand::Fit(args)) => commands::eval::run_fit(args, &dirs),
        Command::Eval(EvalCommand::Extraction(args)) => {
            commands::extraction::run_eval_extraction(args).map(|_| ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Warc(args)) => {
            commands::extraction::run_bench_warc(args).map(|_| ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Dates(args)) => {
            commands::eval_dates::run_eval_dates(args).map(|_| ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Clusters(args)) => {
            commands::eval_clusters::run_eval_clusters(args, &dirs)
        }
        Command::Bench(BenchCommand::Ingest(args)) => {
            commands::bench::run_bench_ingest(args, &dirs)
        }
        Command::Bench(BenchCommand::Search(args)) => {
            commands::search::run_bench_search(args, &dirs)
        }
        Command::Completions(args) => commands::shell::run_completions(args, Cli::command()),
        Command::Man => commands::shell::run_man(Cli::command()),
    };
    match result {
        Ok(code) => code,
        // The reader has what it wanted (`| head`): not an error.
        Err(e) if exit::is_broken_pipe(&e) => exit::code(exit::SUCCESS),
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::code(exit::FAILURE)
        }
    }
}
