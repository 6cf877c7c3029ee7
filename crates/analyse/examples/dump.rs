//! Installs the gazetteer if needed and prints a compact view of the analysis of text files.
//! `cargo run -p khabar-analyse --example dump -- FILE...`
use khabar_analyse::{default_gazetteer_dir, install, Analyser};
use khabar_core::{Article, Source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = default_gazetteer_dir();
    let info = install(&dir)?;
    eprintln!(
        "gazetteer: {} countries, {} places, {} names",
        info.countries, info.places, info.names
    );
    let a = Analyser::load(&dir)?;
    for path in std::env::args().skip(1) {
        let body = std::fs::read_to_string(&path)?;
        let doc = a.analyse(Article::new(Source::File { path: path.clone() }, body));
        let b = &doc.article.body;
        println!(
            "=== {path} lang={} {:.2} published={:?}",
            doc.language.code,
            doc.language.confidence,
            doc.article.published_at.as_ref().map(|p| p.at.date_naive())
        );
        for r in &doc.removed {
            println!("  removed {}: {:?}", r.reason, r.span.slice(b));
        }
        println!("  sentences: {}", doc.sentences.len());
        for m in &doc.mentions {
            println!(
                "  mention {} {:?} {:?} ({}) role={:?}",
                m.entity,
                m.kind,
                m.span.slice(b),
                m.name,
                m.role
            );
        }
        for d in &doc.dates {
            println!("  date {} {:?} {:?}", d.date, d.span.slice(b), d.resolution);
        }
        for f in &doc.figures {
            println!(
                "  figure {} unit={:?} counted={:?} hedge={:?} of={:?} {:?}",
                f.value,
                f.unit,
                f.counted,
                f.hedge,
                f.of,
                f.span.slice(b)
            );
        }
        for q in &doc.quotes {
            println!("  quote {:?} {:?}", q.speaker, q.span.slice(b));
        }
        println!(
            "  cues {:?} preview={}",
            doc.cues
                .kinds
                .iter()
                .map(|(k, s)| (k, s.slice(b)))
                .collect::<Vec<_>>(),
            doc.cues.preview
        );
    }
    Ok(())
}
