//! One module per group of subcommands: argument types and what each command does.

pub mod analyse;
pub mod bench;
pub mod correct;
pub mod demo;
pub mod entities;
pub mod eval;
pub mod eval_clusters;
pub mod eval_dates;
pub mod events;
pub mod explain;
pub mod extraction;
pub mod ingest;
pub mod model;
pub mod rng;
pub mod search;
pub mod shell;
pub mod store;

use std::path::PathBuf;

/// Where things live, resolved from flags, environment and defaults.
pub struct Dirs {
    /// The store.
    pub data: PathBuf,
    /// The embedding model.
    pub model: PathBuf,
    /// The gazetteer.
    pub gazetteer: PathBuf,
}
