//! Directory walks: each directory and file read once, special files and unknown formats
//! skipped and reported, a named file read whatever its name.

use khabar_ingest::{read_input, Input, Item, Limits, SkipReason};
use std::os::unix::fs::symlink;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn links_to_dot_a_fifo_and_a_readme_are_skipped_not_read_or_hung_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(
        root.join("a.txt"),
        "Lavrov met his Kuwaiti counterpart in Moscow.",
    )
    .unwrap();
    std::fs::write(root.join("README.md"), "# notes\nnot an article").unwrap();
    symlink(".", root.join("again")).unwrap();
    symlink(".", root.join("loop")).unwrap();
    symlink("a.txt", root.join("z-link.txt")).unwrap();
    let fifo = root.join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let (tx, rx) = mpsc::channel();
    let walked = root.clone();
    std::thread::spawn(move || {
        let mut bodies = Vec::new();
        let report = read_input(&Input::Path(walked), &Limits::default(), &mut |item| {
            if let Item::Article(a) = item {
                bodies.push(a.body)
            }
        });
        tx.send((bodies, report)).unwrap();
    });
    // Without the fix the walk multiplies (or blocks on the FIFO): it must end, and soon.
    let (bodies, report) = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the walk did not end");
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let reasons: Vec<(String, SkipReason)> = report
        .skipped
        .iter()
        .map(|s| {
            (
                s.path.file_name().unwrap().to_string_lossy().into_owned(),
                s.reason.clone(),
            )
        })
        .collect();
    assert!(reasons.contains(&("README.md".into(), SkipReason::NotAnArticleFormat)));
    assert!(reasons.contains(&(
        "pipe".into(),
        SkipReason::SpecialFile("a FIFO (named pipe)")
    )));
    assert!(reasons.contains(&("z-link.txt".into(), SkipReason::FileAlreadyRead)));
    for link in ["again", "loop"] {
        assert!(
            reasons
                .iter()
                .any(|(n, r)| n == link && matches!(r, SkipReason::DirectoryAlreadyRead(_))),
            "{reasons:?}"
        );
    }
    // Named on the command line, the README is read.
    let mut named = 0;
    read_input(
        &Input::Path(root.join("README.md")),
        &Limits::default(),
        &mut |item| {
            if let Item::Article(_) = item {
                named += 1
            }
        },
    );
    assert_eq!(named, 1);
}
