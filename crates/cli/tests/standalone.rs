//! The repository stands on its own: no file of the project points outside it (a directory beside
//! the checkout, or an absolute path of the machine it was written on), and the declared minimum
//! Rust version is at least what every locked dependency declares.

mod common;

use common::repo;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Third-party data, kept as it was published (its pages may name any path).
const VENDORED_DATA: &str = "data/eval/";

/// The files of the repository: the tracked ones when this is a git checkout, else every file
/// under the root but build output and version-control metadata.
fn repository_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output();
    match listed {
        Ok(out) if out.status.success() => out
            .stdout
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
            .collect(),
        _ => {
            let mut files = Vec::new();
            walk(root, Path::new(""), &mut files);
            files
        }
    }
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(root.join(dir)).unwrap() {
        let entry = entry.unwrap();
        let relative = dir.join(entry.file_name());
        if [".git", "target"].contains(&entry.file_name().to_str().unwrap_or("")) {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            walk(root, &relative, files);
        } else {
            files.push(relative);
        }
    }
}

/// What a line names outside the repository, if anything: a sibling of the checkout reached
/// through `..` or the evaluation data's old place there, or an absolute path under a home or
/// work directory. Built from parts so that this file does not name them itself.
fn outside_reference(line: &str) -> Option<String> {
    for outside in [["..", "shared"].join("/"), ["shared", "eval"].join("/")] {
        if line.contains(&outside) {
            return Some(outside);
        }
    }
    for top in ["work", "root", "home"] {
        let prefix = format!("/{top}");
        for (at, _) in line.match_indices(&prefix) {
            // A path starts the line or follows a separator: inside a URL or a longer path
            // (`example.com/home/x`) the same letters are not one.
            let starts_path = line[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || "._-~/".contains(c)));
            // ... and the name ends there: `/homepage` is another word.
            let whole_name = line[at + prefix.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
            if starts_path && whole_name {
                return Some(prefix);
            }
        }
    }
    None
}

#[test]
fn no_file_names_a_directory_beside_the_checkout_or_an_absolute_path() {
    let root = repo();
    let mut found = Vec::new();
    for file in repository_files(&root) {
        if file.starts_with(VENDORED_DATA) {
            continue;
        }
        // Binary files (gzip, images) are not read; a text file is valid UTF-8.
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if let Some(what) = outside_reference(line) {
                found.push(format!("{}:{}: names {what}", file.display(), i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files that point outside the repository (data ships in data/eval/):\n{}",
        found.join("\n")
    );
}

#[test]
fn outside_references_are_recognised_and_urls_are_not() {
    let sibling = ["..", "shared", "eval"].join("/");
    let work = ["", "work", "shared", "eval"].join("/");
    let home = ["", "home", "me", "x.txt"].join("/");
    for line in [
        format!("--texts {sibling}/pairs.jsonl"),
        format!("a file in `{}`", ["shared", "eval", "clusters"].join("/")),
        format!("read_to_string(\"{work}\")"),
        format!("(`{home}`)"),
        ["", "root"].join("/"),
    ] {
        assert!(outside_reference(&line).is_some(), "{line}");
    }
    for line in [
        "https://example.com/home/news.html",
        "see data/eval/README.md",
        "<a href=\"https://site.org/work/item\">",
        "a /homepage link",
    ] {
        assert_eq!(outside_reference(line), None, "{line}");
    }
}
/// `1.89` or `1.89.0` as (major, minor, patch).
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| {
        p.parse::<u64>()
            .unwrap_or_else(|_| panic!("not a version: {text}"))
    });
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// The host's target triple, from the rustc beside the cargo running the tests.
fn host_triple() -> String {
    let rustc = Path::new(env!("CARGO")).with_file_name("rustc");
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", rustc.display()));
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap_or_else(|| panic!("no host in `rustc -vV`:\n{info}"))
        .to_string()
}

#[test]
fn the_declared_rust_version_covers_every_locked_dependency() {
    // Offline and for this host only: the manifests of other platforms' dependencies are not
    // downloaded, and the check must not need the network.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host_triple()])
        .current_dir(repo())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let packages = metadata["packages"].as_array().unwrap();
    let rust_version = |p: &serde_json::Value| p["rust_version"].as_str().map(version);
    let mut declared = None;
    for p in packages
        .iter()
        .filter(|p| members.contains(&p["id"].as_str().unwrap()))
    {
        let own = rust_version(p);
        // Each crate inherits the workspace's `rust-version`; one without it is not checked
        // by cargo or by clippy's `incompatible_msrv`.
        assert!(own.is_some(), "{} declares no rust-version", p["name"]);
        assert!(
            declared.is_none_or(|d| Some(d) == own),
            "{} declares another rust-version than the workspace",
            p["name"]
        );
        declared = own;
    }
    let declared = declared.expect("workspace members");
    let newer: Vec<String> = packages
        .iter()
        .filter(|p| !members.contains(&p["id"].as_str().unwrap()))
        .filter(|p| rust_version(p).is_some_and(|v| v > declared))
        .map(|p| format!("{} {} needs {}", p["name"], p["version"], p["rust_version"]))
        .collect();
    assert!(
        newer.is_empty(),
        "the workspace declares rust-version {declared:?}, but locked dependencies need more:\n{}",
        newer.join("\n")
    );
}
