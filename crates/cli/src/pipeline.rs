//! One article's way through khabar, stage by stage: ingest → analyse → embed → cluster →
//! synthesise → store. A batch of articles goes through in one store transaction, so a crash
//! leaves the store as it was after the last whole batch.

use anyhow::{Context, Result};
use khabar_analyse::Analyser;
use khabar_cluster::features::{PairFeatures, Profile, Vectors};
use khabar_cluster::index::VectorIndex;
use khabar_cluster::linkage::{group_with, Constraints, ScoredPair};
use khabar_cluster::model::{SimilarityModel, FITTED, LINK_MIN_SCORE};
use khabar_core::{Article, ArticleId, Copy, Doc, EventId};
use khabar_embed::Embedder;
use khabar_ingest::Rejection;
use khabar_store::{vectors, Link, Membership, Reads, Store, Writer};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Sentences from the top of an article that get their own vectors: the lead carries the who,
/// what, where and when, and the cost of embedding stays bounded per article.
pub const LEAD_SENTENCES: usize = 6;

/// Largest group of linked articles re-grouped at once. Beyond it the oldest links are not
/// followed, which bounds the work per batch on a dense news day.
const MAX_COMPONENT: usize = 2000;

/// What happened to one batch.
#[derive(Debug, Default, Clone)]
pub struct BatchOutcome {
    /// New articles stored.
    pub ingested: usize,
    /// Articles already stored (same normalised body), recorded as another sighting.
    pub duplicates: usize,
    /// Articles a stage failed on (a bug, reported rather than stopping the whole ingest).
    pub rejected: Vec<Rejection>,
}

/// The analyse and embed stages, loaded once.
pub struct Stages {
    analyser: Analyser,
    embedder: Embedder,
}

impl Stages {
    /// Loads the analyser (gazetteer) and the embedding model.
    pub fn load(model_dir: &Path, gazetteer_dir: &Path) -> Result<Stages> {
        Ok(Stages {
            analyser: Analyser::load(gazetteer_dir)?,
            embedder: Embedder::load(model_dir)?,
        })
    }

    /// Analyses (in parallel) and embeds a batch of articles, keeping their order. An article the
    /// analyser fails on is returned as a rejection instead of stopping the batch.
    pub fn prepare_all(&self, articles: Vec<Article>) -> (Vec<Doc>, Vec<Rejection>) {
        let mut docs = Vec::with_capacity(articles.len());
        let mut rejected = Vec::new();
        for result in analyse_parallel(&self.analyser, articles) {
            match result {
                Ok(doc) => docs.push(doc),
                Err(r) => rejected.push(r),
            }
        }
        embed(&self.embedder, &mut docs);
        (docs, rejected)
    }
}

/// The loaded stages and the store.
pub struct Pipeline {
    stages: Stages,
    store: Store,
    index: VectorIndex,
    /// Article id and profile of each index position.
    indexed: Vec<(ArticleId, Profile)>,
    model: SimilarityModel,
}

impl Pipeline {
    /// Loads the analyser (gazetteer), the embedding model and the store.
    pub fn open(data_dir: &Path, model_dir: &Path, gazetteer_dir: &Path) -> Result<Pipeline> {
        let stages = Stages::load(model_dir, gazetteer_dir)?;
        let store = Store::open(data_dir)?;
        let mut index = VectorIndex::new();
        let mut indexed = Vec::new();
        for stored in store.all_vectors()? {
            let profile: Profile = serde_json::from_str(&stored.profile)
                .with_context(|| format!("profile of stored article {}", stored.id))?;
            index.add(&stored.doc, stored.day);
            indexed.push((stored.id, profile));
        }
        Ok(Pipeline {
            stages,
            store,
            index,
            indexed,
            model: FITTED,
        })
    }

    /// The store, for reading.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs a batch through every stage and stores it, in one transaction.
    pub fn ingest_batch(&mut self, articles: Vec<Article>) -> Result<BatchOutcome> {
        let mut outcome = BatchOutcome::default();
        let mut fresh = Vec::new();
        let mut seen = BTreeSet::new();
        let mut batch_urls: HashMap<String, ArticleId> = HashMap::new();
        let mut sightings = Vec::new();
        for article in articles {
            // Dedup layers before any work: the same normalised body, then the same page.
            let canonical = article.url.as_deref().map(khabar_store::canonical_url);
            let layer = if !seen.insert(article.id.clone()) || self.store.contains(&article.id)? {
                Some((article.id.clone(), "exact-body"))
            } else if let Some(original) = canonical.as_ref().and_then(|u| batch_urls.get(u)) {
                Some((original.clone(), "canonical-url"))
            } else {
                match article
                    .url
                    .as_deref()
                    .map(|u| self.store.article_at(u))
                    .transpose()?
                {
                    Some(Some(original)) => Some((original, "canonical-url")),
                    _ => None,
                }
            };
            if layer.is_none() {
                if let Some(u) = canonical {
                    batch_urls.insert(u, article.id.clone());
                }
            }
            match layer {
                Some((original, layer)) => {
                    outcome.duplicates += 1;
                    sightings.push((
                        original,
                        Copy {
                            source: article.source.to_string(),
                            outlet: article.outlet.clone(),
                            url: article.url.clone(),
                            layer: layer.into(),
                        },
                    ));
                }
                None => fresh.push(article),
            }
        }
        let (docs, rejected) = self.stages.prepare_all(fresh);
        outcome.ingested = docs.len();
        outcome.rejected = rejected;
        let index_len = self.index.len();
        let result = {
            let Pipeline {
                store,
                index,
                indexed,
                model,
                ..
            } = self;
            store.write(|w| {
                let mut touched = Vec::new();
                for doc in &docs {
                    let profile = Profile::of(doc);
                    let profile_json = serde_json::to_string(&profile).expect("profile serialises");
                    if !w.insert_doc(doc, &profile_json)? {
                        continue;
                    }
                    link(w, index, indexed, model, doc, &profile)?;
                    let day = doc
                        .article
                        .published_at
                        .as_ref()
                        .map(|p| vectors::day_number(p.at.date_naive()));
                    index.add(doc.embedding.as_deref().unwrap_or(&[]), day);
                    indexed.push((doc.article.id.clone(), profile));
                    touched.push(doc.article.id.clone());
                }
                for (id, copy) in &sightings {
                    // The copy's outlet joins the event of its original (when one was recorded).
                    if w.add_sighting(id, copy)? {
                        touched.push(id.clone());
                    }
                }
                regroup(w, model, &touched)
            })
        };
        if let Err(e) = result {
            // The transaction rolled back: forget what the index learnt from it.
            self.index.truncate(index_len);
            self.indexed.truncate(index_len);
            return Err(e.into());
        }
        Ok(outcome)
    }
}

/// Analyses articles on every core, keeping their order. A panic inside the analyser on one
/// article becomes that article's rejection.
fn analyse_parallel(analyser: &Analyser, articles: Vec<Article>) -> Vec<Result<Doc, Rejection>> {
    let analyse_one = |article: Article| {
        let source = article.source.to_string();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyser.analyse(article)))
            .map_err(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Rejection {
                    source,
                    reason: format!("internal error while analysing ({message}); please report it"),
                }
            })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || articles.len() < 2 {
        return articles.into_iter().map(analyse_one).collect();
    }
    let chunk = articles.len().div_ceil(threads);
    let mut chunks: Vec<Vec<Article>> = Vec::new();
    let mut rest = articles;
    while !rest.is_empty() {
        let tail = rest.split_off(chunk.min(rest.len()));
        chunks.push(rest);
        rest = tail;
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(|| chunk.into_iter().map(analyse_one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("analyse panics are caught per article"))
            .collect()
    })
}

/// The text the document vector is computed from: headline and clean sentences.
fn clean_text(doc: &Doc) -> String {
    let mut text = doc.article.title.clone().unwrap_or_default();
    for s in &doc.sentences {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(doc.text(s.span).trim());
    }
    if text.trim().is_empty() {
        text = doc.article.body.clone();
    }
    text
}

/// Adds document and lead-sentence vectors, quantised as the store keeps them so that every score
/// is computed from the same numbers now and later.
fn embed(embedder: &Embedder, docs: &mut [Doc]) {
    let texts: Vec<String> = docs.iter().map(clean_text).collect();
    let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let doc_vectors = embedder.embed_document_batch(&text_refs);
    let mut sentences: Vec<&str> = Vec::new();
    let mut counts = Vec::new();
    for d in docs.iter() {
        let lead: Vec<&str> = d
            .sentences
            .iter()
            .take(LEAD_SENTENCES)
            .map(|s| d.text(s.span).trim())
            .collect();
        counts.push(lead.len());
        sentences.extend(lead);
    }
    let mut sentence_vectors = embedder.embed_batch(&sentences).into_iter();
    for ((doc, vector), count) in docs.iter_mut().zip(doc_vectors).zip(counts) {
        doc.embedding = Some(vectors::round_trip(&vector));
        doc.sentence_embeddings = sentence_vectors
            .by_ref()
            .take(count)
            .map(|v| vectors::round_trip(&v))
            .collect();
    }
}

/// Scores the new article against its candidates and stores the links worth keeping.
fn link(
    w: &Writer,
    index: &VectorIndex,
    indexed: &[(ArticleId, Profile)],
    model: &SimilarityModel,
    doc: &Doc,
    profile: &Profile,
) -> khabar_store::Result<()> {
    let Some(vector) = doc.embedding.as_deref() else {
        return Ok(());
    };
    let day = doc
        .article
        .published_at
        .as_ref()
        .map(|p| vectors::day_number(p.at.date_naive()));
    for (position, _) in index.candidates(vector, day) {
        let (other_id, other_profile) = &indexed[position];
        let other_sentences = w.sentence_vectors(other_id)?;
        let other_doc = index.vector(position);
        let features = PairFeatures::between(
            profile,
            Vectors::of(doc),
            other_profile,
            Vectors {
                doc: other_doc,
                sentences: &other_sentences,
            },
        );
        let score = model.score(&features);
        if score >= LINK_MIN_SCORE {
            w.put_link(&Link {
                a: doc.article.id.clone(),
                b: other_id.clone(),
                score,
                evidence: serde_json::json!({
                    "features": features,
                    "contributions": model.contributions(&features).into_iter().collect::<BTreeMap<_, _>>(),
                }),
            })?;
        }
    }
    Ok(())
}

/// Re-groups every article linked (directly or not, by links at or above the model's threshold)
/// to the touched ones, then re-synthesises the events that changed. Grouping depends only on the
/// stored links and the users' decisions, so the result is the same whatever order the articles
/// came in; following only links at or above the threshold changes nothing, since average linkage
/// never joins two groups whose every pair scores below it.
pub fn regroup(
    w: &Writer,
    model: &SimilarityModel,
    touched: &[ArticleId],
) -> khabar_store::Result<()> {
    let changed: BTreeSet<&ArticleId> = touched.iter().collect();
    let mut done: BTreeSet<ArticleId> = BTreeSet::new();
    for start in touched {
        if done.contains(start) {
            continue;
        }
        let (members, links) = component(w, start, model.threshold)?;
        done.extend(members.iter().cloned());
        let position: HashMap<&ArticleId, usize> =
            members.iter().enumerate().map(|(i, id)| (id, i)).collect();
        let pairs: Vec<ScoredPair> = links
            .iter()
            .filter_map(|(a, b, score)| {
                Some(ScoredPair {
                    a: *position.get(a)?,
                    b: *position.get(b)?,
                    score: *score,
                })
            })
            .collect();
        let mut constraints = Constraints::default();
        for c in w.constraints_of(&members)? {
            if let (Some(&a), Some(&b)) = (position.get(&c.a), position.get(&c.b)) {
                if c.together {
                    constraints.together.push((a, b));
                } else {
                    constraints.apart.push((a, b));
                }
            }
        }
        let groups = group_with(members.len(), &pairs, model.threshold, &constraints);
        // Events as they were: id -> members.
        let mut old_events: BTreeMap<EventId, BTreeSet<usize>> = BTreeMap::new();
        for (i, id) in members.iter().enumerate() {
            if let Some(m) = w.membership(id)? {
                old_events.entry(m.event).or_default().insert(i);
            }
        }
        let score_of: HashMap<(usize, usize), f32> = pairs
            .iter()
            .map(|p| ((p.a.min(p.b), p.a.max(p.b)), p.score))
            .collect();
        let score =
            |a: usize, b: usize| score_of.get(&(a.min(b), a.max(b))).copied().unwrap_or(0.0);
        let mut new_events = BTreeSet::new();
        for g in &groups {
            let id = EventId::founded_by(&members[g[0]]);
            // Unchanged: the same members as before and none of them new or newly copied.
            let same_members = old_events
                .get(&id)
                .is_some_and(|old| old.len() == g.len() && g.iter().all(|i| old.contains(i)));
            if same_members && !g.iter().any(|&i| changed.contains(&members[i])) {
                new_events.insert(id);
                continue;
            }
            let docs = g
                .iter()
                .map(|&i| {
                    w.doc(&members[i])?
                        .ok_or_else(|| khabar_store::Error::Corrupt {
                            what: format!("article {}", members[i]),
                            reason: "linked but not stored".into(),
                        })
                })
                .collect::<khabar_store::Result<Vec<Doc>>>()?;
            let mut copies = BTreeMap::new();
            for d in &docs {
                let found = w.sightings(&d.article.id)?;
                if !found.is_empty() {
                    copies.insert(d.article.id.clone(), found);
                }
            }
            let event = khabar_synthesise::synthesise(&docs, &copies);
            for &i in g {
                w.put_membership(&Membership {
                    article: members[i].clone(),
                    event: event.id.clone(),
                    evidence: membership_evidence(i, g, &members, &score, model),
                })?;
            }
            w.put_event(&event)?;
            new_events.insert(event.id.clone());
        }
        for gone in old_events.keys().filter(|e| !new_events.contains(*e)) {
            w.delete_event(gone)?;
        }
    }
    Ok(())
}

/// Why article `i` is in group `g`: its mean score with the other members, its strongest link,
/// and the threshold. (The next best event is found when explaining, from the article's links.)
fn membership_evidence(
    i: usize,
    g: &[usize],
    members: &[ArticleId],
    score: &dyn Fn(usize, usize) -> f32,
    model: &SimilarityModel,
) -> serde_json::Value {
    let others: Vec<(usize, f32)> = g
        .iter()
        .filter(|&&j| j != i)
        .map(|&j| (j, score(i, j)))
        .collect();
    let mean = (!others.is_empty())
        .then(|| others.iter().map(|(_, s)| s).sum::<f32>() / others.len() as f32);
    let strongest = others.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    serde_json::json!({
        "mean_score": mean,
        "threshold": model.threshold,
        "strongest_link": strongest.map(|(j, s)| serde_json::json!({"article": members[*j], "score": s})),
    })
}

/// A stored link without its evidence: the two articles and the score.
type ScoredLink = (ArticleId, ArticleId, f32);

/// The articles linked to `start` by links at or above `min_score`, directly or through others
/// (and through pairs a user decided belong together, and the current members of their events,
/// which must be regrouped with them when a decision is withdrawn), with the scores of every
/// stored link among them.
fn component(
    w: &Writer,
    start: &ArticleId,
    min_score: f32,
) -> khabar_store::Result<(Vec<ArticleId>, Vec<ScoredLink>)> {
    let mut members: BTreeSet<ArticleId> = BTreeSet::from([start.clone()]);
    let mut frontier = vec![start.clone()];
    while !frontier.is_empty() && members.len() < MAX_COMPONENT {
        let found = w.link_scores_of(&frontier, min_score)?;
        let decided = w.constraints_of(&frontier)?;
        let mut visiting = std::mem::take(&mut frontier);
        let mut reach = |id: &ArticleId, frontier: &mut Vec<ArticleId>| {
            if members.len() < MAX_COMPONENT && members.insert(id.clone()) {
                frontier.push(id.clone());
            }
        };
        for c in decided.iter().filter(|c| c.together) {
            reach(&c.a, &mut frontier);
            reach(&c.b, &mut frontier);
        }
        for id in std::mem::take(&mut visiting) {
            if let Some(m) = w.membership(&id)? {
                for other in w.members(&m.event)? {
                    reach(&other.article, &mut frontier);
                }
            }
        }
        for (a, b, _) in found {
            reach(&a, &mut frontier);
            reach(&b, &mut frontier);
        }
    }
    // Within the component every stored link counts, weak ones included: they lower the
    // averages that decide the groups.
    let members: Vec<ArticleId> = members.into_iter().collect();
    let inside: BTreeSet<&ArticleId> = members.iter().collect();
    let links = w
        .link_scores_of(&members, LINK_MIN_SCORE)?
        .into_iter()
        .filter(|(a, b, _)| inside.contains(a) && inside.contains(b))
        .collect();
    Ok((members, links))
}
