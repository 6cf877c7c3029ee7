//! Outlets derived from URLs: records with a `url` and no `outlet` count by their site
//! (registrable domain), not as "outlet unknown".

mod common;

use common::*;

#[test]
fn eleven_reports_from_ten_sites_count_ten_outlets() {
    let data = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&seed_files()[1]).unwrap();
    // Ten sites; one of them twice, from two of its hosts (one outlet).
    let mut urls: Vec<String> = (0..10)
        .map(|i| format!("https://news.site{i}.co.uk/story"))
        .collect();
    urls.push("https://www.site0.co.uk/other-story".into());
    let lines: Vec<String> = urls
        .iter()
        .map(|url| serde_json::json!({"text": text, "url": url}).to_string())
        .collect();
    let batch = inputs.path().join("batch.jsonl");
    std::fs::write(&batch, lines.join("\n") + "\n").unwrap();
    ok(khabar(data.path()).arg("ingest").arg(&batch));
    let out = ok(khabar(data.path()).args(["export", "--format", "jsonl"]));
    let event: serde_json::Value = serde_json::from_slice(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let outlets: Vec<&str> = event["outlets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    assert_eq!(outlets.len(), 10, "{outlets:?}");
    assert!(outlets.contains(&"site0.co.uk"), "{outlets:?}");
    let member = &event["articles"][0];
    assert_eq!(member["outlet_from_url"], true, "{member}");
}
