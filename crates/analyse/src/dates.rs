//! Dates named in the text, absolute or resolved against an anchor (the publication date, or
//! the dateline when the article has none).
//!
//! Forms: ISO and slashed (2023-11-03, 2023/11/04, 04/11/2023 read day/month/year); day + month
//! name [+ year] in Arabic (both month series, paired "نوفمبر/تشرين الثاني", Arabic-Indic
//! digits), English ("3 November 2023") and the other detected languages ("3. Juli 2018", "27 de
//! junio de 2019", "5 мая 2020"); dotted day.month.year ("20.06.2018"); English month + day ("Nov 3", "November 3, 2023");
//! Arabic ordinal day words ("الرابع من حزيران 1967"); weekdays ("يوم الجمعة", "on Friday");
//! relative days ("أمس الخميس", "yesterday", "اليوم"). A day and month without a year, a weekday
//! or a relative day is resolved against the anchor: a weekday to the latest such day on or
//! before the anchor (on or after it when the text is a preview).

use crate::lexicon::lexicon;
use crate::sentences::Text;
use chrono::{Datelike, Duration, NaiveDate};
use khabar_core::{DateRef, DateResolution, Span};

/// The day dates are resolved from, and what it is ("published_at", "dateline").
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The day.
    pub date: NaiveDate,
    /// Where it came from.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Found {
    Abs(NaiveDate),
    DayMonth(u32, u32),
    Weekday(u32),
    Relative(i64),
    /// "أمس الخميس": the weekday wins when the two disagree (the anchor is often the day
    /// after the writing).
    RelativeWeekday(i64, u32),
}

fn readings(t: &Text, i: usize) -> Vec<String> {
    let tk = &t.toks[i];
    if tk.arabic {
        tk.readings.iter().cloned().map(|(r, _)| r).collect()
    } else {
        vec![tk.lower.clone()]
    }
}

fn num(t: &Text, i: usize) -> Option<u32> {
    let tk = t.toks.get(i)?;
    if !tk.number || tk.lower.contains([',', '.']) {
        return None;
    }
    tk.lower.parse().ok()
}

fn year(t: &Text, i: usize) -> Option<i32> {
    let tk = t.toks.get(i)?;
    if tk.lower.len() != 4 {
        return None;
    }
    let y = num(t, i)? as i32;
    (1000..=2200).contains(&y).then_some(y)
}

/// Month name at token `i`: (month, end token).
fn month_at(t: &Text, i: usize) -> Option<(u32, usize)> {
    let lx = lexicon();
    let tk = t.toks.get(i)?;
    if tk.arabic {
        let rs = readings(t, i);
        for (ws, m) in &lx.months_ar {
            if !rs.iter().any(|r| *r == ws[0]) {
                continue;
            }
            if let Some(j) = t.phrase_end(i, &ws[1..]) {
                return Some((*m, j));
            }
        }
        None
    } else {
        // English month names are capitalised ("may" is a verb); the others' often are not.
        let english = tk.cap.then(|| lx.months_en.get(&tk.lower)).flatten();
        let m = *english.or_else(|| lx.months_other.get(&tk.lower))?;
        Some((m, i + 1))
    }
}

fn gap_is(t: &Text, i: usize, seps: &[&str]) -> bool {
    t.toks[i].sent == t.toks.get(i + 1).map(|x| x.sent).unwrap_or(usize::MAX)
        && seps.contains(&t.gap(i))
}

/// A Hijri month name at token `i`: (month, end token).
fn hijri_month_at(t: &Text, i: usize) -> Option<(u32, usize)> {
    let lx = lexicon();
    let tk = t.toks.get(i)?;
    if !tk.arabic {
        return None;
    }
    for (ws, m) in &lx.months_hijri {
        if !tk.readings.iter().any(|(r, _)| *r == ws[0]) {
            continue;
        }
        if let Some(j) = t.phrase_end(i, &ws[1..]) {
            return Some((*m, j));
        }
    }
    None
}

/// The Gregorian day of a Hijri date by the tabular (arithmetic) Islamic calendar; it agrees
/// with Umm al-Qura to within a day.
pub fn hijri_to_gregorian(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) || !(1..=30).contains(&day) || year < 1 {
        return None;
    }
    let (y, m, d) = (year as i64, month as i64, day as i64);
    let jdn = d + (295 * (m - 1) + 9) / 10 + (y - 1) * 354 + (3 + 11 * y) / 30 + 1_948_439;
    NaiveDate::from_num_days_from_ce_opt((jdn - 1_721_425) as i32)
}

/// Day.month.year as one number token ("20.06.2018", "15.2.2018": how German, Russian and
/// Turkish pages write a date; the tokenizer keeps a dotted number whole).
fn dotted_day(t: &Text, i: usize) -> Option<NaiveDate> {
    let tk = t.toks.get(i)?;
    if !tk.number {
        return None;
    }
    let parts: Vec<&str> = tk.lower.split('.').collect();
    let [d, m, y] = parts[..] else {
        return None;
    };
    if d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// An absolute or day-month date starting at token `i`: (found, end token).
fn date_at(t: &Text, i: usize) -> Option<(Found, usize)> {
    let lx = lexicon();
    let n = t.toks.len();
    if let Some(date) = dotted_day(t, i) {
        return Some((Found::Abs(date), i + 1));
    }
    if let Some(a) = num(t, i) {
        // ISO / slashed, year first
        if year(t, i).is_some() && i + 2 < n {
            for sep in ["-", "/", "."] {
                if gap_is(t, i, &[sep]) && gap_is(t, i + 1, &[sep]) {
                    if let (Some(m), Some(d)) = (num(t, i + 1), num(t, i + 2)) {
                        if let Some(date) = NaiveDate::from_ymd_opt(a as i32, m, d) {
                            return Some((Found::Abs(date), i + 3));
                        }
                    }
                }
            }
        }
        // day/month/year
        if a <= 31 && i + 2 < n {
            for sep in ["/", "-", "."] {
                if gap_is(t, i, &[sep]) && gap_is(t, i + 1, &[sep]) {
                    if let (Some(m), Some(y)) = (num(t, i + 1), year(t, i + 2)) {
                        if let Some(date) = NaiveDate::from_ymd_opt(y, m, a) {
                            return Some((Found::Abs(date), i + 3));
                        }
                    }
                }
            }
        }
        // Hijri: day + month + year (1300–1600) [هـ]
        if (1..=30).contains(&a) && i + 2 < n && t.joined(i, false) {
            if let Some((m, j)) = hijri_month_at(t, i + 1) {
                if j < n && t.joined(j - 1, false) {
                    if let Some(y) = year(t, j).filter(|y| (1300..=1600).contains(y)) {
                        let mut e = j + 1;
                        if e < n
                            && t.joined(e - 1, false)
                            && (t.toks[e].lower == "ه" || t.toks[e].lower == "هـ")
                        {
                            e += 1;
                        }
                        if let Some(date) = hijri_to_gregorian(y, m, a) {
                            return Some((Found::Abs(date), e));
                        }
                    }
                }
            }
        }
        // day + month name [/ month name] [year]; "3. Juli", "27 de junio de 2019"
        // The sentence splitter may end a sentence at "3." (an ordinal day, not a full stop).
        let dotted = i + 1 < n && t.gap(i) == ". ";
        let mut first = i + 1;
        if first + 1 < n && t.joined(i, false) && t.toks[first].lower == "de" {
            first += 1;
        }
        if (1..=31).contains(&a) && first < n && (t.joined(first - 1, false) || dotted) {
            if let Some((m, mut j)) = month_at(t, first) {
                if j < n && gap_is(t, j - 1, &["/", " / ", "-", " - "]) {
                    if let Some((_, j2)) = month_at(t, j) {
                        j = j2;
                    }
                }
                let mut k = j;
                if k + 1 < n && t.joined(k - 1, false) && t.toks[k].lower == "de" {
                    k += 1;
                }
                if k < n && (t.joined(k - 1, false) || gap_is(t, k - 1, &[", ", ","])) {
                    if let Some(y) = year(t, k) {
                        k += 1;
                        if let Some(date) = NaiveDate::from_ymd_opt(y, m, a) {
                            return Some((Found::Abs(date), k));
                        }
                    }
                }
                return Some((Found::DayMonth(a, m), j));
            }
        }
        return None;
    }
    // English month first: Nov 3, November 3, 2023
    if let Some((m, j)) = month_at(t, i) {
        if !t.toks[i].arabic && j < n && (t.joined(j - 1, false) || gap_is(t, j - 1, &[". "])) {
            if let Some(d) =
                num(t, j).filter(|d| (1..=31).contains(d) && t.toks[j].lower.len() <= 2)
            {
                if j + 1 < n && gap_is(t, j, &[", ", " "]) {
                    if let Some(y) = year(t, j + 1) {
                        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                            return Some((Found::Abs(date), j + 2));
                        }
                    }
                }
                return Some((Found::DayMonth(d, m), j + 1));
            }
        }
        return None;
    }
    // Arabic ordinal day: الرابع من حزيران 1967
    if t.toks[i].arabic {
        let rs = readings(t, i);
        if let Some(d) = rs.iter().find_map(|r| lx.ordinals.get(r)) {
            if i + 2 < n
                && t.toks[i + 1].lower == "من"
                && t.joined(i, false)
                && t.joined(i + 1, false)
            {
                if let Some((m, j)) = month_at(t, i + 2) {
                    if j < n && t.joined(j - 1, false) {
                        if let Some(y) = year(t, j) {
                            if let Some(date) = NaiveDate::from_ymd_opt(y, m, *d) {
                                return Some((Found::Abs(date), j + 1));
                            }
                        }
                    }
                    return Some((Found::DayMonth(*d, m), j));
                }
            }
        }
    }
    None
}

fn weekday_at(t: &Text, i: usize) -> Option<u32> {
    let lx = lexicon();
    let tk = t.toks.get(i)?;
    if !tk.arabic && !tk.cap {
        return None;
    }
    readings(t, i)
        .iter()
        .find_map(|r| lx.weekdays.get(r).copied())
}

fn relative_at(t: &Text, i: usize) -> Option<(i64, usize)> {
    let lx = lexicon();
    let rs = readings(t, i);
    for (ws, off) in &lx.relative {
        if !rs.iter().any(|r| *r == ws[0]) {
            continue;
        }
        if let Some(j) = t.phrase_end(i, &ws[1..]) {
            return Some((*off, j));
        }
    }
    None
}

/// Finds the dates of a text. `blocked` marks tokens that belong to names ("روسيا اليوم");
/// tokens used by a date are marked in `used`.
pub fn find_dates(
    t: &Text,
    anchor: Option<&Anchor>,
    preview: bool,
    blocked: &[bool],
    used: &mut [bool],
) -> Vec<DateRef> {
    let n = t.toks.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if blocked[i] || used[i] {
            i += 1;
            continue;
        }
        let start = i;
        let mut found: Option<(Found, usize)> = None;
        // relative day, maybe followed by a weekday and a date
        if let Some((off, j)) = relative_at(t, i) {
            // "روسيا اليوم" and other names ending in a relative word are not dates
            let named = i > 0 && t.joined(i - 1, false) && blocked[i - 1];
            if !named {
                found = Some((Found::Relative(off), j));
                let mut k = j;
                if k < n && t.joined(k - 1, false) {
                    if let Some(wd) = weekday_at(t, k) {
                        k += 1;
                        found = Some((Found::RelativeWeekday(off, wd), k));
                    }
                }
                if k < n && t.joined(k - 1, false) {
                    if let Some((Found::Abs(d), e)) = date_at(t, k) {
                        found = Some((Found::Abs(d), e));
                    }
                }
            }
        } else if let Some(wd) = weekday_at(t, i) {
            let mut k = i + 1;
            found = Some((Found::Weekday(wd), k));
            if k < n && (t.joined(k - 1, false) || gap_is(t, k - 1, &[", ", "، "])) {
                if let Some((f, e)) = date_at(t, k) {
                    found = Some((f, e));
                    k = e;
                }
            }
            let _ = k;
        } else if let Some(f) = date_at(t, i) {
            found = Some(f);
        }
        let Some((f, end)) = found else {
            i += 1;
            continue;
        };
        // include a preceding يوم ("يوم الجمعة")
        let mut s = start;
        if s > 0
            && t.joined(s - 1, false)
            && readings(t, s - 1).iter().any(|r| r == "يوم")
            && !used[s - 1]
        {
            s -= 1;
        }
        // the span starts after a proclitic (وأمس → أمس)
        let cut = if t.toks[s].arabic {
            let lx = lexicon();
            t.toks[s]
                .readings
                .iter()
                .find(|(r, _)| {
                    r == "يوم"
                        || lx.weekdays.contains_key(r)
                        || lx.ordinals.contains_key(r)
                        || lx.relative.iter().any(|(ws, _)| ws[0] == *r)
                        || lx.months_ar.iter().any(|(ws, _)| ws[0] == *r)
                })
                .map(|(_, c)| *c)
                .unwrap_or(0)
        } else {
            0
        };
        let span = t.span_bytes(t.toks[s].s + cut, t.toks[end - 1].e);
        let resolved = |date: NaiveDate, a: &Anchor| DateRef {
            date,
            span,
            resolution: DateResolution::Resolved {
                anchor: a.date,
                anchor_source: a.source.clone(),
            },
        };
        let r = match (f, anchor) {
            (Found::Abs(d), _) => Some(DateRef {
                date: d,
                span,
                resolution: DateResolution::Absolute,
            }),
            (Found::DayMonth(d, m), Some(a)) => {
                let mut y = a.date.year();
                let mut date = NaiveDate::from_ymd_opt(y, m, d);
                if let Some(dt) = date {
                    if !preview && dt > a.date + Duration::days(31) {
                        y -= 1;
                        date = NaiveDate::from_ymd_opt(y, m, d);
                    }
                }
                date.map(|dt| resolved(dt, a))
            }
            (Found::Weekday(wd), Some(a)) => {
                let cur = a.date.weekday().num_days_from_monday() as i64;
                let wd = wd as i64;
                let delta = if preview {
                    (wd - cur).rem_euclid(7)
                } else {
                    -((cur - wd).rem_euclid(7))
                };
                Some(resolved(a.date + Duration::days(delta), a))
            }
            (Found::Relative(off), Some(a)) => Some(resolved(a.date + Duration::days(off), a)),
            (Found::RelativeWeekday(off, wd), Some(a)) => {
                let day = a.date + Duration::days(off);
                let cur = day.weekday().num_days_from_monday() as i64;
                let back = (cur - wd as i64).rem_euclid(7);
                Some(resolved(day - Duration::days(back), a))
            }
            _ => None,
        };
        for u in used.iter_mut().take(end).skip(s) {
            *u = true;
        }
        if let Some(r) = r {
            out.push(r);
        }
        i = end.max(i + 1);
    }
    out
}

/// The date a dateline line gives ("في 2023/11/04", "٠٣ نوفمبر ٢٠٢٣", "Nov 3, 2023"): only when
/// the line is a date with at most a few words around it.
pub fn dateline_date(line: &str) -> Option<NaiveDate> {
    let t = Text::new(line, &[Span::new(0, line.len())]);
    if t.toks.is_empty() || t.toks.len() > 8 {
        return None;
    }
    let blocked = vec![false; t.toks.len()];
    let mut used = vec![false; t.toks.len()];
    let dates = find_dates(&t, None, false, &blocked, &mut used);
    let d = dates
        .iter()
        .find(|d| d.resolution == DateResolution::Absolute)?;
    let rest = used.iter().filter(|u| !**u).count();
    (rest <= 3).then_some(d.date)
}

/// The first absolute date in a short text (an inline dateline).
pub fn first_absolute(s: &str) -> Option<(NaiveDate, Span)> {
    let t = Text::new(s, &[Span::new(0, s.len())]);
    let blocked = vec![false; t.toks.len()];
    let mut used = vec![false; t.toks.len()];
    find_dates(&t, None, false, &blocked, &mut used)
        .into_iter()
        .find(|d| d.resolution == DateResolution::Absolute)
        .map(|d| (d.date, d.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str, anchor: Option<NaiveDate>) -> Vec<(NaiveDate, String, bool)> {
        let t = Text::new(s, &[Span::new(0, s.len())]);
        let blocked = vec![false; t.toks.len()];
        let mut used = vec![false; t.toks.len()];
        let a = anchor.map(|d| Anchor {
            date: d,
            source: "published_at".into(),
        });
        find_dates(&t, a.as_ref(), false, &blocked, &mut used)
            .into_iter()
            .map(|d| {
                (
                    d.date,
                    d.span.slice(s).to_string(),
                    d.resolution == DateResolution::Absolute,
                )
            })
            .collect()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn month_names_of_the_other_detected_languages() {
        for (text, want) in [
            ("Schengen, 3. Juli 2018", ymd(2018, 7, 3)),
            ("jeudi 27 juin 2019", ymd(2019, 6, 27)),
            ("el 27 de junio de 2019", ymd(2019, 6, 27)),
            ("5 мая 2020 года", ymd(2020, 5, 5)),
            ("12 maggio 2021", ymd(2021, 5, 12)),
        ] {
            assert_eq!(run(text, None).first().map(|d| d.0), Some(want), "{text}");
        }
        // An English "may" without a capital is a verb, as before.
        assert!(run("3 may 2020", None).is_empty());
    }

    #[test]
    fn dotted_day_month_year() {
        assert_eq!(run("am 20.06.2018", None)[0].0, ymd(2018, 6, 20));
        assert_eq!(
            run("Donnerstag, 15.2.2018, 19:51", None)[0].0,
            ymd(2018, 2, 15)
        );
        assert!(run("um 2.5 Prozent", None).is_empty());
        assert!(run("Version 1.2.3", None).is_empty());
    }

    #[test]
    fn absolute_forms() {
        assert_eq!(
            run("في 2023/11/04", None),
            vec![(ymd(2023, 11, 4), "2023/11/04".into(), true)]
        );
        assert_eq!(run("٠٣ نوفمبر ٢٠٢٣", None)[0].0, ymd(2023, 11, 3));
        let r = run("وذلك اليوم الجمعة 3 نوفمبر/تشرين الثاني 2023.", None);
        assert_eq!(
            r,
            vec![(
                ymd(2023, 11, 3),
                "اليوم الجمعة 3 نوفمبر/تشرين الثاني 2023".into(),
                true
            )]
        );
        assert_eq!(run("date 2023-11-03 (MENAFN)", None)[0].0, ymd(2023, 11, 3));
        assert_eq!(
            run("on November 3, 2023 they met", None)[0].0,
            ymd(2023, 11, 3)
        );
        assert_eq!(
            run("on 3 November 2023 they met", None)[0].0,
            ymd(2023, 11, 3)
        );
        assert_eq!(
            run("على خطوط الرابع من حزيران ١٩٦٧", None)[0].0,
            ymd(1967, 6, 4)
        );
        assert_eq!(run("في 15 آب 2021", None)[0].0, ymd(2021, 8, 15));
        // Hijri, tabular calendar (Umm al-Qura: 20 Rabi' II 1445 = 4 November 2023)
        assert_eq!(
            run("الموافق 20 ربيع الثاني 1445 هـ", None)[0].0,
            ymd(2023, 11, 4)
        );
        assert_eq!(run("غرة 1 رمضان 1444", None)[0].0, ymd(2023, 3, 23));
    }

    #[test]
    fn resolved_forms() {
        let a = Some(ymd(2023, 11, 4)); // a Saturday
        assert_eq!(run("في موسكو، الجمعة، بحسب", a)[0].0, ymd(2023, 11, 3));
        // the anchor (a Saturday dateline) is a day after the writing: Thursday wins
        assert_eq!(
            run("وأمس الخميس، قالت", a),
            vec![(ymd(2023, 11, 2), "أمس الخميس".into(), false)]
        );
        assert_eq!(run("أمس الجمعة", a)[0].0, ymd(2023, 11, 3));
        assert_eq!(
            run("يوم الأربعاء، أن", a)[0],
            (ymd(2023, 11, 1), "يوم الأربعاء".into(), false)
        );
        assert_eq!(
            run("التي اندلعت في 7 أكتوبر الماضي", a)[0].0,
            ymd(2023, 10, 7)
        );
        assert_eq!(run("MOSCOW, Nov 3 (KUNA)", a)[0].0, ymd(2023, 11, 3));
        assert_eq!(
            run("held talks in Moscow on Friday.", a)[0].0,
            ymd(2023, 11, 3)
        );
        assert_eq!(run("They met yesterday", a)[0].0, ymd(2023, 11, 3));
        // no anchor: relative dates are left out
        assert!(run("held talks on Friday", None).is_empty());
        // "may" is not a month
        assert!(run("it may 3 times", a).is_empty());
    }

    #[test]
    fn datelines() {
        assert_eq!(dateline_date("في 2023/11/04"), Some(ymd(2023, 11, 4)));
        assert_eq!(dateline_date("٠٣ نوفمبر ٢٠٢٣"), Some(ymd(2023, 11, 3)));
        assert_eq!(
            dateline_date("دعا وزير خارجية الكويت الشيخ سالم إلى وقف الحرب في 3 نوفمبر 2023"),
            None
        );
    }
}
