//! `khabar explain EVENT [ARTICLE]`: why each article is in its event, in words and numbers.

use super::Dirs;
use crate::pipeline::link_features;
use anyhow::{bail, Result};
use khabar_analyse::Analyser;
use khabar_cluster::features::{stable_hash, Profile};
use khabar_cluster::model::FITTED;
use khabar_cluster::vocabulary::shared_stems;
use khabar_core::{ArticleId, EventId};
use khabar_store::{Link, Reads, Store};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

/// Shared words shown per link, the ones that counted most first.
const SHARED_WORDS_SHOWN: usize = 8;

/// The words behind stored articles' hashed stems. A stored document keeps no tokens, so each
/// article is analysed again, once; without a gazetteer the words are not shown.
struct Words {
    analyser: Option<Analyser>,
    by_article: HashMap<ArticleId, HashMap<u64, String>>,
}

impl Words {
    fn new(dirs: &Dirs) -> Words {
        Words {
            analyser: Analyser::load(&dirs.gazetteer).ok(),
            by_article: HashMap::new(),
        }
    }

    /// Each stem hash of the article and the first word written with it.
    fn of(&mut self, store: &Store, id: &ArticleId) -> Result<&HashMap<u64, String>> {
        if !self.by_article.contains_key(id) {
            let mut words = HashMap::new();
            if let (Some(analyser), Some(doc)) = (&self.analyser, store.doc(id)?) {
                let doc = analyser.analyse(doc.article);
                for t in &doc.tokens {
                    words
                        .entry(stable_hash(&t.stem))
                        .or_insert_with(|| doc.text(t.span).to_string());
                }
            }
            self.by_article.insert(*id, words);
        }
        Ok(&self.by_article[id])
    }

    /// The words the two profiles of a link share, the ones that counted most in their overlap
    /// first, as `from` (the member explained: each is analysed once) writes them.
    fn shared(
        &mut self,
        store: &Store,
        profiles: &[Profile; 2],
        from: &ArticleId,
    ) -> Result<Vec<String>> {
        let shared = shared_stems(&profiles[0], &profiles[1]);
        if shared.is_empty() {
            return Ok(Vec::new());
        }
        let words = self.of(store, from)?;
        Ok(shared
            .into_iter()
            .filter_map(|(stem, _)| words.get(&stem).cloned())
            .take(SHARED_WORDS_SHOWN)
            .collect())
    }
}

/// Arguments of `khabar explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The event: its id, a unique prefix, the id of an event merged into it, or the id or
    /// URL of one of its articles (then that article is explained).
    pub event: String,
    /// One member article, by id or unique prefix (default: every member).
    pub article: Option<String>,
    /// Print the evidence as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `khabar explain`.
pub fn run(args: &ExplainArgs, dirs: &Dirs) -> Result<ExitCode> {
    let store = super::events::open_existing(dirs)?;
    let resolved = super::events::resolve(&store, &args.event)?;
    let event_id = resolved.event;
    let Some(event) = store.event(&event_id)? else {
        bail!("no event {} (list them with `khabar events`)", args.event);
    };
    let members = store.members(&event_id)?;
    let member_ids: Vec<ArticleId> = members.iter().map(|m| m.article).collect();
    // An article named instead of the event is the one explained, unless another is named.
    let article = args
        .article
        .clone()
        .or_else(|| resolved.article.map(|a| a.to_string()));
    let chosen: Vec<_> = match &article {
        Some(a) => {
            // The article's id or a prefix of it naming one member.
            let found: Vec<_> = members
                .into_iter()
                .filter(|m| m.article.as_str().starts_with(a.as_str()))
                .collect();
            match found.len() {
                0 => bail!("article {a} is not in event {event_id}"),
                1 => found,
                _ => bail!(
                    "{a} is ambiguous; it could be: {}",
                    found
                        .iter()
                        .map(|m| m.article.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        None => members,
    };
    let mut words = Words::new(dirs);
    let mut report = Vec::new();
    for m in &chosen {
        let links = store.links_of(std::slice::from_ref(&m.article))?;
        report.push(serde_json::json!({
            "article": m.article,
            "membership": membership(&m.article, &member_ids, &links),
            "links": links
                .iter()
                .map(|l| link_json(&store, l, &m.article, &mut words))
                .collect::<Result<Vec<_>>>()?,
        }));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = crate::terminal::Clean::new(out);
    writeln!(out, "{}  {}", event.id, event.title)?;
    let title_of = |id: &str| {
        event
            .members
            .iter()
            .find(|m| m.article.as_str() == id)
            .map(|m| {
                format!(
                    "{} ({}, {})",
                    id,
                    m.lang,
                    m.outlet.as_deref().unwrap_or("outlet unknown")
                )
            })
            .unwrap_or_else(|| id.to_string())
    };
    for (m, r) in chosen.iter().zip(&report) {
        writeln!(out, "\n{}", title_of(m.article.as_str()))?;
        explain_membership(&mut out, &store, &m.article, r, &title_of)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Why `article` is in the event of `members`, from its `links`: its mean score with the other
/// members (an unlinked pair counts 0, as in grouping), its strongest link, and the threshold.
fn membership(article: &ArticleId, members: &[ArticleId], links: &[Link]) -> Value {
    let score_with = |other: &ArticleId| {
        links
            .iter()
            .find(|l| (&l.a == article && &l.b == other) || (&l.b == article && &l.a == other))
            .map_or(0.0, |l| l.score)
    };
    let others: Vec<(ArticleId, f32)> = members
        .iter()
        .filter(|m| *m != article)
        .map(|m| (*m, score_with(m)))
        .collect();
    let mean = (!others.is_empty())
        .then(|| others.iter().map(|(_, s)| s).sum::<f32>() / others.len() as f32);
    let strongest = others.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    serde_json::json!({
        "mean_score": mean,
        "threshold": FITTED.threshold,
        "strongest_link": strongest.map(|(j, s)| serde_json::json!({"article": j, "score": s})),
    })
}

fn link_json(store: &Store, l: &Link, from: &ArticleId, words: &mut Words) -> Result<Value> {
    let other = if &l.a == from { &l.b } else { &l.a };
    Ok(
        serde_json::json!({"with": other, "score": l.score, "evidence": evidence(store, l, from, words)?}),
    )
}

/// Why a link scored as it did: the model's inputs, computed again from the two stored articles
/// as they were when it was scored, and each input's part of the log-odds under the model in use
/// (null when an article's profile cannot be read), with the words both share, the ones that
/// counted most first.
fn evidence(store: &Store, l: &Link, from: &ArticleId, words: &mut Words) -> Result<Value> {
    let Some((features, profiles)) = link_features(store, &l.a, &l.b)? else {
        return Ok(Value::Null);
    };
    let parts: serde_json::Map<String, Value> = FITTED
        .contributions(&features)
        .into_iter()
        .map(|(name, part)| (name.to_string(), part.into()))
        .collect();
    Ok(serde_json::json!({
        "features": features,
        "contributions": parts,
        "shared_words": words.shared(store, &profiles, from)?,
    }))
}

/// One member's part of the report in words: its membership, the evidence of its link to the
/// closest member, and the next best event.
fn explain_membership(
    out: &mut dyn Write,
    store: &Store,
    article: &ArticleId,
    report: &Value,
    title_of: &dyn Fn(&str) -> String,
) -> Result<()> {
    let membership = &report["membership"];
    let threshold = membership["threshold"].as_f64().unwrap_or_default();
    match membership["mean_score"].as_f64() {
        None => writeln!(
            out,
            "  alone: no other article scored high enough to share an event with it (threshold {threshold:.2})"
        )?,
        Some(mean) if mean >= threshold => writeln!(
            out,
            "  grouped: its mean same-event probability with the other members is {mean:.2}, at or above the threshold {threshold:.2}"
        )?,
        // Grouping joins whole groups (average linkage): an article comes in with the ones it is
        // closest to once the mean over every pair of two groups reaches the threshold, so its
        // own mean with the rest can fall below it.
        Some(mean) => writeln!(
            out,
            "  grouped with the articles it is closest to: its own mean same-event probability with the other members is {mean:.2}, below the threshold {threshold:.2}, but groups join when the mean over all their pairs reaches it"
        )?,
    }
    if !store
        .constraints_of(std::slice::from_ref(article))?
        .is_empty()
    {
        writeln!(
            out,
            "  a correction names this article: it stays where the correction put it (khabar log)"
        )?;
    }
    if let Some(strongest) = membership["strongest_link"].as_object() {
        let other = strongest["article"].as_str().unwrap_or_default();
        writeln!(
            out,
            "  closest member: {} (probability {:.2})",
            title_of(other),
            strongest["score"].as_f64().unwrap_or_default()
        )?;
        let links = report["links"].as_array().into_iter().flatten();
        if let Some(link) = links.into_iter().find(|l| l["with"] == other) {
            describe(out, &link["evidence"])?;
        }
    }
    match runner_up(store, article)? {
        Some((event, mean)) => writeln!(
            out,
            "  next best event: {event} (mean probability {mean:.2} with its members, {} the threshold)",
            if mean >= threshold {
                "at or above"
            } else {
                "below"
            }
        )?,
        None => writeln!(out, "  no other event came close")?,
    }
    Ok(())
}

/// The other event the article scores best with: its mean probability over that event's members
/// (unscored pairs count 0, as in grouping).
fn runner_up(store: &Store, article: &ArticleId) -> Result<Option<(EventId, f64)>> {
    let own = store.membership(article)?.map(|m| m.event);
    let mut sums: std::collections::BTreeMap<EventId, f64> = Default::default();
    for link in store.links_of(std::slice::from_ref(article))? {
        let other = if &link.a == article { &link.b } else { &link.a };
        if let Some(m) = store.membership(other)? {
            if Some(&m.event) != own.as_ref() {
                *sums.entry(m.event).or_default() += link.score as f64;
            }
        }
    }
    let mut best: Option<(EventId, f64)> = None;
    for (event, sum) in sums {
        let mean = sum / store.members(&event)?.len().max(1) as f64;
        if best.as_ref().is_none_or(|(_, b)| mean > *b) {
            best = Some((event, mean));
        }
    }
    Ok(best)
}

/// The parts of one pair's score in words.
fn describe(out: &mut dyn Write, evidence: &Value) -> Result<()> {
    let f = &evidence["features"];
    let num = |k: &str| f[k].as_f64().unwrap_or_default();
    writeln!(
        out,
        "    text similarity {:.2} (unrelated articles in these languages average {:.2}); best pair of lead sentences {:.2}",
        num("doc_cosine"),
        f["background"]["doc"].as_f64().unwrap_or_default(),
        num("sentence_cosine")
    )?;
    writeln!(
        out,
        "    shared entities {:.0}%, shared places {:.0}%, shared people {:.0} of 3 counted, word overlap weighted by rarity {:.0}%, shared figures {:.0}%",
        num("entity_overlap") * 100.0,
        num("place_overlap") * 100.0,
        num("shared_people") * 3.0,
        num("shared_vocabulary") * 100.0,
        num("shared_figures") * 100.0
    )?;
    match f["day_gap"].as_u64() {
        Some(0) => writeln!(out, "    both say it happened on the same day")?,
        Some(d) => writeln!(out, "    their event days are {d} day(s) apart")?,
        None => writeln!(out, "    at least one does not say when it happened")?,
    }
    let shared: Vec<&str> = evidence["shared_words"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !shared.is_empty() {
        writeln!(
            out,
            "    shared words, those that counted most first: {}",
            shared.join(", ")
        )?;
    }
    if f["without_vocabulary"].as_bool() == Some(true) {
        writeln!(
            out,
            "    scored without the word overlap: written in two scripts, or one is a headline alone"
        )?;
    }
    if num("kind_conflict") > 0.0 {
        writeln!(
            out,
            "    one reports a phone call, the other a meeting or visit"
        )?;
    }
    if let Some(parts) = evidence["contributions"].as_object() {
        let mut parts: Vec<(&String, f64)> = parts
            .iter()
            .map(|(k, v)| (k, v.as_f64().unwrap_or_default()))
            .collect();
        parts.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let words: Vec<String> = parts
            .iter()
            .take(3)
            .map(|(k, v)| format!("{k} {v:+.2}"))
            .collect();
        writeln!(out, "    weighed most (log-odds): {}", words.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the membership line says follows the numbers: a member whose own mean is below the
    /// threshold is not said to be at or above it.
    #[test]
    fn the_membership_line_compares_the_mean_with_the_threshold() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let article = ArticleId::of_body("Lavrov met al-Yahya in Moscow.");
        let say = |mean: f64| {
            let report = serde_json::json!({
                "membership": {"mean_score": mean, "threshold": 0.55, "strongest_link": null},
            });
            let mut out = Vec::new();
            explain_membership(&mut out, &store, &article, &report, &|id| id.to_string()).unwrap();
            String::from_utf8(out).unwrap()
        };
        let above = say(0.74);
        assert!(
            above.contains("is 0.74, at or above the threshold 0.55"),
            "{above}"
        );
        let below = say(0.51);
        assert!(
            below.contains("is 0.51, below the threshold 0.55"),
            "{below}"
        );
        assert!(!below.contains("at or above"), "{below}");
        assert!(below.contains("no other event came close"), "{below}");
    }
}
