//! The purge delay as a binary using `PortalAllocator` sees it, and what
//! it does to resident memory after a burst of allocations.

use std::process::Command;
use std::time::Duration;

use backstage_allocator::{PURGE_DELAY_MS, PortalAllocator, purge_delay_ms};

#[global_allocator]
static ALLOCATOR: PortalAllocator = PortalAllocator;

/// Set in the child processes the tests start; the tests that check the
/// environment's effect run only there.
const CHILD: &str = "BACKSTAGE_ALLOCATOR_TEST_CHILD";

/// Runs the test `name` of this binary again in a child process with
/// `MIMALLOC_PURGE_DELAY` set to `delay`, and checks it passed.
fn run_in_child(name: &str, delay: &str) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(exe)
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .env("MIMALLOC_PURGE_DELAY", delay)
        .output()
        .expect("running the test binary again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name} with MIMALLOC_PURGE_DELAY={delay} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_delay_is_a_tenth_of_a_second() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        println!("skipped: MIMALLOC_PURGE_DELAY is set in this environment");
        return;
    }
    assert_eq!(purge_delay_ms(), PURGE_DELAY_MS);
}

#[test]
fn the_environment_overrides_the_delay() {
    if std::env::var_os(CHILD).is_none() {
        run_in_child("the_environment_overrides_the_delay", "250");
        return;
    }
    assert_eq!(purge_delay_ms(), 250);
}

/// The resident set size of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("reading /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("a VmRSS line")
}

/// Allocates and touches 64 MiB in 256 KiB blocks, frees it, waits well
/// past the delay, then allocates a little (mimalloc purges when a thread
/// next calls into it); how many KiB of the burst are still resident.
fn resident_after_a_burst() -> u64 {
    let before = rss_kib();
    let blocks: Vec<Vec<u8>> = (0..256).map(|i| vec![i as u8; 256 * 1024]).collect();
    let peak = rss_kib();
    assert!(
        peak >= before + 60 * 1024,
        "the burst should be resident: {before} KiB before, {peak} KiB at the peak"
    );
    drop(blocks);
    for round in 0..20 {
        std::thread::sleep(Duration::from_millis(25));
        // Enough allocations of many sizes that mimalloc takes its slow
        // path, where it purges what has been free for long enough.
        let small: Vec<Vec<u8>> = (0..1000).map(|i| vec![round; 16 + i % 2000]).collect();
        drop(small);
    }
    let left = rss_kib().saturating_sub(before);
    println!("{left} KiB of the 64 MiB burst still resident");
    left
}

#[cfg(target_os = "linux")]
#[test]
fn memory_freed_after_a_burst_goes_back_to_the_system() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        println!("skipped: MIMALLOC_PURGE_DELAY is set in this environment");
        return;
    }
    let left = resident_after_a_burst();
    assert!(
        left < 16 * 1024,
        "{left} KiB of a freed 64 MiB burst are still resident half a second later"
    );
}

/// The contrast, so the test above can fail: with mimalloc's own delay
/// (one second) the same burst is still resident half a second later.
#[cfg(target_os = "linux")]
#[test]
fn with_mimallocs_own_delay_the_burst_stays_resident() {
    if std::env::var_os(CHILD).is_none() {
        run_in_child("with_mimallocs_own_delay_the_burst_stays_resident", "60000");
        return;
    }
    let left = resident_after_a_burst();
    assert!(
        left >= 48 * 1024,
        "only {left} KiB of the burst stayed resident with a purge delay of one minute"
    );
}
