//! The allocator's tuning knobs the CLI sets (the only `unsafe` here is
//! mimalloc's option call).
//!
//! mimalloc gives the memory of freed large blocks back to the OS; a bulk
//! ingest frees and reallocates its sorter buffers phase after phase, so
//! every reuse faulted fresh zeroed pages in again: 30 k page faults and
//! ~10% of a 1 M-rrset pDNS load's CPU in the kernel's page zeroing
//! (`clear_page_erms`), measured with perf; with the freed memory kept,
//! 600 faults. `scry ingest pdns` keeps it; the zone and facts loads do not
//! (the zone load gained nothing and peaked 108 MiB higher at 2 M
//! delegations; the 10 M-fact store bench's ingest peaked at 738 MiB with
//! it against 501 MiB the session before, not measured apart); the server
//! does not call this.
//!
//! mimalloc also asks for transparent huge pages for its arenas: every
//! first touch of a fresh 2 MiB page waits while the kernel zeroes all of
//! it. `scry serve`, `scry ingest zone` and `scry ingest pdns` turn them off
//! ([`no_transparent_huge_pages`], see the callers for the figures).

use std::ffi::{c_int, c_long};

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the same index in
/// its v2 and v3 headers): how long freed memory waits before it is given
/// back to the OS, in milliseconds; -1: never.
const PURGE_DELAY: c_int = 15;

unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    #[cfg(test)]
    fn mi_option_get(option: c_int) -> c_long;
}

/// Keeps freed memory in the process for reuse (until it exits).
pub(crate) fn retain_freed_memory() {
    // SAFETY: `mi_option_set` only stores an option value (thread-safe in
    // mimalloc; read at each purge decision). The symbol comes from the
    // mimalloc library linked as the global allocator, and the index is
    // checked against its default in the test below.
    unsafe { mi_option_set(PURGE_DELAY, -1) }
}

/// Turns transparent huge pages off for this process (4 KiB pages: a
/// first touch zeroes 4 KiB, not 2 MiB); a kernel that refuses is logged
/// and the process goes on with them.
pub(crate) fn no_transparent_huge_pages() {
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::warn!(error = %e, "transparent huge pages left on");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_index_is_mimallocs() {
        // SAFETY: reads an option value.
        let before = unsafe { mi_option_get(PURGE_DELAY) };
        // v3's default (v2's is 10); the neighbouring options default to
        // 1 and 0, so a wrong index fails here.
        assert!(
            before == 1000 || before == 10 || std::env::var_os("MIMALLOC_PURGE_DELAY").is_some(),
            "{before}"
        );
        retain_freed_memory();
        // SAFETY: as above.
        assert_eq!(unsafe { mi_option_get(PURGE_DELAY) }, -1);
    }
}
