//! Progress of long reads on a terminal: a bar in bytes with a total and ETA when the inputs'
//! size is known (files and directories), a counter when it is not (standard input); elapsed
//! time in the final line. Nothing when standard error is not a terminal, so a pipe or a log
//! gets only the summary.

use indicatif::{HumanBytes, HumanDuration, ProgressBar, ProgressStyle};
use khabar_core::{Article, Source};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Bytes read so far, estimated from what was read out of each file.
pub struct Progress {
    bar: ProgressBar,
    /// Bytes of the files finished.
    done: u64,
    /// The file being read, its size, and the article bytes read from it so far.
    current: Option<(String, u64, u64)>,
    articles: u64,
    stored: usize,
}

impl Progress {
    /// A bar over `paths` (`-` is standard input), or a hidden one when `quiet` or standard
    /// error is not a terminal.
    pub fn new(paths: &[PathBuf], quiet: bool) -> Progress {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else if paths.iter().any(|p| p.as_os_str() == "-") {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("valid template"),
            );
            bar
        } else {
            let mut seen = HashSet::new();
            let total = paths.iter().map(|p| size_of(p, &mut seen)).sum();
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {bytes}/{total_bytes} {bytes_per_sec}, {eta} left — {msg}",
                )
                .expect("valid template"),
            );
            bar
        };
        Progress {
            bar,
            done: 0,
            current: None,
            articles: 0,
            stored: 0,
        }
    }

    /// One more article read.
    pub fn article(&mut self, article: &Article) {
        self.articles += 1;
        if let Some(path) = file_of(&article.source) {
            if self.current.as_ref().is_none_or(|(p, _, _)| p != path) {
                if let Some((_, size, _)) = self.current.take() {
                    self.done += size;
                }
                let size = std::fs::metadata(path).map_or(0, |m| m.len());
                self.current = Some((path.to_string(), size, 0));
            }
            if let Some((_, size, read)) = &mut self.current {
                // A body is about as long as its record: close enough for a bar and an ETA,
                // and never past the file's end.
                *read = (*read + article.body.len() as u64).min(*size);
                self.bar.set_position(self.done + *read);
            }
        }
        self.show();
    }

    /// Says how many articles are stored.
    pub fn stored(&mut self, stored: usize) {
        self.stored = stored;
        self.show();
    }

    fn show(&self) {
        self.bar.set_message(format!(
            "{} articles read, {} stored",
            self.articles, self.stored
        ));
    }

    /// Ends the bar with one line: what was read, in how long.
    pub fn finish(&self) {
        if self.bar.is_hidden() {
            return;
        }
        let read = match self.bar.length() {
            Some(total) => format!(" ({})", HumanBytes(total)),
            None => String::new(),
        };
        self.bar
            .set_style(ProgressStyle::with_template("{msg}").expect("valid template"));
        self.bar.finish_with_message(format!(
            "read {} articles{read} in {}",
            self.articles,
            HumanDuration(self.bar.elapsed())
        ));
    }

    /// Removes the bar (the run failed: the error says what happened).
    pub fn abandon(&self) {
        self.bar.finish_and_clear();
    }
}

/// The file an article was read from.
fn file_of(source: &Source) -> Option<&str> {
    match source {
        Source::File { path }
        | Source::JsonlRecord { path, .. }
        | Source::WarcRecord { path, .. }
        | Source::FeedItem { path, .. } => Some(path),
        Source::Stdin => None,
    }
}

/// Bytes of the regular files under `path`, each file and directory counted once (links to
/// `.` cannot loop).
fn size_of(path: &Path, seen: &mut HashSet<(u64, u64)>) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if !seen.insert((meta.dev(), meta.ino())) {
        return 0;
    }
    if meta.is_file() {
        return meta.len();
    }
    if !meta.is_dir() {
        return 0;
    }
    std::fs::read_dir(path).map_or(0, |entries| {
        entries.flatten().map(|e| size_of(&e.path(), seen)).sum()
    })
}
