//! Structured queries over events: filters that compose (AND), an order with a deterministic
//! tie-break, and keyset paging. One query type for every reader (the CLI's `events` and
//! `export`, a future HTTP server); executed as one SQL statement whose text is made of fixed
//! fragments only, every value the user gave bound as a parameter.
//!
//! ```
//! use khabar_store::query::{EventQuery, Sort};
//! use khabar_store::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path()).unwrap();
//! let query = EventQuery {
//!     disputed: true,
//!     sort: Sort::Size,
//!     limit: Some(20),
//!     ..EventQuery::default()
//! };
//! let page = query.run(&store).unwrap();
//! assert!(page.events.is_empty() && page.next_cursor.is_none());
//! ```

use crate::{decode_event, vectors::day_number, Error, Reads, Result};
use chrono::NaiveDate;
use khabar_core::{Event, EventKind};
use rusqlite::types::Value;
use std::collections::BTreeMap;

/// The order of a query's events. Every order ends with the event id, ascending, so that ties
/// come out the same way every time and a cursor names one position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Event date, newest first (undated events last).
    #[default]
    Date,
    /// Number of articles, largest first.
    Size,
    /// Number of independent origins, most first.
    Origins,
    /// Last change in the store, most recent first.
    Updated,
}

impl Sort {
    /// The name used on the command line and in cursors.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Date => "date",
            Sort::Size => "size",
            Sort::Origins => "origins",
            Sort::Updated => "updated",
        }
    }

    /// The SQL expression of the key (a fixed fragment; undated events sort as the smallest day).
    fn key(self) -> &'static str {
        match self {
            Sort::Date => "COALESCE(e.day, -2147483648)",
            Sort::Size => "e.size",
            Sort::Origins => "json_array_length(e.event, '$.origins')",
            Sort::Updated => "e.version",
        }
    }
}

/// A position in a query's order: the last event of a page, by its sort key and id. Paging on
/// it (keyset, not OFFSET) returns each event once: events added between pages before the
/// position do not shift what comes after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    sort: Sort,
    key: i64,
    id: String,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.sort.name(), self.key, self.id)
    }
}

impl std::str::FromStr for Cursor {
    type Err = Error;

    /// Reads a cursor as [`Page::next_cursor`] prints it (`SORT:KEY:ID`).
    fn from_str(text: &str) -> Result<Cursor> {
        let bad = |reason: &str| Error::BadCursor {
            cursor: text.to_string(),
            reason: reason.to_string(),
        };
        let mut parts = text.splitn(3, ':');
        let (Some(sort), Some(key), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(
                "expected SORT:KEY:ID, as a page's next cursor is printed",
            ));
        };
        let sort = [Sort::Date, Sort::Size, Sort::Origins, Sort::Updated]
            .into_iter()
            .find(|s| s.name() == sort)
            .ok_or_else(|| bad("unknown sort"))?;
        let key = key.parse().map_err(|_| bad("the key is not a number"))?;
        if id.is_empty() {
            return Err(bad("no event id"));
        }
        Ok(Cursor {
            sort,
            key,
            id: id.to_string(),
        })
    }
}

/// Which events, in what order, how many. Every filter set must hold (AND); the default is
/// every event, newest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// On or after this day: the event's date, or with `published` an article's publication.
    pub since: Option<NaiveDate>,
    /// On or before this day (as `since`).
    pub until: Option<NaiveDate>,
    /// `since` and `until` apply to the articles' publication dates, not the event's date.
    pub published: bool,
    /// An article in this language (a code such as `ar`).
    pub lang: Option<String>,
    /// An article from this outlet (or a copy of one), case-insensitively.
    pub outlet: Option<String>,
    /// An independent origin: its whole key (`agency:KUNA`) or its name (`KUNA`).
    pub origin: Option<String>,
    /// An article mentioning this entity: its id (`person:lfrf.s`) or one of its names in any
    /// script, as whole words (`Lavrov`, `لافروف`).
    pub entity: Option<String>,
    /// The event's place, by any of its names in any script (whole words).
    pub place: Option<String>,
    /// The kind of happening.
    pub kind: Option<EventKind>,
    /// The sources disagree on something.
    pub disputed: bool,
    /// At least this many articles.
    pub min_articles: Option<u32>,
    /// At least this many independent origins.
    pub min_origins: Option<u32>,
    /// Only events stored or changed after this store version (see [`events_version`]).
    pub changed_since: Option<i64>,
    /// The order.
    pub sort: Sort,
    /// Oldest / smallest first instead.
    pub ascending: bool,
    /// At most this many events (then [`Page::next_cursor`] says where to go on).
    pub limit: Option<u32>,
    /// Start after this position (from [`Page::next_cursor`] of the same query).
    pub cursor: Option<Cursor>,
}

/// One page of a query's events.
#[derive(Debug)]
pub struct Page {
    /// The events, in the query's order.
    pub events: Vec<Event>,
    /// Where the next page starts, when there are more events.
    pub next_cursor: Option<Cursor>,
}

/// The ids of entities some article names `name` (as whole words), or whose id is `name`: a
/// fixed SQL fragment taking its name as parameter `?{n}`.
fn named_entities(n: usize) -> String {
    format!(
        "SELECT ?{n} UNION SELECT entity FROM entity_names
         WHERE instr(' ' || lower(name) || ' ', ' ' || lower(?{n}) || ' ') > 0"
    )
}

impl EventQuery {
    /// Runs the query on a store (or a snapshot or write transaction of one).
    pub fn run(&self, store: &impl Reads) -> Result<Page> {
        if let Some(c) = &self.cursor {
            if c.sort != self.sort {
                return Err(Error::BadCursor {
                    cursor: c.to_string(),
                    reason: format!(
                        "it is a position in the order by {}, not by {}",
                        c.sort.name(),
                        self.sort.name()
                    ),
                });
            }
        }
        let mut values: Vec<Value> = Vec::new();
        let mut bind = |v: Value| {
            values.push(v);
            values.len()
        };
        let mut clauses: Vec<String> = Vec::new();
        let day = |d: NaiveDate| Value::Integer(day_number(d).into());
        let date = |d: NaiveDate| Value::Text(d.to_string());
        if self.published {
            // An article published in the range (its date's first ten characters, YYYY-MM-DD).
            let mut range = Vec::new();
            if let Some(d) = self.since {
                range.push(format!(
                    "substr(p.published_at, 1, 10) >= ?{}",
                    bind(date(d))
                ));
            }
            if let Some(d) = self.until {
                range.push(format!(
                    "substr(p.published_at, 1, 10) <= ?{}",
                    bind(date(d))
                ));
            }
            if !range.is_empty() {
                clauses.push(format!(
                    "EXISTS (SELECT 1 FROM (SELECT json_extract(value, '$.published_at') AS published_at
                         FROM json_each(e.event, '$.articles')) p
                     WHERE p.published_at IS NOT NULL AND {})",
                    range.join(" AND ")
                ));
            }
        } else {
            if let Some(d) = self.since {
                clauses.push(format!("e.day >= ?{}", bind(day(d))));
            }
            if let Some(d) = self.until {
                clauses.push(format!("e.day <= ?{}", bind(day(d))));
            }
        }
        if let Some(lang) = &self.lang {
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM json_each(e.event, '$.languages') WHERE value = ?{})",
                bind(Value::Text(lang.clone()))
            ));
        }
        if let Some(outlet) = &self.outlet {
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM json_each(e.event, '$.outlets') WHERE lower(value) = lower(?{}))",
                bind(Value::Text(outlet.clone()))
            ));
        }
        if let Some(origin) = &self.origin {
            let n = bind(Value::Text(origin.clone()));
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM json_each(e.event, '$.origins')
                 WHERE lower(value) = lower(?{n})
                    OR lower(substr(value, instr(value, ':') + 1)) = lower(?{n}))"
            ));
        }
        if let Some(entity) = &self.entity {
            let n = bind(Value::Text(entity.clone()));
            clauses.push(format!(
                "e.id IN (SELECT em.event FROM article_mentions am
                     JOIN memberships em ON em.article = am.article
                     WHERE am.entity IN ({}))",
                named_entities(n)
            ));
        }
        if let Some(place) = &self.place {
            let n = bind(Value::Text(place.clone()));
            // The place is stored as a name: compare it with every name of the entities so named.
            clauses.push(format!(
                "(instr(' ' || lower(json_extract(e.event, '$.place.value')) || ' ', ' ' || lower(?{n}) || ' ') > 0
                  OR json_extract(e.event, '$.place.value') IN (
                     SELECT name FROM entity_names WHERE entity IN ({})))",
                named_entities(n)
            ));
        }
        if let Some(kind) = self.kind {
            let kind = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            clauses.push(format!(
                "json_extract(e.event, '$.kind') = ?{}",
                bind(Value::Text(kind))
            ));
        }
        if self.disputed {
            clauses.push("json_array_length(e.event, '$.disagreements') > 0".into());
        }
        if let Some(n) = self.min_articles {
            clauses.push(format!("e.size >= ?{}", bind(Value::Integer(n.into()))));
        }
        if let Some(n) = self.min_origins {
            clauses.push(format!(
                "json_array_length(e.event, '$.origins') >= ?{}",
                bind(Value::Integer(n.into()))
            ));
        }
        if let Some(v) = self.changed_since {
            clauses.push(format!("e.version > ?{}", bind(Value::Integer(v))));
        }
        let key = self.sort.key();
        let (after, direction) = if self.ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        if let Some(c) = &self.cursor {
            let k = bind(Value::Integer(c.key));
            let i = bind(Value::Text(c.id.clone()));
            clauses.push(format!(
                "({key} {after} ?{k} OR ({key} = ?{k} AND e.id > ?{i}))"
            ));
        }
        // One more than asked for: whether it exists says whether there is a next page.
        let limit = self.limit.map(|n| i64::from(n) + 1).unwrap_or(-1);
        let limit = bind(Value::Integer(limit));
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT e.id, e.event, {key} FROM events e {filter}
             ORDER BY {key} {direction}, e.id ASC LIMIT ?{limit}"
        );
        let sql_error = store.sql_error();
        let mut stmt = store.conn().prepare(&sql).map_err(&sql_error)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })
            .map_err(&sql_error)?;
        let mut found: Vec<(Event, i64)> = Vec::new();
        for row in rows {
            let (id, json, key) = row.map_err(&sql_error)?;
            found.push((decode_event(&id, &json)?, key));
        }
        let mut next_cursor = None;
        if let Some(n) = self.limit {
            if found.len() > n as usize {
                found.truncate(n as usize);
                next_cursor = found.last().map(|(e, key)| Cursor {
                    sort: self.sort,
                    key: *key,
                    id: e.id.to_string(),
                });
            }
        }
        Ok(Page {
            events: found.into_iter().map(|(e, _)| e).collect(),
            next_cursor,
        })
    }
}

/// The store's events version: it grows each time an event is stored or changed, so that
/// `EventQuery::changed_since` with the value read before an ingest gives what it changed.
pub fn events_version(store: &impl Reads) -> Result<i64> {
    Ok(store
        .meta(crate::EVENTS_VERSION)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// The events retired (merged into another) after events version `since`, each with the event
/// that now holds most of its articles, by id: what an incremental export drops.
pub fn retired_since(store: &impl Reads, since: i64) -> Result<Vec<(String, String)>> {
    let sql_error = store.sql_error();
    let mut stmt = store
        .conn()
        .prepare("SELECT retired, event FROM event_aliases WHERE version > ?1 ORDER BY retired")
        .map_err(&sql_error)?;
    let rows = stmt
        .query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(&sql_error)?;
    rows.collect::<rusqlite::Result<_>>().map_err(&sql_error)
}

/// A person, place, country or organisation the stored articles mention.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entity {
    /// Language-independent id (`person:lfrf.s`, `country:KW`).
    pub id: String,
    /// Its kind as the analyse stage gives it (`person`, `country`, `place`, `organisation`).
    pub kind: String,
    /// The name used most often in each language.
    pub names: BTreeMap<String, String>,
    /// How many events have an article that mentions it.
    pub events: u64,
}

/// Every entity the stored articles mention (or only those `named`, by id or whole words of a
/// name in any script), most events first, then by id.
pub fn entities(store: &impl Reads, named: Option<&str>) -> Result<Vec<Entity>> {
    let sql_error = store.sql_error();
    let (filter, params): (String, Vec<Value>) = match named {
        Some(n) => (
            format!("WHERE entity IN ({})", named_entities(1)),
            vec![Value::Text(n.into())],
        ),
        None => (String::new(), Vec::new()),
    };
    let sql = format!("SELECT entity, kind, lang, name, mentions FROM entity_names {filter}");
    let mut stmt = store.conn().prepare(&sql).map_err(&sql_error)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(&params), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .map_err(&sql_error)?;
    type Names = BTreeMap<String, BTreeMap<String, i64>>;
    let mut by_id: BTreeMap<String, (String, Names)> = BTreeMap::new();
    for row in rows {
        let (id, kind, lang, name, mentions) = row.map_err(&sql_error)?;
        let entry = by_id.entry(id).or_insert_with(|| (kind, BTreeMap::new()));
        *entry.1.entry(lang).or_default().entry(name).or_default() += mentions;
    }
    let sql = format!(
        "SELECT am.entity, COUNT(DISTINCT ms.event) FROM article_mentions am
         JOIN memberships ms ON ms.article = am.article
         WHERE am.entity IN (SELECT entity FROM entity_names {filter})
         GROUP BY am.entity"
    );
    let mut stmt = store.conn().prepare(&sql).map_err(&sql_error)?;
    let counts: BTreeMap<String, u64> = stmt
        .query_map(rusqlite::params_from_iter(&params), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .map_err(&sql_error)?
        .collect::<rusqlite::Result<_>>()
        .map_err(&sql_error)?;
    let mut out: Vec<Entity> = by_id
        .into_iter()
        .filter_map(|(id, (kind, names))| {
            // An entity only in articles not yet in an event is not listed.
            let events = *counts.get(&id)?;
            Some(Entity {
                // The most used name, the first in text order among equals.
                names: names
                    .into_iter()
                    .filter_map(|(lang, counts)| {
                        let best = counts
                            .iter()
                            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
                        Some((lang, best.0.clone()))
                    })
                    .collect(),
                id,
                kind,
                events,
            })
        })
        .collect();
    out.sort_by(|a, b| b.events.cmp(&a.events).then(a.id.cmp(&b.id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Membership, Store};
    use khabar_core::{ArticleId, EventId, Mention};
    use serde_json::json;

    /// What a test event is made of.
    #[derive(Default)]
    struct Spec {
        day: Option<&'static str>,
        articles: Vec<(ArticleId, &'static str, Option<&'static str>)>,
        outlets: Vec<&'static str>,
        origins: Vec<&'static str>,
        kind: Option<&'static str>,
        place: Option<&'static str>,
        disputed: bool,
    }

    fn event(id: &str, spec: &Spec) -> Event {
        let members: Vec<_> = spec
            .articles
            .iter()
            .map(|(a, lang, published)| {
                json!({"id": a.as_str(), "source": "t", "lang": lang, "outlet": null,
                       "title": "t", "published_at": published, "preview": false,
                       "origin": {"kind": "own", "key": "own:x", "copy_of": null, "evidence": null}})
            })
            .collect();
        let mut languages: Vec<&str> = spec.articles.iter().map(|a| a.1).collect();
        languages.sort();
        languages.dedup();
        serde_json::from_value(json!({
            "id": id, "title": id, "titles": {}, "kind": spec.kind,
            "date": spec.day.map(|d| json!({"value": d, "sources": [], "citations": []})),
            "place": spec.place.map(|p| json!({"value": p, "sources": [], "citations": []})),
            "participants": [], "topics": [], "figures": [], "quotes": [],
            "articles": members, "languages": languages, "outlets": spec.outlets,
            "origins": spec.origins,
            "disagreements": if spec.disputed {
                json!([{"slot": "date", "values": []}])
            } else {
                json!([])
            },
        }))
        .unwrap()
    }

    /// Stores an article mentioning `mentions` (entity id, kind, name) and returns its id.
    fn article(
        store: &mut Store,
        text: &str,
        lang: &str,
        mentions: &[(&str, &str, &str)],
    ) -> ArticleId {
        let mut d = crate::tests::doc(text);
        d.language.code = lang.into();
        d.mentions = mentions
            .iter()
            .map(|(entity, kind, name)| -> Mention {
                serde_json::from_value(json!({"entity": entity, "kind": kind,
                    "span": {"start": 0, "end": 1}, "name": name, "role": null}))
                .unwrap()
            })
            .collect();
        let id = d.article.id;
        store.write(|w| w.insert_doc(&d, "{}", &[])).unwrap();
        id
    }

    fn put(store: &mut Store, id: &str, spec: &Spec) {
        let e = event(id, spec);
        store
            .write(|w| {
                for m in &e.members {
                    w.put_membership(&Membership {
                        article: m.article,
                        event: EventId::from_stored(id.into()),
                    })?;
                }
                w.put_event(&e)
            })
            .unwrap();
    }

    fn ids(store: &Store, q: &EventQuery) -> Vec<String> {
        let page = q.run(store).unwrap();
        page.events.iter().map(|e| e.id.to_string()).collect()
    }

    fn date(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    /// Two seed-like events: the talks (two languages, disputed, three origins, in Moscow) and
    /// the call (Arabic only).
    fn seeds() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let lavrov = ("person:lfrf.s", "person", "سيرغي لافروف");
        let kuwait = ("country:KW", "country", "الكويت");
        let moscow_ar = ("place:524901", "place", "موسكو");
        let a1 = article(&mut store, "talks ar", "ar", &[lavrov, kuwait, moscow_ar]);
        let a2 = article(
            &mut store,
            "talks en",
            "en",
            &[
                ("person:lfrf.s", "person", "Sergei Lavrov"),
                ("place:524901", "place", "Moscow"),
            ],
        );
        let a3 = article(&mut store, "call ar", "ar", &[lavrov]);
        put(
            &mut store,
            "etalks",
            &Spec {
                day: Some("2023-11-03"),
                articles: vec![
                    (a1, "ar", Some("2023-11-03")),
                    (a2, "en", Some("2023-11-04")),
                ],
                outlets: vec!["Gulf Observer", "MENAFN"],
                origins: vec!["agency:KUNA", "agency:TASS", "own:MENAFN"],
                kind: Some("meeting"),
                place: Some("Moscow"),
                disputed: true,
            },
        );
        put(
            &mut store,
            "ecall",
            &Spec {
                day: Some("2023-11-01"),
                articles: vec![(a3, "ar", Some("2023-11-05"))],
                outlets: vec!["Al-Mamlaka TV"],
                origins: vec!["own:Al-Mamlaka TV"],
                kind: Some("phone_call"),
                ..Spec::default()
            },
        );
        (dir, store)
    }

    #[test]
    fn each_filter_selects_its_events() {
        let (_dir, store) = seeds();
        let q = |f: fn(&mut EventQuery)| {
            let mut q = EventQuery::default();
            f(&mut q);
            ids(&store, &q)
        };
        assert_eq!(q(|_| {}), ["etalks", "ecall"]);
        assert_eq!(q(|q| q.since = Some(date("2023-11-03"))), ["etalks"]);
        assert_eq!(q(|q| q.until = Some(date("2023-11-02"))), ["ecall"]);
        let published = |q: &mut EventQuery| {
            q.published = true;
            q.since = Some(date("2023-11-05"));
        };
        assert_eq!(q(published), ["ecall"]);
        assert_eq!(q(|q| q.lang = Some("en".into())), ["etalks"]);
        assert_eq!(q(|q| q.outlet = Some("menafn".into())), ["etalks"]);
        assert_eq!(q(|q| q.origin = Some("KUNA".into())), ["etalks"]);
        assert_eq!(q(|q| q.origin = Some("agency:TASS".into())), ["etalks"]);
        assert_eq!(q(|q| q.origin = Some("TASS:".into())), Vec::<String>::new());
        assert_eq!(q(|q| q.entity = Some("Lavrov".into())), ["etalks", "ecall"]);
        assert_eq!(q(|q| q.entity = Some("لافروف".into())), ["etalks", "ecall"]);
        assert_eq!(
            q(|q| q.entity = Some("person:lfrf.s".into())),
            ["etalks", "ecall"]
        );
        assert_eq!(q(|q| q.entity = Some("الكويت".into())), ["etalks"]);
        // Whole words only: a part of a name is not the name.
        assert_eq!(q(|q| q.entity = Some("Lav".into())), Vec::<String>::new());
        assert_eq!(q(|q| q.place = Some("موسكو".into())), ["etalks"]);
        assert_eq!(q(|q| q.place = Some("moscow".into())), ["etalks"]);
        assert_eq!(q(|q| q.kind = Some(EventKind::PhoneCall)), ["ecall"]);
        assert_eq!(q(|q| q.disputed = true), ["etalks"]);
        assert_eq!(q(|q| q.min_articles = Some(2)), ["etalks"]);
        assert_eq!(q(|q| q.min_origins = Some(3)), ["etalks"]);
        assert_eq!(q(|q| q.min_origins = Some(4)), Vec::<String>::new());
    }

    #[test]
    fn filters_compose_as_and() {
        let (_dir, store) = seeds();
        let both = EventQuery {
            entity: Some("Lavrov".into()),
            lang: Some("ar".into()),
            ..EventQuery::default()
        };
        assert_eq!(ids(&store, &both), ["etalks", "ecall"]);
        let narrowed = EventQuery {
            kind: Some(EventKind::PhoneCall),
            ..both.clone()
        };
        assert_eq!(ids(&store, &narrowed), ["ecall"]);
        let none = EventQuery {
            disputed: true,
            ..narrowed
        };
        assert!(ids(&store, &none).is_empty());
    }

    #[test]
    fn ties_are_broken_by_id_in_every_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        for id in ["ec", "ea", "eb"] {
            let spec = Spec {
                day: Some("2024-01-01"),
                origins: vec!["own:x"],
                ..Spec::default()
            };
            put(&mut store, id, &spec);
        }
        for sort in [Sort::Date, Sort::Size, Sort::Origins] {
            for ascending in [false, true] {
                let q = EventQuery {
                    sort,
                    ascending,
                    ..EventQuery::default()
                };
                assert_eq!(ids(&store, &q), ["ea", "eb", "ec"], "{sort:?}");
            }
        }
        // The last stored is the last updated.
        let q = EventQuery {
            sort: Sort::Updated,
            ..EventQuery::default()
        };
        assert_eq!(ids(&store, &q), ["eb", "ea", "ec"]);
    }

    #[test]
    fn paging_returns_each_event_once_while_events_are_added() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let days = ["2024-01-03", "2024-01-01", "2024-01-02"];
        let mut before = Vec::new();
        for i in 0..12 {
            let id = format!("e{i:02}");
            let spec = Spec {
                day: Some(days[i % 3]),
                ..Spec::default()
            };
            put(&mut store, &id, &spec);
            before.push(id);
        }
        let mut seen: Vec<String> = Vec::new();
        let mut query = EventQuery {
            limit: Some(5),
            ..EventQuery::default()
        };
        let mut added = 0;
        loop {
            let page = query.run(&store).unwrap();
            seen.extend(page.events.iter().map(|e| e.id.to_string()));
            let Some(next) = page.next_cursor else { break };
            // Between pages, events before, at and after the position arrive.
            for day in days {
                let spec = Spec {
                    day: Some(day),
                    ..Spec::default()
                };
                put(&mut store, &format!("e{added:02}new"), &spec);
                added += 1;
            }
            // The cursor goes through its printed form, as on the command line.
            query.cursor = Some(next.to_string().parse().unwrap());
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "an event came twice: {seen:?}");
        for id in &before {
            assert!(seen.contains(id), "{id} never came: {seen:?}");
        }
        // The order holds across pages: newest day first, then id.
        let all = EventQuery::default().run(&store).unwrap().events;
        let order: Vec<String> = all
            .iter()
            .map(|e| e.id.to_string())
            .filter(|id| seen.contains(id))
            .collect();
        assert_eq!(order, seen);
    }

    #[test]
    fn a_cursor_of_another_order_is_refused() {
        let (_dir, store) = seeds();
        let page = EventQuery {
            limit: Some(1),
            ..EventQuery::default()
        }
        .run(&store)
        .unwrap();
        let q = EventQuery {
            sort: Sort::Size,
            cursor: page.next_cursor,
            ..EventQuery::default()
        };
        let e = q.run(&store).unwrap_err().to_string();
        assert!(e.contains("order by date, not by size"), "{e}");
        assert!("date:x:e1".parse::<Cursor>().is_err());
        assert!("nonsense".parse::<Cursor>().is_err());
    }

    #[test]
    fn changed_since_gives_only_what_changed() {
        let (_dir, mut store) = seeds();
        let version = events_version(&store).unwrap();
        assert!(version >= 2);
        let all = EventQuery::default().run(&store).unwrap().events;
        let (talks, mut call) = (all[0].clone(), all[1].clone());
        call.title = "retitled".into();
        store
            .write(|w| {
                w.put_event(&talks)?;
                w.put_event(&call)
            })
            .unwrap();
        let q = EventQuery {
            changed_since: Some(version),
            ..EventQuery::default()
        };
        assert_eq!(ids(&store, &q), ["ecall"]);
        assert_eq!(events_version(&store).unwrap(), version + 1);
        assert!(retired_since(&store, version).unwrap().is_empty());
    }

    #[test]
    fn a_merged_away_event_is_retired_after_the_version_it_was_read_at() {
        let (_dir, mut store) = seeds();
        let version = events_version(&store).unwrap();
        let all = EventQuery::default().run(&store).unwrap().events;
        let (mut talks, call) = (all[0].clone(), all[1].clone());
        talks.members.extend(call.members.clone());
        store
            .write(|w| {
                for m in &call.members {
                    w.put_membership(&Membership {
                        article: m.article,
                        event: talks.id.clone(),
                    })?;
                }
                w.put_event(&talks)?;
                w.delete_event(&call.id)
            })
            .unwrap();
        assert_eq!(
            retired_since(&store, version).unwrap(),
            [("ecall".to_string(), "etalks".to_string())]
        );
        let later = events_version(&store).unwrap();
        assert!(retired_since(&store, later).unwrap().is_empty());
    }

    #[test]
    fn entities_have_their_names_per_language_and_event_counts() {
        let (_dir, store) = seeds();
        let all = entities(&store, None).unwrap();
        let lavrov = &all[0];
        assert_eq!(lavrov.id, "person:lfrf.s");
        assert_eq!(lavrov.kind, "person");
        assert_eq!(lavrov.events, 2);
        assert_eq!(lavrov.names["ar"], "سيرغي لافروف");
        assert_eq!(lavrov.names["en"], "Sergei Lavrov");
        let named = entities(&store, Some("Moscow")).unwrap();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].names["ar"], "موسكو");
        assert_eq!(named[0].events, 1);
    }
}
