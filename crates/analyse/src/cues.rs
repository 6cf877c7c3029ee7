//! Event cues: what kind of happening the text reports (talks/meeting, visit, phone call, press
//! conference, statement) and whether it announces it (a preview) rather than reports it.
//!
//! Kinds are ranked by prominence: a cue in the lead (the first two sentences) weighs three
//! times one further down; a phone call in the lead comes first (talks "عبر الهاتف" are a
//! phone call); ties go to the kind named first. A preview is a future form in the lead:
//! "من المقرر", "سوف", the future prefix on a meeting verb (سيناقشان, ستبحث), "will discuss",
//! "is expected to".

use crate::lexicon::lexicon;
use crate::sentences::Text;
use khabar_core::{Cues, EventKind, Span};

fn kind_of(s: &str) -> EventKind {
    match s {
        "phone_call" => EventKind::PhoneCall,
        "press_conference" => EventKind::PressConference,
        "visit" => EventKind::Visit,
        "statement" => EventKind::Statement,
        _ => EventKind::Meeting,
    }
}

fn phrase_at(t: &Text, i: usize, ws: &[String]) -> Option<usize> {
    let tk = &t.toks[i];
    let first_ok = if tk.arabic {
        tk.readings
            .iter()
            .any(|(r, _)| *r == ws[0] || crate::normalise::strip_article(r) == ws[0])
    } else {
        tk.lower == ws[0]
    };
    if !first_ok {
        return None;
    }
    t.phrase_end(i, &ws[1..])
}

/// True for a future-tense meeting verb: س + ي/ت/ن + stem (+ dual/plural ending).
pub fn is_future_verb(word: &str) -> bool {
    let lx = lexicon();
    let w = word.strip_prefix('و').unwrap_or(word);
    let Some(rest) = w.strip_prefix('س') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(['ي', 'ت', 'ن']) else {
        return false;
    };
    lx.future_stems.iter().any(|s| {
        rest.strip_prefix(s.as_str())
            .is_some_and(|end| ["", "ان", "ون", "ا", "وا"].contains(&end))
    })
}

/// Finds the cues of a text.
pub fn find_cues(t: &Text) -> Cues {
    let lx = lexicon();
    let lead_sentences = 2;
    let mut score: Vec<(EventKind, f32, Span)> = Vec::new();
    let mut preview = false;
    let n = t.toks.len();
    let mut i = 0;
    while i < n {
        let lead = t.toks[i].sent < lead_sentences;
        if lead
            && !preview
            && (lx.preview.iter().any(|ws| phrase_at(t, i, ws).is_some())
                || (t.toks[i].arabic && is_future_verb(&t.toks[i].lower)))
        {
            preview = true;
        }
        let mut matched = None;
        let candidate = t.toks[i].readings.iter().any(|(r, _)| {
            lx.firsts.contains(r) || lx.firsts.contains(crate::normalise::strip_article(r))
        });
        if !candidate {
            i += 1;
            continue;
        }
        for (ws, kind) in &lx.cues {
            if let Some(j) = phrase_at(t, i, ws) {
                matched = Some((j, kind_of(kind)));
                break;
            }
        }
        if let Some((j, kind)) = matched {
            // talks held by phone are a phone call, whatever else the lead calls them
            let bonus = match kind {
                EventKind::PhoneCall if lead => 20.0,
                _ => 0.0,
            };
            let w = if lead { 3.0 } else { 1.0 } + bonus;
            match score.iter_mut().find(|(k, _, _)| *k == kind) {
                Some(s) => s.1 += w,
                None => score.push((kind, w, t.span(i, j))),
            }
            i = j;
        } else {
            i += 1;
        }
    }
    score.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    Cues {
        kinds: score.into_iter().map(|(k, _, s)| (k, s)).collect(),
        preview,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(s: &str) -> Cues {
        find_cues(&Text::new(s, &[Span::new(0, s.len())]))
    }

    #[test]
    fn kinds_and_preview() {
        let c = cues("وبحث الصفدي ولافروف خلال المحادثات التي تمت عبر الهاتف مسارات التعاون.");
        assert_eq!(c.kinds[0].0, EventKind::PhoneCall);
        assert!(!c.preview);
        assert!(cues("وزيرا الخارجية سيناقشان الصراع").preview);
        assert!(cues("من المقرر أن يناقش الوزير").preview);
        assert!(cues("The ministers will discuss the war.").preview);
        assert!(!cues("سيرغي لافروف في موسكو").preview);
        let c = cues("Later, a joint press conference was held.");
        assert_eq!(c.kinds[0].0, EventKind::PressConference);
    }

    #[test]
    fn future_verbs() {
        assert!(is_future_verb("سيناقشان"));
        assert!(is_future_verb("ستبحث"));
        assert!(!is_future_verb("سيرغي"));
        assert!(!is_future_verb("سيناء"));
    }
}
