//! Figures: value, unit, what is counted, hedge, and "of them" parts.
//!
//! "9 آلاف قتيل، 4 آلاف منهم أطفال" → 9000 killed, and 4000 children `of` the first;
//! "400 طن" → 400 tonne; "over 9,000 Palestinians" after "victims" → over 9000 killed;
//! "almost 4,000 of them children"; "the 11th plane" → 11 ordinal plane; "رقم 11" and
//! "Mark No. 162" → number; a bare year (1963) → unit year. Numbers inside dates are skipped.

use crate::lexicon::lexicon;
use crate::sentences::Text;
use khabar_core::Figure;

fn words_at(t: &Text, i: usize, ws: &[String]) -> Option<usize> {
    let tk = t.toks.get(i)?;
    let first = if tk.arabic {
        tk.readings.iter().any(|(r, _)| *r == ws[0])
    } else {
        tk.lower == ws[0]
    };
    if !first {
        return None;
    }
    t.phrase_end(i, &ws[1..])
}

/// Words ending just before token `i`: the start token if `ws` matches there.
fn words_before(t: &Text, i: usize, ws: &[String]) -> Option<usize> {
    let k = ws.len();
    if i < k {
        return None;
    }
    let s = i - k;
    if t.toks[s].sent != t.toks[i].sent {
        return None;
    }
    let e = words_at(t, s, ws)?;
    (e == i && t.joined(i - 1, false)).then_some(s)
}

fn counted_word(t: &Text, i: usize) -> Option<&'static str> {
    let lx = lexicon();
    let tk = t.toks.get(i)?;
    if tk.arabic {
        tk.readings
            .iter()
            .find_map(|(r, _)| lx.counted.get(r).copied())
    } else {
        lx.counted.get(&tk.lower).copied()
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let clean: String = if s.matches(',').count() >= 1 && s.split(',').skip(1).all(|g| g.len() == 3)
    {
        s.replace(',', "")
    } else {
        s.replace(',', ".")
    };
    clean.parse().ok()
}

/// Finds the figures of a text, skipping tokens in `used` (dates) and marking those it takes.
pub fn find_figures(t: &Text, used: &mut [bool]) -> Vec<Figure> {
    let lx = lexicon();
    let n = t.toks.len();
    let mut out: Vec<Figure> = Vec::new();
    let mut last_in_sent: Option<(usize, usize)> = None; // (sentence, figure index)
    let mut i = 0;
    while i < n {
        if used[i] {
            i += 1;
            continue;
        }
        let tk = &t.toks[i];
        // a number: digits, or an ordinal like 11th, or a bare thousand word (ألف طفل)
        let mut ordinal = false;
        let value = if tk.number {
            parse_number(&tk.lower)
        } else if !tk.arabic
            && tk.lower.len() > 2
            && ["st", "nd", "rd", "th"]
                .iter()
                .any(|s| tk.lower.ends_with(s))
        {
            let digits = &tk.lower[..tk.lower.len() - 2];
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                ordinal = true;
                digits.parse().ok()
            } else {
                None
            }
        } else if tk.arabic
            && (tk.lower == "الف" || tk.lower == "مليون")
            && counted_word(t, i + 1).is_some()
        {
            Some(if tk.lower == "الف" { 1000.0 } else { 1e6 })
        } else {
            None
        };
        let Some(mut value) = value else {
            i += 1;
            continue;
        };
        let sent = tk.sent;
        // a model or disease number: كوفيد-19, F-16, G20 (a word joined by a hyphen)
        if tk.number
            && i > 0
            && t.toks[i - 1].sent == sent
            && t.gap(i - 1) == "-"
            && !t.toks[i - 1].number
        {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut end = i + 1;
        // thousands written with a space: "10 810", "250 000"
        while tk.number
            && end < n
            && t.toks[end].number
            && t.toks[end].lower.len() == 3
            && t.gap(end - 1) == " "
            && t.toks[end].sent == sent
            && t.toks[end - 1].lower.len() <= 3
        {
            value = value * 1000.0 + parse_number(&t.toks[end].lower).unwrap_or(0.0);
            end += 1;
        }
        // multiplier: 9 آلاف, 2.5 million
        if tk.number && end < n && t.joined(end - 1, false) {
            let next = &t.toks[end];
            let readings: Vec<String> = if next.arabic {
                next.readings.iter().cloned().map(|(r, _)| r).collect()
            } else {
                vec![next.lower.clone()]
            };
            if let Some(m) = readings.iter().find_map(|r| lx.number_words.get(r)) {
                value *= m;
                end += 1;
            }
        }
        // hedge before
        let mut hedge = None;
        for (ws, h) in &lx.hedges {
            if let Some(s) = words_before(t, start, ws) {
                hedge = Some(h.to_string());
                start = s;
                break;
            }
        }
        let mut unit: Option<String> = None;
        let mut counted: Option<String> = None;
        let mut of = None;
        if ordinal {
            unit = Some("ordinal".into());
            if let Some(c) = counted_word(t, end) {
                counted = Some(c.into());
                end += 1;
            } else if end < n && t.toks[end].sent == sent && !t.toks[end].number {
                counted = Some(t.toks[end].lower.clone());
            }
        } else {
            // "رقم 11", "No. 162": a number of a thing named before
            let numbered = (start >= 1
                && ["رقم", "no", "number"].contains(&t.toks[start - 1].lower.as_str()))
            .then(|| start - 1);
            if let Some(k) = numbered {
                unit = Some("number".into());
                counted = (k.saturating_sub(3)..k)
                    .rev()
                    .find_map(|p| counted_word(t, p))
                    .map(str::to_string);
                start = k;
            } else if t.gap(end - 1).starts_with('%') {
                unit = Some("percent".into());
            } else {
                for (ws, u) in &lx.units {
                    if let Some(e) = words_at(t, end, ws) {
                        if t.joined(end - 1, false) {
                            unit = Some(u.to_string());
                            end = e;
                        }
                        break;
                    }
                }
                // "of them": this figure is part of the previous one
                if end < n && t.joined(end - 1, false) {
                    for ws in &lx.of_them {
                        if let Some(e) = words_at(t, end, ws) {
                            if let Some((s, fi)) = last_in_sent {
                                if s == sent || t.toks[i].sent == s + 1 {
                                    of = Some(fi);
                                }
                            }
                            end = e;
                            break;
                        }
                    }
                }
                if end < n && t.joined(end - 1, false) {
                    if let Some(c) = counted_word(t, end) {
                        counted = Some(c.into());
                        end += 1;
                    } else if !t.toks[end].arabic
                        && t.toks[end].cap
                        && !t.toks[end].upper
                        && t.toks[end].lower.len() > 4
                        && t.toks[end].lower.ends_with('s')
                        && !(1900.0..=2100.0).contains(&value)
                    {
                        // a people: "9,000 Palestinians"; victims if the sentence says so
                        let sent_start = t.toks.iter().position(|x| x.sent == sent).unwrap_or(0);
                        let victims = (sent_start..start)
                            .any(|p| lx.victims.iter().any(|ws| words_at(t, p, ws).is_some()));
                        counted = Some(if victims {
                            "killed".into()
                        } else {
                            t.toks[end].lower.clone()
                        });
                        end += 1;
                    } else if t.toks[end].arabic && unit.is_none() {
                        let sent_start = t.toks.iter().position(|x| x.sent == sent).unwrap_or(0);
                        let victims = (sent_start..start)
                            .any(|p| lx.victims.iter().any(|ws| words_at(t, p, ws).is_some()));
                        if victims {
                            counted = Some("killed".into());
                        }
                    }
                }
                // ordinal nouns before a number: الذكرى57, "the 162 Mark"
                if counted.is_none()
                    && unit.is_none()
                    && start >= 1
                    && t.toks[start - 1].sent == sent
                {
                    if let Some(c) = counted_word(t, start - 1).filter(|c| *c == "anniversary") {
                        counted = Some(c.into());
                        unit = Some("ordinal".into());
                        start -= 1;
                    }
                }
                if unit.is_none()
                    && counted.is_none()
                    && tk.lower.len() == 4
                    && (1900.0..=2100.0).contains(&value)
                {
                    unit = Some("year".into());
                }
            }
            // per week: "1,000 children per week", "ألف طفل في الأسبوع"
            for ws in [
                vec!["per".to_string(), "week".to_string()],
                vec!["في".to_string(), "الاسبوع".to_string()],
                vec!["a".to_string(), "week".to_string()],
            ] {
                if let Some(e) = words_at(t, end, &ws) {
                    if t.joined(end - 1, false) {
                        unit = Some("per_week".into());
                        end = e;
                    }
                }
            }
        }
        for u in used.iter_mut().take(end).skip(start) {
            *u = true;
        }
        let fi = out.len();
        out.push(Figure {
            value,
            unit,
            counted,
            hedge,
            span: t.span(start, end),
            of,
        });
        last_in_sent = Some((sent, fi));
        i = end.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::Span;

    fn figs(s: &str) -> Vec<Figure> {
        let t = Text::new(s, &[Span::new(0, s.len())]);
        let mut used = vec![false; t.toks.len()];
        find_figures(&t, &mut used)
    }

    #[test]
    fn arabic_counts_with_parts() {
        let f = figs("هناك 9 آلاف قتيل، 4 آلاف منهم أطفال");
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].value, f[0].counted.as_deref()),
            (9000.0, Some("killed"))
        );
        assert_eq!(
            (f[1].value, f[1].counted.as_deref(), f[1].of),
            (4000.0, Some("children"), Some(0))
        );
        let f = figs("وصلت إلى 400 طن");
        assert_eq!((f[0].value, f[0].unit.as_deref()), (400.0, Some("tonne")));
    }

    #[test]
    fn spaced_thousands_and_model_numbers() {
        let f = figs("أصيب أكثر من 250 000 شخص بكوفيد-19");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].value, f[0].counted.as_deref(), f[0].hedge.as_deref()),
            (250000.0, Some("people"), Some("over"))
        );
    }

    #[test]
    fn english_hedges_and_ordinals() {
        let f = figs(
            "the number of victims reaching over 9,000 Palestinians, almost 4,000 of them children",
        );
        assert_eq!(
            (f[0].value, f[0].hedge.as_deref(), f[0].counted.as_deref()),
            (9000.0, Some("over"), Some("killed"))
        );
        assert_eq!(
            (
                f[1].value,
                f[1].hedge.as_deref(),
                f[1].counted.as_deref(),
                f[1].of
            ),
            (4000.0, Some("almost"), Some("children"), Some(0))
        );
        let f = figs("today the 11th plane took off");
        assert_eq!(
            (f[0].value, f[0].unit.as_deref(), f[0].counted.as_deref()),
            (11.0, Some("ordinal"), Some("plane"))
        );
        let f = figs("beyond Mark No. 162, in 1963");
        assert_eq!(
            (f[0].value, f[0].unit.as_deref(), f[0].counted.as_deref()),
            (162.0, Some("number"), Some("mark"))
        );
        assert_eq!((f[1].value, f[1].unit.as_deref()), (1963.0, Some("year")));
        let f = figs("about 400 tons of medicine");
        assert_eq!(
            (f[0].value, f[0].unit.as_deref(), f[0].hedge.as_deref()),
            (400.0, Some("tonne"), Some("about"))
        );
    }
}
