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
pub mod vectors;

use khabar_core::{ArticleId, Copy, Doc, Event, EventId, SynthesisInput};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "khabar.sqlite";

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A stored record could not be decoded.
    #[error("stored record {what} is corrupt: {reason}")]
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

/// The store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`, applying pending migrations.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|source| Error::CreateDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let sql = |source| Error::Sqlite {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql)?;
        // A 64 MB page cache (SQLite's default is 2 MB): an ingest batch inserts links and
        // memberships all over their indexes and re-reads the documents of the events it
        // changes; with the default cache most of those pages are read from the file again.
        conn.pragma_update(None, "cache_size", -65536)
            .map_err(sql)?;
        // Checkpoint the WAL every 32 MB rather than every 4 MB: a page changed by several
        // batches in between is copied into the database once.
        conn.pragma_update(None, "wal_autocheckpoint", 8192)
            .map_err(sql)?;
        // Every statement an ingest batch runs stays prepared (rusqlite keeps 16 by default,
        // fewer than a batch uses, and parsing SQL again was a visible part of a batch).
        conn.set_prepared_statement_cache_capacity(64);
        migrations::apply(&mut conn, &path)?;
        Ok(Store { conn, path })
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
    move |source| Error::Sqlite {
        path: path.to_path_buf(),
        source,
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
        move |source| Error::Sqlite {
            path: self.db_path().to_path_buf(),
            source,
        }
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

/// Query parameters that say who shared a link, not what it points at.
const TRACKING_PARAMETERS: &[&str] = &[
    "utm_",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref",
    "ref_src",
    "cmpid",
    "ocid",
    "at_medium",
    "at_campaign",
];

/// A URL in the form that identifies the page: scheme and `www.`, `m.`, `mobile.` and `amp.`
/// hosts dropped, host lower-cased, `/amp` and trailing slashes removed, tracking parameters and
/// the fragment dropped, remaining parameters sorted.
pub fn canonical_url(url: &str) -> String {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split('#').next().unwrap_or(rest);
    let (path_part, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = path_part.split_once('/').unwrap_or((path_part, ""));
    let mut host = host.to_lowercase();
    for prefix in ["www.", "m.", "mobile.", "amp."] {
        if let Some(h) = host.strip_prefix(prefix) {
            host = h.to_string();
        }
    }
    let mut path = path.trim_end_matches('/').to_string();
    for suffix in ["/amp", "/amp.html"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.trim_end_matches('/').to_string();
        }
    }
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_lowercase();
            key != "amp"
                && !TRACKING_PARAMETERS
                    .iter()
                    .any(|t| key.starts_with(t) && (t.ends_with('_') || key == *t))
        })
        .collect();
    params.sort_unstable();
    let mut out = host;
    if !path.is_empty() {
        out.push('/');
        out.push_str(&path);
    }
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
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

/// Writes inside one transaction (see [`Store::write`]).
pub struct Writer<'a> {
    tx: Transaction<'a>,
    path: &'a Path,
}

impl Writer<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| Error::Sqlite {
            path: self.path.to_path_buf(),
            source,
        }
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
        let day = article
            .published_at
            .as_ref()
            .map(|p| vectors::day_number(p.at.date_naive()));
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
        Ok(inserted)
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
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO events (id, day, size, event) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    event.id.as_str(),
                    day,
                    event.members.len() as i64,
                    json
                ])
            })
            .map(drop)
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

    /// Removes an event record (its articles have moved to other events).
    pub fn delete_event(&self, id: &EventId) -> Result<()> {
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
