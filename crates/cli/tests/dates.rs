//! Publication dates through the real binary: a page read from a WARC is never dated with its
//! crawl time (it is kept as `crawled_at`, the article stays undated), and every output that
//! carries `published_at` carries its source and confidence beside it.

mod common;

use common::*;

fn page(head: &str, text: &str) -> String {
    let paragraphs: String = text.split("\n\n").map(|p| format!("<p>{p}</p>")).collect();
    format!("<html lang=en><head>{head}</head><body><article>{paragraphs}</article></body></html>")
}

#[test]
fn the_crawl_time_is_kept_apart_and_dates_say_where_they_come_from() {
    let data = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&seed_files()[1]).unwrap();
    let mut warc = Vec::new();
    khabar_ingest::warc::write_response(
        &mut warc,
        "https://example.com/dated",
        "2023-11-05T10:00:00Z",
        page(
            r#"<meta property="article:published_time" content="2023-11-03T09:00:00+03:00">"#,
            &text,
        )
        .as_bytes(),
    )
    .unwrap();
    // The same report on another site, with nothing on the page that dates it (no digits, so
    // no date in its text either).
    let other: String = text.chars().filter(|c| !c.is_numeric()).collect();
    khabar_ingest::warc::write_response(
        &mut warc,
        "https://other.example.org/undated",
        "2023-11-05T11:00:00Z",
        page("", &other).as_bytes(),
    )
    .unwrap();
    let path = inputs.path().join("crawl.warc");
    std::fs::write(&path, &warc).unwrap();
    ok(khabar(data.path()).arg("ingest").arg(&path));

    let out = ok(khabar(data.path()).args(["export", "--format", "jsonl"]));
    let members: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .flat_map(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            e["articles"].as_array().unwrap().clone()
        })
        .collect();
    assert_eq!(members.len(), 2, "{members:?}");
    let dated = members
        .iter()
        .find(|m| m["source"] == "https://example.com/dated")
        .unwrap();
    assert_eq!(
        dated["published_at"], "2023-11-03T09:00:00+03:00",
        "{dated}"
    );
    assert_eq!(dated["published_source"], "meta_tag", "{dated}");
    assert!(dated["published_confidence"].as_f64().unwrap() > 0.0);
    let undated = members
        .iter()
        .find(|m| m["source"] == "https://other.example.org/undated")
        .unwrap();
    assert!(undated["published_at"].is_null(), "{undated}");
    assert!(undated["published_source"].is_null(), "{undated}");
    assert_eq!(
        undated["crawled_at"], "2023-11-05T11:00:00+00:00",
        "{undated}"
    );

    let csv = ok(khabar(data.path()).args(["export", "--format", "csv"]));
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("published_at,published_source,published_confidence,crawled_at"),
        "{csv}"
    );
    assert!(
        csv.contains("2023-11-03T09:00:00+03:00,meta_tag,0.90,"),
        "{csv}"
    );
    assert!(csv.contains(",,,2023-11-05T11:00:00+00:00,"), "{csv}");

    let show = ok(khabar(data.path()).args(["show", "https://example.com/dated"]));
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains("2023-11-03T09:00:00+03:00 (meta_tag 0.90)"),
        "{show}"
    );
    assert!(
        show.contains("undated (crawled 2023-11-05T11:00:00+00:00)"),
        "{show}"
    );
}
