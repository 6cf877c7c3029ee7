//! Bad input through the real binary: each bad file or record is named with its reason, the rest
//! is stored, nothing stored before is lost, and the exit status says something was rejected.

mod common;

use common::*;
use std::fs;

#[test]
fn bad_inputs_are_rejected_by_name_and_the_rest_goes_on() {
    let data = tempfile::tempdir().unwrap();
    let seeds = seed_files();
    ok(khabar(data.path()).arg("ingest").arg(&seeds[3]));
    let before = events(data.path());

    let inputs = tempfile::tempdir().unwrap();
    let dir = inputs.path();
    fs::write(
        dir.join("binary.txt"),
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0",
    )
    .unwrap();
    // Not UTF-8, no declared encoding, and no legacy encoding fits: random high bytes and spaces
    // (a latin-1 text is read, as what chardetng recognises it to be).
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: Vec<u8> = (0..4000)
        .map(|_| {
            state = khabar_core::splitmix64(state);
            match (state >> 56) as u8 {
                b if b < 0x30 => b' ',
                b => 0x80 | b,
            }
        })
        .collect();
    fs::write(dir.join("unknown-encoding.txt"), noise).unwrap();
    fs::write(dir.join("empty.txt"), b"").unwrap();
    // A 200 MB "article": sparse, so the test costs no disk; refused by size before it is read.
    fs::File::create(dir.join("huge.txt"))
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    fs::write(
        dir.join("batch.jsonl"),
        format!(
            "{}\n{{\"title\": \" \"}}\n{{not json\n",
            serde_json::json!({"text": fs::read_to_string(&seeds[1]).unwrap(), "outlet": "Gulf Observer"})
        ),
    )
    .unwrap();
    let missing = dir.join("does-not-exist.txt");

    let out = khabar(data.path())
        .arg("ingest")
        .arg(dir)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "non-zero exit when anything is rejected"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("ingested 1, duplicates 0, rejected 7"),
        "{stdout}\n{stderr}"
    );
    for (name, reason) in [
        ("binary.txt", "binary"),
        ("unknown-encoding.txt", "cannot tell the text's encoding"),
        ("empty.txt", "empty"),
        ("huge.txt", "limit"),
        ("batch.jsonl:2", "\"text\""),
        ("batch.jsonl:3", "JSON"),
        ("does-not-exist.txt", "cannot read"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(name) && l.contains(reason)),
            "no rejection of {name} for {reason}:\n{stderr}"
        );
    }
    // What was stored before is still there, and the good record joined it.
    let after = events(data.path());
    let before_ids: Vec<&str> = before
        .iter()
        .flat_map(|e| e["articles"].as_array().unwrap())
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let after_ids: Vec<&str> = after
        .iter()
        .flat_map(|e| e["articles"].as_array().unwrap())
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(before_ids.iter().all(|id| after_ids.contains(id)));
    assert_eq!(after_ids.len(), before_ids.len() + 1);
}

#[test]
fn an_unknown_event_and_an_empty_store_are_explained() {
    let data = tempfile::tempdir().unwrap();
    assert!(fails(khabar(data.path()).arg("events")).contains("khabar ingest"));
    ok(khabar(data.path()).arg("ingest").arg(&seed_files()[4]));
    let stderr = fails(khabar(data.path()).args(["show", "e000000000000"]));
    assert!(stderr.contains("no event e000000000000"), "{stderr}");
}
