//! The two Tantivy indexes (articles, events), how they catch up with the store, and search.

use crate::query::{family_id, parse, Parsed, Query, Target};
use crate::snippet::{best_sentence, Snippet};
use crate::tokenizer::{KhabarTokenizer, TOKENIZER};
use crate::{Error, Hit, Kind, Result};
use chrono::NaiveDate;
use khabar_analyse::gazetteer::Gazetteer;
use khabar_analyse::normalise::fold;
use khabar_core::{ArticleId, Doc, Event, EventId};
use khabar_store::Reads;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::merge_policy::NoMergePolicy;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

/// The version of what the index holds and how it is tokenised: an index of another version is
/// rebuilt when opened. Raise it when the schema, the tokenizer or the indexed fields change.
const FORMAT: u32 = 1;

/// The indexing heap: Tantivy's minimum per thread is 15 MB; 50 MB flushes a segment every few
/// thousand articles, one thread, so indexing takes at most one of the machine's cores.
const WRITER_HEAP_BYTES: usize = 50_000_000;

/// Ranking weights over BM25 (chosen, not fitted: a title word says more about what a text is
/// about than a body word, and an entity id stands for every spelling of a name in every
/// script; the seeds' own-title check in crates/cli/tests/search.rs holds with them).
const TITLE_BOOST: f32 = 2.0;
/// See [`TITLE_BOOST`].
const ENTITY_BOOST: f32 = 1.5;

/// Hits fetched beyond the limit so that hits of equal score are ordered by id, whatever the
/// order of the index's segments (a rebuild and an incremental index list them alike).
const TIE_MARGIN: usize = 16;

/// An event's snippet is looked for in at most this many of its articles (read from the
/// store for each hit).
const MAX_SNIPPET_MEMBERS: usize = 8;

/// A headline-less article's title is its first sentence, cut to this many characters.
const TITLE_CHARS: usize = 120;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    body: Field,
    entities: Field,
    lang: Field,
    outlet: Field,
    day: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let raw_with_freqs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        entities: b.add_text_field("entities", raw_with_freqs),
        lang: b.add_text_field("lang", STRING),
        outlet: b.add_text_field("outlet", STRING),
        day: b.add_i64_field("day", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// What the articles index holds: the first `articles` of the store's ingest order, the last
/// of which has sequence number `last_seq`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ArticlesHeld {
    format: u32,
    articles: u64,
    last_seq: i64,
}

/// What the events index holds: each event's fingerprint.
#[derive(Debug, Default, Serialize, Deserialize)]
struct EventsHeld {
    format: u32,
    events: BTreeMap<String, String>,
}

struct Part {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

fn tantivy_error(path: &Path) -> impl Fn(TantivyError) -> Error + '_ {
    move |source| match source {
        TantivyError::LockFailure(..) => Error::Busy(path.to_path_buf()),
        source => Error::Index {
            path: path.to_path_buf(),
            source,
        },
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Part {
    /// Opens the index in `path`, creating it, or creating it anew when it is of another
    /// schema or [`FORMAT`].
    fn open(path: &Path) -> Result<Part> {
        let (schema, fields) = schema();
        let te = tantivy_error(path);
        std::fs::create_dir_all(path).map_err(io_error(path))?;
        let open = || -> Result<Index> {
            let dir = MmapDirectory::open(path).map_err(|e| te(e.into()))?;
            Index::open_or_create(dir, schema.clone()).map_err(&te)
        };
        let index = match open() {
            Ok(index) if payload_format(&index) == Some(FORMAT) || is_empty(&index) => index,
            // another schema or format: derived data, so start again
            Ok(_) | Err(Error::Index { .. }) => {
                std::fs::remove_dir_all(path).map_err(io_error(path))?;
                std::fs::create_dir_all(path).map_err(io_error(path))?;
                open()?
            }
            Err(e) => return Err(e),
        };
        index
            .tokenizers()
            .register(TOKENIZER, TextAnalyzer::from(KhabarTokenizer::default()));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(&te)?;
        Ok(Part {
            path: path.to_path_buf(),
            index,
            reader,
            fields,
        })
    }

    fn payload<T: for<'de> Deserialize<'de> + Default>(&self) -> Result<T> {
        let metas = self.index.load_metas().map_err(tantivy_error(&self.path))?;
        match metas.payload {
            None => Ok(T::default()),
            Some(p) => serde_json::from_str(&p).map_err(|e| Error::Payload {
                path: self.path.clone(),
                reason: e.to_string(),
            }),
        }
    }

    fn writer(&self) -> Result<IndexWriter> {
        self.index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .map_err(tantivy_error(&self.path))
    }

    /// Commits with the record of what the index now holds, atomically.
    fn commit(&self, writer: &mut IndexWriter, held: &impl Serialize) -> Result<()> {
        let te = tantivy_error(&self.path);
        let payload = serde_json::to_string(held).expect("plain data serialises");
        let mut prepared = writer.prepare_commit().map_err(&te)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(&te)?;
        Ok(())
    }

    fn has_deleted_docs(&self) -> bool {
        self.reader
            .searcher()
            .segment_readers()
            .iter()
            .any(|r| r.num_deleted_docs() > 0)
    }
}

fn payload_format(index: &Index) -> Option<u32> {
    #[derive(Deserialize)]
    struct Format {
        format: u32,
    }
    let payload = index.load_metas().ok()?.payload?;
    serde_json::from_str::<Format>(&payload)
        .ok()
        .map(|f| f.format)
}

fn is_empty(index: &Index) -> bool {
    index
        .load_metas()
        .is_ok_and(|m| m.payload.is_none() && m.segments.is_empty())
}

/// What a catch-up did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Articles added.
    pub articles_added: usize,
    /// Events added or re-indexed.
    pub events_indexed: usize,
    /// Events the store no longer has, removed.
    pub events_removed: usize,
}

/// The search index: articles and events, kept up to date with a store.
pub struct SearchIndex {
    articles: Part,
    events: Part,
}

fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::default()).num_days()
}

fn article_date(doc: &Doc) -> Option<NaiveDate> {
    doc.article.published_at.as_ref().map(|p| p.at.date_naive())
}

/// The event's date, or else the first publication date of its articles.
fn event_date(event: &Event) -> Option<NaiveDate> {
    event.date.as_ref().map(|d| d.value).or_else(|| {
        event
            .members
            .iter()
            .filter_map(|m| m.published_at.as_deref())
            .filter_map(|p| NaiveDate::parse_from_str(p.get(..10)?, "%Y-%m-%d").ok())
            .min()
    })
}

fn add_entity(doc: &mut TantivyDocument, field: Field, id: &str) {
    doc.add_text(field, id);
    if let Some(family) = family_id(id) {
        doc.add_text(field, family);
    }
}

fn article_document(f: &Fields, doc: &Doc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, doc.article.id.as_str());
    if let Some(title) = doc.article.headline() {
        d.add_text(f.title, title);
    }
    // the kept text only: boilerplate lines are stored, and marked, but not searched
    for s in &doc.sentences {
        d.add_text(f.body, doc.text(s.span));
    }
    for m in &doc.mentions {
        add_entity(&mut d, f.entities, &m.entity);
    }
    d.add_text(f.lang, &doc.language.code);
    if let Some(outlet) = &doc.article.outlet {
        d.add_text(f.outlet, fold(outlet));
    }
    if let Some(date) = article_date(doc) {
        d.add_i64(f.day, day_number(date));
    }
    d
}

fn event_document<R: Reads>(f: &Fields, store: &R, event: &Event) -> Result<TantivyDocument> {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, event.id.as_str());
    for title in event.titles.values() {
        d.add_text(f.title, title);
    }
    if event.titles.is_empty() {
        d.add_text(f.title, &event.title);
    }
    for p in &event.participants {
        for name in p.names.values() {
            d.add_text(f.body, name);
        }
        add_entity(&mut d, f.entities, &p.entity);
    }
    if let Some(place) = &event.place {
        d.add_text(f.body, &place.value);
    }
    for topic in &event.topics {
        d.add_text(f.body, topic);
    }
    for m in &event.members {
        d.add_text(f.body, &m.title);
        // every entity its reports mention (places and topics by id, in any script)
        if let Some(doc) = store.doc(&m.article)? {
            for mention in &doc.mentions {
                add_entity(&mut d, f.entities, &mention.entity);
            }
        }
    }
    for lang in &event.languages {
        d.add_text(f.lang, lang);
    }
    for outlet in &event.outlets {
        d.add_text(f.outlet, fold(outlet));
    }
    if let Some(date) = event_date(event) {
        d.add_i64(f.day, day_number(date));
    }
    Ok(d)
}

/// A fingerprint of everything the index takes from an event.
fn fingerprint(event: &Event) -> String {
    let json = serde_json::to_vec(event).expect("an event serialises");
    hex::encode(&Sha256::digest(&json)[..8])
}

impl SearchIndex {
    /// Opens (creating if needed) the index in `dir`. An index of another format is rebuilt
    /// by the next [`SearchIndex::catch_up`].
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        Ok(SearchIndex {
            articles: Part::open(&dir.join("articles"))?,
            events: Part::open(&dir.join("events"))?,
        })
    }

    /// Indexes what the store has that the index does not: articles after the last one held,
    /// events added or changed since they were indexed; drops events the store no longer has.
    /// [`Error::Busy`] when another process is updating the index.
    pub fn catch_up<R: Reads>(&mut self, store: &R) -> Result<Progress> {
        self.update(store, false)
    }

    /// Rebuilds the index from the store (one commit per index: a crash keeps the old one).
    pub fn rebuild<R: Reads>(&mut self, store: &R) -> Result<Progress> {
        self.update(store, true)
    }

    fn update<R: Reads>(&mut self, store: &R, rebuild: bool) -> Result<Progress> {
        let articles_added = self.update_articles(store, rebuild)?;
        let (events_indexed, events_removed) = self.update_events(store, rebuild)?;
        Ok(Progress {
            articles_added,
            events_indexed,
            events_removed,
        })
    }

    fn update_articles<R: Reads>(&mut self, store: &R, rebuild: bool) -> Result<usize> {
        let part = &self.articles;
        let mut held: ArticlesHeld = if rebuild {
            ArticlesHeld::default()
        } else {
            part.payload()?
        };
        let mut start_again = rebuild;
        let ids_after = |skip: u64| -> Result<Vec<(ArticleId, i64)>> {
            let mut out = Vec::new();
            store.for_each_vectors(skip as usize, &mut |v| {
                out.push((v.id, v.seq));
                Ok(())
            })?;
            Ok(out)
        };
        // read from the last article held, to check the store still has it where it was
        let mut new = ids_after(held.articles.saturating_sub(1))?;
        if held.articles > 0 {
            if new.first().is_some_and(|(_, seq)| *seq == held.last_seq) {
                new.remove(0);
            } else {
                // another store than the one indexed: index this one
                start_again = true;
                held = ArticlesHeld::default();
                new = ids_after(0)?;
            }
        }
        if new.is_empty() && !start_again {
            return Ok(0);
        }
        let te = tantivy_error(&part.path);
        let mut writer = part.writer()?;
        if start_again {
            writer.delete_all_documents().map_err(&te)?;
        }
        held.format = FORMAT;
        for (id, seq) in &new {
            let doc = store
                .doc(id)?
                .ok_or_else(|| Error::MissingArticle(id.as_str().to_string()))?;
            writer
                .add_document(article_document(&part.fields, &doc))
                .map_err(&te)?;
            held.articles += 1;
            held.last_seq = *seq;
        }
        part.commit(&mut writer, &held)?;
        writer.wait_merging_threads().map_err(&te)?;
        part.reader.reload().map_err(&te)?;
        Ok(new.len())
    }

    fn update_events<R: Reads>(&mut self, store: &R, rebuild: bool) -> Result<(usize, usize)> {
        let part = &self.events;
        let old: EventsHeld = if rebuild {
            EventsHeld::default()
        } else {
            part.payload()?
        };
        let mut held = EventsHeld {
            format: FORMAT,
            events: BTreeMap::new(),
        };
        let mut changed = Vec::new();
        for event in store.events()? {
            let fp = fingerprint(&event);
            if old.events.get(event.id.as_str()) != Some(&fp) {
                changed.push(event.clone());
            }
            held.events.insert(event.id.as_str().to_string(), fp);
        }
        let removed: Vec<&String> = old
            .events
            .keys()
            .filter(|id| !held.events.contains_key(*id))
            .collect();
        // a merge a crash interrupted is done now
        let unmerged = part.has_deleted_docs();
        if changed.is_empty() && removed.is_empty() && !unmerged && !rebuild {
            return Ok((0, 0));
        }
        let te = tantivy_error(&part.path);
        let mut writer = part.writer()?;
        // merged below, once, after the commit
        writer.set_merge_policy(Box::new(NoMergePolicy));
        if rebuild {
            writer.delete_all_documents().map_err(&te)?;
        }
        let mut deleted = unmerged;
        for event in &changed {
            if old.events.contains_key(event.id.as_str()) {
                writer.delete_term(Term::from_field_text(part.fields.id, event.id.as_str()));
                deleted = true;
            }
            writer
                .add_document(event_document(&part.fields, store, event)?)
                .map_err(&te)?;
        }
        for id in &removed {
            writer.delete_term(Term::from_field_text(part.fields.id, id));
            deleted = true;
        }
        part.commit(&mut writer, &held)?;
        // Deleted documents still count in BM25's statistics until their segment is merged;
        // merged, the index scores as a fresh build does.
        if deleted {
            let segments = part.index.searchable_segment_ids().map_err(&te)?;
            if !segments.is_empty() {
                writer.merge(&segments).wait().map_err(&te)?;
            }
        }
        writer.wait_merging_threads().map_err(&te)?;
        part.reader.reload().map_err(&te)?;
        Ok((changed.len(), removed.len()))
    }

    /// Articles and events the index holds.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.articles.reader.searcher().num_docs(),
            self.events.reader.searcher().num_docs(),
        )
    }

    /// The hits for `query`, best first (equal scores by id), each with its title and date
    /// from `store` and a snippet; `gazetteer` maps place and organisation names in the query
    /// to their ids (without it, only people's names are matched across scripts).
    pub fn search<R: Reads>(
        &self,
        store: &R,
        gazetteer: Option<&Gazetteer>,
        query: &Query,
    ) -> Result<Vec<Hit>> {
        let parsed = parse(&query.text, gazetteer);
        if parsed.words.is_empty() && parsed.entities.is_empty() {
            return Err(Error::EmptyQuery(query.text.clone()));
        }
        let part = match query.target {
            Target::Events => &self.events,
            Target::Articles => &self.articles,
        };
        let f = &part.fields;
        type Clause = (Occur, Box<dyn tantivy::query::Query>);
        let term = |field: Field, text: &str, boost: f32| -> Clause {
            let q = TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            );
            (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
        };
        let mut words: Vec<Clause> = Vec::new();
        let mut seen = BTreeSet::new();
        for w in &parsed.words {
            for t in &w.terms {
                if seen.insert(t.as_str()) {
                    words.push(term(f.title, t, TITLE_BOOST));
                    words.push(term(f.body, t, 1.0));
                }
            }
        }
        for e in &parsed.entities {
            words.push(term(f.entities, e, ENTITY_BOOST));
        }
        let filter = |q: Box<dyn tantivy::query::Query>| -> Clause {
            (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
        };
        let exact = |field: Field, text: &str| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses: Vec<Clause> = vec![(Occur::Must, Box::new(BooleanQuery::new(words)))];
        if let Some(lang) = &query.lang {
            clauses.push(filter(exact(f.lang, lang)));
        }
        if let Some(outlet) = &query.outlet {
            clauses.push(filter(exact(f.outlet, &fold(outlet))));
        }
        if query.since.is_some() || query.until.is_some() {
            let bound = |d: Option<NaiveDate>| match d {
                Some(d) => Bound::Included(Term::from_field_i64(f.day, day_number(d))),
                None => Bound::Unbounded,
            };
            clauses.push(filter(Box::new(RangeQuery::new(
                bound(query.since),
                bound(query.until),
            ))));
        }
        let te = tantivy_error(&part.path);
        let searcher = part.reader.searcher();
        let limit = query.limit.max(1);
        let top = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(limit + TIE_MARGIN).order_by_score(),
            )
            .map_err(&te)?;
        let mut scored: Vec<(f32, String)> = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(&te)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_str()) {
                scored.push((score, id.to_string()));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut hits = Vec::new();
        for (score, id) in scored {
            if hits.len() == limit {
                break;
            }
            let hit = match query.target {
                Target::Events => event_hit(store, &parsed, query, &id, score)?,
                Target::Articles => article_hit(store, &parsed, &id, score)?,
            };
            // a hit the store no longer has (it moved on since the index was updated)
            hits.extend(hit);
        }
        Ok(hits)
    }
}

fn event_hit<R: Reads>(
    store: &R,
    parsed: &Parsed,
    query: &Query,
    id: &str,
    score: f32,
) -> Result<Option<Hit>> {
    let Some(event) = store.event(&EventId::from_stored(id.to_string()))? else {
        return Ok(None);
    };
    let mut best: Option<(usize, bool, Snippet)> = None;
    for m in event.members.iter().take(MAX_SNIPPET_MEMBERS) {
        let Some(doc) = store.doc(&m.article)? else {
            continue;
        };
        let in_lang = query.lang.as_deref().is_none_or(|l| l == doc.language.code);
        if let Some((n, snippet)) = best_sentence(&doc, parsed) {
            if best
                .as_ref()
                .is_none_or(|(bn, bl, _)| (in_lang, n) > (*bl, *bn))
            {
                best = Some((n, in_lang, snippet));
            }
        }
    }
    let title = query
        .lang
        .as_deref()
        .and_then(|l| event.titles.get(l))
        .unwrap_or(&event.title)
        .clone();
    Ok(Some(Hit {
        kind: Kind::Event,
        id: id.to_string(),
        score,
        date: event_date(&event),
        title,
        snippet: best.map(|(_, _, s)| s),
    }))
}

fn article_hit<R: Reads>(store: &R, parsed: &Parsed, id: &str, score: f32) -> Result<Option<Hit>> {
    let Ok(article_id) = ArticleId::parse(id) else {
        return Ok(None);
    };
    let Some(doc) = store.doc(&article_id)? else {
        return Ok(None);
    };
    let title = match doc.article.headline() {
        Some(h) => h.to_string(),
        None => doc
            .sentences
            .first()
            .map(|s| doc.text(s.span).chars().take(TITLE_CHARS).collect())
            .unwrap_or_default(),
    };
    Ok(Some(Hit {
        kind: Kind::Article,
        id: id.to_string(),
        score,
        date: article_date(&doc),
        title,
        snippet: best_sentence(&doc, parsed).map(|(_, s)| s),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::{Article, EntityKind, Member, Mention, Origin, Sentence, Source, Span};
    use khabar_store::Store;

    /// An analysed article: sentences at full stops, `mentions` as (words, entity id).
    fn doc(body: &str, lang: &str, mentions: &[(&str, &str)]) -> Doc {
        let mut d: Doc = serde_json::from_value(serde_json::json!({
            "article": Article::new(Source::Stdin, body.into()),
            "language": {"code": lang, "confidence": 1.0},
            "removed": [], "sentences": [], "tokens": [], "mentions": [], "dates": [],
            "figures": [], "quotes": [], "cues": {"kinds": [], "preview": false},
            "embedding": null, "sentence_embeddings": []
        }))
        .unwrap();
        let mut start = 0;
        for part in body.split_inclusive(". ") {
            let text = part.trim_end();
            d.sentences.push(Sentence {
                span: Span::new(start, start + text.len()),
            });
            start += part.len();
        }
        for (words, entity) in mentions {
            let at = body.find(words).unwrap();
            d.mentions.push(Mention {
                entity: entity.to_string(),
                kind: EntityKind::Person,
                span: Span::new(at, at + words.len()),
                name: words.to_string(),
                role: None,
            });
        }
        d
    }

    fn event(docs: &[&Doc]) -> Event {
        let mut members: Vec<Member> = docs
            .iter()
            .map(|d| Member {
                article: d.article.id,
                source: "stdin".into(),
                lang: d.language.code.clone(),
                outlet: None,
                outlet_from_url: false,
                title: d.text(d.sentences[0].span).to_string(),
                published_at: Some("2023-11-03".into()),
                preview: false,
                origin: Origin {
                    kind: "own".into(),
                    key: d.article.id.as_str().into(),
                    copy_of: None,
                    evidence: None,
                },
                copies: Vec::new(),
                truncated: Vec::new(),
                warnings: Vec::new(),
            })
            .collect();
        members.sort_by_key(|m| m.article);
        let mut titles = BTreeMap::new();
        for m in &members {
            titles.entry(m.lang.clone()).or_insert(m.title.clone());
        }
        let mut languages: Vec<String> = members.iter().map(|m| m.lang.clone()).collect();
        languages.sort();
        languages.dedup();
        Event {
            id: EventId::founded_by(&members[0].article),
            title: members[0].title.clone(),
            titles,
            kind: None,
            date: None,
            place: None,
            participants: Vec::new(),
            topics: Vec::new(),
            figures: Vec::new(),
            quotes: Vec::new(),
            members,
            languages,
            outlets: Vec::new(),
            origins: Vec::new(),
            disagreements: Vec::new(),
        }
    }

    /// The store's state after each of three steps: new articles and a new event; an event
    /// grown by an article; one event replacing two (a merge).
    fn steps() -> Vec<(Vec<Doc>, Vec<Event>, Vec<EventId>)> {
        let a = doc(
            "Sergei Lavrov met the Kuwaiti minister in Moscow. Talks covered Gaza.",
            "en",
            &[("Sergei Lavrov", "person:lfrf.s")],
        );
        let b = doc(
            "التقى وزير الخارجية سيرغي لافروف نظيره الكويتي في موسكو. وبحثا الوضع في غزة.",
            "ar",
            &[("سيرغي لافروف", "person:lfrf.s")],
        );
        let c = doc(
            "Floods hit the coast. Thousands left their homes.",
            "en",
            &[],
        );
        let d = doc(
            "لافروف يتلقى اتصالا من الصفدي. وبحث الجانبان الوضع في سوريا.",
            "ar",
            &[("لافروف", "person:lfrf")],
        );
        let e = doc(
            "More floods are expected on the coast. Rain goes on.",
            "en",
            &[],
        );
        let talks = event(&[&a, &b]);
        let floods = event(&[&c]);
        let call = event(&[&d]);
        let floods_grown = event(&[&c, &e]);
        let merged = event(&[&a, &b, &d]);
        vec![
            (
                vec![a.clone(), b.clone(), c.clone()],
                vec![talks.clone(), floods.clone()],
                vec![],
            ),
            (vec![d, e], vec![call.clone(), floods_grown], vec![]),
            (
                vec![],
                vec![merged.clone()],
                vec![talks.id, call.id]
                    .into_iter()
                    .filter(|id| *id != merged.id)
                    .collect(),
            ),
        ]
    }

    fn apply(store: &mut Store, step: &(Vec<Doc>, Vec<Event>, Vec<EventId>)) {
        store
            .write(|w| {
                for d in &step.0 {
                    w.insert_doc(d, "{}", &[])?;
                }
                for e in &step.1 {
                    w.put_event(e)?;
                }
                for id in &step.2 {
                    w.delete_event(id)?;
                }
                Ok(())
            })
            .unwrap();
    }

    /// Every query's hits (id and score) over both targets.
    fn results(index: &SearchIndex, store: &Store) -> Vec<Vec<(String, f32)>> {
        let mut out = Vec::new();
        for text in [
            "Lavrov",
            "لافروف",
            "floods coast",
            "بموسكو",
            "الكويتي minister",
            "Moscow",
        ] {
            for target in [Target::Events, Target::Articles] {
                let hits = index
                    .search(store, None, &Query::new(text, target))
                    .unwrap();
                out.push(hits.into_iter().map(|h| (h.id, h.score)).collect());
            }
        }
        out
    }

    #[test]
    fn catch_up_indexes_only_what_is_newer_than_the_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("store")).unwrap();
        let path = dir.path().join("index");
        let steps = steps();

        apply(&mut store, &steps[0]);
        let mut index = SearchIndex::open(&path).unwrap();
        let p = index.catch_up(&store).unwrap();
        assert_eq!(
            (p.articles_added, p.events_indexed, p.events_removed),
            (3, 2, 0)
        );
        assert_eq!(index.catch_up(&store).unwrap(), Progress::default());

        apply(&mut store, &steps[1]);
        // reopened, as the next command does: the cursor is in the index's last commit
        let mut index = SearchIndex::open(&path).unwrap();
        let p = index.catch_up(&store).unwrap();
        // two new articles; the call is new and the floods event grew
        assert_eq!(
            (p.articles_added, p.events_indexed, p.events_removed),
            (2, 2, 0)
        );

        apply(&mut store, &steps[2]);
        let p = index.catch_up(&store).unwrap();
        assert_eq!(
            (p.articles_added, p.events_indexed, p.events_removed),
            (0, 1, 1)
        );
        assert_eq!(index.counts(), (5, 2));

        // Lavrov in either script finds both his events' merged record and all three reports
        let hits = index
            .search(&store, None, &Query::new("Lavrov", Target::Articles))
            .unwrap();
        assert_eq!(hits.len(), 3, "{hits:?}");
        let hits = index
            .search(&store, None, &Query::new("لافروف", Target::Events))
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, steps[2].1[0].id.as_str());
    }

    #[test]
    fn a_rebuild_equals_the_incremental_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("store")).unwrap();
        let mut incremental = SearchIndex::open(&dir.path().join("incremental")).unwrap();
        for step in &steps() {
            apply(&mut store, step);
            incremental.catch_up(&store).unwrap();
        }
        let mut rebuilt = SearchIndex::open(&dir.path().join("rebuilt")).unwrap();
        rebuilt.catch_up(&store).unwrap();
        let expected = results(&rebuilt, &store);
        assert!(expected.iter().all(|hits| !hits.is_empty()), "{expected:?}");
        assert_eq!(results(&incremental, &store), expected);
        // and `rebuild` over an index that has everything already
        incremental.rebuild(&store).unwrap();
        assert_eq!(results(&incremental, &store), expected);
        assert_eq!(incremental.counts(), (5, 2));
    }

    #[test]
    fn filters_by_language_and_date() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("store")).unwrap();
        apply(&mut store, &steps()[0]);
        let mut index = SearchIndex::open(&dir.path().join("index")).unwrap();
        index.catch_up(&store).unwrap();
        let mut q = Query::new("Lavrov", Target::Articles);
        assert_eq!(index.search(&store, None, &q).unwrap().len(), 2);
        q.lang = Some("ar".into());
        let hits = index.search(&store, None, &q).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, steps()[0].0[1].article.id.as_str());
        let mut q = Query::new("Lavrov", Target::Events);
        q.since = NaiveDate::from_ymd_opt(2023, 11, 3);
        assert_eq!(index.search(&store, None, &q).unwrap().len(), 1);
        q.since = NaiveDate::from_ymd_opt(2023, 11, 4);
        assert!(index.search(&store, None, &q).unwrap().is_empty());
        q.since = None;
        q.until = NaiveDate::from_ymd_opt(2023, 11, 2);
        assert!(index.search(&store, None, &q).unwrap().is_empty());
    }
}
