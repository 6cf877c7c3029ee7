//! SIGINT and SIGTERM during long work: the first asks the work to stop at its next batch
//! boundary (what was stored is reported), a second ends the process at once. Either way the
//! store stays consistent: each batch is one transaction.

use crate::exit;
use signal_hook::consts::{SIGINT, SIGTERM};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set by the first signal; arms the immediate exit on the second.
static REQUESTED: AtomicBool = AtomicBool::new(false);
/// The number of the last signal received.
static SIGNAL: AtomicUsize = AtomicUsize::new(0);

/// A stop request that long work polls between batches.
pub struct Stop(());

impl Stop {
    /// Catches SIGINT and SIGTERM from now on.
    pub fn install() -> std::io::Result<Stop> {
        for signal in [SIGINT, SIGTERM] {
            let code = i32::from(exit::SIGNALLED_BASE) + signal;
            // The shutdown goes first: on the first signal REQUESTED is still false.
            signal_hook::flag::register_conditional_shutdown(signal, code, &REQUESTED)?;
            signal_hook::flag::register_usize(signal, &SIGNAL, signal as usize)?;
            signal_hook::flag::register(signal, &REQUESTED)?;
        }
        Ok(Stop(()))
    }

    /// The signal that asked to stop, if one did.
    pub fn requested(&self) -> Option<Signal> {
        REQUESTED
            .load(Ordering::SeqCst)
            .then(|| Signal(SIGNAL.load(Ordering::SeqCst) as i32))
    }
}

/// A signal received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(i32);

impl Signal {
    /// The exit code that reports it (128 + its number).
    pub fn exit_code(self) -> u8 {
        // SIGINT and SIGTERM are the only ones caught; both are small numbers.
        exit::SIGNALLED_BASE + self.0 as u8
    }

    /// Its name, as `kill -l` gives it.
    pub fn name(self) -> &'static str {
        match self.0 {
            SIGINT => "SIGINT",
            _ => "SIGTERM",
        }
    }
}
