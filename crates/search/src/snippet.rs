//! Snippets: the sentence of a stored article that matches a query best, and the byte spans of
//! its matching words, as offsets into the stored body (what a UI highlights, and what every
//! citation of the event record points into).

use crate::query::{family_id, Parsed};
use crate::tokenizer::words;
use khabar_core::{Doc, Span};
use serde::Serialize;
use std::collections::BTreeSet;

/// One highlighted sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snippet {
    /// The article it is from.
    pub article: String,
    /// The sentence's span in the article's stored body.
    pub sentence: Span,
    /// The sentence.
    pub text: String,
    /// The matching words (and entity mentions), as spans of the stored body, in order, not
    /// overlapping.
    pub highlights: Vec<Span>,
}

impl Snippet {
    /// The sentence with each highlight wrapped in `open` … `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut at = self.sentence.start;
        for h in &self.highlights {
            out.push_str(&self.text[at - self.sentence.start..h.start - self.sentence.start]);
            out.push_str(open);
            out.push_str(&self.text[h.start - self.sentence.start..h.end - self.sentence.start]);
            out.push_str(close);
            at = h.end;
        }
        out.push_str(&self.text[at - self.sentence.start..]);
        out
    }
}

/// The best sentence of `doc` for `query` and how many of the query's words and entities it
/// matches (0 when none does: then the first sentence, without highlights).
pub fn best_sentence(doc: &Doc, query: &Parsed) -> Option<(usize, Snippet)> {
    let body = &doc.article.body;
    let mut best: Option<(usize, Span, Vec<Span>)> = None;
    for sentence in &doc.sentences {
        let text = sentence.span.slice(body);
        let mut matched: BTreeSet<usize> = BTreeSet::new();
        let mut spans: Vec<Span> = Vec::new();
        for w in words(text) {
            for (k, q) in query.words.iter().enumerate() {
                if w.terms.iter().any(|t| q.terms.contains(t)) {
                    matched.insert(k);
                    spans.push(Span::new(
                        sentence.span.start + w.span.start,
                        sentence.span.start + w.span.end,
                    ));
                }
            }
        }
        for m in &doc.mentions {
            if !sentence.span.contains(&m.span) {
                continue;
            }
            let ids = [Some(m.entity.as_str()), family_id(&m.entity)];
            if let Some(k) = query
                .entities
                .iter()
                .position(|e| ids.contains(&Some(e.as_str())))
            {
                matched.insert(query.words.len() + k);
                spans.push(m.span);
            }
        }
        if best.as_ref().is_none_or(|(n, _, _)| matched.len() > *n) {
            best = Some((matched.len(), sentence.span, spans));
        }
    }
    let (n, sentence, mut spans) = best?;
    spans.sort_by_key(|s| (s.start, s.end));
    let mut highlights: Vec<Span> = Vec::new();
    for s in spans {
        match highlights.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => highlights.push(s),
        }
    }
    Some((
        n,
        Snippet {
            article: doc.article.id.as_str().to_string(),
            sentence,
            text: sentence.slice(body).to_string(),
            highlights,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;
    use khabar_core::{Article, EntityKind, Mention, Sentence, Source};

    fn doc(body: &str, sentences: &[&str], mentions: Vec<Mention>) -> Doc {
        let mut d: Doc = serde_json::from_value(serde_json::json!({
            "article": Article::new(Source::Stdin, body.into()),
            "language": {"code": "ar", "confidence": 1.0},
            "removed": [], "sentences": [], "tokens": [], "mentions": [], "dates": [],
            "figures": [], "quotes": [], "cues": {"kinds": [], "preview": false},
            "embedding": null, "sentence_embeddings": []
        }))
        .unwrap();
        d.sentences = sentences
            .iter()
            .map(|s| {
                let start = body.find(s).unwrap();
                Sentence {
                    span: Span::new(start, start + s.len()),
                }
            })
            .collect();
        d.mentions = mentions;
        d
    }

    #[test]
    fn the_sentence_with_most_query_words_and_its_spans_in_the_body() {
        let body = "وصل الوفد. التقى وزير الخارجية بنظيره في موسكو. عاد الوفد.";
        let s2 = "التقى وزير الخارجية بنظيره في موسكو.";
        let d = doc(body, &["وصل الوفد.", s2, "عاد الوفد."], Vec::new());
        let (n, snip) = best_sentence(&d, &parse("بموسكو الوزير", None)).unwrap();
        assert_eq!(n, 2);
        assert_eq!(snip.text, s2);
        let hl: Vec<&str> = snip.highlights.iter().map(|h| h.slice(body)).collect();
        assert_eq!(hl, ["وزير", "موسكو"]);
        assert_eq!(
            snip.marked("[", "]"),
            "التقى [وزير] الخارجية بنظيره في [موسكو]."
        );
    }

    #[test]
    fn an_entity_mention_is_highlighted_whole() {
        let body = "Talks in Moscow. Sergei Lavrov met his counterpart.";
        let start = body.find("Sergei").unwrap();
        let lavrov = Mention {
            entity: "person:lfrf.s".into(),
            kind: EntityKind::Person,
            span: Span::new(start, start + "Sergei Lavrov".len()),
            name: "Sergei Lavrov".into(),
            role: None,
        };
        let d = doc(
            body,
            &["Talks in Moscow.", "Sergei Lavrov met his counterpart."],
            vec![lavrov],
        );
        let (n, snip) = best_sentence(&d, &parse("لافروف", None)).unwrap();
        assert_eq!(n, 1);
        let hl: Vec<&str> = snip.highlights.iter().map(|h| h.slice(body)).collect();
        assert_eq!(hl, ["Sergei Lavrov"]);
    }
}
