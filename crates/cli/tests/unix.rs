//! Unix manners, driving the real binary: closed pipes, exit codes, machine-readable output,
//! standard input, the store's default place, completions and man page, signals.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// A store holding the seed articles.
fn seeded() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    ok(khabar(data.path()).arg("ingest").args(seed_files()));
    data
}

/// Runs `cmd` with its stdout closed by the reader after `lines` lines; returns the exit code
/// and stderr.
fn with_reader_gone(cmd: &mut Command, lines: usize) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    {
        let mut reader = BufReader::new(stdout);
        for _ in 0..lines {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
        }
        // Dropped here: the pipe's read end closes, as when `head` exits.
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let data = seeded();
    // `analyse` prints far more than a pipe holds, so its writes meet the closed pipe for sure;
    // the others are closed before they write a byte (the store opens first).
    let (code, stderr) =
        with_reader_gone(khabar(data.path()).arg("analyse").arg(&seed_files()[0]), 1);
    assert_eq!(code, Some(0), "analyse: {stderr}");
    assert_eq!(stderr, "", "analyse");
    for args in [
        &["events"][..],
        &["events", "--json"],
        &["export", "--format", "jsonl"],
        &["export", "--format", "csv"],
        &["log"],
        &["--help"],
    ] {
        let (code, stderr) = with_reader_gone(khabar(data.path()).args(args), 0);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn exit_codes_tell_usage_errors_rejected_input_and_failures_apart() {
    let data = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let usage = khabar(data.path())
        .args(["events", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2), "usage error");
    let empty = inputs.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let rejected = khabar(data.path())
        .arg("ingest")
        .arg(&seed_files()[0])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(rejected.status.code(), Some(3), "input rejected");
    let failed = khabar(&data.path().join("none"))
        .arg("events")
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1), "no store: a failure");
    let help = ok(khabar(data.path()).arg("--help"));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("Exit codes:"), "{help}");
    assert!(help.contains("3    the command finished"), "{help}");
}
