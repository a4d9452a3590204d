//! A global allocator that counts, for benches that report heap use.
//!
//! Install it with `#[global_allocator] static A: CountingAlloc = CountingAlloc;`,
//! then read [`CountingAlloc::count`] around the code of interest. The counters
//! are process-wide: read them while no other thread allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static CALLS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

/// [`System`] plus two counters: allocation calls (`alloc`, `alloc_zeroed` and
/// `realloc`, since a growing `Vec` pays for each) and the bytes they asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

/// Heap use between two [`CountingAlloc::count`] readings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocCount {
    /// Allocation calls.
    pub calls: u64,
    /// Bytes requested by them.
    pub bytes: u64,
}

impl CountingAlloc {
    /// The heap use of `f`.
    pub fn count<T>(f: impl FnOnce() -> T) -> (T, AllocCount) {
        let (calls, bytes) = (CALLS.load(Relaxed), BYTES.load(Relaxed));
        let out = f();
        let count = AllocCount {
            calls: CALLS.load(Relaxed) - calls,
            bytes: BYTES.load(Relaxed) - bytes,
        };
        (out, count)
    }
}

fn record(size: usize) {
    CALLS.fetch_add(1, Relaxed);
    BYTES.fetch_add(size as u64, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged;
// the counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded contract of `GlobalAlloc::alloc`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded contract of `GlobalAlloc::alloc_zeroed`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract of `GlobalAlloc::dealloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded contract of `GlobalAlloc::realloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
