//! khabar's store: one SQLite file in WAL mode, the source of truth for articles, their analyses
//! and vectors, the pairwise links the cluster stage scored, memberships and synthesised events.
//!
//! Writes happen in one transaction per ingest batch ([`Store::write`]), so a crash at any moment
//! leaves the store as it was after the last whole batch; running the same ingest again then gives
//! the same store as an uninterrupted run.
//!
//! ```
//! use khabar_store::{Reads, Store};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(dir.path()).unwrap();
//! assert_eq!(store.article_count().unwrap(), 0);
//! store.write(|tx| tx.set_meta("note", "hello")).unwrap();
//! assert_eq!(store.meta("note").unwrap().as_deref(), Some("hello"));
//! ```
#![warn(missing_docs)]

mod migrations;
pub mod query;
pub mod vectors;

use khabar_core::{ArticleId, Copy, Doc, Event, EventId, SynthesisInput};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "khabar.sqlite";

/// Store errors. A field holding the cause is part of the message and not also given as its
/// `source`: printed as a chain (`{:#}`), SQLite's words would otherwise appear two or three times.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("database {path}: {error}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        error: rusqlite::Error,
    },
    /// SQLite found the file damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`) while reading it.
    #[error(
        "store {path} is corrupt ({error}): run `khabar check` to see what is damaged, \
         or restore it from a backup (`khabar backup`)"
    )]
    CorruptFile {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        error: rusqlite::Error,
    },
    /// A file of the store could not be read or written.
    #[error("cannot {action} {path}: {error}")]
    Io {
        /// What was being done ("create", "read", ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// There is no store to read.
    #[error("no store at {path} yet: run `khabar ingest PATH...` (or `khabar demo`) first")]
    NoStore {
        /// The database file looked for.
        path: PathBuf,
    },
    /// The file is there but empty: a store being created at this moment, or a file that never
    /// held one. Nothing reads it, and nothing is written into it by a read.
    #[error(
        "no store at {path} yet: it is an empty file (0 bytes); `khabar ingest PATH...` makes one"
    )]
    EmptyFile {
        /// The database file.
        path: PathBuf,
    },
    /// The file is there but holds no khabar store.
    #[error("{path} is not a khabar store: {reason}")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// A stored record could not be decoded.
    #[error(
        "stored record {what} is corrupt: {reason} (run `khabar check`, or restore the store \
         from a backup)"
    )]
    Corrupt {
        /// Which record.
        what: String,
        /// Why.
        reason: String,
    },
    /// The database was written by a newer khabar.
    #[error("database {path} has schema version {found}, newer than this khabar ({supported}); upgrade khabar")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// The database needs migrating, and was opened for reading only.
    #[error(
        "database {path} has schema version {found}, older than this khabar's ({supported}); \
         a writing command (`khabar ingest`) upgrades it"
    )]
    TooOld {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// Nothing stored answers to a name given for an event.
    #[error("no event {query} in the store, nor an article or article URL of that name (list the events with `khabar events`)")]
    NoSuchEvent {
        /// The name given.
        query: String,
    },
    /// A prefix names several events.
    #[error("{query} is ambiguous; it could be: {}", candidates.join(", "))]
    Ambiguous {
        /// The prefix given.
        query: String,
        /// What it matches (ids, with what they name).
        candidates: Vec<String>,
    },
    /// A paging cursor that is not one a query printed.
    #[error("cursor {cursor} is not usable: {reason} (pass the next cursor a page printed, with the same --sort)")]
    BadCursor {
        /// The cursor given.
        cursor: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A backup was asked to overwrite the store it copies.
    #[error("{path} is a file of the store itself: back up to another file")]
    BackupOntoStore {
        /// The file named.
        path: PathBuf,
    },
}

/// A SQLite error at `path`, named as corruption when it is.
fn sqlite_error(path: &Path, error: rusqlite::Error) -> Error {
    let path = path.to_path_buf();
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            Error::CorruptFile { path, error }
        }
        _ => Error::Sqlite { path, error },
    }
}

/// The meta key of the events version (see [`query::events_version`]).
const EVENTS_VERSION: &str = "events_version";

/// The shortest prefix of an id that [`Reads::resolve`] accepts (git's shortest abbreviation).
pub const MIN_PREFIX: usize = 4;

/// How many ids of each kind an ambiguous prefix lists.
const MAX_CANDIDATES: usize = 10;

/// The longest chain of merges a retired id is followed through.
const MAX_ALIAS_CHAIN: usize = 1000;

/// What a name given for an event resolved to (see [`Reads::resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The event.
    pub event: EventId,
    /// The article the name named, when it named one.
    pub article: Option<ArticleId>,
    /// What the name turned out to be, when it was not the event's own id (a retired id, an
    /// article), for the user.
    pub note: Option<String>,
}

/// The kinds of names [`Reads::resolve`] matches a prefix against.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Name {
    /// An event id.
    Event,
    /// The id of an event merged into another.
    Retired,
    /// An article id.
    Article,
}

impl Name {
    fn describe(self) -> &'static str {
        match self {
            Name::Event => "event",
            Name::Retired => "merged event",
            Name::Article => "article",
        }
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;

/// A scored pair of articles (the smaller id first).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// One article.
    pub a: ArticleId,
    /// The other.
    pub b: ArticleId,
    /// Probability that they report the same event, from the similarity model. What it was
    /// computed from is not stored: the model's inputs are computed again from the two articles'
    /// stored profiles and vectors when explained (stored, they were a quarter of the store).
    pub score: f32,
}

/// An article's place in an event. Why it is there is derived from the links when asked
/// (`khabar explain`): stored, it had to be rewritten for every member each time an event grew.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// The article.
    pub article: ArticleId,
    /// Its event.
    pub event: EventId,
}

/// A user's correction of the grouping.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    /// Its number, for `khabar undo`.
    pub id: i64,
    /// When it was made (RFC 3339).
    pub at: String,
    /// `merge`, `split` or `move`.
    pub kind: String,
    /// What it named (events, articles), as JSON.
    pub detail: serde_json::Value,
    /// Why, in the user's words.
    pub reason: Option<String>,
    /// When it was undone, if it was.
    pub undone_at: Option<String>,
}

/// A pair of articles a user decision keeps together or apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// One article.
    pub a: ArticleId,
    /// The other.
    pub b: ArticleId,
    /// Together (true) or apart (false).
    pub together: bool,
}

/// A stored article's vectors and the date used for time windows.
#[derive(Debug, Clone)]
pub struct StoredVectors {
    /// The article.
    pub id: ArticleId,
    /// Its sequence number: the order articles were stored in (see [`Writer::insert_doc`]).
    pub seq: i64,
    /// Day number (days since 1970-01-01) of its publication, if known.
    pub day: Option<i32>,
    /// The document vector as stored ([`vectors::encode`]; empty when it has none).
    pub doc_encoded: Vec<u8>,
    /// The cluster stage's similarity profile (JSON).
    pub profile: String,
    /// Lead-sentence vectors as stored ([`vectors::encode_many`]).
    pub sentences: Vec<u8>,
}

/// How long opening a store waits for another process that holds it (creating it, setting up
/// its write-ahead log, or writing a batch) before giving up: the same as SQLite's busy timeout
/// set on every connection.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// What every SQLite database file begins with (sqlite.org/fileformat.html, "The Database
/// Header").
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened for writing: a clean close checkpoints the write-ahead log into the file.
    writable: bool,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`, applying pending migrations. Any
    /// number of processes may do this at once on a store that does not exist yet.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|error| Error::Io {
            action: "create the data directory",
            path: data_dir.to_path_buf(),
            error,
        })?;
        let path = data_dir.join(DB_FILE);
        let mut conn = retry_busy(|| {
            let conn = Connection::open(&path)?;
            configure(&conn)?;
            // Switching a new database to WAL takes a lock SQLite's busy handler does not wait
            // for: another process creating the store at the same moment gives SQLITE_BUSY.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            Ok(conn)
        })
        .map_err(|e| sqlite_error(&path, e))?;
        migrations::apply(&mut conn, &path)?;
        Ok(Store {
            conn,
            path,
            writable: true,
        })
    }

    /// Opens the store in `data_dir` for writing, as [`Store::open`] does, but only if it exists
    /// (for commands that change a store and have nothing to add to a new one).
    pub fn open_existing(data_dir: &Path) -> Result<Store> {
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            return Err(Error::NoStore { path });
        }
        Store::open(data_dir)
    }

    /// Opens the store in `data_dir` for reading only: nothing is ever written, not even a new
    /// store. A store on read-only media or in a directory without write permission is read
    /// with SQLite's `immutable` flag (its write-ahead log, if one was left by an unclean stop,
    /// cannot be read then). A missing store, an empty file, a file that is not a khabar store
    /// and a store still being created are each an error saying so.
    pub fn open_read_only(data_dir: &Path) -> Result<Store> {
        let path = data_dir.join(DB_FILE);
        let mut header = [0u8; SQLITE_HEADER.len()];
        let read = std::fs::File::open(&path).and_then(|mut f| {
            use std::io::Read;
            let mut n = 0;
            while n < header.len() {
                match f.read(&mut header[n..])? {
                    0 => break,
                    k => n += k,
                }
            }
            Ok(n)
        });
        match read {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoStore { path })
            }
            Err(error) => {
                return Err(Error::Io {
                    action: "read",
                    path,
                    error,
                })
            }
            Ok(0) => return Err(Error::EmptyFile { path }),
            Ok(n) if n < header.len() || &header != SQLITE_HEADER => {
                return Err(Error::NotAStore {
                    path,
                    reason: "it is not an SQLite database".into(),
                })
            }
            Ok(_) => {}
        }
        let sql = |e| sqlite_error(&path, e);
        let conn = match open_read_only_with(&path, "mode=ro") {
            Ok(conn) => conn,
            // Reading a WAL database needs its shared-memory file, which cannot be created here.
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                ) =>
            {
                open_read_only_with(&path, "immutable=1").map_err(sql)?
            }
            Err(e) => return Err(sql(e)),
        };
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        let supported = migrations::supported();
        if version == 0 {
            let tables: i64 = conn
                .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(sql)?;
            return Err(if tables == 0 {
                // Created by a process that has not committed its first migration yet.
                Error::NoStore { path }
            } else {
                Error::NotAStore {
                    path,
                    reason: "an SQLite database without khabar's schema".into(),
                }
            });
        }
        if version > supported {
            return Err(Error::TooNew {
                path,
                found: version,
                supported,
            });
        }
        if version < supported {
            return Err(Error::TooOld {
                path,
                found: version,
                supported,
            });
        }
        Ok(Store {
            conn,
            path,
            writable: false,
        })
    }

    /// Copies the write-ahead log into the database file and empties it (a TRUNCATE
    /// checkpoint), so that the file alone is the whole store. Returns false when another
    /// process was reading or writing, so that only part could be copied; nothing waits for it.
    pub fn checkpoint(&self) -> Result<bool> {
        let sql = |e| sqlite_error(&self.path, e);
        self.conn
            .busy_timeout(std::time::Duration::ZERO)
            .map_err(sql)?;
        let busy = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
        self.conn.busy_timeout(BUSY_WAIT).map_err(sql)?;
        Ok(busy.map_err(sql)? == 0)
    }

    /// Writes a consistent copy of the store to `dest` as one file (SQLite's online backup, from
    /// one snapshot: other processes may write meanwhile). The copy is written beside `dest`
    /// and renamed onto it when complete.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        let ours = std::fs::canonicalize(&self.path).map_err(|error| Error::Io {
            action: "find",
            path: self.path.clone(),
            error,
        })?;
        let dest_dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest.file_name().ok_or_else(|| Error::Io {
            action: "back up to",
            path: dest.to_path_buf(),
            error: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?;
        let resolved = std::fs::canonicalize(&dest_dir)
            .map_err(|error| Error::Io {
                action: "back up into",
                path: dest_dir.clone(),
                error,
            })?
            .join(name);
        let store_files = ["", "-wal", "-shm"].map(|suffix| {
            let mut f = ours.clone().into_os_string();
            f.push(suffix);
            PathBuf::from(f)
        });
        if store_files.contains(&resolved) {
            return Err(Error::BackupOntoStore {
                path: dest.to_path_buf(),
            });
        }
        let mut partial = name.to_os_string();
        partial.push(format!(".partial-{}", std::process::id()));
        let partial = dest_dir.join(partial);
        let copy = || -> rusqlite::Result<()> {
            let mut out = Connection::open(&partial)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
            // All pages in one step: one read transaction, so one snapshot of the store.
            while backup.step(-1)? != rusqlite::backup::StepResult::Done {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            drop(backup);
            // The copy is one file: no write-ahead log of its own.
            out.pragma_update(None, "journal_mode", "DELETE")?;
            Ok(())
        };
        let done = copy()
            .map_err(|e| sqlite_error(&partial, e))
            .and_then(|()| {
                std::fs::rename(&partial, dest).map_err(|error| Error::Io {
                    action: "write the backup",
                    path: dest.to_path_buf(),
                    error,
                })
            });
        if done.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        done
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one transaction: all of its writes land, or none.
    pub fn write<T>(&mut self, f: impl FnOnce(&Writer) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let sql = sql_error_at(&path);
        // Immediate: the write lock is taken at the start, so what the transaction reads first
        // (see [`Reads::data_version`]) is what it writes on top of.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        let writer = Writer { tx, path: &path };
        let out = f(&writer)?;
        writer.tx.commit().map_err(sql)?;
        Ok(out)
    }
}

impl Store {
    /// Runs `f` on one snapshot of the store: every read inside sees the store as it was at the
    /// first one, whatever other processes commit meanwhile (in WAL mode a read transaction keeps
    /// its snapshot without blocking writers). For state read in several queries that must agree,
    /// such as articles and the links between them.
    pub fn snapshot<T>(&mut self, f: impl FnOnce(&Snapshot) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let sql = sql_error_at(&path);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
            .map_err(sql)?;
        let snapshot = Snapshot { tx, path: &path };
        let out = f(&snapshot)?;
        // Nothing was written: ending the transaction only releases the snapshot.
        snapshot.tx.rollback().map_err(sql)?;
        Ok(out)
    }
}

/// Wraps a SQLite error with the database path (while the connection is borrowed by a
/// transaction, so [`Reads::sql_error`] cannot be used).
fn sql_error_at(path: &Path) -> impl Fn(rusqlite::Error) -> Error + std::marker::Copy + '_ {
    move |error| sqlite_error(path, error)
}

/// Settings every connection gets.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_WAIT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // A 64 MB page cache (SQLite's default is 2 MB): an ingest batch inserts links and
    // memberships all over their indexes and re-reads the documents of the events it
    // changes; with the default cache most of those pages are read from the file again.
    conn.pragma_update(None, "cache_size", -65536)?;
    // Checkpoint the WAL every 32 MB rather than every 4 MB: a page changed by several
    // batches in between is copied into the database once.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    // Every statement an ingest batch runs stays prepared (rusqlite keeps 16 by default,
    // fewer than a batch uses, and parsing SQL again was a visible part of a batch).
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Opens `path` read-only with a URI parameter (`mode=ro`, `immutable=1`) and reads from it once,
/// so that a store that cannot be read this way fails here.
fn open_read_only_with(path: &Path, parameter: &str) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let uri = format!("file:{}?{parameter}", uri_path(path));
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

/// A path as the path of a `file:` URI: every byte but unreserved ones and `/` percent-encoded.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs `f` again while another process holds a lock SQLite's busy handler does not wait for
/// (while a store is being created), for up to [`BUSY_WAIT`].
fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && start.elapsed() < BUSY_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

impl Drop for Store {
    /// A writer's clean close leaves the whole store in its database file.
    fn drop(&mut self) {
        if self.writable {
            // Best effort: another process still using the store checkpoints when it closes.
            let _ = self.checkpoint();
        }
    }
}

/// One consistent view of the store, for reading (see [`Store::snapshot`]).
pub struct Snapshot<'a> {
    tx: Transaction<'a>,
    path: &'a Path,
}

impl Reads for Snapshot<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
    fn db_path(&self) -> &Path {
        self.path
    }
}

/// Reads, the same inside and outside a write transaction.
pub trait Reads {
    /// The connection (or transaction) to read through.
    #[doc(hidden)]
    fn conn(&self) -> &Connection;
    /// The database file, for messages.
    #[doc(hidden)]
    fn db_path(&self) -> &Path;

    /// A number that changes whenever *another* connection commits (SQLite's `data_version`):
    /// a process that keeps store state in memory compares it to know when to reload.
    fn data_version(&self) -> Result<i64> {
        self.conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(self.sql_error())
    }

    /// Wraps a SQLite error with the database path.
    #[doc(hidden)]
    fn sql_error(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |error| sqlite_error(self.db_path(), error)
    }

    /// A metadata value.
    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
    }

    /// Number of stored articles.
    fn article_count(&self) -> Result<u64> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.sql_error())
    }

    /// True when the article is stored.
    fn contains(&self, id: &ArticleId) -> Result<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM articles WHERE id = ?1",
                [id.as_str()],
                |_| Ok(()),
            )?
            .is_some())
    }

    /// The first row of a query, if any, through the statement cache.
    fn row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        self.conn()
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_row(params, f).optional())
            .map_err(self.sql_error())
    }

    /// The analysed article, with its vectors.
    fn doc(&self, id: &ArticleId) -> Result<Option<Doc>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = self.row(
            "SELECT doc, doc_vector, sentence_vectors FROM articles WHERE id = ?1",
            [id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let Some((json, doc_vector, sentence_vectors)) = row else {
            return Ok(None);
        };
        let mut doc: Doc = serde_json::from_str(&json).map_err(|e| Error::Corrupt {
            what: format!("article {id}"),
            reason: e.to_string(),
        })?;
        doc.embedding = (!doc_vector.is_empty()).then(|| vectors::decode(&doc_vector));
        doc.sentence_embeddings = vectors::decode_many(&sentence_vectors);
        Ok(Some(doc))
    }

    /// Every stored article's vectors, day and profile, in ingest order (for the vector index),
    /// one at a time (a large store is never held twice in memory), after the first `skip` (the
    /// ones a reader already has: articles are never deleted, so ingest order only grows at its
    /// end).
    fn for_each_vectors(
        &self,
        skip: usize,
        f: &mut dyn FnMut(StoredVectors) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT id, day, doc_vector, profile, sentence_vectors, seq FROM articles
                 ORDER BY seq LIMIT -1 OFFSET ?1",
            )
            .map_err(self.sql_error())?;
        let mut rows = stmt.query([skip as i64]).map_err(self.sql_error())?;
        while let Some(r) = rows.next().map_err(self.sql_error())? {
            f(stored_vectors(r).map_err(self.sql_error())?)?;
        }
        Ok(())
    }

    /// One stored article's vectors, day and profile.
    fn stored_vectors(&self, id: &ArticleId) -> Result<Option<StoredVectors>> {
        self.row(
            "SELECT id, day, doc_vector, profile, sentence_vectors, seq FROM articles WHERE id = ?1",
            [id.as_str()],
            stored_vectors,
        )
    }

    /// Every stored article's document vector and day, in ingest order (for the vector index).
    fn all_vectors(&self) -> Result<Vec<StoredVectors>> {
        let mut out = Vec::new();
        self.for_each_vectors(0, &mut |v| {
            out.push(v);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every stored link's pair and score, in no particular order.
    fn for_each_link_score(&self, f: &mut dyn FnMut(&str, &str, f32)) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT x.id, y.id, l.score FROM links l
                 JOIN articles x ON x.seq = l.hi JOIN articles y ON y.seq = l.lo",
            )
            .map_err(self.sql_error())?;
        let mut rows = stmt.query([]).map_err(self.sql_error())?;
        while let Some(r) = rows.next().map_err(self.sql_error())? {
            let read = || -> rusqlite::Result<(&str, &str, f32)> {
                Ok((
                    r.get_ref(0)?.as_str()?,
                    r.get_ref(1)?.as_str()?,
                    r.get::<_, f64>(2)? as f32,
                ))
            };
            let (a, b, score) = read().map_err(self.sql_error())?;
            f(a, b, score);
        }
        Ok(())
    }

    /// Every article's event: (article, event) pairs.
    fn all_memberships(&self) -> Result<Vec<(ArticleId, EventId)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT article, event FROM memberships")
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((article_id(r, 0)?, EventId::from_stored(r.get(1)?)))
            })
            .map_err(self.sql_error())?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.sql_error())
    }

    /// Every article any decision (undone or not) names in a constraint.
    fn constrained_articles(&self) -> Result<Vec<ArticleId>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT a FROM constraints UNION SELECT b FROM constraints")
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([], |r| article_id(r, 0))
            .map_err(self.sql_error())?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.sql_error())
    }

    /// Links that touch any of `ids`.
    fn links_of(&self, ids: &[ArticleId]) -> Result<Vec<Link>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT x.id, y.id, l.score FROM links l
                 JOIN articles x ON x.seq = l.hi JOIN articles y ON y.seq = l.lo
                 WHERE l.hi = (SELECT seq FROM articles WHERE id = ?1)
                 UNION ALL
                 SELECT x.id, y.id, l.score FROM links l
                 JOIN articles x ON x.seq = l.hi JOIN articles y ON y.seq = l.lo
                 WHERE l.lo = (SELECT seq FROM articles WHERE id = ?1)",
            )
            .map_err(self.sql_error())?;
        let mut out = Vec::new();
        for id in ids {
            let rows = stmt
                .query_map([id.as_str()], read_link)
                .map_err(self.sql_error())?;
            for row in rows {
                let mut link = row.map_err(self.sql_error())?;
                if link.b < link.a {
                    std::mem::swap(&mut link.a, &mut link.b);
                }
                out.push(link);
            }
        }
        out.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        out.dedup_by(|x, y| x.a == y.a && x.b == y.b);
        Ok(out)
    }

    /// The scores of the links that touch any of `ids` at or above `min_score`: what grouping
    /// needs, read with the articles' ids.
    fn link_scores_of(
        &self,
        ids: &[ArticleId],
        min_score: f32,
    ) -> Result<Vec<(ArticleId, ArticleId, f32)>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT x.id, y.id, l.score FROM links l
                 JOIN articles x ON x.seq = l.hi JOIN articles y ON y.seq = l.lo
                 WHERE l.hi = (SELECT seq FROM articles WHERE id = ?1) AND l.score >= ?2
                 UNION ALL
                 SELECT x.id, y.id, l.score FROM links l
                 JOIN articles x ON x.seq = l.hi JOIN articles y ON y.seq = l.lo
                 WHERE l.lo = (SELECT seq FROM articles WHERE id = ?1) AND l.score >= ?2",
            )
            .map_err(self.sql_error())?;
        let mut out = Vec::new();
        for id in ids {
            let rows = stmt
                .query_map(params![id.as_str(), min_score], |r| {
                    Ok((article_id(r, 0)?, article_id(r, 1)?, r.get::<_, f32>(2)?))
                })
                .map_err(self.sql_error())?;
            for row in rows {
                let (a, b, score) = row.map_err(self.sql_error())?;
                out.push(if b < a { (b, a, score) } else { (a, b, score) });
            }
        }
        out.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        out.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        Ok(out)
    }

    /// The membership of an article.
    fn membership(&self, id: &ArticleId) -> Result<Option<Membership>> {
        self.row(
            "SELECT article, event FROM memberships WHERE article = ?1",
            [id.as_str()],
            read_membership,
        )
    }

    /// Members of an event, sorted by article id.
    fn members(&self, event: &EventId) -> Result<Vec<Membership>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT article, event FROM memberships WHERE event = ?1 ORDER BY article",
            )
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([event.as_str()], read_membership)
            .map_err(self.sql_error())?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.sql_error())
    }

    /// One event.
    fn event(&self, id: &EventId) -> Result<Option<Event>> {
        let json: Option<String> = self.row(
            "SELECT event FROM events WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )?;
        json.map(|j| decode_event(id.as_str(), &j)).transpose()
    }

    /// All events, newest first (by event date, then id).
    fn events(&self) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, event FROM events ORDER BY day DESC, size DESC, id")
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.sql_error())?;
        let mut events = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(self.sql_error())?;
            events.push(decode_event(&id, &json)?);
        }
        Ok(events)
    }

    /// The similarity profile stored with an article.
    fn profile(&self, id: &ArticleId) -> Result<Option<String>> {
        self.row(
            "SELECT profile FROM articles WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
    }

    /// The constraints in force on pairs touching any of `ids`: for each pair, the one from the
    /// latest decision not undone.
    fn constraints_of(&self, ids: &[ArticleId]) -> Result<Vec<Constraint>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT c.a, c.b, c.together, c.decision FROM constraints c
                 JOIN decisions d ON d.id = c.decision
                 WHERE d.undone_at IS NULL AND (c.a = ?1 OR c.b = ?1)",
            )
            .map_err(self.sql_error())?;
        let mut latest: std::collections::BTreeMap<(ArticleId, ArticleId), (i64, bool)> =
            std::collections::BTreeMap::new();
        for id in ids {
            let rows = stmt
                .query_map([id.as_str()], |r| {
                    Ok((
                        article_id(r, 0)?,
                        article_id(r, 1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })
                .map_err(self.sql_error())?;
            for row in rows {
                let (a, b, together, decision) = row.map_err(self.sql_error())?;
                let entry = latest.entry((a, b)).or_insert((decision, together));
                if decision > entry.0 {
                    *entry = (decision, together);
                }
            }
        }
        Ok(latest
            .into_iter()
            .map(|((a, b), (_, together))| Constraint { a, b, together })
            .collect())
    }

    /// Every decision, oldest first.
    fn decisions(&self) -> Result<Vec<Decision>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, at, kind, detail, reason, undone_at FROM decisions ORDER BY id")
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Decision {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    detail: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                    reason: r.get(4)?,
                    undone_at: r.get(5)?,
                })
            })
            .map_err(self.sql_error())?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.sql_error())
    }

    /// Articles named by a decision's constraints.
    fn decision_articles(&self, decision: i64) -> Result<Vec<ArticleId>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT a FROM constraints WHERE decision = ?1 UNION SELECT b FROM constraints WHERE decision = ?1")
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([decision], |r| article_id(r, 0))
            .map_err(self.sql_error())?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.sql_error())
    }

    /// Other copies of an article, in the order they were seen.
    fn sightings(&self, id: &ArticleId) -> Result<Vec<Copy>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT source, outlet, url, layer FROM sightings WHERE article = ?1 ORDER BY rowid",
            )
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([id.as_str()], |r| {
                Ok(Copy {
                    source: r.get(0)?,
                    outlet: r.get(1)?,
                    url: r.get(2)?,
                    layer: r.get(3)?,
                })
            })
            .map_err(self.sql_error())?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.sql_error())
    }

    /// Other copies of each of `ids` that has any, in the order they were seen: one query for
    /// all (an event's members, most of them without copies).
    fn sightings_of(&self, ids: &[ArticleId]) -> Result<BTreeMap<ArticleId, Vec<Copy>>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT article, source, outlet, url, layer FROM sightings
                 WHERE article IN (SELECT value FROM json_each(?1)) ORDER BY rowid",
            )
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map([id_list(ids)], |r| {
                Ok((
                    article_id(r, 0)?,
                    Copy {
                        source: r.get(1)?,
                        outlet: r.get(2)?,
                        url: r.get(3)?,
                        layer: r.get(4)?,
                    },
                ))
            })
            .map_err(self.sql_error())?;
        let mut out: BTreeMap<ArticleId, Vec<Copy>> = BTreeMap::new();
        for row in rows {
            let (id, copy) = row.map_err(self.sql_error())?;
            out.entry(id).or_default().push(copy);
        }
        Ok(out)
    }

    /// What the synthesise stage reads of each of `ids` (one query for all): the stored document
    /// and its 5-gram hashes. An article whose hashes are not stored (stored before they were)
    /// is left out.
    fn synthesis_inputs(&self, ids: &[ArticleId]) -> Result<BTreeMap<ArticleId, SynthesisInput>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT id, doc, shingles FROM articles
                 WHERE id IN (SELECT value FROM json_each(?1)) AND shingles IS NOT NULL",
            )
            .map_err(self.sql_error())?;
        let rows = stmt
            .query_map(params![id_list(ids)], |r| {
                Ok((
                    article_id(r, 0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(self.sql_error())?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, json, shingles) = row.map_err(self.sql_error())?;
            let corrupt = |reason: String| Error::Corrupt {
                what: format!("article {id}"),
                reason,
            };
            let mut doc: Doc = serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
            // Stored before documents were kept without them: not read by synthesis.
            doc.tokens = Vec::new();
            if shingles.len() % 8 != 0 {
                return Err(corrupt(format!(
                    "{} bytes of 5-gram hashes",
                    shingles.len()
                )));
            }
            let shingles = shingles
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect();
            out.insert(id, SynthesisInput { doc, shingles });
        }
        Ok(out)
    }

    /// The stored article published at this URL (compared in canonical form), if any.
    fn article_at(&self, url: &str) -> Result<Option<ArticleId>> {
        self.row(
            "SELECT id FROM articles WHERE canonical_url = ?1 ORDER BY seq LIMIT 1",
            [canonical_url(url)],
            |r| article_id(r, 0),
        )
    }

    /// The event a name given by a user stands for: an event id; the id of an event merged
    /// into another since (resolving to the event that now holds its articles); an article's
    /// id or URL (its event); or a unique prefix of any of these ids of at least
    /// [`MIN_PREFIX`] characters. Several matches that are not one event are an error listing
    /// them.
    fn resolve(&self, query: &str) -> Result<Resolved> {
        let query = query.trim();
        let not_found = || Error::NoSuchEvent {
            query: query.to_string(),
        };
        if query.contains("://") {
            let article = self.article_at(query)?.ok_or_else(not_found)?;
            let event = self.membership(&article)?.ok_or_else(not_found)?.event;
            return Ok(Resolved {
                note: Some(format!("{query} is article {article}, in event {event}")),
                event,
                article: Some(article),
            });
        }
        let mut found: Vec<(String, Resolved)> = Vec::new();
        let exact = |name: &str| name == query;
        for (name, kind) in self.names_starting(query)? {
            if !exact(&name) && query.chars().count() < MIN_PREFIX {
                continue;
            }
            let resolved = match kind {
                Name::Event => Some(Resolved {
                    event: EventId::from_stored(name.clone()),
                    article: None,
                    note: None,
                }),
                Name::Retired => self.heir(&name)?.map(|event| Resolved {
                    note: Some(format!("{name} was merged into {event}")),
                    event,
                    article: None,
                }),
                Name::Article => {
                    let article = ArticleId::parse(&name).map_err(|e| Error::Corrupt {
                        what: format!("article id {name}"),
                        reason: e.to_string(),
                    })?;
                    self.membership(&article)?.map(|m| Resolved {
                        note: Some(format!("{name} is an article, in event {}", m.event)),
                        event: m.event,
                        article: Some(article),
                    })
                }
            };
            let Some(resolved) = resolved else { continue };
            if exact(&name) {
                return Ok(resolved);
            }
            found.push((format!("{name} ({})", kind.describe()), resolved));
        }
        let mut events: Vec<&EventId> = found.iter().map(|(_, r)| &r.event).collect();
        events.sort();
        events.dedup();
        match events.len() {
            0 => Err(not_found()),
            1 => {
                let (_, mut resolved) = found.swap_remove(0);
                if found.is_empty() && resolved.note.is_none() {
                    return Ok(resolved);
                }
                // Several names of the one event: an article prefix says which article only
                // when it is the only match.
                if !found.is_empty() {
                    resolved.article = None;
                    resolved.note = None;
                }
                Ok(resolved)
            }
            _ => Err(Error::Ambiguous {
                query: query.to_string(),
                candidates: found.into_iter().map(|(name, _)| name).collect(),
            }),
        }
    }

    /// Event ids, retired event ids and article ids that begin with `prefix`, at most
    /// [`MAX_CANDIDATES`] of each.
    #[doc(hidden)]
    fn names_starting(&self, prefix: &str) -> Result<Vec<(String, Name)>> {
        let mut out = Vec::new();
        for (sql, kind) in [
            ("SELECT id FROM events WHERE id >= ?1 AND id < ?1 || '~' ORDER BY id LIMIT ?2", Name::Event),
            ("SELECT retired FROM event_aliases WHERE retired >= ?1 AND retired < ?1 || '~' ORDER BY retired LIMIT ?2", Name::Retired),
            ("SELECT id FROM articles WHERE id >= ?1 AND id < ?1 || '~' ORDER BY id LIMIT ?2", Name::Article),
        ] {
            let mut stmt = self.conn().prepare_cached(sql).map_err(self.sql_error())?;
            let rows = stmt
                .query_map(params![prefix, MAX_CANDIDATES as i64], |r| r.get::<_, String>(0))
                .map_err(self.sql_error())?;
            for name in rows {
                out.push((name.map_err(self.sql_error())?, kind));
            }
        }
        Ok(out)
    }

    /// The event a retired id's articles are in now, following later merges.
    #[doc(hidden)]
    fn heir(&self, retired: &str) -> Result<Option<EventId>> {
        let mut id = retired.to_string();
        // Each step follows a merge; a longer chain than there are aliases is a cycle.
        for _ in 0..MAX_ALIAS_CHAIN {
            let Some(next) = self.row(
                "SELECT event FROM event_aliases WHERE retired = ?1",
                [id.as_str()],
                |r| r.get::<_, String>(0),
            )?
            else {
                break;
            };
            id = next;
            let event = EventId::from_stored(id.clone());
            if self
                .row("SELECT 1 FROM events WHERE id = ?1", [id.as_str()], |_| {
                    Ok(())
                })?
                .is_some()
            {
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    /// Checks the store: SQLite's integrity check (`quick`: its quick check, which skips
    /// matching indexes to their tables) and foreign keys, then khabar's own invariants (every
    /// membership's event exists, every link's ends exist, every article is in an event, each
    /// event's articles are its members). Returns each violation found, in words.
    fn check(&self, quick: bool) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        // Each check: what it checks (for a check SQLite cannot complete), its query, and how a
        // row it returns reads.
        let mut strings = |name: &str, sql: &str, what: &dyn Fn(Vec<String>) -> String| {
            match text_rows(self.conn(), sql) {
                Ok(rows) => problems.extend(rows.into_iter().map(what)),
                // Damage SQLite meets while checking is itself what the check reports.
                Err(e) => problems.push(format!("cannot check {name}: {e}")),
            }
            Ok::<(), Error>(())
        };
        strings(
            "the file's integrity",
            if quick {
                "PRAGMA quick_check"
            } else {
                "PRAGMA integrity_check"
            },
            &|row| row.join(" "),
        )?;
        strings(
            "references between tables",
            "PRAGMA foreign_key_check",
            &|r| {
                format!(
                    "a row of {} (rowid {}) refers to a missing row of {}",
                    r[0], r[1], r[2]
                )
            },
        )?;
        strings(
            "that every member's event exists",
            "SELECT m.article, m.event FROM memberships m
             WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = m.event)",
            &|r| {
                format!(
                    "article {} is a member of event {}, which does not exist",
                    r[0], r[1]
                )
            },
        )?;
        strings(
            "that every link's ends exist",
            "SELECT l.hi, l.lo FROM links l
             WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.seq = l.hi)
                OR NOT EXISTS (SELECT 1 FROM articles a WHERE a.seq = l.lo)",
            &|r| {
                format!(
                    "the link of the articles numbered {} and {} has a missing end",
                    r[0], r[1]
                )
            },
        )?;
        strings(
            "that every article is in an event",
            "SELECT a.id FROM articles a
             WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.article = a.id)",
            &|r| format!("article {} is in no event", r[0]),
        )?;
        strings(
            "the events' records",
            "SELECT e.id FROM events e WHERE NOT json_valid(e.event)",
            &|r| format!("event {}'s record is not valid JSON", r[0]),
        )?;
        // The articles an event's record lists (its synthesis) against its memberships.
        strings(
            "that each event's synthesis lists its members",
            "WITH listed AS (
                 SELECT e.id AS event, json_extract(j.value, '$.id') AS article
                 FROM events e, json_each(e.event, '$.articles') j WHERE json_valid(e.event))
             SELECT event, article, 'lists article' FROM listed
             WHERE NOT EXISTS (SELECT 1 FROM memberships m
                               WHERE m.event = listed.event AND m.article = listed.article)
             UNION ALL
             SELECT m.event, m.article, 'does not list its member' FROM memberships m
             WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = m.event AND json_valid(e.event))
               AND NOT EXISTS (SELECT 1 FROM listed
                               WHERE listed.event = m.event AND listed.article = m.article)",
            &|r| {
                if r[2] == "lists article" {
                    format!(
                        "event {}'s synthesis lists article {}, which is not its member",
                        r[0], r[1]
                    )
                } else {
                    format!(
                        "event {}'s synthesis does not list its member {}",
                        r[0], r[1]
                    )
                }
            },
        )?;
        strings(
            "each event's size",
            "SELECT e.id, e.size, (SELECT COUNT(*) FROM memberships m WHERE m.event = e.id)
             FROM events e WHERE e.size != (SELECT COUNT(*) FROM memberships m WHERE m.event = e.id)",
            &|r| format!("event {} is stored with {} articles but has {} members", r[0], r[1], r[2]),
        )?;
        // SQLite's integrity check reports several problems in one row, a line each, and "ok"
        // when there are none.
        Ok(problems
            .iter()
            .flat_map(|p| p.lines())
            .filter(|l| *l != "ok" && *l != "*** in database main ***")
            .map(String::from)
            .collect())
    }

    /// The sentence vectors stored with an article.
    fn sentence_vectors(&self, id: &ArticleId) -> Result<Vec<Vec<f32>>> {
        let blob: Option<Vec<u8>> = self.row(
            "SELECT sentence_vectors FROM articles WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )?;
        Ok(blob.map(|b| vectors::decode_many(&b)).unwrap_or_default())
    }
}

impl Reads for Store {
    fn conn(&self) -> &Connection {
        &self.conn
    }
    fn db_path(&self) -> &Path {
        &self.path
    }
}

impl Reads for Writer<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
    fn db_path(&self) -> &Path {
        self.path
    }
}

/// A URL in the form that identifies the page (scheme, `www.`/`m.`/`amp.` hosts, `/amp`,
/// trailing slashes, tracking parameters and the fragment dropped, parameters sorted): the
/// rules of [`khabar_core::url::canonical`], over WHATWG parsing.
pub fn canonical_url(url: &str) -> String {
    khabar_core::url::canonical(url)
}

/// Every row of a query, each column as text (for [`Reads::check`]'s reports).
fn text_rows(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Vec<String>>> {
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare(sql)?;
    let n = stmt.column_count();
    let rows = stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    ValueRef::Null => "NULL".to_string(),
                    ValueRef::Integer(x) => x.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                })
            })
            .collect()
    })?;
    rows.collect()
}

/// Article ids as a JSON array, for `json_each`.
fn id_list(ids: &[ArticleId]) -> String {
    serde_json::to_string(&ids.iter().map(ArticleId::as_str).collect::<Vec<_>>())
        .expect("strings serialise")
}

fn decode_event(id: &str, json: &str) -> Result<Event> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt {
        what: format!("event {id}"),
        reason: e.to_string(),
    })
}

/// Column `i` of a row as an article id (a malformed one is a conversion error naming the column).
fn article_id(r: &rusqlite::Row, i: usize) -> rusqlite::Result<ArticleId> {
    let text: String = r.get(i)?;
    ArticleId::parse(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// 64-bit hashes as stored: 8 little-endian bytes each.
fn hash_bytes(hashes: &[u64]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// A row of id, day, doc_vector, profile, sentence_vectors.
fn stored_vectors(r: &rusqlite::Row) -> rusqlite::Result<StoredVectors> {
    Ok(StoredVectors {
        id: article_id(r, 0)?,
        day: r.get(1)?,
        doc_encoded: r.get(2)?,
        profile: r.get(3)?,
        sentences: r.get(4)?,
        seq: r.get(5)?,
    })
}

fn read_link(r: &rusqlite::Row) -> rusqlite::Result<Link> {
    Ok(Link {
        a: article_id(r, 0)?,
        b: article_id(r, 1)?,
        score: r.get(2)?,
    })
}

fn read_membership(r: &rusqlite::Row) -> rusqlite::Result<Membership> {
    Ok(Membership {
        article: article_id(r, 0)?,
        event: EventId::from_stored(r.get(1)?),
    })
}

/// What [`Writer::insert_or_copy`] did with an article.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// Stored as a new article with this sequence number.
    New(i64),
    /// Already stored (as `original`): a copy. `recorded` is false when the copy was known
    /// already (the same article read again from the same place).
    Copy {
        /// The stored article it is a copy of.
        original: ArticleId,
        /// Whether a new copy was recorded.
        recorded: bool,
    },
}

/// Writes inside one transaction (see [`Store::write`]).
pub struct Writer<'a> {
    tx: Transaction<'a>,
    path: &'a Path,
}

impl Writer<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |error| sqlite_error(self.path, error)
    }

    /// Sets a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(drop)
            .map_err(self.err())
    }

    /// Stores an analysed, embedded article — its document without tokens ([`Doc::slim`]), the
    /// vectors quantised, its similarity profile (JSON) and the hashes of its word 5-grams —
    /// and returns its sequence number (one more than the last stored article's); returns None
    /// (and stores nothing) when an article with the same id is already stored.
    pub fn insert_doc(&self, doc: &Doc, profile: &str, shingles: &[u64]) -> Result<Option<i64>> {
        let doc_vector = doc
            .embedding
            .as_deref()
            .map(vectors::encode)
            .unwrap_or_default();
        let sentence_vectors = vectors::encode_many(&doc.sentence_embeddings);
        let json = serde_json::to_string(&doc.slim()).map_err(|e| Error::Corrupt {
            what: format!("article {}", doc.article.id),
            reason: e.to_string(),
        })?;
        let article = &doc.article;
        // An undated article is placed in time by its crawl day, for candidates only: its
        // `published_at` stays empty.
        let day = article
            .published_at
            .as_ref()
            .map(|p| p.at)
            .or(article.crawled_at)
            .map(|at| vectors::day_number(at.date_naive()));
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO articles
                 (id, seq, source, outlet, url, title, published_at, day, lang, doc, profile, doc_vector, sentence_vectors, canonical_url, shingles)
                 VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM articles), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 RETURNING seq",
            )
            .and_then(|mut stmt| stmt.query_row(params![
                    article.id.as_str(),
                    article.source.to_string(),
                    article.outlet,
                    article.url,
                    article.title,
                    article.published_at.as_ref().map(|p| p.at.to_rfc3339()),
                    day,
                    doc.language.code,
                    json,
                    profile,
                    doc_vector,
                    sentence_vectors,
                    article.url.as_deref().map(canonical_url),
                    hash_bytes(shingles),
                ], |r| r.get(0)))
            .optional()
            .map_err(self.err())?;
        if inserted.is_some() {
            self.put_mentions(doc)?;
        }
        Ok(inserted)
    }

    /// Indexes the entities a new article mentions, with the names it gives them.
    fn put_mentions(&self, doc: &Doc) -> Result<()> {
        let mut counts: BTreeMap<(&str, &str), (String, i64)> = BTreeMap::new();
        for m in &doc.mentions {
            let kind = serde_json::to_value(m.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            counts
                .entry((m.entity.as_str(), m.name.as_str()))
                .or_insert((kind, 0))
                .1 += 1;
        }
        let id = doc.article.id.as_str();
        for ((entity, name), (kind, n)) in &counts {
            self.tx
                .prepare_cached(
                    "INSERT INTO entity_names (entity, lang, name, kind, mentions)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (entity, lang, name) DO UPDATE SET mentions = mentions + ?5",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![entity, doc.language.code, name, kind, n])
                })
                .map_err(self.err())?;
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO article_mentions (entity, article) VALUES (?1, ?2)",
                )
                .and_then(|mut stmt| stmt.execute(params![entity, id]))
                .map_err(self.err())?;
        }
        Ok(())
    }

    /// Stores an article as [`Writer::insert_doc`] does, unless the store holds it already by
    /// now: the same text (its id) or the same page (its canonical URL) stored by another
    /// process after the caller last looked. That article is then recorded as a copy of the
    /// stored one, here, inside the write transaction, against what is stored at this moment;
    /// decided against an earlier view, a second process's copies were lost.
    pub fn insert_or_copy(&self, doc: &Doc, profile: &str, shingles: &[u64]) -> Result<Inserted> {
        let article = &doc.article;
        let copy = |layer: &str| Copy {
            source: article.source.to_string(),
            outlet: article.outlet.clone(),
            url: article.url.clone(),
            layer: layer.into(),
        };
        if let Some(url) = article.url.as_deref() {
            if let Some(original) = self.article_at(url)?.filter(|o| *o != article.id) {
                let recorded = self.add_sighting(&original, &copy("canonical-url"))?;
                return Ok(Inserted::Copy { original, recorded });
            }
        }
        if let Some(seq) = self.insert_doc(doc, profile, shingles)? {
            return Ok(Inserted::New(seq));
        }
        let recorded = self.add_sighting(&article.id, &copy("exact-body"))?;
        Ok(Inserted::Copy {
            original: article.id,
            recorded,
        })
    }

    /// Stores the hashes of a stored article's word 5-grams (for an article stored before they
    /// were).
    pub fn put_shingles(&self, id: &ArticleId, shingles: &[u64]) -> Result<()> {
        self.tx
            .execute(
                "UPDATE articles SET shingles = ?2 WHERE id = ?1",
                params![id.as_str(), hash_bytes(shingles)],
            )
            .map(drop)
            .map_err(self.err())
    }

    /// Records another copy of a stored article. Returns false, recording nothing, when the
    /// article is not stored (its first copy was rejected), or when this *is* the stored article
    /// read again from the same place (re-running an ingest), or the copy is known already.
    pub fn add_sighting(&self, id: &ArticleId, copy: &Copy) -> Result<bool> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO sightings (article, source, outlet, url, layer)
                 SELECT ?1, ?2, ?3, ?4, ?5
                 WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?1 AND source != ?2)",
                params![id.as_str(), copy.source, copy.outlet, copy.url, copy.layer],
            )
            .map(|n| n == 1)
            .map_err(self.sql_error())
    }

    /// Stores the scored links of the article numbered `seq` to others, given by their numbers
    /// (as [`Writer::insert_doc`] returns them), replacing earlier scores of the same pairs:
    /// without looking either article up by id. A number that names no stored article is an
    /// error.
    pub fn put_links_of(&self, seq: i64, links: &[(i64, f32)]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT OR REPLACE INTO links (hi, lo, score) VALUES (MAX(?1, ?2), MIN(?1, ?2), ?3)",
            )
            .map_err(self.err())?;
        for &(other, score) in links {
            stmt.execute(params![seq, other, score]).map_err(|source| {
                match source.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::ConstraintViolation) => Error::Corrupt {
                        what: format!("link of the articles numbered {seq} and {other}"),
                        reason: "an article of the pair is not stored".into(),
                    },
                    _ => self.err()(source),
                }
            })?;
        }
        Ok(())
    }

    /// Replaces a stored article's document and lead-sentence vectors (after the way vectors are
    /// computed changed). Returns false when no such article is stored.
    pub fn put_vectors(
        &self,
        id: &ArticleId,
        doc_vector: Option<&[f32]>,
        sentence_vectors: &[Vec<f32>],
    ) -> Result<bool> {
        self.tx
            .prepare_cached(
                "UPDATE articles SET doc_vector = ?2, sentence_vectors = ?3 WHERE id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    id.as_str(),
                    doc_vector.map(vectors::encode).unwrap_or_default(),
                    vectors::encode_many(sentence_vectors),
                ])
            })
            .map(|n| n == 1)
            .map_err(self.err())
    }

    /// Replaces a stored article's similarity profile (JSON; after the profile gained what an older
    /// version did not store). Returns false when no such article is stored.
    pub fn put_profile(&self, id: &ArticleId, profile: &str) -> Result<bool> {
        self.tx
            .prepare_cached("UPDATE articles SET profile = ?2 WHERE id = ?1")
            .and_then(|mut stmt| stmt.execute(params![id.as_str(), profile]))
            .map(|n| n == 1)
            .map_err(self.err())
    }

    /// Removes the link between two articles, if there is one.
    pub fn delete_link(&self, a: &ArticleId, b: &ArticleId) -> Result<()> {
        self.tx
            .prepare_cached(
                "DELETE FROM links WHERE (hi, lo) =
                 (SELECT MAX(seq), MIN(seq) FROM articles WHERE id IN (?1, ?2) HAVING COUNT(*) = 2)",
            )
            .and_then(|mut stmt| stmt.execute(params![a.as_str(), b.as_str()]))
            .map(drop)
            .map_err(self.err())
    }

    /// Sets an article's event.
    pub fn put_membership(&self, m: &Membership) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO memberships (article, event) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute(params![m.article.as_str(), m.event.as_str()]))
            .map(drop)
            .map_err(self.err())
    }

    /// Stores (or replaces) a synthesised event.
    pub fn put_event(&self, event: &Event) -> Result<()> {
        let json = serde_json::to_string(event).map_err(|e| Error::Corrupt {
            what: format!("event {}", event.id),
            reason: e.to_string(),
        })?;
        let day = event.date.as_ref().map(|d| vectors::day_number(d.value));
        // An id that names an event again (a merge undone) is no longer retired.
        self.tx
            .prepare_cached("DELETE FROM event_aliases WHERE retired = ?1")
            .and_then(|mut stmt| stmt.execute([event.id.as_str()]))
            .map(drop)
            .map_err(self.err())?;
        // An event synthesised again unchanged keeps its version: incremental exports
        // (`--changed-since`) list only what changed.
        let unchanged = self
            .row(
                "SELECT 1 FROM events WHERE id = ?1 AND event = ?2",
                params![event.id.as_str(), json],
                |_| Ok(()),
            )?
            .is_some();
        if unchanged {
            return Ok(());
        }
        let version = self.next_events_version()?;
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO events (id, day, size, event, version)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    event.id.as_str(),
                    day,
                    event.members.len() as i64,
                    json,
                    version
                ])
            })
            .map(drop)
            .map_err(self.err())
    }

    /// The events version after one more change (see [`query::events_version`]).
    fn next_events_version(&self) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, '1')
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                 RETURNING CAST(value AS INTEGER)",
            )
            .and_then(|mut stmt| stmt.query_row([EVENTS_VERSION], |r| r.get(0)))
            .map_err(self.err())
    }

    /// Records a user decision and the pair constraints it implies; returns its number.
    pub fn add_decision(
        &self,
        kind: &str,
        detail: &serde_json::Value,
        reason: Option<&str>,
        constraints: &[Constraint],
    ) -> Result<i64> {
        let at = chrono::Utc::now().to_rfc3339();
        self.tx
            .execute(
                "INSERT INTO decisions (at, kind, detail, reason) VALUES (?1, ?2, ?3, ?4)",
                params![at, kind, detail.to_string(), reason],
            )
            .map_err(self.sql_error())?;
        let id = self.tx.last_insert_rowid();
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT OR REPLACE INTO constraints (decision, a, b, together) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(self.sql_error())?;
        for c in constraints {
            let (a, b) = if c.a <= c.b {
                (&c.a, &c.b)
            } else {
                (&c.b, &c.a)
            };
            stmt.execute(params![id, a.as_str(), b.as_str(), c.together])
                .map_err(self.sql_error())?;
        }
        Ok(id)
    }

    /// Marks a decision undone. Returns false when there is no such decision or it was undone.
    pub fn undo_decision(&self, id: i64) -> Result<bool> {
        let at = chrono::Utc::now().to_rfc3339();
        let changed = self
            .tx
            .execute(
                "UPDATE decisions SET undone_at = ?1 WHERE id = ?2 AND undone_at IS NULL",
                params![at, id],
            )
            .map_err(self.sql_error())?;
        Ok(changed == 1)
    }

    /// Removes an event record (its articles have moved to other events: their memberships are
    /// written first). Its id keeps resolving, to the event that now holds most of its articles.
    pub fn delete_event(&self, id: &EventId) -> Result<()> {
        let version = self.next_events_version()?;
        self.tx
            .execute(
                "INSERT OR REPLACE INTO event_aliases (retired, event, version)
                 SELECT ?1, m.event, ?2 FROM events e, json_each(e.event, '$.articles') j
                 JOIN memberships m ON m.article = json_extract(j.value, '$.id')
                 WHERE e.id = ?1 AND m.event != ?1
                 GROUP BY m.event ORDER BY COUNT(*) DESC, m.event LIMIT 1",
                params![id.as_str(), version],
            )
            .map_err(self.err())?;
        self.tx
            .execute("DELETE FROM events WHERE id = ?1", [id.as_str()])
            .map(drop)
            .map_err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::{Article, Cues, Language, Source};

    pub(crate) fn doc(text: &str) -> Doc {
        Doc {
            article: Article::new(
                Source::File {
                    path: "t.txt".into(),
                },
                text.into(),
            ),
            language: Language {
                code: "en".into(),
                confidence: 1.0,
            },
            removed: vec![],
            sentences: vec![],
            tokens: vec![],
            mentions: vec![],
            dates: vec![],
            figures: vec![],
            quotes: vec![],
            cues: Cues::default(),
            embedding: Some(vec![0.6, 0.8]),
            sentence_embeddings: vec![vec![1.0, 0.0], vec![0.0, -1.0]],
            truncated: vec![],
        }
    }

    #[test]
    fn docs_round_trip_and_reinsert_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let d = doc("Lavrov met his counterpart.");
        assert_eq!(
            store.write(|w| w.insert_doc(&d, "{}", &[])).unwrap(),
            Some(1)
        );
        assert_eq!(store.write(|w| w.insert_doc(&d, "{}", &[])).unwrap(), None);
        let back = store.doc(&d.article.id).unwrap().unwrap();
        assert_eq!(back.article, d.article);
        let v = back.embedding.unwrap();
        assert!((v[0] - 0.6).abs() < 0.01 && (v[1] - 0.8).abs() < 0.01);
        assert_eq!(back.sentence_embeddings.len(), 2);
        assert_eq!(store.article_count().unwrap(), 1);
        // What the similarity model reads of it: the vectors exactly as the doc reads back.
        let stored = store.stored_vectors(&d.article.id).unwrap().unwrap();
        assert_eq!(stored.profile, "{}");
        assert_eq!(vectors::decode(&stored.doc_encoded), v);
        assert_eq!(
            vectors::decode_many(&stored.sentences),
            back.sentence_embeddings
        );
        let other = doc("Another text.").article.id;
        assert!(store.stored_vectors(&other).unwrap().is_none());
        // A profile replaced (an older version's, completed), and none for an unknown article.
        let replaced = store
            .write(|w| {
                Ok((
                    w.put_profile(&d.article.id, r#"{"lang":"en"}"#)?,
                    w.put_profile(&other, "{}")?,
                ))
            })
            .unwrap();
        assert_eq!(replaced, (true, false));
        let stored = store.stored_vectors(&d.article.id).unwrap().unwrap();
        assert_eq!(stored.profile, r#"{"lang":"en"}"#);
    }

    /// A snapshot's reads agree with each other while another connection commits.
    #[test]
    fn a_snapshot_does_not_see_commits_made_during_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let mut other = Store::open(dir.path()).unwrap();
        store
            .write(|w| w.insert_doc(&doc("First text."), "{}", &[]))
            .unwrap();
        let (before, during, version) = store
            .snapshot(|s| {
                let version = s.data_version()?;
                let before = s.article_count()?;
                other
                    .write(|w| w.insert_doc(&doc("Second text."), "{}", &[]))
                    .unwrap();
                Ok((before, s.article_count()?, version))
            })
            .unwrap();
        assert_eq!((before, during), (1, 1));
        // Outside the snapshot the commit is seen, and the version says another connection wrote.
        assert_eq!(store.article_count().unwrap(), 2);
        assert_ne!(store.data_version().unwrap(), version);
    }

    /// Links stored by sequence number read back by id; a number that names no article is an
    /// error naming the pair, and the transaction's earlier writes roll back with it.
    #[test]
    fn links_stored_by_number_read_back_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let docs = [doc("One."), doc("Two."), doc("Three.")];
        let seqs = store
            .write(|w| {
                docs.iter()
                    .map(|d| Ok(w.insert_doc(d, "{}", &[])?.expect("new")))
                    .collect::<Result<Vec<i64>>>()
            })
            .unwrap();
        assert_eq!(seqs, [1, 2, 3]);
        store
            .write(|w| w.put_links_of(seqs[2], &[(seqs[0], 0.75), (seqs[1], 0.25)]))
            .unwrap();
        let ids: Vec<ArticleId> = docs.iter().map(|d| d.article.id).collect();
        let mut links = store.links_of(&ids[2..]).unwrap();
        links.sort_by(|x, y| x.score.total_cmp(&y.score));
        let pair = |l: &Link| std::collections::BTreeSet::from([l.a, l.b]);
        assert_eq!(links.len(), 2);
        assert_eq!(
            (pair(&links[0]), links[0].score),
            (std::collections::BTreeSet::from([ids[1], ids[2]]), 0.25)
        );
        assert_eq!(
            (pair(&links[1]), links[1].score),
            (std::collections::BTreeSet::from([ids[0], ids[2]]), 0.75)
        );

        let err = store
            .write(|w| {
                w.put_links_of(seqs[1], &[(seqs[0], 0.5)])?;
                w.put_links_of(seqs[2], &[(99, 0.5)])
            })
            .unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("99"), "{err}");
        // The link of the first two went with the failed transaction.
        let first_two = std::collections::BTreeSet::from([ids[0], ids[1]]);
        assert!(store
            .links_of(&ids[..2])
            .unwrap()
            .iter()
            .all(|l| pair(l) != first_two));
        assert_eq!(store.links_of(&ids[2..]).unwrap().len(), 2);
    }

    #[test]
    fn synthesis_inputs_and_sightings_are_read_for_many_articles_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let (mut a, b) = (doc("Lavrov met his counterpart."), doc("Talks in Moscow."));
        a.tokens = vec![khabar_core::Token {
            span: khabar_core::Span { start: 0, end: 6 },
            norm: "lavrov".into(),
            stem: "lavrov".into(),
        }];
        let shingles = vec![1, u64::MAX, 1 << 40];
        let copy = |outlet: &str| Copy {
            source: format!("{outlet}.txt"),
            outlet: Some(outlet.into()),
            url: None,
            layer: "exact-body".into(),
        };
        store
            .write(|w| {
                w.insert_doc(&a, "{}", &shingles)?;
                w.insert_doc(&b, "{}", &[])?;
                w.add_sighting(&b.article.id, &copy("y"))?;
                w.add_sighting(&b.article.id, &copy("x"))
            })
            .unwrap();
        let ids = [a.article.id, b.article.id];
        let found = store.synthesis_inputs(&ids).unwrap();
        assert_eq!(found.len(), 2);
        let back = &found[&a.article.id];
        assert_eq!(back.shingles, shingles);
        // The document as stored: without its tokens and vectors.
        assert_eq!(
            serde_json::to_value(&back.doc).unwrap(),
            serde_json::to_value(a.slim()).unwrap()
        );
        assert!(found[&b.article.id].shingles.is_empty());
        assert!(store.doc(&a.article.id).unwrap().unwrap().tokens.is_empty());
        // An article stored before the hashes were is left out until they are put.
        store
            .write(|w| {
                w.tx.execute(
                    "UPDATE articles SET shingles = NULL WHERE id = ?1",
                    [b.article.id.as_str()],
                )
                .map_err(w.err())?;
                Ok(())
            })
            .unwrap();
        let found = store.synthesis_inputs(&ids).unwrap();
        assert_eq!(found.keys().collect::<Vec<_>>(), [&a.article.id]);
        store
            .write(|w| w.put_shingles(&b.article.id, &[7]))
            .unwrap();
        assert_eq!(
            store.synthesis_inputs(&ids).unwrap()[&b.article.id].shingles,
            [7]
        );
        let copies = store.sightings_of(&ids).unwrap();
        assert_eq!(copies.len(), 1);
        assert_eq!(copies[&b.article.id], [copy("y"), copy("x")]);
    }

    /// An article another connection stored after this one last looked is recorded as a copy
    /// inside the write transaction: by its text, or by its page.
    #[test]
    fn an_article_stored_meanwhile_by_another_process_becomes_a_copy() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = Store::open(dir.path()).unwrap();
        let mut second = Store::open(dir.path()).unwrap();
        let from = |text: &str, path: &str, outlet: &str, url: Option<&str>| {
            let mut d = doc(text);
            d.article.source = Source::File { path: path.into() };
            d.article.outlet = Some(outlet.into());
            d.article.url = url.map(Into::into);
            d
        };
        let x = from("Same text.", "x.txt", "X", Some("https://x.example/a"));
        let y = from("Same text.", "y.txt", "Y", None);
        let page = from(
            "Other words.",
            "z.txt",
            "Z",
            Some("https://x.example/a?utm_source=t"),
        );
        assert_eq!(
            first.write(|w| w.insert_or_copy(&x, "{}", &[])).unwrap(),
            Inserted::New(1)
        );
        let id = x.article.id;
        let copy = Inserted::Copy {
            original: id,
            recorded: true,
        };
        assert_eq!(
            second.write(|w| w.insert_or_copy(&y, "{}", &[])).unwrap(),
            copy
        );
        assert_eq!(
            second
                .write(|w| w.insert_or_copy(&page, "{}", &[]))
                .unwrap(),
            copy
        );
        // The same article read again from the same place is no new copy.
        assert_eq!(
            second.write(|w| w.insert_or_copy(&x, "{}", &[])).unwrap(),
            Inserted::Copy {
                original: id,
                recorded: false
            }
        );
        let outlets: Vec<(Option<String>, String)> = first
            .sightings(&id)
            .unwrap()
            .into_iter()
            .map(|c| (c.outlet, c.layer))
            .collect();
        assert_eq!(
            outlets,
            [
                (Some("Y".into()), "exact-body".into()),
                (Some("Z".into()), "canonical-url".into())
            ]
        );
        assert_eq!(first.article_count().unwrap(), 1);
    }

    #[test]
    fn canonical_urls_ignore_tracking_amp_mobile_and_slashes() {
        let canonical = canonical_url("https://www.example.com/news/story-1?id=7&x=2");
        for variant in [
            "http://example.com/news/story-1/?x=2&id=7&utm_source=tw&utm_medium=social",
            "https://m.example.com/news/story-1?id=7&x=2#comments",
            "https://amp.example.com/news/story-1/amp?x=2&id=7&fbclid=abc",
            "https://EXAMPLE.com/news/story-1?id=7&x=2&amp=1",
        ] {
            assert_eq!(canonical_url(variant), canonical, "{variant}");
        }
        assert_ne!(
            canonical_url("https://example.com/news/story-2?id=7&x=2"),
            canonical
        );
        assert_ne!(
            canonical_url("https://example.com/news/story-1?id=8&x=2"),
            canonical
        );
    }

    /// Many connections creating one store at the same moment all open it (each thread opens
    /// its own connection, locking as separate processes do).
    #[test]
    fn a_store_created_by_many_at_once_opens_for_all() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let barrier = std::sync::Barrier::new(8);
            let failures: Vec<String> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| {
                            barrier.wait();
                            Store::open(dir.path())
                                .map(drop)
                                .err()
                                .map(|e| e.to_string())
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .filter_map(|h| h.join().unwrap())
                    .collect()
            });
            assert_eq!(failures, Vec::<String>::new());
        }
    }

    /// Opening for reading never creates or changes anything, and says what is wrong.
    #[test]
    fn reading_a_missing_empty_foreign_or_new_store_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE);
        let message = |e: Error| e.to_string();
        let err = Store::open_read_only(dir.path()).map(drop).unwrap_err();
        assert!(matches!(err, Error::NoStore { .. }), "{err}");
        assert!(!db.exists());
        std::fs::write(&db, b"").unwrap();
        let err = message(Store::open_read_only(dir.path()).map(drop).unwrap_err());
        assert!(err.contains("empty file (0 bytes)"), "{err}");
        assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
        std::fs::write(&db, "id,title\n1,a\n".repeat(10)).unwrap();
        let err = message(Store::open_read_only(dir.path()).map(drop).unwrap_err());
        assert!(err.contains("not an SQLite database"), "{err}");
        std::fs::remove_file(&db).unwrap();
        Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE notes (x)")
            .unwrap();
        let err = message(Store::open_read_only(dir.path()).map(drop).unwrap_err());
        assert!(err.contains("without khabar's schema"), "{err}");
        std::fs::remove_file(&db).unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store
            .write(|w| w.insert_doc(&doc("One."), "{}", &[]))
            .unwrap();
        drop(store);
        let reader = Store::open_read_only(dir.path()).unwrap();
        assert_eq!(reader.article_count().unwrap(), 1);
        // Reading only: a write through it fails.
        assert!(reader
            .conn
            .execute("INSERT INTO meta (key, value) VALUES ('k', 'v')", [])
            .is_err());
    }

    /// A closed store in a temporary directory holding one article.
    fn store_of_one_article() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store
            .write(|w| w.insert_doc(&doc("One."), "{}", &[]))
            .unwrap();
        drop(store);
        dir
    }

    /// A store whose directory cannot be written is read with the `immutable` flag. Only when
    /// not running as root: root writes whatever the permissions say.
    #[cfg(unix)]
    #[test]
    fn a_store_in_a_directory_without_write_permission_is_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = store_of_one_article();
        let probe = dir.path().join("probe");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let root = std::fs::write(&probe, b"").is_ok();
        let read = Store::open_read_only(dir.path()).and_then(|s| s.article_count());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        if root {
            eprintln!("running as root: directory permissions are not enforced, not tested");
            return;
        }
        assert_eq!(read.unwrap(), 1);
    }

    /// Where the write-ahead log and its shared-memory file cannot be made (here, directories
    /// hold their names: as in a read-only directory, and testable as root), `mode=ro` cannot
    /// read the store and the `immutable` open does.
    #[test]
    fn a_store_whose_log_files_cannot_be_made_is_read_immutable() {
        let dir = store_of_one_article();
        let db = dir.path().join(DB_FILE);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("{DB_FILE}{suffix}")));
        }
        for suffix in ["-wal", "-shm"] {
            std::fs::create_dir(dir.path().join(format!("{DB_FILE}{suffix}"))).unwrap();
        }
        let plain = open_read_only_with(&db, "mode=ro").map(drop).unwrap_err();
        assert!(
            matches!(
                plain.sqlite_error_code(),
                Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
            ),
            "{plain}"
        );
        let store = Store::open_read_only(dir.path()).unwrap();
        assert_eq!(store.article_count().unwrap(), 1);
    }

    /// A clean close of a writer leaves the whole store in its database file; a backup is one
    /// file holding the same store.
    #[test]
    fn a_closed_store_and_its_backup_are_one_file_each() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store
            .write(|w| w.insert_doc(&doc("One."), "{}", &[]).map(drop))
            .unwrap();
        let copy = dir.path().join("copy.sqlite");
        store.backup(&copy).unwrap();
        let err = store.backup(&dir.path().join(DB_FILE)).unwrap_err();
        assert!(matches!(err, Error::BackupOntoStore { .. }), "{err}");
        drop(store);
        let wal = dir.path().join(format!("{DB_FILE}-wal"));
        assert!(std::fs::metadata(&wal).map_or(true, |m| m.len() == 0));
        // Each file alone, without any write-ahead log beside it.
        for file in [dir.path().join(DB_FILE), copy] {
            let alone = tempfile::tempdir().unwrap();
            std::fs::copy(&file, alone.path().join(DB_FILE)).unwrap();
            let read = Store::open_read_only(alone.path()).unwrap();
            assert_eq!(read.article_count().unwrap(), 1, "{}", file.display());
        }
    }

    fn event_row(w: &Writer, id: &str, members: &[&ArticleId]) {
        let listed: Vec<_> = members
            .iter()
            .map(|a| serde_json::json!({"id": a}))
            .collect();
        w.tx.execute(
            "INSERT OR REPLACE INTO events (id, size, event) VALUES (?1, ?2, ?3)",
            params![
                id,
                members.len() as i64,
                serde_json::json!({"articles": listed}).to_string()
            ],
        )
        .unwrap();
        for a in members {
            w.put_membership(&Membership {
                article: **a,
                event: EventId::from_stored(id.into()),
            })
            .unwrap();
        }
    }

    /// A merged event's id resolves to the event that holds its articles now, through later
    /// merges too; prefixes resolve when unique; articles resolve to their event.
    #[test]
    fn retired_ids_prefixes_and_articles_resolve_to_events() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let docs: Vec<Doc> = ["One.", "Two.", "Three."].into_iter().map(doc).collect();
        let ids: Vec<ArticleId> = docs.iter().map(|d| d.article.id).collect();
        store
            .write(|w| {
                for d in &docs {
                    w.insert_doc(d, "{}", &[])?;
                }
                event_row(w, "eaaaa11", &[&ids[0]]);
                event_row(w, "eaaaa22", &[&ids[1]]);
                event_row(w, "ebbbb33", &[&ids[2]]);
                Ok(())
            })
            .unwrap();
        let resolve = |s: &Store, q: &str| s.resolve(q).map(|r| (r.event.to_string(), r.note));
        assert_eq!(resolve(&store, "ebbb").unwrap().0, "ebbbb33");
        let err = store.resolve("eaaa").unwrap_err().to_string();
        assert!(
            err.contains("eaaaa11 (event)") && err.contains("eaaaa22 (event)"),
            "{err}"
        );
        assert!(matches!(
            store.resolve("ezzz"),
            Err(Error::NoSuchEvent { .. })
        ));
        assert!(matches!(
            store.resolve("eb"),
            Err(Error::NoSuchEvent { .. })
        ));
        let article = store.resolve(ids[1].as_str()).unwrap();
        assert_eq!(
            (article.event.as_str(), article.article),
            ("eaaaa22", Some(ids[1]))
        );
        // eaaaa22 merged into eaaaa11, then eaaaa11 into ebbbb33.
        store
            .write(|w| {
                event_row(w, "eaaaa11", &[&ids[0], &ids[1]]);
                w.delete_event(&EventId::from_stored("eaaaa22".into()))?;
                event_row(w, "ebbbb33", &[&ids[0], &ids[1], &ids[2]]);
                w.delete_event(&EventId::from_stored("eaaaa11".into()))
            })
            .unwrap();
        let (event, note) = resolve(&store, "eaaaa22").unwrap();
        assert_eq!(event, "ebbbb33");
        assert_eq!(note.as_deref(), Some("eaaaa22 was merged into ebbbb33"));
        // Both retired ids now stand for one event: the prefix is not ambiguous.
        assert_eq!(resolve(&store, "eaaa").unwrap().0, "ebbbb33");
        // An id that names an event again is that event.
        store
            .write(|w| {
                event_row(w, "eaaaa22", &[&ids[1]]);
                Ok(())
            })
            .unwrap();
        assert_eq!(
            resolve(&store, "eaaaa22").unwrap(),
            ("eaaaa22".into(), None)
        );
    }

    /// The check finds what khabar's invariants forbid.
    #[test]
    fn the_check_reports_each_broken_invariant() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let docs: Vec<Doc> = ["One.", "Two."].into_iter().map(doc).collect();
        let ids: Vec<ArticleId> = docs.iter().map(|d| d.article.id).collect();
        store
            .write(|w| {
                for d in &docs {
                    w.insert_doc(d, "{}", &[])?;
                }
                event_row(w, "e1", &[&ids[0], &ids[1]]);
                Ok(())
            })
            .unwrap();
        assert_eq!(store.check(false).unwrap(), Vec::<String>::new());
        store
            .write(|w| {
                w.put_membership(&Membership {
                    article: ids[1],
                    event: EventId::from_stored("e2".into()),
                })
            })
            .unwrap();
        // What khabar never writes, written by another program (foreign keys unchecked).
        Connection::open(dir.path().join(DB_FILE))
            .unwrap()
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO links (hi, lo, score) VALUES (9, 1, 0.5);",
            )
            .unwrap();
        let problems = store.check(true).unwrap();
        let expected = [
            format!(
                "article {} is a member of event e2, which does not exist",
                ids[1]
            ),
            "the link of the articles numbered 9 and 1 has a missing end".into(),
            format!(
                "event e1's synthesis lists article {}, which is not its member",
                ids[1]
            ),
            "event e1 is stored with 2 articles but has 1 members".into(),
        ];
        for e in &expected {
            assert!(problems.contains(e), "{e} not in {problems:#?}");
        }
    }

    #[test]
    fn a_failed_batch_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let result: Result<()> = store.write(|w| {
            w.insert_doc(&doc("one"), "{}", &[])?;
            Err(Error::Corrupt {
                what: "test".into(),
                reason: "abort".into(),
            })
        });
        assert!(result.is_err());
        assert_eq!(store.article_count().unwrap(), 0);
        drop(store);
        // Reopening applies no migration twice.
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.article_count().unwrap(), 0);
    }
}
