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
    // 4: links keyed by the articles' sequence numbers, the newer first, so that the links of a
    // new article are appended at the end of the table instead of inserted all over two indexes
    // of random ids (the cost of storing links grew with the store). Same rows, same scores.
    "CREATE TABLE links_by_seq (
         hi INTEGER NOT NULL REFERENCES articles (seq),
         lo INTEGER NOT NULL REFERENCES articles (seq),
         score REAL NOT NULL,
         evidence TEXT NOT NULL,
         PRIMARY KEY (hi, lo)
     ) WITHOUT ROWID;
     INSERT INTO links_by_seq (hi, lo, score, evidence)
         SELECT MAX(x.seq, y.seq), MIN(x.seq, y.seq), l.score, l.evidence
         FROM links l JOIN articles x ON x.id = l.a JOIN articles y ON y.id = l.b;
     DROP TABLE links;
     ALTER TABLE links_by_seq RENAME TO links;
     CREATE INDEX links_lo ON links (lo);",
    // 5: why an article is in its event is derived from its links when explained, not stored:
    // storing it meant rewriting every member's row each time an event grew by one.
    "ALTER TABLE memberships DROP COLUMN evidence;",
    // 6: a link's evidence (the model's inputs) is computed again from the two articles' stored
    // profiles and vectors when explained, exactly as it was scored: stored as JSON it took
    // about 290 bytes for each of ~21 links per article, a quarter of the store.
    "ALTER TABLE links DROP COLUMN evidence;",
    // 7: what the synthesise stage reads of each article (its document slimmed, its 5-gram
    // hashes), so re-synthesising a large event does not parse every member's whole document.
    // Filled when an article first joins an event; an older store's are filled as events change.
    "CREATE TABLE synthesis_inputs (
         article TEXT PRIMARY KEY REFERENCES articles (id),
         version INTEGER NOT NULL,
         doc TEXT NOT NULL,
         shingles BLOB NOT NULL
     );",
    // 8: documents are stored without their tokens (about half of each document's JSON; only
    // the profile and the 5-gram hashes read them, both made before storing), so the stored
    // document is itself what synthesis reads, and the synthesis inputs, which copied it, go:
    // their hashes move beside the document. Documents stored before keep their tokens (read as
    // before); an article without hashes gets them from its document when it is next synthesised.
    "ALTER TABLE articles ADD COLUMN shingles BLOB;
     UPDATE articles SET shingles =
         (SELECT s.shingles FROM synthesis_inputs s WHERE s.article = articles.id);
     DROP TABLE synthesis_inputs;",
    // 9: the ids of events that no longer exist (merged into another), each with the event that
    // now holds most of its articles, so that an id once shown keeps resolving.
    "CREATE TABLE event_aliases (
         retired TEXT PRIMARY KEY,
         event TEXT NOT NULL
     );",
    // 10: each event's version, from a store-wide counter that grows whenever an event is stored
    // or changed: the key of incremental exports (`export --changed-since`) and of the order by
    // last update. Existing events take their row order.
    "ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
     UPDATE events SET version = rowid;
     INSERT OR REPLACE INTO meta (key, value)
         SELECT 'events_version', CAST(COALESCE(MAX(version), 0) AS TEXT) FROM events;
     CREATE INDEX events_version ON events (version);",
    // 11: the entities each article mentions, and every name each entity is given per language,
    // so that a query by entity (`--entity Lavrov`) reads two small indexed tables instead of
    // every stored document (110 ms for 2.3k articles, measured: seconds at 100k). Filled from the
    // documents.
    "CREATE TABLE entity_names (
         entity TEXT NOT NULL,
         lang TEXT NOT NULL,
         name TEXT NOT NULL,
         kind TEXT NOT NULL,
         mentions INTEGER NOT NULL,
         PRIMARY KEY (entity, lang, name)
     ) WITHOUT ROWID;
     CREATE TABLE article_mentions (
         entity TEXT NOT NULL,
         article TEXT NOT NULL REFERENCES articles (id),
         PRIMARY KEY (entity, article)
     ) WITHOUT ROWID;
     INSERT INTO entity_names (entity, lang, name, kind, mentions)
         SELECT json_extract(m.value, '$.entity'), a.lang, json_extract(m.value, '$.name'),
                MIN(json_extract(m.value, '$.kind')), COUNT(*)
         FROM articles a, json_each(a.doc, '$.mentions') m GROUP BY 1, 2, 3;
     INSERT OR IGNORE INTO article_mentions (entity, article)
         SELECT json_extract(m.value, '$.entity'), a.id
         FROM articles a, json_each(a.doc, '$.mentions') m;",
    // 12: when each event id was retired, on the events version counter, so that an
    // incremental export also says which events it had listed before are gone.
    "ALTER TABLE event_aliases ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
];

/// The schema version this khabar writes.
pub fn supported() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database at `path` up to the newest schema, in one transaction. The version is
/// read again under the write lock: another process may have migrated (or created) the store
/// since it was first read.
pub fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    let sql = |e| crate::sqlite_error(path, e);
    let version = |conn: &Connection| -> Result<i64> {
        let found: i64 =
            crate::retry_busy(|| conn.query_row("PRAGMA user_version", [], |r| r.get(0)))
                .map_err(sql)?;
        if found > supported() {
            return Err(Error::TooNew {
                path: path.to_path_buf(),
                found,
                supported: supported(),
            });
        }
        Ok(found)
    };
    // Up to date (the common case): no write lock needed.
    if version(conn)? == supported() {
        return Ok(());
    }
    // Immediate: the write lock first (SQLite's busy handler waits for it), then the version.
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql)?;
    let current = version(&tx)?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(migration).map_err(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(sql)?;
    }
    tx.commit().map_err(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_of_version_3_keeps_its_links_and_memberships() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::DB_FILE);
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..3] {
                conn.execute_batch(m).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            for (seq, id) in [
                (1, "bbbbbbbbbbbbbbbb"),
                (2, "aaaaaaaaaaaaaaaa"),
                (3, "cccccccccccccccc"),
            ] {
                conn.execute(
                    "INSERT INTO articles (id, seq, source, lang, doc, profile, doc_vector, sentence_vectors)
                     VALUES (?1, ?2, 'x', 'en', '{}', '{}', x'', x'')",
                    rusqlite::params![id, seq],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO links (a, b, score, evidence) VALUES ('aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 0.75, '{\"k\":1}');
                 INSERT INTO links (a, b, score, evidence) VALUES ('aaaaaaaaaaaaaaaa', 'cccccccccccccccc', 0.5, '{}');
                 INSERT INTO memberships (article, event, evidence) VALUES ('aaaaaaaaaaaaaaaa', 'e1', '{\"mean_score\":0.9}');",
            )
            .unwrap();
        }
        let store = crate::Store::open(dir.path()).unwrap();
        use crate::Reads;
        let links = store
            .links_of(&[khabar_core::ArticleId::parse("aaaaaaaaaaaaaaaa").unwrap()])
            .unwrap();
        let found: Vec<(&str, &str, f32)> = links
            .iter()
            .map(|l| (l.a.as_str(), l.b.as_str(), l.score))
            .collect();
        assert_eq!(
            found,
            vec![
                ("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", 0.75),
                ("aaaaaaaaaaaaaaaa", "cccccccccccccccc", 0.5)
            ]
        );
        let event = khabar_core::EventId::from_stored("e1".into());
        let members: Vec<String> = store
            .members(&event)
            .unwrap()
            .iter()
            .map(|m| m.article.to_string())
            .collect();
        assert_eq!(members, ["aaaaaaaaaaaaaaaa"]);
        let scores = store
            .link_scores_of(
                &[khabar_core::ArticleId::parse("cccccccccccccccc").unwrap()],
                0.1,
            )
            .unwrap();
        assert_eq!(scores.len(), 1);
        assert_eq!(scores[0].0.as_str(), "aaaaaaaaaaaaaaaa");
    }

    #[test]
    fn a_store_of_version_10_gets_its_mentions_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::DB_FILE);
        let mut d = crate::tests::doc("Lavrov spoke.");
        d.language.code = "ar".into();
        d.mentions = vec![
            serde_json::from_value(serde_json::json!({"entity": "person:lfrf.s",
            "kind": "person", "span": {"start": 0, "end": 6}, "name": "لافروف", "role": null}))
            .unwrap(),
        ];
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..10] {
                conn.execute_batch(m).unwrap();
            }
            conn.pragma_update(None, "user_version", 10).unwrap();
            conn.execute(
                "INSERT INTO articles (id, seq, source, lang, doc, profile, doc_vector, sentence_vectors)
                 VALUES (?1, 1, 'x', 'ar', ?2, '{}', x'', x'')",
                rusqlite::params![d.article.id.as_str(), serde_json::to_string(&d).unwrap()],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO memberships (article, event) VALUES (?1, 'e1')",
                [d.article.id.as_str()],
            )
            .unwrap();
        }
        let store = crate::Store::open(dir.path()).unwrap();
        let found = crate::query::entities(&store, Some("لافروف")).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "person:lfrf.s");
        assert_eq!(found[0].names["ar"], "لافروف");
        assert_eq!(found[0].events, 1);
    }

    #[test]
    fn a_store_of_version_7_keeps_its_5_gram_hashes_beside_the_documents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::DB_FILE);
        let docs: Vec<khabar_core::Doc> = ["Talks in Moscow.", "Lavrov met his counterpart."]
            .into_iter()
            .map(crate::tests::doc)
            .collect();
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..7] {
                conn.execute_batch(m).unwrap();
            }
            conn.pragma_update(None, "user_version", 7).unwrap();
            for (seq, d) in docs.iter().enumerate() {
                let json = serde_json::to_string(d).unwrap();
                conn.execute(
                    "INSERT INTO articles (id, seq, source, lang, doc, profile, doc_vector, sentence_vectors)
                     VALUES (?1, ?2, 'x', 'en', ?3, '{}', x'', x'')",
                    rusqlite::params![d.article.id.as_str(), seq as i64 + 1, json],
                )
                .unwrap();
            }
            // Only the first had its synthesis input stored.
            conn.execute(
                "INSERT INTO synthesis_inputs (article, version, doc, shingles) VALUES (?1, 1, ?2, ?3)",
                rusqlite::params![
                    docs[0].article.id.as_str(),
                    serde_json::to_string(&docs[0]).unwrap(),
                    [7u64.to_le_bytes(), 9u64.to_le_bytes()].concat()
                ],
            )
            .unwrap();
        }
        let store = crate::Store::open(dir.path()).unwrap();
        use crate::Reads;
        let ids: Vec<_> = docs.iter().map(|d| d.article.id).collect();
        let found = store.synthesis_inputs(&ids).unwrap();
        assert_eq!(found.keys().collect::<Vec<_>>(), [&ids[0]]);
        assert_eq!(found[&ids[0]].shingles, [7, 9]);
        assert_eq!(found[&ids[0]].doc.article, docs[0].article);
        assert_eq!(store.article_count().unwrap(), 2);
    }
}
