//! Country names in the languages of iso-codes' catalogues, read from the installed gazetteer
//! (`khabar data install`; fails, does not skip, when it is missing or of an older format).

use khabar_analyse::{default_gazetteer_dir, Analyser};
use khabar_core::{Article, Source};
use std::sync::OnceLock;

fn analyser() -> &'static Analyser {
    static A: OnceLock<Analyser> = OnceLock::new();
    A.get_or_init(|| {
        let dir = default_gazetteer_dir();
        Analyser::load(&dir).unwrap_or_else(|e| panic!("{e} (gazetteer dir {})", dir.display()))
    })
}

fn countries(text: &str) -> Vec<String> {
    analyser()
        .analyse(Article::new(Source::Stdin, text.into()))
        .mentions
        .into_iter()
        .map(|m| m.entity)
        .filter(|e| e.starts_with("country:"))
        .collect()
}

#[test]
fn country_names_in_seven_languages() {
    for (text, want) in [
        (
            "Vulkan Taal bleibt in den Philippinen gefährlich. Fast jeder zweite Deutsche lehnt Grenzöffnungen für Sommerurlaub in Deutschland und Polen ab.",
            &["country:PH", "country:DE", "country:PL"][..],
        ),
        (
            "L'Allemagne et la Pologne ont signé un accord avec les États-Unis.",
            &["country:DE", "country:PL", "country:US"],
        ),
        (
            "Alemania y Polonia firmaron un acuerdo con Filipinas y Estados Unidos.",
            &["country:DE", "country:PL", "country:PH", "country:US"],
        ),
        (
            "Niemcy i Polska podpisały porozumienie. Stany Zjednoczone milczą.",
            &["country:DE", "country:PL", "country:US"],
        ),
        (
            "Almanya ve Polonya bir anlaşma imzaladı; Türkiye de katılacak.",
            &["country:DE", "country:PL", "country:TR"],
        ),
        (
            "Germania e Polonia hanno firmato un accordo con la Cina.",
            &["country:DE", "country:PL", "country:CN"],
        ),
        (
            "Германия и Польша подписали соглашение.",
            &["country:DE", "country:PL"],
        ),
        // English and Arabic as before
        (
            "Germany and Poland signed an agreement with the Philippines.",
            &["country:DE", "country:PL", "country:PH"],
        ),
        (
            "وقعت ألمانيا وبولندا اتفاقا مع الفلبين.",
            &["country:DE", "country:PL", "country:PH"],
        ),
        // names in one language are matched only in texts of it: German "Island" (Iceland) and
        // the translations' bare "Christmas" (Christmas Island) are words in English
        (
            "Island Residents Plan A Christmas Parade Despite The Storm",
            &[],
        ),
        ("Island ist ein Land im Nordatlantik.", &["country:IS"]),
        // German genitives
        (
            "Die Exporte Deutschlands nach China sind gesunken, meldete die Regierung Polens.",
            &["country:DE", "country:CN", "country:PL"],
        ),
        // a translation that is mostly a given name is left out (Mauritius in Spanish)
        (
            "El expresidente Mauricio Macri viajó a Uruguay el lunes por la tarde.",
            &["country:UY"],
        ),
    ] {
        assert_eq!(countries(text), want, "{text}");
    }
}
