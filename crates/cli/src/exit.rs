//! Exit codes, and what a closed standard output means: the reader has all it wants (`khabar
//! events | head -1`), so the command ends quietly with success, as ripgrep and fd do.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

/// The command did what it was asked.
pub const SUCCESS: u8 = 0;
/// A failure stopped the command.
pub const FAILURE: u8 = 1;
/// The command line was wrong (clap's code for usage errors).
pub const USAGE: u8 = 2;
/// The command finished, but some input was rejected (each rejection is listed).
pub const REJECTED: u8 = 3;
/// Stopped by a signal: 128 + its number, the shells' convention (SIGINT 130, SIGTERM 143).
pub const SIGNALLED_BASE: u8 = 128;

/// The exit codes as `khabar --help` lists them.
pub const HELP: &str = "\
Exit codes:
  0    success (also when the reader of the output closed it early, as `| head` does)
  1    a failure stopped the command
  2    usage error
  3    the command finished but some input was rejected (each rejection is listed)
  130  interrupted (SIGINT), 143 terminated (SIGTERM): ingest stores the batch at hand, reports
       and stops; a second signal stops at once (the store keeps whole batches)";

/// The process exit code of `code`.
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// Whether `error` comes from writing to a reader that has gone (EPIPE).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
            // serde_json keeps the io::Error inside its own error, not as its source.
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(ErrorKind::BrokenPipe)
    })
}

/// Writes to standard output for `outln!`/`out!`: a closed pipe ends the process quietly with
/// success; any other write failure (disk full behind `>`) ends it with an error.
pub fn write_stdout(args: std::fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(SUCCESS.into());
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(FAILURE.into());
    }
}

/// `println!` that ends the process quietly when standard output is a closed pipe, instead of
/// panicking.
macro_rules! outln {
    () => { $crate::exit::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::exit::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` with the same handling of a closed pipe as `outln!`.
macro_rules! out {
    ($($arg:tt)*) => { $crate::exit::write_stdout(format_args!($($arg)*)) };
}

pub(crate) use {out, outln};
