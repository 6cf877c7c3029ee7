//! Versioned schema migrations, applied in order; `PRAGMA user_version` records the last one.

use crate::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// Each entry moves the schema one version up. Never edit a released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: articles with their analysis and vectors, links, memberships, events.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE articles (
         id TEXT PRIMARY KEY,
         seq INTEGER NOT NULL UNIQUE,
         source TEXT NOT NULL,
         outlet TEXT,
         url TEXT,
         title TEXT,
         published_at TEXT,
         day INTEGER,
         lang TEXT NOT NULL,
         doc TEXT NOT NULL,
         profile TEXT NOT NULL,
         doc_vector BLOB NOT NULL,
         sentence_vectors BLOB NOT NULL
     );
     CREATE INDEX articles_day ON articles (day);
     CREATE TABLE sightings (
         article TEXT NOT NULL REFERENCES articles (id),
         source TEXT NOT NULL,
         PRIMARY KEY (article, source)
     );
     CREATE TABLE links (
         a TEXT NOT NULL REFERENCES articles (id),
         b TEXT NOT NULL REFERENCES articles (id),
         score REAL NOT NULL,
         evidence TEXT NOT NULL,
         PRIMARY KEY (a, b)
     );
     CREATE INDEX links_b ON links (b);
     CREATE TABLE memberships (
         article TEXT PRIMARY KEY REFERENCES articles (id),
         event TEXT NOT NULL,
         evidence TEXT NOT NULL
     );
     CREATE INDEX memberships_event ON memberships (event);
     CREATE TABLE events (
         id TEXT PRIMARY KEY,
         day INTEGER,
         size INTEGER NOT NULL,
         event TEXT NOT NULL
     );",
    // 2: user decisions (merge, split, move) and the pair constraints each one implies.
    "CREATE TABLE decisions (
         id INTEGER PRIMARY KEY,
         at TEXT NOT NULL,
         kind TEXT NOT NULL,
         detail TEXT NOT NULL,
         reason TEXT,
         undone_at TEXT
     );
     CREATE TABLE constraints (
         decision INTEGER NOT NULL REFERENCES decisions (id),
         a TEXT NOT NULL REFERENCES articles (id),
         b TEXT NOT NULL REFERENCES articles (id),
         together INTEGER NOT NULL,
         PRIMARY KEY (decision, a, b)
     );
     CREATE INDEX constraints_a ON constraints (a);
     CREATE INDEX constraints_b ON constraints (b);",
    // 3: copies keep their outlet and the dedup layer that caught them; canonical URLs.
    "ALTER TABLE sightings ADD COLUMN outlet TEXT;
     ALTER TABLE sightings ADD COLUMN url TEXT;
     ALTER TABLE sightings ADD COLUMN layer TEXT NOT NULL DEFAULT 'exact-body';
     ALTER TABLE articles ADD COLUMN canonical_url TEXT;
     CREATE INDEX articles_canonical_url ON articles (canonical_url);",
];

/// Brings the database at `path` up to the newest schema, in one transaction.
pub fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    let sql = |source| Error::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported,
        });
    }
    let tx = conn.transaction().map_err(sql)?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(migration).map_err(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(sql)?;
    }
    tx.commit().map_err(sql)
}
