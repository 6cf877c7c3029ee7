//! khabar's synthesise stage: builds one [`Event`] from the analysed articles of a cluster.
//!
//! Each slot (date, place, participants, kind) is decided by how many *articles* support each
//! value, and keeps the sentences that say so. Where articles give different people for the same
//! role, the event carries a [`Disagreement`] listing each value with its sources, rather than
//! silently picking one.
//!
//! ```
//! use khabar_core::{Article, Cues, Doc, Language, Source};
//! use khabar_synthesise::synthesise;
//!
//! let article = Article::new(Source::Stdin, "Talks were held in Moscow.".into());
//! let doc = Doc {
//!     article,
//!     language: Language { code: "en".into(), confidence: 1.0 },
//!     removed: vec![], sentences: vec![], tokens: vec![], mentions: vec![], dates: vec![],
//!     figures: vec![], quotes: vec![], cues: Cues::default(),
//!     embedding: None, sentence_embeddings: vec![], truncated: vec![],
//! };
//! let event = synthesise(&[doc], &Default::default());
//! assert_eq!(event.members.len(), 1);
//! assert_eq!(event.languages, vec!["en".to_string()]);
//! assert_eq!(event.title, "Talks were held in Moscow.");
//! ```
#![warn(missing_docs)]

mod figures;
pub mod origins;

use khabar_cluster::features::{event_day, same_person};
use khabar_core::{
    ArticleId, Citation, Copy, Disagreement, Doc, EntityKind, Event, EventId, EventKind,
    EventQuote, Member, Origin, Participant, Reported, Span, SynthesisInput,
};
use std::collections::{BTreeMap, BTreeSet};

/// Longest title, in characters, before it is cut at a word boundary.
const TITLE_MAX_CHARS: usize = 160;

/// People named by fewer than this share of the members (and by only one of several members)
/// are mentioned in passing, not participants.
const PARTICIPANT_MIN_SHARE: f32 = 0.5;

/// What [`synthesise`] reads of a document, for [`synthesise_inputs`]: the document as the store
/// keeps it ([`Doc::slim`]: no tokens, whose 5-gram hashes [`origins::shingles`] are all that is
/// read of them, and no vectors), and those hashes.
pub fn input(doc: &Doc) -> SynthesisInput {
    SynthesisInput {
        doc: doc.slim(),
        shingles: origins::shingles(doc),
    }
}

/// Builds the event of a cluster from its analysed articles and the other copies of each (same
/// text or same page from other outlets). `docs` may come in any order: the result depends on
/// the set.
pub fn synthesise(docs: &[Doc], copies: &BTreeMap<ArticleId, Vec<Copy>>) -> Event {
    let shingles: Vec<Vec<u64>> = docs.iter().map(origins::shingles).collect();
    build(
        docs.iter()
            .zip(shingles.iter().map(Vec::as_slice))
            .collect(),
        copies,
    )
}

/// The event [`synthesise`] builds from the documents these inputs were made from (by
/// [`input`]), without reading the whole documents.
pub fn synthesise_inputs(
    inputs: &[SynthesisInput],
    copies: &BTreeMap<ArticleId, Vec<Copy>>,
) -> Event {
    build(
        inputs
            .iter()
            .map(|i| (&i.doc, i.shingles.as_slice()))
            .collect(),
        copies,
    )
}

/// The event of the members: each document with its word 5-gram hashes.
fn build(mut members: Vec<(&Doc, &[u64])>, copies: &BTreeMap<ArticleId, Vec<Copy>>) -> Event {
    assert!(!members.is_empty(), "an event has at least one article");
    members.sort_by_key(|(d, _)| d.article.id);
    let docs: Vec<&Doc> = members.iter().map(|(d, _)| *d).collect();
    // What was said and counted comes from reports; a preview only says what was planned.
    let reports: Vec<&Doc> = docs.iter().copied().filter(|d| !d.cues.preview).collect();
    let reports = if reports.is_empty() {
        docs.clone()
    } else {
        reports
    };
    let origins = origins::origins(&members);
    let members: Vec<Member> = docs
        .iter()
        .map(|d| {
            let copies = copies.get(&d.article.id).cloned().unwrap_or_default();
            member(d, origins[&d.article.id].clone(), copies)
        })
        .collect();
    let languages: BTreeSet<String> = members.iter().map(|m| m.lang.clone()).collect();
    let outlets: BTreeSet<String> = members
        .iter()
        .flat_map(|m| {
            m.outlet
                .iter()
                .chain(m.copies.iter().filter_map(|c| c.outlet.as_ref()))
        })
        .cloned()
        .collect();
    let participants = participants(&docs);
    let date = date(&docs);
    let (place, place_disagreement) = place(&docs);
    let titles = titles(&docs, &participants, place.as_ref(), date.as_ref());
    let main_language =
        most_common(docs.iter().map(|d| d.language.code.clone())).unwrap_or_else(|| "und".into());
    let title = titles
        .get(&main_language)
        .or_else(|| titles.values().next())
        .cloned()
        .unwrap_or_default();
    let (key_figures, figure_conflicts) = figures::figures(&reports);
    let mut disagreements = role_disagreements(&docs);
    disagreements.extend(date_disagreement(&docs));
    disagreements.extend(place_disagreement);
    disagreements.extend(figure_conflicts);
    let mut event = Event {
        id: EventId::founded_by(&docs[0].article.id),
        title,
        titles,
        kind: kind(&docs),
        topics: topics(&reports, &participants, place.as_ref()),
        figures: key_figures,
        quotes: quotes(&reports, &participants),
        date,
        place,
        participants,
        languages: languages.into_iter().collect(),
        outlets: outlets.into_iter().collect(),
        disagreements,
        origins: origins
            .values()
            .map(|o| o.key.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        members,
    };
    count_origins(&mut event, &origins);
    event
}

/// Fills `origins` of every reported value: the independent origins among its sources.
fn count_origins(event: &mut Event, origins: &BTreeMap<ArticleId, Origin>) {
    fn fill<T>(r: &mut Reported<T>, origins: &BTreeMap<ArticleId, Origin>) {
        let keys: BTreeSet<&String> = r
            .sources
            .iter()
            .filter_map(|a| origins.get(a).map(|o| &o.key))
            .collect();
        r.origins = keys.into_iter().cloned().collect();
    }
    if let Some(d) = event.date.as_mut() {
        fill(d, origins);
    }
    if let Some(p) = event.place.as_mut() {
        fill(p, origins);
    }
    for p in &mut event.participants {
        fill(&mut p.reported, origins);
    }
    for f in &mut event.figures {
        fill(&mut f.reported, origins);
    }
    for d in &mut event.disagreements {
        for v in &mut d.values {
            fill(v, origins);
        }
    }
}

fn member(d: &Doc, origin: Origin, copies: Vec<Copy>) -> Member {
    Member {
        article: d.article.id,
        source: d
            .article
            .url
            .clone()
            .unwrap_or_else(|| d.article.source.to_string()),
        lang: d.language.code.clone(),
        outlet: d.article.outlet.clone(),
        outlet_from_url: d.article.outlet_source == khabar_core::OutletSource::FromUrl,
        title: headline(d),
        published_at: d.article.published_at.as_ref().map(|p| {
            if p.date_only {
                p.at.date_naive().to_string()
            } else {
                p.at.to_rfc3339()
            }
        }),
        preview: d.cues.preview,
        origin,
        copies,
        truncated: d.truncated.clone(),
        warnings: d.article.warnings.clone(),
    }
}

/// The article's headline, or its first sentence, cut to a readable length.
fn headline(d: &Doc) -> String {
    let text = d
        .article
        .title
        .clone()
        .or_else(|| d.sentences.first().map(|s| d.text(s.span).to_string()))
        .unwrap_or_else(|| d.article.body.clone());
    cut(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn cut(text: String) -> String {
    if text.chars().count() <= TITLE_MAX_CHARS {
        return text;
    }
    let mut out: String = text.chars().take(TITLE_MAX_CHARS).collect();
    if let Some(space) = out.rfind(' ') {
        out.truncate(space);
    }
    out.push('…');
    out
}

/// One title per language, from the member that best represents the event: a report rather
/// than a preview, naming most of the participants, the place and the day; then one with a
/// headline of its own; then the smallest article id.
fn titles(
    docs: &[&Doc],
    participants: &[Participant],
    place: Option<&Reported<String>>,
    date: Option<&Reported<chrono::NaiveDate>>,
) -> BTreeMap<String, String> {
    let coverage = |d: &Doc| {
        let named = participants
            .iter()
            .filter(|p| p.reported.sources.contains(&d.article.id))
            .count();
        let placed = place.is_some_and(|p| p.sources.contains(&d.article.id)) as usize;
        let dated = date.is_some_and(|p| p.sources.contains(&d.article.id)) as usize;
        named + placed + dated
    };
    let mut best: BTreeMap<&str, &Doc> = BTreeMap::new();
    for d in docs {
        let rank = |d: &Doc| {
            (
                !d.cues.preview,
                coverage(d),
                d.article.title.is_some(),
                std::cmp::Reverse(d.article.id),
            )
        };
        let entry = best.entry(d.language.code.as_str()).or_insert(d);
        if rank(d) > rank(entry) {
            *entry = d;
        }
    }
    best.into_iter()
        .map(|(lang, d)| (lang.to_string(), headline(d)))
        .collect()
}

/// Articles whose own event day differs from the event's by more than a day.
fn date_disagreement(docs: &[&Doc]) -> Option<Disagreement> {
    let mut by_day: BTreeMap<chrono::NaiveDate, Vec<&Doc>> = BTreeMap::new();
    for d in docs {
        if let Some(day) = event_day(d) {
            by_day.entry(day).or_default().push(d);
        }
    }
    let days: Vec<chrono::NaiveDate> = by_day.keys().copied().collect();
    let spread = match (days.first(), days.last()) {
        (Some(a), Some(b)) => (*b - *a).num_days(),
        _ => 0,
    };
    if spread <= 1 {
        return None;
    }
    Some(Disagreement {
        slot: "date".into(),
        values: by_day
            .into_iter()
            .map(|(day, ds)| Reported {
                value: day.to_string(),
                sources: ds.iter().map(|d| d.article.id).collect(),
                citations: ds
                    .iter()
                    .filter_map(|d| {
                        d.dates
                            .iter()
                            .find(|r| r.date == day)
                            .map(|r| citation(d, r.span))
                    })
                    .collect(),
                origins: Vec::new(),
            })
            .collect(),
    })
}

/// Countries, places and organisations named by at least half of the reports (all of them for a
/// single report), other than the participants and the place, most-cited first.
fn topics(
    reports: &[&Doc],
    participants: &[Participant],
    place: Option<&Reported<String>>,
) -> Vec<String> {
    /// Entity -> the articles naming it, and its names as (language, name).
    type Named<'a> = BTreeMap<&'a str, (BTreeSet<&'a ArticleId>, Vec<(&'a str, &'a str)>)>;
    let mut named: Named = BTreeMap::new();
    for d in reports {
        for m in d.mentions.iter().filter(|m| m.kind != EntityKind::Person) {
            let entry = named.entry(m.entity.as_str()).or_default();
            entry.0.insert(&d.article.id);
            entry.1.push((d.language.code.as_str(), m.name.as_str()));
        }
    }
    let needed = reports.len().div_ceil(2).max(1);
    let place_name = place.map(|p| p.value.as_str());
    let mut found: Vec<(usize, String)> = named
        .into_iter()
        .filter(|(entity, (sources, _))| {
            sources.len() >= needed && !participants.iter().any(|p| p.entity == *entity)
        })
        .map(|(_, (sources, names))| (sources.len(), display_name(names.into_iter())))
        .filter(|(_, name)| Some(name.as_str()) != place_name)
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().map(|(_, n)| n).collect()
}

/// Reported speech from the reports, speakers named as the participants list names them.
fn quotes(reports: &[&Doc], participants: &[Participant]) -> Vec<EventQuote> {
    let mut out = Vec::new();
    for d in reports {
        for q in &d.quotes {
            let speaker_name = q.speaker.as_ref().and_then(|s| {
                participants
                    .iter()
                    .find(|p| &p.entity == s)
                    .map(|p| p.reported.value.clone())
            });
            out.push(EventQuote {
                speaker: q.speaker.clone(),
                speaker_name,
                text: d.text(q.span).trim().to_string(),
                citation: citation(d, q.span),
            });
        }
    }
    out
}

fn most_common<T: Ord + Clone>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .iter()
        .max_by(|(a, x), (b, y)| x.cmp(y).then(b.cmp(a)))
        .map(|(v, _)| v.clone())
}

fn citation(d: &Doc, span: Span) -> Citation {
    let sentence = d.sentence_of(span).map_or(span, |s| s.span);
    Citation {
        article: d.article.id,
        span: sentence,
        text: d.text(sentence).trim().to_string(),
    }
}

fn kind(docs: &[&Doc]) -> Option<EventKind> {
    let reports: Vec<&&Doc> = docs.iter().filter(|d| !d.cues.preview).collect();
    let pool = if reports.is_empty() {
        docs.iter().collect()
    } else {
        reports
    };
    let kinds: Vec<EventKind> = pool
        .iter()
        .filter_map(|d| d.cues.kinds.first().map(|(k, _)| *k))
        .collect();
    let mut counts: Vec<(EventKind, usize)> = Vec::new();
    for k in kinds {
        match counts.iter_mut().find(|(x, _)| *x == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(k, _)| k)
}

/// The event day: each article's own event day (see `event_day`), voted across articles.
fn date(docs: &[&Doc]) -> Option<Reported<chrono::NaiveDate>> {
    let per_doc: Vec<(&Doc, chrono::NaiveDate)> = docs
        .iter()
        .filter_map(|d| event_day(d).map(|day| (*d, day)))
        .collect();
    let day = most_common(per_doc.iter().map(|(_, day)| *day))?;
    let mut sources = Vec::new();
    let mut citations = Vec::new();
    for (d, _) in per_doc.iter().filter(|(_, x)| *x == day) {
        sources.push(d.article.id);
        if let Some(named) = d.dates.iter().find(|r| r.date == day) {
            citations.push(citation(d, named.span));
        }
    }
    Some(Reported {
        value: day,
        sources,
        citations,
        origins: Vec::new(),
    })
}

/// Sentences at the top of an article where it says where the event happened.
const LEAD_SENTENCES: usize = 3;

/// Words that put what follows in a place ("talks in Moscow", "زيارة إلى موسكو"). A place named
/// right after one of them in the lead is where the event happened; a place merely talked about
/// ("the war in Gaza", further down) is a topic.
const LOCATIVES: &[&str] = &["in", "at", "to", "from", "في", "إلى", "الى", "من"];

/// The place: each article's own answer — the first place its lead names after a locative word,
/// else the first place its lead names — voted across articles. When articles *locate* the event
/// in different places ("in Moscow" / "in Sochi"), that is a disagreement; a place merely named
/// first is not evidence enough to contradict anyone.
fn place(docs: &[&Doc]) -> (Option<Reported<String>>, Option<Disagreement>) {
    type Votes<'a> = BTreeMap<&'a str, Vec<(&'a Doc, Span, &'a str)>>;
    let mut votes: Votes = BTreeMap::new();
    let mut located_votes: Votes = BTreeMap::new();
    for d in docs {
        let lead_end = d
            .sentences
            .get(LEAD_SENTENCES - 1)
            .or(d.sentences.last())
            .map_or(d.article.body.len(), |s| s.span.end);
        let in_lead: Vec<&khabar_core::Mention> = d
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Place && m.span.end <= lead_end)
            .collect();
        let located = in_lead
            .iter()
            .find(|m| after_locative(&d.article.body, m.span));
        if let Some(m) = located {
            located_votes
                .entry(m.entity.as_str())
                .or_default()
                .push((d, m.span, m.name.as_str()));
        }
        if let Some(m) = located.or(in_lead.first()) {
            votes
                .entry(m.entity.as_str())
                .or_default()
                .push((d, m.span, m.name.as_str()));
        }
    }
    let reported = |found: &[(&Doc, Span, &str)]| Reported {
        value: display_name(found.iter().map(|(d, _, n)| (d.language.code.as_str(), *n))),
        sources: found.iter().map(|(d, ..)| d.article.id).collect(),
        citations: found
            .iter()
            .map(|(d, span, _)| citation(d, *span))
            .collect(),
        origins: Vec::new(),
    };
    let disagreement = (located_votes.len() > 1).then(|| Disagreement {
        slot: "place".into(),
        values: located_votes
            .values()
            .map(|found| reported(found))
            .collect(),
    });
    let winner = votes
        .into_iter()
        .max_by(|(a, x), (b, y)| x.len().cmp(&y.len()).then(b.cmp(a)))
        .map(|(_, found)| reported(&found));
    (winner, disagreement)
}

/// True when the word before `span` is a locative.
fn after_locative(body: &str, span: Span) -> bool {
    let before = body[..span.start].trim_end();
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .next()
        .unwrap_or("");
    LOCATIVES.iter().any(|l| word.eq_ignore_ascii_case(l))
}

/// English name if any source gives one, else the first.
fn display_name<'a>(names: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let names: Vec<(&str, &str)> = names.collect();
    names
        .iter()
        .find(|(lang, _)| *lang == "en")
        .or(names.first())
        .map(|(_, n)| n.to_string())
        .unwrap_or_default()
}

/// The fullest name among a person's mentions: the one that contains most of the others
/// ("Sergei Lavrov" contains "Lavrov"), so a role phrase standing for the person ("his Russian
/// counterpart") is not taken for the name; ties go to the longer, then the first.
fn best_name<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let covers = |candidate: &str| names.iter().filter(|n| candidate.contains(**n)).count();
    names
        .iter()
        .copied()
        .enumerate()
        .max_by(|(i, a), (j, b)| {
            covers(a)
                .cmp(&covers(b))
                .then(a.chars().count().cmp(&b.chars().count()))
                .then(j.cmp(i))
        })
        .map(|(_, n)| n.to_string())
        .unwrap_or_default()
}

/// Each person id mentioned, mapped to the one it stands for across the members: a surname alone
/// (`person:lfrf`, "Lavrov") to the one full name with that surname (`person:lfrf.s`, "Sergei
/// Lavrov") when there is exactly one; otherwise to itself.
fn person_keys<'a>(docs: &[&'a Doc]) -> BTreeMap<&'a str, &'a str> {
    let ids: BTreeSet<&str> = docs
        .iter()
        .flat_map(|d| d.mentions.iter())
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.entity.as_str())
        .collect();
    ids.iter()
        .map(|&id| {
            let full: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|other| other.contains('.') && same_person(id, other))
                .collect();
            let key = if !id.contains('.') && full.len() == 1 {
                full[0]
            } else {
                id
            };
            (id, key)
        })
        .collect()
}

fn participants(docs: &[&Doc]) -> Vec<Participant> {
    let keys = person_keys(docs);
    struct Seen<'a> {
        first: (usize, usize),
        mentions: Vec<(&'a Doc, &'a khabar_core::Mention)>,
    }
    let mut people: BTreeMap<&str, Seen> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        for m in d.mentions.iter().filter(|m| m.kind == EntityKind::Person) {
            let seen = people.entry(keys[m.entity.as_str()]).or_insert(Seen {
                first: (i, m.span.start),
                mentions: Vec::new(),
            });
            seen.mentions.push((d, m));
        }
    }
    let mut out: Vec<(usize, (usize, usize), Participant)> = Vec::new();
    for (entity, seen) in people {
        let sources: BTreeSet<&ArticleId> =
            seen.mentions.iter().map(|(d, _)| &d.article.id).collect();
        let share = sources.len() as f32 / docs.len() as f32;
        if docs.len() > 1 && (share < PARTICIPANT_MIN_SHARE || sources.len() < 2) {
            continue;
        }
        let mut by_language: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (d, m) in &seen.mentions {
            by_language
                .entry(d.language.code.as_str())
                .or_default()
                .push(m.name.as_str());
        }
        let names: BTreeMap<String, String> = by_language
            .into_iter()
            .map(|(lang, names)| (lang.to_string(), best_name(names.into_iter())))
            .collect();
        let role = most_common(seen.mentions.iter().filter_map(|(_, m)| m.role.clone()));
        let mut cited = BTreeSet::new();
        let citations = seen
            .mentions
            .iter()
            .filter(|(d, _)| cited.insert(&d.article.id))
            .map(|(d, m)| citation(d, m.span))
            .collect();
        let value = names
            .get("en")
            .or_else(|| names.values().next())
            .cloned()
            .unwrap_or_default();
        out.push((
            sources.len(),
            seen.first,
            Participant {
                entity: entity.to_string(),
                names,
                role,
                reported: Reported {
                    value,
                    sources: sources.into_iter().cloned().collect(),
                    citations,
                    origins: Vec::new(),
                },
            },
        ));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|(.., p)| p).collect()
}

/// Roles held by different people in different sources: `foreign_minister@country:KW` is
/// Salem Al-Sabah in three reports and Abdullah Al-Yahya in one.
fn role_disagreements(docs: &[&Doc]) -> Vec<Disagreement> {
    let keys = person_keys(docs);
    // role -> person -> (docs, citations, a name)
    type Holders<'a> = BTreeMap<&'a str, (BTreeSet<&'a ArticleId>, Vec<Citation>, Vec<&'a str>)>;
    let mut roles: BTreeMap<&str, Holders> = BTreeMap::new();
    for d in docs {
        for m in d.mentions.iter().filter(|m| m.kind == EntityKind::Person) {
            let Some(role) = m.role.as_deref() else {
                continue;
            };
            let holder = roles
                .entry(role)
                .or_default()
                .entry(keys[m.entity.as_str()])
                .or_insert_with(|| (BTreeSet::new(), Vec::new(), Vec::new()));
            if holder.0.insert(&d.article.id) {
                holder.1.push(citation(d, m.span));
            }
            holder.2.push(m.name.as_str());
        }
    }
    roles
        .into_iter()
        .filter(|(_, holders)| holders.len() > 1)
        .map(|(role, holders)| Disagreement {
            slot: role.to_string(),
            values: holders
                .into_values()
                .map(|(sources, citations, names)| Reported {
                    value: best_name(names.into_iter()),
                    sources: sources.into_iter().cloned().collect(),
                    citations,
                    origins: Vec::new(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use khabar_core::{
        Article, Cues, DateRef, DateResolution, DateSource, Language, Mention, PublishedAt,
        Sentence, Source,
    };

    /// A one-sentence doc naming `person` in `role`, optionally dating the event.
    fn doc(text: &str, lang: &str, person: (&str, &str), role: &str, day: Option<u32>) -> Doc {
        let body = text.to_string();
        let name_at = body.find(person.1).expect("name in text");
        let span = Span::new(name_at, name_at + person.1.len());
        let whole = Span::new(0, body.len());
        let mut article = Article::new(Source::Stdin, body);
        article.published_at = day.map(|d| PublishedAt {
            at: NaiveDate::from_ymd_opt(2023, 11, d + 1)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
                .fixed_offset(),
            date_only: false,
            source: DateSource::InputField,
            confidence: 1.0,
        });
        Doc {
            article,
            language: Language {
                code: lang.into(),
                confidence: 1.0,
            },
            removed: vec![],
            sentences: vec![Sentence { span: whole }],
            tokens: vec![],
            mentions: vec![Mention {
                entity: person.0.into(),
                kind: EntityKind::Person,
                span,
                name: person.1.into(),
                role: Some(role.into()),
            }],
            dates: day
                .map(|d| DateRef {
                    date: NaiveDate::from_ymd_opt(2023, 11, d).unwrap(),
                    span: whole,
                    resolution: DateResolution::Absolute,
                })
                .into_iter()
                .collect(),
            figures: vec![],
            quotes: vec![],
            cues: Cues::default(),
            embedding: None,
            sentence_embeddings: vec![],
            truncated: vec![],
        }
    }

    const ROLE: &str = "foreign_minister@country:KW";

    /// `doc` with its words as tokens, vectors, and boilerplate removed before `text` (a credit
    /// line, then a share prompt).
    fn full_doc(text: &str, person: (&str, &str), day: Option<u32>) -> Doc {
        let credit = "(KUNA) -- ";
        let share = "Share this: ";
        let body = format!("{credit}{share}{text}");
        let mut d = doc(&body, "en", person, ROLE, day);
        d.removed = vec![
            khabar_core::Removed {
                span: Span::new(0, credit.len()),
                reason: "dateline".into(),
            },
            khabar_core::Removed {
                span: Span::new(credit.len(), credit.len() + share.len()),
                reason: "share-prompt".into(),
            },
        ];
        d.tokens = body
            .split_whitespace()
            .map(|w| khabar_core::Token {
                span: Span::new(0, 0),
                norm: w.to_lowercase(),
                stem: w.to_lowercase(),
            })
            .collect();
        d.embedding = Some(vec![1.0, 0.0]);
        d.sentence_embeddings = vec![vec![0.0, 1.0]];
        d
    }

    #[test]
    fn inputs_give_the_event_of_the_whole_documents() {
        let text = "Minister Salem Al-Sabah met Lavrov in Moscow on 3 November to discuss the \
                    war in Gaza and food security, and said both sides agreed on aid.";
        let docs = vec![
            full_doc(text, ("person:slm", "Salem Al-Sabah"), Some(3)),
            // A near-copy: the same words but the last few.
            full_doc(
                &text.replace("agreed on aid.", "agreed."),
                ("person:slm", "Salem Al-Sabah"),
                Some(4),
            ),
            full_doc(
                "Minister Abdullah Al-Yahya met Lavrov in Sochi.",
                ("person:yhy", "Abdullah Al-Yahya"),
                None,
            ),
        ];
        let copies = BTreeMap::from([(
            docs[2].article.id,
            vec![Copy {
                source: "elsewhere".into(),
                outlet: Some("Other".into()),
                url: None,
                layer: "exact-body".into(),
            }],
        )]);
        let event = synthesise(&docs, &copies);
        assert!(event.members.iter().any(|m| m.origin.kind == "copy"));
        assert!(event.members.iter().any(|m| m.origin.kind == "agency"));
        let inputs: Vec<SynthesisInput> = docs.iter().rev().map(input).collect();
        assert!(inputs
            .iter()
            .all(|i| i.doc.tokens.is_empty() && i.doc.embedding.is_none()));
        assert_eq!(synthesise_inputs(&inputs, &copies), event);
    }

    #[test]
    fn a_role_held_by_different_people_is_a_disagreement_with_its_sources() {
        let docs = vec![
            doc(
                "Minister Salem Al-Sabah met Lavrov on 3 November.",
                "en",
                ("person:slm", "Salem Al-Sabah"),
                ROLE,
                Some(3),
            ),
            doc(
                "الوزير سالم الصباح التقى لافروف.",
                "ar",
                ("person:slm", "سالم الصباح"),
                ROLE,
                Some(3),
            ),
            doc(
                "الوزير عبدالله اليحيا التقى لافروف.",
                "ar",
                ("person:yhy", "عبدالله اليحيا"),
                ROLE,
                None,
            ),
        ];
        let event = synthesise(&docs, &BTreeMap::new());
        assert_eq!(event.disagreements.len(), 1);
        let d = &event.disagreements[0];
        assert_eq!(d.slot, ROLE);
        let mut counts: Vec<(usize, &str)> = d
            .values
            .iter()
            .map(|v| (v.sources.len(), v.value.as_str()))
            .collect();
        counts.sort();
        assert_eq!(counts, [(1, "عبدالله اليحيا"), (2, "Salem Al-Sabah")]);
        assert!(d.values.iter().all(|v| !v.citations.is_empty()));
        let date = event.date.unwrap();
        assert_eq!(date.value, NaiveDate::from_ymd_opt(2023, 11, 3).unwrap());
        assert_eq!(date.sources.len(), 2);
        assert_eq!(event.languages, ["ar", "en"]);
        assert_eq!(event.titles.len(), 2);
    }

    #[test]
    fn agreeing_sources_raise_no_flag_and_order_does_not_matter() {
        let docs = vec![
            doc(
                "Minister Salem Al-Sabah met Lavrov.",
                "en",
                ("person:slm", "Salem Al-Sabah"),
                ROLE,
                Some(3),
            ),
            doc(
                "الوزير سالم الصباح التقى لافروف.",
                "ar",
                ("person:slm", "سالم الصباح"),
                ROLE,
                Some(3),
            ),
        ];
        let event = synthesise(&docs, &BTreeMap::new());
        assert!(event.disagreements.is_empty());
        assert_eq!(event.participants.len(), 1);
        assert_eq!(event.participants[0].names.len(), 2);
        let reversed: Vec<Doc> = docs.into_iter().rev().collect();
        assert_eq!(synthesise(&reversed, &BTreeMap::new()), event);
    }
}
