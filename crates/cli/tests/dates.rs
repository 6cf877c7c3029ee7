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

#[test]
fn eval_dates_scores_a_benchmark_directory_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("benchmark/pages");
    std::fs::create_dir_all(&pages).unwrap();
    let body =
        "<article><h1>Talks</h1><p>Published 12 May 2020</p><p>The ministers met.</p></article>";
    for (file, head) in [
        (
            "a.html",
            r#"<meta property="article:published_time" content="2020-05-11T23:30:00-04:00">"#,
        ),
        ("b.html", ""),
        ("c.html", r#"<meta name="date" content="2019-01-01">"#),
    ] {
        std::fs::write(
            pages.join(file),
            format!("<html><head>{head}</head><body>{body}</body></html>"),
        )
        .unwrap();
    }
    // a: right in its own offset (the 11th; the 12th in UTC); b: right from its byline; c: wrong.
    let gold = [
        ("a.html", "2020-05-11"),
        ("b.html", "2020-05-12"),
        ("c.html", "2020-05-12"),
    ]
    .iter()
    .map(|(f, g)| {
        serde_json::json!({"file": f, "url": format!("https://example.com/{f}"), "gold": g})
            .to_string()
    })
    .collect::<Vec<_>>()
    .join("\n");
    std::fs::write(dir.path().join("benchmark/gold.jsonl"), gold + "\n").unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = ok(khabar(data.path())
        .args(["eval", "dates", "--json"])
        .arg(dir.path()));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["all"]["right"], 2, "{report}");
    assert_eq!(report["all"]["wrong"], 1, "{report}");
    assert_eq!(report["failures"]["wrong_meta_tag"], 1, "{report}");
    assert!((report["all"]["precision"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
}
