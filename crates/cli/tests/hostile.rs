//! The hostile-input corpus (issue 21) through the real binary: scripts/hostile-corpus.sh writes
//! it (nothing large is committed), and each file is ingested into a fresh store holding one seed
//! article. Each case checks its documented outcome — the exit status, a rejection naming the
//! file or record and the reason, the good records of the same file kept, what was not analysed
//! recorded as truncated — and that the store still opens with the seed article intact.
//! Nothing here is timed: the gzip bomb is real because its point is that it is streamed.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The corpus, written once for all the cases of this run.
fn corpus() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("bash")
            .arg(repo().join("scripts/hostile-corpus.sh"))
            .arg(dir.path())
            .status()
            .expect("bash runs");
        assert!(status.success(), "hostile-corpus.sh failed: {status}");
        dir
    })
    .path()
}

/// What ingesting one corpus file into a fresh seeded store gave.
struct Outcome {
    data: tempfile::TempDir,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// Some line of stderr names `what` and gives `reason`.
    fn rejects(&self, what: &str, reason: &str) {
        assert!(
            self.stderr
                .lines()
                .any(|l| l.contains("rejected") && l.contains(what) && l.contains(reason)),
            "no rejection of {what} for {reason:?}:\n{}",
            self.stderr
        );
    }

    /// Every event's `khabar show` output, and the JSONL export.
    fn shown(&self) -> String {
        let mut all = String::new();
        for e in events(self.data.path()) {
            let id = e["id"].as_str().unwrap();
            let out = ok(khabar(self.data.path()).args(["show", id]));
            all.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        let out = ok(khabar(self.data.path()).args(["export", "--format", "jsonl"]));
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all
    }
}

/// Ingests `name` from the corpus into a store that already holds one seed article, and checks
/// that the store opens afterwards with that article still in it.
fn ingest(name: &str) -> Outcome {
    let data = tempfile::tempdir().unwrap();
    let seed: PathBuf = seed_files().remove(0);
    ok(khabar(data.path()).args(["ingest", "-q"]).arg(&seed));
    let seed_ids = article_ids(data.path());
    assert_eq!(seed_ids.len(), 1);
    let out = khabar(data.path())
        .args(["ingest", "-q"])
        .arg(corpus().join(name))
        .output()
        .unwrap();
    let after = article_ids(data.path());
    assert!(
        after.contains(&seed_ids[0]),
        "{name}: the seed article is gone"
    );
    Outcome {
        data,
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn article_ids(data: &Path) -> Vec<String> {
    events(data)
        .iter()
        .flat_map(|e| e["articles"].as_array().unwrap().clone())
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn entities_are_never_expanded_nor_fetched() {
    for name in ["laughs.rss", "laughs.html", "xxe.rss", "xxe.html"] {
        let o = ingest(name);
        assert_eq!(o.code, Some(0), "{name}: {}", o.stderr);
        assert!(o.stdout.contains("ingested 1,"), "{name}: {}", o.stdout);
        let shown = o.shown();
        assert!(
            shown.contains("Lavrov"),
            "{name}: the article's text is kept"
        );
        assert!(!shown.contains("lollol"), "{name}: an entity was expanded");
        assert!(!shown.contains("root:"), "{name}: a local file was read");
    }
}

#[test]
fn a_gzip_bomb_is_streamed_and_rejected() {
    let o = ingest("bomb.warc.gz");
    assert_eq!(o.code, Some(3), "{}", o.stderr);
    assert!(o.stdout.contains("ingested 0,"), "{}", o.stdout);
    o.rejects("bomb.warc.gz", "WARC");
}

#[test]
fn files_that_are_not_articles_are_rejected_by_name_and_reason() {
    for (name, what, reason) in [
        ("huge.txt", "huge.txt", "limit"),
        ("cut.warc.gz", "cut.warc.gz#", "truncated record"),
        ("cut.html.gz", "cut.html.gz", "incomplete"),
        ("binary.txt", "binary.txt", "binary"),
        ("empty.txt", "empty.txt", "empty"),
    ] {
        let o = ingest(name);
        assert_eq!(o.code, Some(3), "{name}: {}", o.stderr);
        assert!(o.stdout.contains("ingested 0,"), "{name}: {}", o.stdout);
        o.rejects(what, reason);
    }
}

#[test]
fn bad_jsonl_lines_are_rejected_and_the_good_ones_kept() {
    let o = ingest("mixed.jsonl");
    assert_eq!(o.code, Some(3), "{}", o.stderr);
    // good-1, the deeply nested record (its unknown field ignored) and good-2
    assert!(
        o.stdout.contains("ingested 3, duplicates 0, rejected 2"),
        "{}\n{}",
        o.stdout,
        o.stderr
    );
    o.rejects("mixed.jsonl:2", "JSON");
    o.rejects("mixed.jsonl:4", "limit");
    let shown = o.shown();
    assert!(shown.contains("mixed.jsonl:1") && shown.contains("mixed.jsonl:5"));
}

#[test]
fn what_is_past_a_bound_is_recorded_as_truncated() {
    for (name, bound) in [
        ("million.jsonl", "more than 10000 lines"),
        ("oneline.txt", "more than 50000 tokens"),
    ] {
        let o = ingest(name);
        assert_eq!(o.code, Some(0), "{name}: {}", o.stderr);
        assert!(o.stdout.contains("ingested 1,"), "{name}: {}", o.stdout);
        let shown = o.shown();
        assert!(
            shown.contains(&format!("truncated: {bound}")),
            "{name}: khabar show does not say what was cut:\n{shown}"
        );
        assert!(
            shown.contains("\"truncated\":[{\"bound\":"),
            "{name}: export"
        );
    }
}

#[test]
fn markup_past_its_bounds_is_cut_linearly_and_said() {
    for (name, cut) in [
        ("attributes.html", "attributes dropped"),
        ("nested.html", "nested deeper than"),
    ] {
        let o = ingest(name);
        assert_eq!(o.code, Some(0), "{name}: {}", o.stderr);
        assert!(o.stdout.contains("ingested 1,"), "{name}: {}", o.stdout);
        let shown = o.shown();
        assert!(shown.contains("Lavrov"), "{name}: the text is kept");
        assert!(
            shown.contains("warning: markup truncated") && shown.contains(cut),
            "{name}: khabar show does not say what was cut:\n{shown}"
        );
    }
}

#[test]
fn an_undeclared_arabic_encoding_is_read_as_arabic() {
    let o = ingest("undeclared-1256.txt");
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let shown = o.shown();
    assert!(shown.contains("لافروف"), "not decoded as Arabic:\n{shown}");
    assert!(!shown.contains("\u{e1}\u{dd}"), "mojibake stored:\n{shown}");
}

#[test]
fn terminal_controls_in_a_title_are_never_printed_raw() {
    let o = ingest("escapes.jsonl");
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let mut printed = vec![ok(khabar(o.data.path()).arg("events"))];
    for e in events(o.data.path()) {
        printed.push(ok(
            khabar(o.data.path()).args(["show", e["id"].as_str().unwrap()])
        ));
    }
    for out in printed {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(!text.contains('\u{202e}'), "{text}");
    }
    // JSON keeps the title as it was, escaped by the JSON itself.
    let json = ok(khabar(o.data.path()).args(["events", "--json"]));
    assert!(String::from_utf8_lossy(&json.stdout).contains("\\u001b]0;owned"));
}
