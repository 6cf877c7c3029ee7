//! Boilerplate removal for plain-text bodies: every removed stretch is recorded with a reason,
//! never silently dropped, and the body itself is never changed (spans point into it).
//!
//! Reasons: `share-prompt` ("شاركها.", "Exit mobile version"), `copyright` ("© 2024 … جميع
//! الحقوق محفوظة"), `breadcrumb` ("علاقات » روسي"), `photo-credit` ("الصورة: …"),
//! `source-credit` ("المصدر: تاس"), `language-switcher` ("Ru En"), `dateline` (a line that is a
//! date, or an agency dateline before "--"; its date is kept), `byline` ("متابعات-"),
//! `end-marker` ("(end)"), `signature` (a one-word last line such as the outlet's name).

use crate::data;
use crate::dates;
use crate::limits::{self, MAX_LINES};
use crate::normalise::fold;
use chrono::NaiveDate;
use khabar_core::{Removed, Span, Truncated};

/// What cleaning found.
#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    /// Removed stretches with reasons.
    pub removed: Vec<Removed>,
    /// The paragraphs (lines) that remain, trimmed.
    pub kept: Vec<Span>,
    /// The first dateline's date and where it is.
    pub dateline: Option<(NaiveDate, Span)>,
    /// Set when the body has more than [`MAX_LINES`] non-empty lines: the lines from there on
    /// are neither cleaned nor kept.
    pub truncated: Option<Truncated>,
}

fn line_reason(f: &str, words: usize) -> Option<&'static str> {
    let bare = f.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ':' | '!' | '|' | '-' | '•')
    });
    if data::SHARE_LINES.iter().any(|s| fold(s) == bare) {
        return Some("share-prompt");
    }
    if f.chars().count() < 200 && data::COPYRIGHT_MARKS.iter().any(|m| f.contains(&fold(m))) {
        return Some("copyright");
    }
    if data::PHOTO_CREDIT_PREFIXES
        .iter()
        .any(|p| f.starts_with(&fold(p)))
    {
        return Some("photo-credit");
    }
    if data::SOURCE_CREDIT_PREFIXES
        .iter()
        .any(|p| f.starts_with(&fold(p)))
    {
        return Some("source-credit");
    }
    if data::END_MARKERS.iter().any(|m| fold(m) == bare) {
        return Some("end-marker");
    }
    if words <= 8
        && (f.contains('»') || f.contains('›') || f.contains(" > "))
        && !f.contains(['.', '،', '؟'])
    {
        return Some("breadcrumb");
    }
    let ws: Vec<&str> = f.split_whitespace().collect();
    if !ws.is_empty() && ws.len() <= 6 && ws.iter().all(|w| data::LANGUAGE_SWITCH_WORDS.contains(w))
    {
        return Some("language-switcher");
    }
    if words <= 3 && (f.trim_end().ends_with('-') || f.trim_end().ends_with('–')) {
        return Some("byline");
    }
    None
}

/// Cleans a plain-text body.
pub fn clean(body: &str) -> Cleaned {
    let mut out = Cleaned::default();
    let mut lines: Vec<Span> = Vec::new();
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        let raw = line.trim_end_matches(['\n', '\r']);
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            if lines.len() == MAX_LINES {
                out.truncated = Some(limits::truncated(
                    "lines",
                    MAX_LINES,
                    pos + lead,
                    body.len(),
                ));
                break;
            }
            lines.push(Span::new(pos + lead, pos + lead + trimmed.len()));
        }
        pos += line.len();
    }
    // past the bound the last line seen is not the body's last: no signature there
    let content_lines = if out.truncated.is_some() {
        usize::MAX
    } else {
        lines.len()
    };
    for (li, &span) in lines.iter().enumerate() {
        let text = span.slice(body);
        let f = fold(text);
        let words = f.split_whitespace().count();
        if let Some(reason) = line_reason(&f, words) {
            out.removed.push(Removed {
                span,
                reason: reason.into(),
            });
            continue;
        }
        if words <= 8 {
            if let Some(d) = dates::dateline_date(text) {
                out.removed.push(Removed {
                    span,
                    reason: "dateline".into(),
                });
                if out.dateline.is_none() {
                    out.dateline = Some((d, span));
                }
                continue;
            }
        }
        if li + 1 == content_lines
            && content_lines >= 3
            && words == 1
            && !text.contains(['.', '!', '?', '؟', '"'])
        {
            out.removed.push(Removed {
                span,
                reason: "signature".into(),
            });
            continue;
        }
        let mut kept = span;
        // an agency dateline before "--" on the first content line: "MOSCOW, Nov 3 (KUNA) --"
        if out.kept.is_empty() {
            if let Some(cut) = text
                .find(" -- ")
                .or_else(|| text.find(" — "))
                .filter(|c| *c < 200)
            {
                let head = &text[..cut];
                let agency = head.contains('(')
                    || head
                        .split_whitespace()
                        .any(|w| w.len() > 2 && w.chars().all(|c| c.is_uppercase() || c == ','));
                if agency {
                    let sep = if text[cut..].starts_with(" -- ") {
                        4
                    } else {
                        " — ".len()
                    };
                    let removed = Span::new(span.start, span.start + cut + sep);
                    out.removed.push(Removed {
                        span: removed,
                        reason: "dateline".into(),
                    });
                    if out.dateline.is_none() {
                        if let Some((d, _)) = dates::first_absolute(head) {
                            out.dateline = Some((d, removed));
                        }
                    }
                    kept = Span::new(removed.end, span.end);
                }
            }
        }
        // an end marker at the end of the last paragraph: "... to Russia. (end)"
        let kt = kept.slice(body);
        let kf = kt.to_lowercase();
        for m in data::END_MARKERS.iter().filter(|m| m.starts_with('(')) {
            if kf.ends_with(m) && kt.len() > m.len() {
                let cut = kept.end - m.len();
                out.removed.push(Removed {
                    span: Span::new(cut, kept.end),
                    reason: "end-marker".into(),
                });
                let t = Span::new(kept.start, cut).slice(body);
                kept = Span::new(kept.start, kept.start + t.trim_end().len());
                break;
            }
        }
        if !kept.is_empty() {
            out.kept.push(kept);
        }
    }
    out.removed.sort_by_key(|r| r.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(body: &str) -> Vec<(String, String)> {
        clean(body)
            .removed
            .into_iter()
            .map(|r| (r.reason, r.span.slice(body).to_string()))
            .collect()
    }

    #[test]
    fn removes_and_records_boilerplate() {
        let body = "علاقات » روسي\n\nعنوان الخبر هنا\n\nفي 2023/11/04\n\nمتابعات- \n\nنص الخبر الأول. ونص آخر.\n\nالصورة: وزارة الخارجية الروسية\n\nالمصدر: تاس\n\nشاركها.\n© 2024 خليجي 247. جميع الحقوق محفوظة.\nExit mobile version";
        let r = reasons(body);
        let kinds: Vec<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "breadcrumb",
                "dateline",
                "byline",
                "photo-credit",
                "source-credit",
                "share-prompt",
                "copyright",
                "share-prompt"
            ]
        );
        let c = clean(body);
        assert_eq!(
            c.dateline.unwrap().0,
            NaiveDate::from_ymd_opt(2023, 11, 4).unwrap()
        );
        assert_eq!(c.kept.len(), 2);
    }

    #[test]
    fn lines_past_the_bound_are_recorded_as_truncated_not_cleaned() {
        let body = "A line of text.\n".repeat(MAX_LINES + 5);
        let c = clean(&body);
        assert_eq!(c.kept.len(), MAX_LINES);
        let t = c.truncated.expect("the bound is recorded");
        assert_eq!((t.bound.as_str(), t.limit), ("lines", MAX_LINES));
        assert_eq!(t.span, Span::new(16 * MAX_LINES, body.len()));
        assert!(clean("One line.\nTwo lines.").truncated.is_none());
    }

    #[test]
    fn language_switcher_and_agency_dateline() {
        let body = "Ru En\n\nHeadline\n";
        assert_eq!(reasons(body)[0].0, "language-switcher");
        let body = " date 2023-11-03 (MENAFN- Kuwait News Agency (KUNA)) MOSCOW, Nov 3 (KUNA) -- Kuwait's minister met Lavrov.\n\nMore text here. (end)\n";
        let c = clean(body);
        assert_eq!(
            c.dateline.unwrap().0,
            NaiveDate::from_ymd_opt(2023, 11, 3).unwrap()
        );
        assert_eq!(c.kept[0].slice(body), "Kuwait's minister met Lavrov.");
        assert_eq!(c.kept[1].slice(body), "More text here.");
        assert_eq!(c.removed.last().unwrap().reason, "end-marker");
    }
}
