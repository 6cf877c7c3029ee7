//! Reported speech and its speaker.
//!
//! Quoted stretches: «…», “…”, "…" (a quote left open runs to the end of its paragraph). One is
//! kept when its sentence has a verb of saying (قال، أكد، أشار، شدد…; said, stressed, noted…),
//! names a person before it ("Lavrov "categorically" rejected"), or it is at least five words
//! long, and it is not a label ("موقع "روسيا اليوم"", "dubbed
//! "…""). The speaker is the person or organisation named in the sentence before the quote
//! (nearest the verb of saying), else the last speaker (a pronoun: "وشدد على أن …").

use crate::lexicon::lexicon;
use crate::limits::{self, MAX_QUOTES};
use crate::sentences::Text;
use khabar_core::{EntityKind, Mention, Quote, Span, Truncated};
use std::ops::Range;

const LABEL_WORDS: &[&str] = &[
    "موقع",
    "صحيفه",
    "قناه",
    "وكاله",
    "مجموعه",
    "برنامج",
    "مبادره",
    "شعار",
    "عنوان",
    "site",
    "newspaper",
    "channel",
    "agency",
    "group",
    "dubbed",
    "called",
    "titled",
    "named",
    "website",
];

fn is_say(t: &Text, i: usize) -> bool {
    let lx = lexicon();
    let tk = &t.toks[i];
    if tk.arabic {
        tk.readings.iter().any(|(r, _)| lx.say.contains(r))
    } else {
        lx.say.contains(&tk.lower)
    }
}

/// The tokens of sentence `sent` (tokens are in sentence order).
fn sentence_tokens(t: &Text, sent: usize) -> Range<usize> {
    t.toks.partition_point(|x| x.sent < sent)..t.toks.partition_point(|x| x.sent <= sent)
}

/// The mentions (sorted by start) that start at or after `from` and end by `to`, found without
/// looking at the others.
fn within<'m>(
    mentions: &'m [&'m Mention],
    from: usize,
    to: usize,
) -> impl Iterator<Item = &'m Mention> {
    let first = mentions.partition_point(|m| m.span.start < from);
    mentions[first..]
        .iter()
        .copied()
        .take_while(move |m| m.span.start < to)
        .filter(move |m| m.span.end <= to)
}

/// Finds the quotes of a text; `mentions` are its entity mentions sorted by where they start
/// (for speakers). Each quote costs the words and mentions of its sentence; past
/// [`MAX_QUOTES`] quoted stretches no more are looked for, and the second value says from where.
pub fn find_quotes(
    t: &Text,
    paragraphs: &[Span],
    mentions: &[Mention],
) -> (Vec<Quote>, Option<Truncated>) {
    let text = &t.norm.text;
    let mut raw: Vec<(usize, usize)> = Vec::new(); // matching-form byte ranges of the quoted words
    let mut truncated = None;
    'paragraphs: for p in paragraphs {
        let (ps, pe) = (t.norm.from_original(p.start), t.norm.from_original(p.end));
        let seg = &text[ps..pe];
        let mut open: Option<(usize, char)> = None;
        for (k, c) in seg.char_indices() {
            match (open, c) {
                (None, '«' | '“' | '"') => open = Some((k + c.len_utf8(), c)),
                (Some((s, '«')), '»') | (Some((s, '“')), '”') | (Some((s, '"')), '"') => {
                    raw.push((ps + s, ps + k));
                    open = None;
                }
                _ => {}
            }
            if raw.len() > MAX_QUOTES {
                let (from, _) = raw[MAX_QUOTES];
                let from = t.span_bytes(from, from).start;
                truncated = Some(limits::truncated("quotes", MAX_QUOTES, from, t.body_len));
                raw.truncate(MAX_QUOTES);
                break 'paragraphs;
            }
        }
        if let Some((s, _)) = open {
            raw.push((ps + s, pe));
        }
    }
    let persons: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .collect();
    let speakers: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person || m.kind == EntityKind::Organisation)
        .collect();
    let mut out = Vec::new();
    let mut last_speaker: Option<String> = None;
    for (s, e) in raw {
        let inner = text[s..e].trim();
        if inner.is_empty() {
            continue;
        }
        let words = inner.split_whitespace().count();
        // the tokens before the quote in its sentence (and the sentence itself)
        let ft = t.toks.partition_point(|x| x.s < s);
        if ft == t.toks.len() {
            continue;
        }
        let sent = t.toks[ft].sent;
        let sent_toks = sentence_tokens(t, sent);
        let before = sent_toks.start..ft.max(sent_toks.start);
        let label = before
            .clone()
            .last()
            .is_some_and(|k| LABEL_WORDS.contains(&t.toks[k].lower.as_str()));
        let say = sent_toks
            .clone()
            .any(|k| is_say(t, k) && (t.toks[k].e <= s || t.toks[k].s >= e));
        // a verb of saying in the previous sentence introduces a quote that opens this one
        let say_prev =
            sent > 0 && before.is_empty() && sentence_tokens(t, sent - 1).any(|k| is_say(t, k));
        // a person named before it in the sentence: "Lavrov "categorically" rejected"
        let sent_start = t.span_bytes(t.sents[sent].0, t.sents[sent].1).start;
        let quote_start = t.span_bytes(s, e).start;
        let person_before = within(&persons, sent_start, quote_start).next().is_some();
        if label || !(say || say_prev || words >= 5 || person_before) {
            continue;
        }
        let span = t.span_bytes(s, e);
        let span = trim_span(span, t, s, e);
        let sent_span = t.span_bytes(t.sents[sent].0, t.sents[sent].1);
        let in_sent: Vec<&Mention> = within(&speakers, sent_span.start, span.start).collect();
        // the subject right after a verb of saying ("وقال الصباح:"), else the first named
        let after_say = before.clone().filter(|&k| is_say(t, k)).find_map(|k| {
            let next_start = t.toks.get(k + 1).map(|x| t.span_bytes(x.s, x.e).start)?;
            in_sent
                .iter()
                .find(|m| {
                    m.span.start == next_start
                        || (m.span.start >= next_start && m.span.start <= next_start + 12)
                })
                .map(|m| m.entity.clone())
        });
        // "He added that …": a pronoun subject is the last speaker
        let pronoun = sent_toks
            .clone()
            .next()
            .is_some_and(|k| ["he", "she", "they", "هو", "هي"].contains(&t.toks[k].lower.as_str()));
        // "وأكد أن …": an Arabic verb of saying first with no name after it has a dropped subject
        let dropped = sent_toks.clone().next().is_some_and(|k| {
            t.toks[k].arabic
                && is_say(t, k)
                && !in_sent.iter().any(|m| {
                    let next = t
                        .toks
                        .get(k + 1)
                        .map(|x| t.span_bytes(x.s, x.e).start)
                        .unwrap_or(0);
                    m.span.start >= next && m.span.start <= next + 12
                })
        });
        let first_named = if pronoun || dropped {
            None
        } else {
            in_sent.first().map(|m| m.entity.clone())
        };
        let after_quote = || {
            // "… "x", Lavrov said": a person after the quote in the same sentence
            within(&persons, span.end, sent_span.end)
                .next()
                .map(|m| m.entity.clone())
        };
        let speaker = if pronoun || dropped {
            after_say.or_else(|| last_speaker.clone())
        } else {
            after_say
                .or(first_named)
                .or_else(after_quote)
                .or_else(|| last_speaker.clone())
        };
        if speaker.is_some() {
            last_speaker = speaker.clone();
        }
        out.push(Quote { span, speaker });
    }
    (out, truncated)
}

fn trim_span(span: Span, t: &Text, s: usize, e: usize) -> Span {
    let inner = &t.norm.text[s..e];
    let lead = inner.len() - inner.trim_start().len();
    let trail = inner.len() - inner.trim_end().len();
    if lead + trail >= inner.len() {
        return span;
    }
    t.span_bytes(s + lead, e - trail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_past_the_bound_are_recorded_as_truncated() {
        let one = "He said \"we will talk again soon\".\n";
        let s = one.repeat(MAX_QUOTES + 2);
        let t = Text::new(&s, &[Span::new(0, s.len())]);
        let (q, cut) = find_quotes(&t, &[Span::new(0, s.len())], &[]);
        assert_eq!(q.len(), MAX_QUOTES);
        let cut = cut.expect("the bound is recorded");
        assert_eq!((cut.bound.as_str(), cut.limit), ("quotes", MAX_QUOTES));
        let from = one.len() * MAX_QUOTES + one.find("we").unwrap();
        assert_eq!(cut.span, Span::new(from, s.len()));
    }

    #[test]
    fn dropped_subject_is_the_last_speaker() {
        let s = "وقال الصباح: \"الأمور الإقليمية مهمة جدا هنا\". وأكد أن مباحثاته مع لافروف كانت \"مثمرة وبناءة\".";
        let t = Text::new(s, &[Span::new(0, s.len())]);
        let m = |e: &str, w: &str| {
            let a = s.find(w).unwrap();
            Mention {
                entity: e.into(),
                kind: EntityKind::Person,
                span: Span::new(a, a + w.len()),
                name: w.into(),
                role: None,
            }
        };
        let (q, _) = find_quotes(
            &t,
            &[Span::new(0, s.len())],
            &[m("person:sbh", "الصباح"), m("person:lfrf", "لافروف")],
        );
        assert_eq!(q.len(), 2);
        assert_eq!(q[1].speaker.as_deref(), Some("person:sbh"));
    }

    #[test]
    fn finds_quotes_with_verbs_and_skips_labels() {
        let s = "بحسب ما ذكر موقع \"روسيا اليوم\". وقال الصباح: إنه بحث مع لافروف \"الأمور الإقليمية والحرب في غزة\".";
        let t = Text::new(s, &[Span::new(0, s.len())]);
        let (q, _) = find_quotes(&t, &[Span::new(0, s.len())], &[]);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].span.slice(s), "الأمور الإقليمية والحرب في غزة");
        let s = "Lavrov stressed the need to «take urgent measures»";
        let t = Text::new(s, &[Span::new(0, s.len())]);
        let m = Mention {
            entity: "person:lfrf".into(),
            kind: EntityKind::Person,
            span: Span::new(0, 6),
            name: "Lavrov".into(),
            role: None,
        };
        let (q, _) = find_quotes(&t, &[Span::new(0, s.len())], &[m]);
        assert_eq!(q[0].speaker.as_deref(), Some("person:lfrf"));
    }
}
