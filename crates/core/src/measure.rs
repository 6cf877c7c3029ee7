//! What the benchmarks read of this process (Linux `/proc/self`): memory and CPU time. On a
//! shared machine CPU time is steadier than wall-clock time, so benchmarks report both.

/// A memory figure of `/proc/self/status` (`VmRSS:`, `VmHWM:` for the peak), in MB.
pub fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time (user + system) of this process so far, in seconds, from /proc/self/stat (clock
/// ticks of 1/100 s, the kernel's USER_HZ on every mainstream architecture).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let rss = status_mb("VmRSS:").unwrap();
        assert!(rss > 0.0 && status_mb("VmHWM:").unwrap() >= rss);
        assert!(cpu_seconds().unwrap() >= 0.0);
        assert!(status_mb("NoSuchKey:").is_none());
    }
}
