//! A light stemmer for search and matching: Arabic clitics and inflectional affixes, English
//! plural and verb endings. It removes only what is almost always an affix and never cuts a stem
//! below three letters, so وزير stays وزير (Snowball: زير) and والكويت becomes كويت (Snowball:
//! والكوي); الخارجية and الخارجي share خارجي (Snowball: خارج, which also takes خارج "outside").
//!
//! Arabic, on the matching form ([`crate::normalise::fold`]):
//! 1. the conjunction و/ف before the article, before a second و, or when five letters remain;
//! 2. the article with an optional preposition (ال، بال، كال، فال، لل) when at least two
//!    letters remain (so الله is kept);
//! 3. one suffix: plural/dual (ات، ون، ين، ان), pronouns (هما، كما، هم، هن، ها، نا، كم), taa
//!    marbuta (ه), keeping at least three letters; a nisba ي is kept.

/// The stem of a folded word (Arabic or Latin).
pub fn stem(word: &str) -> String {
    if word.chars().any(crate::normalise::is_arabic_letter) {
        arabic(word)
    } else {
        english(word)
    }
}

fn len(s: &str) -> usize {
    s.chars().count()
}

/// Light Arabic stem of a folded word.
pub fn arabic(word: &str) -> String {
    // the divine name and the names built on it (عبدالله) are not inflected
    if word.ends_with("الله") {
        return word.to_string();
    }
    let mut w = word;
    for conj in ["و", "ف"] {
        if let Some(r) = w.strip_prefix(conj) {
            // و is also a root letter (وزير, وزارة): strip it before the article, a second و,
            // or when five letters remain
            if r.starts_with("ال") || (r.starts_with('و') && len(r) >= 3) || len(r) >= 5 {
                w = r;
            }
            break;
        }
    }
    for art in ["وال", "بال", "كال", "فال", "لل", "ال"] {
        if let Some(r) = w.strip_prefix(art) {
            if len(r) >= 2 && !(art == "ال" && r.starts_with('ل') && len(r) == 2) {
                w = r;
                break;
            }
        }
    }
    for suf in [
        "هما", "كما", "ات", "ون", "ين", "ان", "هم", "هن", "ها", "نا", "كم", "يه", "ه",
    ] {
        if let Some(r) = w.strip_suffix(suf) {
            if len(r) >= 3 {
                // the feminine nisba -يه keeps its ي: الخارجية → خارجي
                if suf == "يه" {
                    return format!("{r}ي");
                }
                return r.to_string();
            }
        }
    }
    w.to_string()
}

/// Light English stem of a lower-case word.
pub fn english(word: &str) -> String {
    let w = word
        .strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word);
    let n = w.len();
    if n > 4 {
        if let Some(r) = w.strip_suffix("ies") {
            return format!("{r}y");
        }
        if let Some(r) = w.strip_suffix("ing") {
            if r.len() >= 3 {
                return r.to_string();
            }
        }
        if let Some(r) = w.strip_suffix("ed") {
            if r.len() >= 3 {
                return r.to_string();
            }
        }
        if let Some(r) = w.strip_suffix("es") {
            if r.ends_with("ss") || r.ends_with("sh") || r.ends_with("ch") || r.ends_with('x') {
                return r.to_string();
            }
        }
    }
    if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..n - 1].to_string();
    }
    w.to_string()
}

/// The search terms of a text: its words in matching form, light-stemmed, in order (for a
/// full-text index that must agree with the analyser: "والكويتيين" and "الكويتية" both give
/// "كويتي").
pub fn terms(text: &str) -> Vec<String> {
    let n = crate::normalise::Normalised::new(text);
    let mut toks = Vec::new();
    crate::sentences::tokenize(&n.text, 0, n.text.len(), 0, &mut toks);
    toks.iter().map(|t| stem(&t.lower)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::fold;

    fn s(w: &str) -> String {
        stem(&fold(w))
    }

    #[test]
    fn arabic_light_stems() {
        assert_eq!(s("وزير"), "وزير");
        assert_eq!(s("والكويت"), "كويت");
        assert_eq!(s("الكويت"), "كويت");
        assert_eq!(s("الخارجية"), s("الخارجي"));
        assert_eq!(s("الكويتيين"), "كويتي");
        assert_eq!(s("الكويتية"), "كويتي");
        assert_eq!(s("العلاقات"), s("العلاقة"));
        assert_eq!(s("وزيرا"), "وزيرا");
        assert_eq!(s("الله"), "الله");
        assert_eq!(s("للكويت"), "كويت");
        assert_eq!(s("بالعلاقات"), s("العلاقات"));
        assert_eq!(s("المفاوضات"), "مفاوض");
    }

    #[test]
    fn search_terms() {
        assert_eq!(terms("والكويتيين، الكويتية"), vec!["كويتي", "كويتي"]);
        assert_eq!(terms("Talks in Moscow"), vec!["talk", "in", "moscow"]);
    }

    #[test]
    fn english_light_stems() {
        assert_eq!(s("talks"), "talk");
        assert_eq!(s("countries"), "country");
        assert_eq!(s("discussed"), "discuss");
        assert_eq!(s("Kuwait's"), "kuwait");
        assert_eq!(s("crisis"), "crisis");
        assert_eq!(s("process"), "process");
    }
}
