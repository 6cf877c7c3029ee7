//! Helpers for the end-to-end tests: run the real `khabar` binary against a fresh data directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed articles as bundled.
pub fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("examples/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// A `khabar` command using `data` as its store.
pub fn khabar(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_khabar"));
    cmd.env("KHABAR_DATA", data);
    cmd
}

/// Runs and returns the output, failing the test with stderr when the command failed.
pub fn ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("khabar runs");
    assert!(
        out.status.success(),
        "{:?} failed ({}):\n{}\n{}",
        cmd,
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a command that must fail and returns its stderr (the error the user sees).
pub fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().expect("khabar runs");
    assert!(
        !out.status.success(),
        "{:?} succeeded but should have failed:\n{}",
        cmd,
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `khabar events --json`, parsed.
pub fn events(data: &Path) -> Vec<serde_json::Value> {
    let out = ok(khabar(data).args(["events", "--json"]));
    serde_json::from_slice(&out.stdout).expect("events --json prints JSON")
}

/// The member article external names (seed file stems) of each event, sorted, by event.
pub fn groups_by_source(events: &[serde_json::Value]) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let mut g: Vec<String> = e["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let source = a["source"].as_str().unwrap();
                    Path::new(source.split(':').next().unwrap())
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .chars()
                        .take(3)
                        .collect()
                })
                .collect();
            g.sort();
            g
        })
        .collect();
    groups.sort();
    groups
}

/// Each event as its id and its sorted member ids, sorted: a partition to compare runs by.
pub fn partition(events: &[serde_json::Value]) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<(String, Vec<String>)> = events
        .iter()
        .map(|e| {
            let mut members: Vec<String> = e["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string())
                .collect();
            members.sort();
            (e["id"].as_str().unwrap().to_string(), members)
        })
        .collect();
    v.sort();
    v
}
