//! Entity mentions with language-independent ids: countries, their adjectives and demonyms,
//! places, organisations (from the [`Gazetteer`]) and people (found through titles, roles and
//! honorifics, linked across scripts by their consonant skeleton).
//!
//! People. A title ("وزير الخارجية الكويتي", "Russian Foreign Minister", "Kuwait's foreign
//! minister", "نظيره الروسي", "counterpart") gives a role and usually a country; the words that
//! follow (after honorifics such as الشيخ / Sheikh) are the name. The person id is
//! `person:` + the consonant skeleton of the family name (the last word) + `.` + the first
//! consonant of the given name (the first word; it only tells relatives apart, and survives
//! transliteration where the rest of a given name may not: Benjamin/بنيامين): سيرغي لافروف and
//! Sergei Lavrov are both `person:lfrf.s`,
//! سالم عبد الله الجابر الصباح and Salem Abdullah Jaber Al-Sabah both `person:sbh.s`. A
//! one-word name gets `person:` + its skeleton. Inside one text, later mentions are linked to the
//! person already named: by family name alone (لافروف, "Lavrov", الصباح), by a run of name words
//! (العبد الله ⊂ سالم عبد الله الصباح), by honorific + given name (الشيخ سالم, "Sheikh Salem"),
//! and by role (a later "وزير الخارجية الكويتي" or "the Kuwaiti minister" is the person who holds
//! that role). Use [`person_ids_compatible`] to compare ids from texts that name a person more
//! or less fully.

use crate::gazetteer::{CaseRule, EntryKind, Gazetteer, Hit, NameForm};
use crate::lexicon::lexicon;
use crate::limits::{self, MAX_PEOPLE};
use crate::normalise::strip_article;
use crate::sentences::Text;
use khabar_core::{EntityKind, Mention, Span, Truncated};

/// A gazetteer match over tokens `a..b`.
#[derive(Debug, Clone, Copy)]
pub struct GzMatch {
    /// First token.
    pub a: usize,
    /// One past the last token.
    pub b: usize,
    /// Bytes of proclitics cut from the first token.
    pub cut: usize,
    /// What it names.
    pub hit: Hit,
}

fn after_place_noun(t: &Text, i: usize) -> bool {
    i > 0 && t.joined(i - 1, false) && {
        let w = &t.toks[i - 1].lower;
        let nouns = &lexicon().place_nouns;
        nouns.contains(w)
            || t.toks[i - 1]
                .readings
                .iter()
                .any(|(r, _)| nouns.contains(r))
    }
}

/// A headline in title case ("Minister Says Talks Were Useful"): capitals tell nothing there.
fn title_case_sentence(t: &Text, sent: usize) -> bool {
    let words: Vec<&crate::sentences::Tok> = t
        .toks
        .iter()
        .filter(|x| x.sent == sent && !x.number && !x.arabic)
        .collect();
    let caps = words.iter().filter(|x| x.cap).count();
    words.len() >= 3 && caps * 10 >= words.len() * 6
}

/// English honorifics before a family name ("Mr Smith").
const FAMILY_HONORIFICS: &[&str] = &["mr", "mrs", "ms", "dr", "senator", "sen", "rep", "gov"];

const LOWER_INSIDE: &[&str] = &["of", "the", "and", "for", "de", "du", "des", "al"];

fn case_ok(t: &Text, a: usize, b: usize, rule: CaseRule) -> bool {
    match rule {
        CaseRule::Any => true,
        CaseRule::Upper => (a..b).all(|i| t.toks[i].upper || t.toks[i].number),
        CaseRule::Capitalised => (a..b).enumerate().all(|(k, i)| {
            let tk = &t.toks[i];
            tk.cap || tk.number || (k > 0 && LOWER_INSIDE.contains(&tk.lower.as_str()))
        }),
    }
}

/// All gazetteer matches, longest first at each position, non-overlapping, in a text of language
/// `lang` (names the gazetteer has in one language only match in texts of it: [`Hit::langs`]).
///
/// [`Hit::langs`]: crate::gazetteer::Hit::langs
pub fn gazetteer_matches(gz: &Gazetteer, t: &Text, lang: &str) -> Vec<GzMatch> {
    let mut out = Vec::new();
    let n = t.toks.len();
    let mut i = 0;
    while i < n {
        let tk = &t.toks[i];
        if tk.number {
            i += 1;
            continue;
        }
        let readings: Vec<(String, usize)> = if tk.arabic {
            tk.readings
                .iter()
                .map(|(w, c)| (crate::gazetteer::word_key(w).to_string(), *c))
                .collect()
        } else {
            vec![(tk.lower.clone(), 0)]
        };
        let mut best: Option<GzMatch> = None;
        for (r, cut) in readings {
            let mut key = r;
            let mut j = i + 1;
            loop {
                match gz.lookup_prefix(&key) {
                    None => break,
                    Some(Some(hit)) => {
                        let better = best.is_none_or(|b| j > b.b);
                        if better
                            && hit.in_language(lang)
                            && case_ok(t, i, j, hit.case)
                            && (!hit.weak || after_place_noun(t, i))
                        {
                            best = Some(GzMatch {
                                a: i,
                                b: j,
                                cut,
                                hit,
                            });
                        }
                    }
                    Some(None) => {}
                }
                let initials = t.gap(j - 1) == "."
                    && t.toks[j - 1].upper
                    && t.toks[j - 1].lower.chars().count() == 1
                    && t.toks[j - 1].sent == t.toks.get(j).map_or(usize::MAX, |x| x.sent);
                if j >= n || !(t.joined(j - 1, true) || initials) || j - i >= gz.max_words {
                    break;
                }
                key.push(' ');
                key.push_str(crate::gazetteer::word_key(&t.toks[j].lower));
                j += 1;
            }
            if best.is_some() {
                break;
            }
        }
        // English "Al-Arish": an article prefix joined by a hyphen
        if best.is_none()
            && !tk.arabic
            && (tk.lower == "al" || tk.lower == "el")
            && t.gap(i).trim() == "-"
        {
            if let Some(h) = gz
                .lookup_prefix(
                    &t.toks
                        .get(i + 1)
                        .map(|x| x.lower.clone())
                        .unwrap_or_default(),
                )
                .flatten()
            {
                if h.form == NameForm::Name && t.toks[i + 1].cap && h.in_language(lang) {
                    best = Some(GzMatch {
                        a: i,
                        b: i + 2,
                        cut: 0,
                        hit: h,
                    });
                }
            }
        }
        match best {
            Some(m) => {
                out.push(m);
                i = m.b;
            }
            None => i += 1,
        }
    }
    out
}

/// The consonant skeleton of a word in either script: the consonants mapped to a shared Latin
/// alphabet (ج/غ/g/j → j, ق/ك/خ/q/k/kh → k, ث/ت/ط/th → t, ش/س/ص/sh/ch → s, ذ/ز/ظ → z, ف/v/ph → f,
/// ب/p → b, ح/ه/h → h), vowels and the weak letters ا و ي ع ء dropped, doubled letters collapsed.
pub fn skeleton(word: &str) -> String {
    let w = word.to_lowercase();
    let cs: Vec<char> = w.chars().collect();
    let mut out = String::new();
    let mut k = 0;
    while k < cs.len() {
        let c = cs[k];
        let next = cs.get(k + 1).copied();
        let (m, step) = match (c, next) {
            ('s', Some('h')) | ('c', Some('h')) => (Some('s'), 2),
            ('k', Some('h')) => (Some('k'), 2),
            ('t', Some('h')) => (Some('t'), 2),
            ('d', Some('h')) => (Some('d'), 2),
            ('g', Some('h')) => (Some('j'), 2),
            ('p', Some('h')) => (Some('f'), 2),
            ('b' | 'p', _) => (Some('b'), 1),
            ('t', _) => (Some('t'), 1),
            ('d', _) => (Some('d'), 1),
            ('j' | 'g', _) => (Some('j'), 1),
            ('k' | 'q' | 'c', _) => (Some('k'), 1),
            ('x', _) => (Some('k'), 1),
            ('f' | 'v', _) => (Some('f'), 1),
            ('s', _) => (Some('s'), 1),
            ('z', _) => (Some('z'), 1),
            ('r', _) => (Some('r'), 1),
            ('l', _) => (Some('l'), 1),
            ('m', _) => (Some('m'), 1),
            ('n', _) => (Some('n'), 1),
            ('h', _) => (Some('h'), 1),
            ('ب', _) => (Some('b'), 1),
            ('ت' | 'ث' | 'ط', _) => (Some('t'), 1),
            ('ج' | 'غ', _) => (Some('j'), 1),
            ('ح' | 'ه', _) => (Some('h'), 1),
            ('خ' | 'ق' | 'ك', _) => (Some('k'), 1),
            ('د' | 'ض', _) => (Some('d'), 1),
            ('ذ' | 'ز' | 'ظ', _) => (Some('z'), 1),
            ('ر', _) => (Some('r'), 1),
            ('س' | 'ش' | 'ص', _) => (Some('s'), 1),
            ('ف', _) => (Some('f'), 1),
            ('ل', _) => (Some('l'), 1),
            ('م', _) => (Some('m'), 1),
            ('ن', _) => (Some('n'), 1),
            _ => (None, 1),
        };
        if let Some(m) = m {
            if !out.ends_with(m) {
                out.push(m);
            }
        }
        k += step;
    }
    out
}

/// True when two person ids can name the same person: equal, or one names only the family
/// (`person:lfrf`) and the other the family and given name (`person:lfrf.s`).
pub fn person_ids_compatible(a: &str, b: &str) -> bool {
    let fa = a.split('.').next().unwrap_or(a);
    let fb = b.split('.').next().unwrap_or(b);
    a == b || (fa == fb && (!a.contains('.') || !b.contains('.')))
}

/// One word of a person's name.
#[derive(Debug, Clone, PartialEq)]
struct NameWord {
    /// Folded form (Arabic without article; compounds عبد/أبو joined).
    form: String,
    /// Folded form as written (Arabic with article).
    written: String,
    skel: String,
}

#[derive(Debug, Clone)]
struct Person {
    words: Vec<NameWord>,
    id: String,
    roles: Vec<String>,
    last_seen: usize,
}

fn name_words(t: &Text, a: usize, b: usize) -> Vec<NameWord> {
    let lx = lexicon();
    let mut out: Vec<NameWord> = Vec::new();
    let mut k = a;
    while k < b {
        let tk = &t.toks[k];
        let mut written = tk.lower.clone();
        if tk.arabic {
            // a leading conjunction/preposition on the first word was already excluded by the
            // caller; fold the article
            let mut form = if written == "الله" {
                written.clone()
            } else {
                strip_article(&written).to_string()
            };
            // "آل نهيان": the family particle is not a name word
            if form == "ال" {
                k += 1;
                continue;
            }
            // compounds: عبد الله، أبو مازن، نصر الله
            let next_is_allah = t.toks.get(k + 1).is_some_and(|x| x.lower == "الله");
            if ((form == "عبد" || form == "ابو") || next_is_allah) && k + 1 < b {
                let next = &t.toks[k + 1].lower;
                form = format!("{form}{next}");
                written = format!("{written} {next}");
                k += 1;
            }
            let skel = skeleton(&form);
            out.push(NameWord {
                form,
                written,
                skel,
            });
        } else {
            if lx.particles.contains(&written) && (written == "al" || written == "el") && k + 1 < b
            {
                k += 1;
                continue;
            }
            if (written == "abu" || written == "abd") && k + 1 < b {
                let next = t.toks[k + 1].lower.clone();
                let form = format!("{written}{next}");
                out.push(NameWord {
                    skel: skeleton(&form),
                    written: form.clone(),
                    form,
                });
                k += 2;
                continue;
            }
            if lx.particles.contains(&written) {
                k += 1;
                continue;
            }
            out.push(NameWord {
                skel: skeleton(&written),
                form: written.clone(),
                written,
            });
        }
        k += 1;
    }
    out
}

fn is_regnal(w: &NameWord) -> bool {
    lexicon().ordinals.contains_key(&w.written)
        || ["ii", "iii", "iv", "vi"].contains(&w.written.as_str())
}

fn word_key_of(w: &NameWord) -> &str {
    if w.skel.is_empty() {
        &w.form
    } else {
        &w.skel
    }
}

fn person_id(words: &[NameWord]) -> String {
    // "عبدالله الثاني", "Abdullah II": the regnal number is not a family name
    let words: Vec<&NameWord> = words.iter().filter(|w| !is_regnal(w)).collect();
    match words.len() {
        0 => "person:unknown".into(),
        1 => format!("person:{}", word_key_of(words[0])),
        n => {
            // the given name only tells relatives apart: its first consonant is enough and
            // survives transliteration (Benjamin/بنيامين, Recep/رجب differ further on)
            let given = word_key_of(words[0]);
            let initial: String = given.chars().take(1).collect();
            format!("person:{}.{}", word_key_of(words[n - 1]), initial)
        }
    }
}

fn is_subsequence(short: &[NameWord], long: &[NameWord]) -> bool {
    let mut it = long.iter();
    short
        .iter()
        .all(|w| it.any(|l| word_key_of(l) == word_key_of(w)))
}

fn same_person(a: &[NameWord], b: &[NameWord]) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if !is_subsequence(short, long) {
        return false;
    }
    if short.len() >= 2 {
        word_key_of(&short[0]) == word_key_of(&long[0])
    } else {
        // one word: the family name, or a non-initial word of a longer name
        long.len() == 1 || word_key_of(&short[0]) != word_key_of(&long[0])
    }
}

fn is_title_word(w: &str) -> bool {
    let lx = lexicon();
    lx.titles.iter().any(|(ws, _)| ws[0] == w) || lx.counterpart.contains(w)
}

/// Finds the entity mentions of a text.
///
/// `Mention.name` is a display name in the text's script: for a person, the fullest form of
/// the name this text gives (also on mentions by role or family name alone); for an adjective
/// or demonym, the entity's own short name (الكويتي → الكويت, Russian → Russia); otherwise the
/// words of the mention. `body` is the text `t` was made from, `lang` its language (ISO 639-1).
pub fn find_mentions(
    gz: &Gazetteer,
    t: &Text,
    body: &str,
    lang: &str,
) -> (Vec<Mention>, Option<Truncated>) {
    let lx = lexicon();
    let n = t.toks.len();
    let gms = gazetteer_matches(gz, t, lang);
    let mut gz_start: Vec<Option<usize>> = vec![None; n];
    let mut gz_end: Vec<Option<usize>> = vec![None; n + 1];
    let mut in_gz = vec![false; n];
    // tokens of countries and organisations: never part of a person's name (places may be:
    // سالم, Salem)
    let mut hard_gz = vec![false; n];
    for (k, m) in gms.iter().enumerate() {
        gz_start[m.a] = Some(k);
        gz_end[m.b] = Some(k);
        let hard = gz.entry(m.hit).kind != EntryKind::Place;
        for t in m.a..m.b {
            in_gz[t] = true;
            hard_gz[t] = hard;
        }
    }
    let mut mentions: Vec<Mention> = Vec::new();
    for m in &gms {
        let e = gz.entry(m.hit);
        let kind = match e.kind {
            EntryKind::Country => EntityKind::Country,
            EntryKind::Place => EntityKind::Place,
            EntryKind::Organisation => EntityKind::Organisation,
        };
        let start = t.toks[m.a].s + m.cut;
        let span = t.span_bytes(start, t.toks[m.b - 1].e);
        let name = if m.hit.form == NameForm::Adjective {
            display_name(e, t.toks[m.a].arabic)
        } else {
            span.slice(body).trim().to_string()
        };
        mentions.push(Mention {
            entity: e.id.clone(),
            kind,
            span,
            name,
            role: None,
        });
    }

    // what a title is "of": a country, or an organisation ("الأمين العام للأمم المتحدة",
    // "UN Secretary-General")
    let country_of = |m: &GzMatch| -> Option<String> {
        let e = gz.entry(m.hit);
        (e.kind == EntryKind::Country || e.kind == EntryKind::Organisation).then(|| e.id.clone())
    };

    let mut persons: Vec<Person> = Vec::new();
    let mut people_cut: Option<usize> = None;
    let mut consumed = vec![false; n];
    // (token range of the role phrase, role, whether plural) for roles with no name
    let mut unnamed: Vec<(usize, usize, String)> = Vec::new();
    let mut person_mentions: Vec<(usize, usize, usize, Option<String>)> = Vec::new(); // a, b, person, role
                                                                                      // counterparts: (person mention index or None, role phrase tokens, country), resolved
                                                                                      // once every person of the text is known
    let mut counterparts: Vec<(Option<usize>, usize, usize, Option<String>)> = Vec::new();

    let mut i = 0;
    while i < n {
        if consumed[i] {
            i += 1;
            continue;
        }
        let tk = &t.toks[i];
        let readings: Vec<String> = if tk.arabic {
            tk.readings
                .iter()
                .map(|(r, _)| r.clone())
                .collect::<Vec<_>>()
        } else {
            vec![tk.lower.clone()]
        };
        // a title?
        let mut title: Option<(usize, &'static str, bool)> = None; // end, role, counterpart
        if !readings.iter().any(|r| lx.firsts.contains(r)) {
            i += 1;
            continue;
        }
        for (ws, role) in &lx.titles {
            if !readings.iter().any(|r| *r == ws[0]) {
                continue;
            }
            let mut j = i + 1;
            let mut ok = true;
            for w in &ws[1..] {
                if j < n && t.joined(j - 1, true) && t.toks[j].lower == *w {
                    j += 1;
                } else {
                    ok = false;
                    break;
                }
            }
            if ok {
                title = Some((j, role, false));
                break;
            }
        }
        if title.is_none() && readings.iter().any(|r| lx.counterpart.contains(r)) {
            title = Some((i + 1, "minister", true));
        }
        let Some((mut j, role_base, counterpart)) = title else {
            i += 1;
            continue;
        };
        let plural = {
            let w = &tk.lower;
            w.contains("وزراء") || w.contains("وزيرا") || w.contains("وزيري") || w.ends_with("ers")
        };
        // the country: before (English), after (Arabic adjective or genitive, English "of")
        let mut country: Option<String> = None;
        let mut start = i;
        if !tk.arabic && i > 0 {
            // "Kuwait's foreign minister": X 's TITLE
            let mut p = i;
            if p >= 2 && t.toks[p - 1].lower == "s" && t.gap(p - 2).contains(['\'', '’']) {
                p -= 1;
            }
            if let Some(k) = gz_end[p] {
                let m = &gms[k];
                // the country right before the title, or before its 's
                let initial = t.toks[m.b - 1].upper
                    && t.toks[m.b - 1].lower.chars().count() == 1
                    && t.gap(m.b - 1).trim() == ".";
                if p != i || t.joined(m.b - 1, true) || initial {
                    if let Some(c) = country_of(m) {
                        country = Some(c);
                        start = m.a;
                    }
                }
            }
        }
        if country.is_none() {
            let mut k = j;
            if tk.arabic {
                while k < n
                    && t.joined(k - 1, true)
                    && ["جمهوريه", "دوله", "المملكه", "مملكه"].contains(&t.toks[k].lower.as_str())
                {
                    k += 1;
                }
            } else if k < n && t.toks[k].lower == "of" && t.joined(k - 1, false) {
                k += 1;
            }
            if k < n && t.joined(k - 1, true) {
                if let Some(g) = gz_start[k] {
                    if let Some(c) = country_of(&gms[g]) {
                        country = Some(c);
                        j = gms[g].b;
                        // trailing feminine adjectives of the state's name: الاتحادية, العربية
                        while j < n
                            && t.toks[j].arabic
                            && t.joined(j - 1, true)
                            && t.toks[j].lower.starts_with("ال")
                            && t.toks[j].lower.ends_with("يه")
                            && !in_gz[j]
                        {
                            j += 1;
                        }
                    }
                }
            }
        }
        if role_base.ends_with("_ministry") {
            // a ministry: an organisation of the country
            for c in consumed.iter_mut().take(j).skip(i) {
                *c = true;
            }
            if let Some(c) = &country {
                mentions.push(Mention {
                    entity: format!("org:{role_base}@{c}"),
                    kind: EntityKind::Organisation,
                    span: t.span(start, j),
                    name: String::new(),
                    role: None,
                });
            }
            i = j;
            continue;
        }
        // an Arabic title in the construct state (رئيس، ملك، وزير without the article) heads
        // whatever follows: "رئيس روسيا" is a president, "رئيس مؤسسة …" is not
        let construct = tk.arabic
            && !counterpart
            && j == i + 1
            && !tk
                .readings
                .iter()
                .map(|(r, _)| r.clone())
                .collect::<Vec<_>>()
                .iter()
                .any(|r| r.starts_with("ال"));
        let on_behalf = t.toks[j - 1].lower == "باسم";
        if (construct || on_behalf) && country.is_none() {
            i += 1;
            continue;
        }
        let role = match &country {
            Some(c) => format!("{role_base}@{c}"),
            None => role_base.to_string(),
        };
        for c in consumed.iter_mut().take(j).skip(i) {
            *c = true;
        }
        // the name
        let (na, mut nb) = read_name(gz, t, j, &hard_gz, &in_gz, &consumed);
        if nb == na + 1 && t.toks[na].arabic {
            // one Arabic word after a title is a name if it names someone already named or is
            // no common word ("الرئيس بوتين", not "الرئيس الجديد")
            let w = name_words(t, na, nb);
            if !persons.iter().any(|p| same_person(&p.words, &w))
                && gz.is_common_arabic(&t.toks[na].lower, true)
            {
                nb = na;
            }
        }
        if plural {
            i = j.max(i + 1);
            continue;
        }
        if nb > na {
            let words = name_words(t, na, nb);
            let p = link_person(
                &mut persons,
                words,
                (!counterpart).then_some(role.as_str()),
                na,
                &mut people_cut,
            );
            for c in consumed.iter_mut().take(nb).skip(na) {
                *c = true;
            }
            if let Some(p) = p {
                if counterpart {
                    counterparts.push((Some(person_mentions.len()), start, j, country.clone()));
                    person_mentions.push((na, nb, p, None));
                } else {
                    person_mentions.push((na, nb, p, Some(role)));
                }
            }
            i = nb;
        } else {
            if counterpart {
                counterparts.push((None, start, j, country.clone()));
            } else if country.is_some() {
                unnamed.push((start, j, role));
            }
            i = j.max(i + 1);
        }
    }

    // honorific + given name: الشيخ سالم, Sheikh Salem
    let mut i = 0;
    while i < n {
        let tk = &t.toks[i];
        let is_hon = if tk.arabic {
            tk.readings
                .iter()
                .map(|(r, _)| r.clone())
                .collect::<Vec<_>>()
                .iter()
                .any(|r| lx.given_honorifics.contains(r))
        } else {
            tk.cap
                && (lx.given_honorifics.contains(&tk.lower)
                    || FAMILY_HONORIFICS.contains(&tk.lower.as_str()))
        };
        // "Mr Smith" names a family, "Sheikh Salem" a given name
        let family_hon = !tk.arabic && FAMILY_HONORIFICS.contains(&tk.lower.as_str());
        if consumed[i] || !is_hon {
            i += 1;
            continue;
        }
        let (na, nb) = read_name(gz, t, i + 1, &hard_gz, &in_gz, &consumed);
        if nb > na {
            let words = name_words(t, na, nb);
            // "Sheikh Salem": a given name after the honorific names the person of that given name
            let given = (words.len() == 1 && !family_hon)
                .then(|| {
                    persons
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| {
                            p.words.len() > 1 && word_key_of(&p.words[0]) == word_key_of(&words[0])
                        })
                        .max_by_key(|(_, p)| p.last_seen)
                        .map(|(pi, _)| pi)
                })
                .flatten();
            let p = match given {
                Some(pi) => {
                    persons[pi].last_seen = na;
                    Some(pi)
                }
                None => link_person(&mut persons, words, None, na, &mut people_cut),
            };
            for c in consumed.iter_mut().take(nb).skip(i) {
                *c = true;
            }
            if let Some(p) = p {
                person_mentions.push((na, nb, p, None));
            }
            i = nb;
        } else {
            i += 1;
        }
    }

    // English names next to a verb of saying: "John Smith said", "said John Smith"
    let mut i = 0;
    while i < n {
        let tk = &t.toks[i];
        if tk.arabic || !lx.say.contains(&tk.lower) || title_case_sentence(t, tk.sent) {
            i += 1;
            continue;
        }
        // before: the capitalised run ending right before the verb
        let mut a = i;
        while a > 0
            && i - a < 4
            && t.joined(a - 1, true)
            && !consumed[a - 1]
            && !in_gz[a - 1]
            && (t.toks[a - 1].cap || lx.particles.contains(&t.toks[a - 1].lower))
            && !t.toks[a - 1].upper
            && !lx.honorifics.contains(&t.toks[a - 1].lower)
        {
            a -= 1;
        }
        // a sentence-initial capital alone is any word: ask for two names
        let range = if i - a >= 2 {
            Some((a, i))
        } else if i + 2 < n && t.joined(i, false) {
            let (na, nb) = read_name(gz, t, i + 1, &hard_gz, &in_gz, &consumed);
            (nb >= na + 2 && t.toks[na].cap).then_some((na, nb))
        } else {
            None
        };
        if let Some((na, nb)) = range {
            let person_like = (na..nb).all(|k| {
                !consumed[k]
                    && !t.toks[k].number
                    && !crate::data::NON_PERSON_HEADS.contains(&t.toks[k].lower.as_str())
                    && !LOWER_INSIDE.contains(&t.toks[k].lower.as_str())
            });
            if person_like {
                let words = name_words(t, na, nb);
                if words.len() >= 2 {
                    let p = link_person(&mut persons, words, None, na, &mut people_cut);
                    for c in consumed.iter_mut().take(nb).skip(na) {
                        *c = true;
                    }
                    if let Some(p) = p {
                        person_mentions.push((na, nb, p, None));
                    }
                }
            }
        }
        i += 1;
    }

    // Arabic names after a verb of saying: "وقال لافروف", "وأكد سيرغي لافروف" — words that are
    // no common Arabic word (hunspell-ar), so "وقال البيان" or "وقالت الوزارة" are not names
    let mut i = 0;
    while i < n {
        let tk = &t.toks[i];
        let say = tk.arabic && tk.readings.iter().any(|(r, _)| lx.say.contains(r));
        if !say || i + 1 >= n || !t.joined(i, false) {
            i += 1;
            continue;
        }
        let a = i + 1;
        let mut b = a;
        while b < n
            && b - a < 3
            && (b == a || t.joined(b - 1, false))
            && t.toks[b].arabic
            && !consumed[b]
            && !in_gz[b]
            && t.toks[b].lower.chars().count() >= 3
            && !lx.name_stop.contains(&t.toks[b].lower)
            && !lx.say.contains(&t.toks[b].lower)
            && !is_title_word(&t.toks[b].lower)
            && !lx.honorifics.contains(&t.toks[b].lower)
            && !lx.weekdays.contains_key(&t.toks[b].lower)
            && !t.toks[b]
                .readings
                .iter()
                .any(|(r, _)| gz.is_common_arabic(r, true))
            // و on the first word is the conjunction before the verb's subject, on a later one
            // the conjunction joining another subject: "وأكد الصفدي ولافروف" is two people
            && !t.toks[b].lower.starts_with('و')
        {
            b += 1;
        }
        // the subject is followed by what it said: "إن", "أن", ":", "،", "في"
        let introduces = b > a
            && (b >= n
                || t.toks[b].sent != t.toks[b - 1].sent
                || t.gap(b - 1).contains([':', '،', ','])
                || ["ان", "إن", "أن", "في", "خلال", "امس", "اليوم"]
                    .contains(&t.toks[b].lower.as_str()));
        if b > a && introduces {
            let words = name_words(t, a, b);
            let p = link_person(&mut persons, words, None, a, &mut people_cut);
            for c in consumed.iter_mut().take(b).skip(a) {
                *c = true;
            }
            if let Some(p) = p {
                person_mentions.push((a, b, p, None));
            }
            i = b;
        } else {
            i += 1;
        }
    }

    // bare names of people already named: لافروف, Lavrov, الصباح, العبد الله
    let mut i = 0;
    while i < n {
        if consumed[i] || in_gz[i] || t.toks[i].number {
            i += 1;
            continue;
        }
        let tk = &t.toks[i];
        if !tk.arabic && !tk.cap {
            i += 1;
            continue;
        }
        let mut found: Option<(usize, usize, usize)> = None; // person, end, cut
        let readings: Vec<(String, usize)> = if tk.arabic {
            tk.readings.clone()
        } else {
            vec![(tk.lower.clone(), 0)]
        };
        'readings: for (r, cut) in readings {
            if lx.name_stop.contains(&r) || lx.ordinals.contains_key(&r) {
                continue;
            }
            // two-word compounds: العبد الله
            let base = if tk.arabic {
                strip_article(&r).to_string()
            } else {
                r.clone()
            };
            let (form, end) = if (base == "عبد" || base == "ابو") && i + 1 < n && t.joined(i, false)
            {
                (format!("{base}{}", t.toks[i + 1].lower), i + 2)
            } else {
                (base, i + 1)
            };
            let skel = skeleton(&form);
            let mut best: Option<(usize, (bool, usize))> = None;
            for (pi, p) in persons.iter().enumerate() {
                let nw = p.words.len();
                for (wi, w) in p.words.iter().enumerate() {
                    let same = if tk.arabic {
                        // Arabic: the word as written (with its article) or the compound
                        w.written == r || (end == i + 2 && w.form == form)
                    } else {
                        !skel.is_empty() && w.skel == skel
                    };
                    // a family name, or (Arabic) a compound such as العبد الله
                    let compound = tk.arabic && end == i + 2;
                    if !same || (nw > 1 && wi == 0) || (nw > 1 && wi != nw - 1 && !compound) {
                        continue;
                    }
                    let score = (wi == nw - 1, p.last_seen);
                    if best.is_none_or(|(_, s)| score > s) {
                        best = Some((pi, score));
                    }
                }
            }
            if let Some((pi, _)) = best {
                found = Some((pi, end, cut));
                break 'readings;
            }
        }
        if let Some((pi, end, cut)) = found {
            persons[pi].last_seen = i;
            person_mentions.push((i, end, pi, None));
            let _ = cut;
            for c in consumed.iter_mut().take(end).skip(i) {
                *c = true;
            }
            i = end;
        } else {
            i += 1;
        }
    }

    // counterparts: the role of the nearest person named before in the sentence, else of the
    // first person of the text with a role of a country
    let sent_of = |k: usize| t.toks[k].sent;
    for (pm, a, b, country) in counterparts {
        let nearest = person_mentions
            .iter()
            .filter(|(pa, _, _, _)| *pa < a && sent_of(*pa) == sent_of(a))
            .filter_map(|(_, _, pi, _)| persons[*pi].roles.iter().find(|r| r.contains('@')))
            .next_back()
            .cloned();
        let base_role = nearest.or_else(|| {
            persons
                .iter()
                .find_map(|p| p.roles.iter().find(|r| r.contains('@')).cloned())
        });
        let base = base_role
            .as_deref()
            .and_then(|r| r.split('@').next())
            .unwrap_or("minister")
            .to_string();
        let role = match &country {
            Some(c) => format!("{base}@{c}"),
            None => base,
        };
        match pm {
            Some(idx) => {
                let pi = person_mentions[idx].2;
                if !persons[pi].roles.contains(&role) {
                    persons[pi].roles.insert(0, role.clone());
                }
                person_mentions[idx].3 = Some(role);
            }
            None => {
                if country.is_some() {
                    unnamed.push((a, b, role));
                }
            }
        }
    }

    // a title without a country for a member of a family whose other member holds a title of a
    // country ("the Amir Sheikh Nawaf Al-Ahmad Al-Jaber Al-Sabah" beside Kuwait's foreign
    // minister Salem Al-Sabah): the family's country
    let family_country: Vec<Option<String>> = persons
        .iter()
        .map(|p| {
            if p.words.len() < 2 || p.roles.iter().any(|r| r.contains('@')) || p.roles.is_empty() {
                return None;
            }
            let fam = word_key_of(p.words.last()?);
            persons.iter().find_map(|q| {
                (q.words.len() >= 2 && word_key_of(q.words.last()?) == fam)
                    .then(|| {
                        q.roles
                            .iter()
                            .find_map(|r| r.split_once('@').map(|(_, c)| c.to_string()))
                    })
                    .flatten()
            })
        })
        .collect();
    for (pi, c) in family_country.into_iter().enumerate() {
        if let Some(c) = c {
            for r in persons[pi].roles.iter_mut() {
                *r = format!("{r}@{c}");
            }
            for pm in person_mentions.iter_mut().filter(|pm| pm.2 == pi) {
                if let Some(r) = pm.3.as_mut().filter(|r| !r.contains('@')) {
                    *r = format!("{r}@{c}");
                }
            }
        }
    }

    let named = person_mentions.len();
    // roles without a name: the person of the text who holds that role
    for (a, b, role) in &unnamed {
        let exact = persons
            .iter()
            .position(|p| p.roles.iter().any(|r| r == role));
        let loose = || {
            let (base, country) = role.split_once('@')?;
            if base != "minister" {
                return None;
            }
            persons.iter().position(|p| {
                p.roles
                    .iter()
                    .any(|r| r.ends_with(&format!("minister@{country}")))
            })
        };
        if let Some(pi) = exact.or_else(loose) {
            let r = persons[pi]
                .roles
                .first()
                .cloned()
                .unwrap_or_else(|| role.clone());
            person_mentions.push((*a, *b, pi, Some(r)));
        }
    }

    // each person's display name: the fullest form named in this text
    let mut display: Vec<String> = vec![String::new(); persons.len()];
    for &(a, b, pi, _) in &person_mentions[..named] {
        let text = t.span(a, b).slice(body).trim().to_string();
        if text.chars().count() > display[pi].chars().count() {
            display[pi] = text;
        }
    }
    for (a, b, pi, mut role) in person_mentions {
        // a title without a country ("الوزير") for a person known by a fuller role
        if let Some(r) = role.as_deref().filter(|r| !r.contains('@')) {
            if let Some(full) = persons[pi]
                .roles
                .iter()
                .find(|x| x.contains('@') && x.split('@').next().is_some_and(|b| b.ends_with(r)))
            {
                role = Some(full.clone());
            }
        }
        let mut start = t.toks[a].s;
        if t.toks[a].arabic && role.is_none() {
            // bare name with a proclitic: point past it
            for (r, cut) in t.toks[a].readings.clone() {
                if persons[pi]
                    .words
                    .iter()
                    .any(|w| w.written == r || r.ends_with(&w.form))
                    && cut > 0
                {
                    start += cut;
                    break;
                }
            }
        }
        let span = t.span_bytes(start, t.toks[b - 1].e);
        let name = if display[pi].is_empty() {
            span.slice(body).trim().to_string()
        } else {
            display[pi].clone()
        };
        mentions.push(Mention {
            entity: persons[pi].id.clone(),
            kind: EntityKind::Person,
            span,
            name,
            role,
        });
    }
    // a place inside a person's name is the name (سالم in سالم عبد الله الصباح): with people's
    // mentions sorted by start, one overlaps a place when the furthest end among those that
    // start before the place ends lies past its start (one search per place, not a scan)
    let mut people: Vec<Span> = mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.span)
        .collect();
    people.sort_by_key(|p| p.start);
    let furthest: Vec<usize> = people
        .iter()
        .scan(0, |end, p| {
            *end = p.end.max(*end);
            Some(*end)
        })
        .collect();
    mentions.retain(|m| {
        let before = people.partition_point(|p| p.start < m.span.end);
        m.kind != EntityKind::Place || before == 0 || furthest[before - 1] <= m.span.start
    });
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    let truncated = people_cut
        .map(|k| limits::truncated("people", MAX_PEOPLE, t.span(k, k + 1).start, body.len()));
    (mentions, truncated)
}

/// The person `words` name, added to `persons` when new; None for a new person past
/// [`MAX_PEOPLE`] (`cut` keeps the first token where that happened).
fn link_person(
    persons: &mut Vec<Person>,
    words: Vec<NameWord>,
    role: Option<&str>,
    at: usize,
    cut: &mut Option<usize>,
) -> Option<usize> {
    let found = persons.iter().position(|p| same_person(&p.words, &words));
    let pi = match found {
        Some(pi) => {
            if words.len() > persons[pi].words.len() && words.len() >= 2 {
                // a fuller name: keep the longer form, same id when given and family agree
                persons[pi].words = words;
            }
            pi
        }
        None if persons.len() == MAX_PEOPLE => {
            cut.get_or_insert(at);
            return None;
        }
        None => {
            persons.push(Person {
                id: person_id(&words),
                words,
                roles: Vec::new(),
                last_seen: at,
            });
            persons.len() - 1
        }
    };
    persons[pi].last_seen = at;
    if let Some(r) = role {
        if !persons[pi].roles.iter().any(|x| x == r) {
            // a role with a country is more telling than one without
            if r.contains('@') {
                persons[pi].roles.insert(0, r.to_string());
            } else {
                persons[pi].roles.push(r.to_string());
            }
        }
    }
    Some(pi)
}

/// The name after a title or honorific, starting at token `j`: a token range (empty if none).
/// `in_gz` marks countries and organisations (never in a name), `any_gz` also places (a place
/// may be a given name, سالم / Salem, but ends a name after its first word: "اليحيا موسكو").
fn read_name(
    gz: &Gazetteer,
    t: &Text,
    mut j: usize,
    in_gz: &[bool],
    any_gz: &[bool],
    consumed: &[bool],
) -> (usize, usize) {
    let lx = lexicon();
    let n = t.toks.len();
    // a dash or (English) a comma may stand between title and name
    if j >= n || j == 0 || t.toks[j].sent != t.toks[j - 1].sent {
        return (j, j);
    }
    let gap = t.gap(j - 1).trim().to_string();
    let english = !t.toks[j].arabic;
    if !(gap.is_empty() || gap == "-" || gap == "–" || (english && gap == ",")) {
        return (j, j);
    }
    // honorifics
    let mut h = 0;
    while j < n
        && h < 4
        && lx.honorifics.contains(&t.toks[j].lower)
        && (h == 0 || t.joined(j - 1, false))
    {
        if !english && !t.toks[j].arabic {
            break;
        }
        j += 1;
        h += 1;
    }
    if j >= n || (h > 0 && !t.joined(j - 1, true)) {
        return (j, j);
    }
    let a = j;
    let mut k = j;
    if english {
        while k < n && k - a < 8 && !consumed[k] {
            let tk = &t.toks[k];
            let particle = lx.particles.contains(&tk.lower) && k + 1 < n;
            if tk.arabic
                || tk.number
                || !(tk.cap || particle)
                || in_gz[k]
                || (any_gz[k] && k > a)
                || is_title_word(&tk.lower)
                || lx.weekdays.contains_key(&tk.lower)
                || lx.months_en.contains_key(&tk.lower)
                || crate::data::NON_PERSON_HEADS.contains(&tk.lower.as_str())
                || ["we", "i", "he", "she", "they", "it", "you", "of"].contains(&tk.lower.as_str())
            {
                break;
            }
            if lx.honorifics.contains(&tk.lower) && k > a {
                break;
            }
            k += 1;
            if k < n && !t.joined(k - 1, true) {
                break;
            }
        }
        // do not end on a particle
        while k > a && lx.particles.contains(&t.toks[k - 1].lower) {
            k -= 1;
        }
    } else {
        let mut without_article = 0;
        while k < n && k - a < 6 && !consumed[k] {
            let tk = &t.toks[k];
            let w = &tk.lower;
            let prefixed = ["بال", "وال", "فال", "كال", "لل", "ولل"]
                .iter()
                .any(|p| w.starts_with(p))
                && !w.starts_with("الل");
            if !tk.arabic
                || in_gz[k]
                || (any_gz[k] && k > a)
                || lx.name_stop.contains(w)
                || lx.say.contains(w)
                || is_title_word(w)
                || tk
                    .readings
                    .iter()
                    .map(|(r, _)| r)
                    .skip(1)
                    .any(|r| is_title_word(r) || lx.honorifics.contains(r))
                || prefixed
                || lx.ordinals.contains_key(w) && k == a
                || w.chars().count() < 2
            {
                break;
            }
            // a later word with و is a conjunction: "عبد الفتاح السيسي ووكالات"
            if k > a && w.starts_with('و') && !compound_part_at(t, a, k) {
                break;
            }
            // a transliterated (foreign) name goes on with transliterations only: "بوتين ضيفه"
            if k > a
                && !w.starts_with("ال")
                && !gz.is_common_arabic(&t.toks[a].lower, false)
                && gz.is_common_arabic(w, false)
            {
                break;
            }
            let has_article = w.starts_with("ال");
            let compound_part =
                k > a && ["عبد", "ابو", "بن"].contains(&t.toks[k - 1].lower.as_str());
            if !has_article && !compound_part && w != "عبد" && w != "ابو" && w != "بن" {
                without_article += 1;
                if without_article > 2 {
                    break;
                }
            }
            if k == a && has_article && !w.starts_with("الل") && strip_article(w) != "عبد" {
                // given names do not take the article
                break;
            }
            k += 1;
            if k < n && !t.joined(k - 1, false) {
                break;
            }
        }
    }
    (a, k)
}

fn compound_part_at(t: &Text, a: usize, k: usize) -> bool {
    k > a && ["عبد", "ابو", "بن"].contains(&t.toks[k - 1].lower.as_str())
}

/// Display names left empty (ministries) become the mention's own words.
pub fn fill_names(body: &str, mentions: &mut [Mention]) {
    for m in mentions.iter_mut().filter(|m| m.name.is_empty()) {
        m.name = m.span.slice(body).trim().to_string();
    }
}

/// The short name of an entry in a script: the shortest Arabic name (without diacritics), or
/// the shortest English name that is not an acronym.
pub fn display_name(e: &crate::gazetteer::Entry, arabic: bool) -> String {
    let strip = |s: &str| -> String {
        s.chars()
            .filter(|c| !('\u{064B}'..='\u{0652}').contains(c))
            .collect()
    };
    if arabic {
        if let Some(n) = e.ar.iter().min_by_key(|n| n.chars().count()) {
            return strip(n);
        }
    }
    e.en.iter()
        .filter(|n| {
            !n.chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| c.is_uppercase())
        })
        .min_by_key(|n| n.len())
        .or_else(|| e.en.first())
        .cloned()
        .unwrap_or_else(|| e.id.clone())
}

/// True when a span lies inside any mention of a person.
pub fn person_at(mentions: &[Mention], span: Span) -> Option<&Mention> {
    mentions.iter().find(|m| {
        m.kind == EntityKind::Person && m.span.start <= span.start && span.end <= m.span.end
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_cross_scripts() {
        assert_eq!(skeleton("lavrov"), skeleton("لافروف"));
        assert_eq!(skeleton("sergei"), skeleton("سيرغي"));
        assert_eq!(skeleton("sabah"), skeleton("صباح"));
        assert_eq!(skeleton("salem"), skeleton("سالم"));
        assert_eq!(skeleton("abdullah"), skeleton("عبدالله"));
        assert_eq!(skeleton("putin"), skeleton("بوتين"));
        assert_eq!(skeleton("vladimir"), skeleton("فلاديمير"));
        assert_eq!(skeleton("mishal"), skeleton("مشعل"));
        assert_eq!(skeleton("safadi"), skeleton("صفدي"));
        assert_ne!(skeleton("yahya"), skeleton("sabah"));
    }

    #[test]
    fn compatible_ids() {
        assert!(person_ids_compatible("person:lfrf", "person:lfrf.s"));
        assert!(!person_ids_compatible("person:sbh.s", "person:sbh.n"));
    }
}
