//! Why did extraction keep or drop a passage? Prints, for the first text node containing
//! NEEDLE, its ancestors with their `id`/`class` and drop reason, then the extracted body.
//!
//! `cargo run -p khabar-ingest --example inspect_page -- PAGE.html[.gz] "NEEDLE"`

use scraper::{Html, Node};
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, needle) = match args.as_slice() {
        [path, needle, ..] => (path, needle),
        _ => {
            eprintln!("usage: inspect_page PAGE.html[.gz] NEEDLE");
            std::process::exit(2)
        }
    };
    let mut bytes = std::fs::read(path).expect("readable page");
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .expect("gzip");
        bytes = plain;
    }
    let (text, _) = khabar_ingest::html::decode(&bytes, None, None).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let doc = Html::parse_document(&text);
    let found = doc.tree.root().descendants().find(|n| {
        let in_script = n
            .parent()
            .and_then(|p| p.value().as_element().map(|e| e.name() == "script"))
            .unwrap_or(false);
        matches!(n.value(), Node::Text(t) if !in_script && t.contains(needle.as_str()))
    });
    match found {
        Some(node) => {
            for ancestor in node.ancestors() {
                if let Node::Element(e) = ancestor.value() {
                    println!(
                        "{} id={:?} class={:?} dropped={:?}",
                        e.name(),
                        e.attr("id"),
                        e.attr("class"),
                        khabar_ingest::extract::drop_reason(e)
                    );
                }
            }
        }
        None => println!("(no text node contains {needle:?})"),
    }
    let out = khabar_ingest::extract::extract(&doc);
    println!(
        "---- strategy {}, {} paragraphs\n{}",
        out.strategy, out.paragraphs, out.text
    );
}
