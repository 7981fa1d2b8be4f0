//! The memory allocator for portal binaries: [mimalloc], set to hand freed
//! memory back to the system within [`PURGE_DELAY_MS`] milliseconds.
//!
//! A portal backend works in bursts — the catalog's first ingest parses,
//! processes and stitches every entity, then most of that memory is free
//! again — and then mostly waits for requests. mimalloc returns freed
//! memory to the system, but since mimalloc 3 only after it has been free
//! for a second (its `purge_delay`, 1,000 ms), and only when some thread
//! calls into the allocator after that. A backend that has just finished a
//! burst therefore still shows most of the burst's peak as resident memory.
//! With a delay of 100 ms a 20,000-entity catalog backend reads 70–77 MiB
//! when it reports ready instead of 80–113 MiB, for about 5 % more CPU time
//! during the ingest (`catalog-bench`; the book's "The catalog backend"
//! chapter has the figures). Shorter delays return a little more memory
//! for noticeably more CPU: 10 ms cost about 10 % there.
//!
//! Use it as the binary's global allocator:
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: backstage_allocator::PortalAllocator = backstage_allocator::PortalAllocator;
//!
//! fn main() {
//!     let entities: Vec<String> = (0..1000).map(|i| format!("component:default/c{i}")).collect();
//!     drop(entities);
//!     assert_eq!(backstage_allocator::purge_delay_ms(), 100);
//! }
//! ```
//!
//! The environment still wins: `MIMALLOC_PURGE_DELAY=1000` (or any other
//! of [mimalloc's options]) set when the process starts overrides the
//! delay set here.
//!
//! The framework's other crates do not choose an allocator; this crate is
//! what the example portal and the catalog benchmark use. It is also the
//! one place in the workspace with `unsafe` code: the allocator's C
//! interface.
//!
//! [mimalloc]: https://github.com/microsoft/mimalloc
//! [mimalloc's options]: https://microsoft.github.io/mimalloc/environment.html

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_long;
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// How long memory stays free inside the allocator before it goes back to
/// the system, in milliseconds.
pub const PURGE_DELAY_MS: i64 = 100;

/// mimalloc's `mi_option_purge_delay`: its position in the C enum
/// `mi_option_t` (the same in mimalloc 2 and 3), which libmimalloc-sys does
/// not name. The crate's tests check it against the `MIMALLOC_PURGE_DELAY`
/// environment variable, which mimalloc reads into this option.
const OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Whether the purge delay has been set (on the first allocation).
static CONFIGURED: AtomicBool = AtomicBool::new(false);

/// mimalloc with a purge delay of [`PURGE_DELAY_MS`], as a
/// [`GlobalAlloc`]; see the crate docs.
///
/// The delay is set on the first allocation, before `main` runs, unless
/// the environment already set it.
#[derive(Clone, Copy, Debug, Default)]
pub struct PortalAllocator;

impl PortalAllocator {
    fn configure() {
        if CONFIGURED.load(Ordering::Relaxed) || CONFIGURED.swap(true, Ordering::Relaxed) {
            return;
        }
        #[allow(unsafe_code)]
        // SAFETY: `mi_option_set_default` accepts any option number and
        // value (out-of-range options are ignored); it stores one integer
        // in mimalloc's static option table, unless the environment set
        // that option, and neither allocates nor touches memory of ours.
        unsafe {
            libmimalloc_sys::mi_option_set_default(OPTION_PURGE_DELAY, PURGE_DELAY_MS as c_long);
        }
    }
}

/// The purge delay mimalloc uses now, in milliseconds:
/// [`PURGE_DELAY_MS`] once [`PortalAllocator`] is the global allocator,
/// the value of `MIMALLOC_PURGE_DELAY` when the environment set one, and
/// mimalloc's own default otherwise.
pub fn purge_delay_ms() -> i64 {
    #[allow(unsafe_code)]
    // SAFETY: `mi_option_get` reads one integer from mimalloc's option
    // table (reading the environment the first time); any option number
    // is accepted.
    let delay = unsafe { libmimalloc_sys::mi_option_get(OPTION_PURGE_DELAY) };
    #[allow(clippy::useless_conversion, reason = "C's long is 32 bits on Windows")]
    i64::from(delay)
}

#[allow(unsafe_code)]
// SAFETY: every method passes its arguments unchanged to mimalloc's own
// `GlobalAlloc`, which upholds the trait's contract; `configure` only sets
// an option and allocates nothing, so it cannot recurse into the
// allocator.
unsafe impl GlobalAlloc for PortalAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::configure();
        // SAFETY: the caller's guarantees for `alloc` are passed on.
        unsafe { MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::configure();
        // SAFETY: the caller's guarantees for `alloc_zeroed` are passed on.
        unsafe { MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from mimalloc.
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the caller's guarantees for
        // `realloc` are passed on.
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}
