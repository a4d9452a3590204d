//! Stack painting: fill the unused stack with a pattern, run the code to
//! measure, then find the lowest word the pattern no longer holds.
//!
//! The stack grows down on every supported core (Cortex-M, RISC-V). The
//! caller passes the lowest address the stack may reach (the end of the
//! static data, `__sheap`/`_sheap` on cortex-m-rt and riscv-rt) and gets back
//! the peak depth below the point where it painted.

/// A word that is unlikely to be written by chance.
pub const PATTERN: u32 = 0xC5AC_CE55;

/// Bytes left unpainted just below the painter's own frame.
const MARGIN: usize = 256;

/// Deepest stack painted below the painter: painting all of a 4 MiB RAM
/// (mps2-an386) would cost millions of instructions per measurement.
pub const MAX_DEPTH: usize = 64 * 1024;

/// Where a [`paint`] started: call [`peak`] with it after the measured code.
#[derive(Debug, Clone, Copy)]
pub struct Painted {
    bottom: usize,
    top: usize,
}

impl Painted {
    /// The painted range's top: the stack pointer at [`paint`], roughly.
    pub fn top(&self) -> usize {
        self.top
    }
}

/// The address of a local of the caller's caller frame region: the current
/// stack pointer, give or take this function's frame.
#[inline(never)]
pub fn stack_pointer() -> usize {
    let marker = 0u8;
    core::hint::black_box(&marker) as *const u8 as usize
}

/// Paints from `bottom` (word-aligned up) to just below the current stack
/// pointer.
///
/// # Safety
/// `bottom` must be the lowest address of the stack region, and nothing
/// between it and the current stack pointer may be in use (no heap, no
/// other thread's stack): this writes over all of it.
#[inline(never)]
pub unsafe fn paint(bottom: usize) -> Painted {
    let top = stack_pointer();
    let bottom = (bottom.max(top.saturating_sub(MAX_DEPTH)) + 3) & !3;
    let end = top.saturating_sub(MARGIN) & !3;
    let mut p = bottom;
    while p < end {
        // SAFETY: per the contract, [bottom, end) is unused stack, word aligned.
        unsafe { core::ptr::write_volatile(p as *mut u32, PATTERN) };
        p += 4;
    }
    Painted { bottom, top }
}

/// Bytes of stack used below the painted top since [`paint`]: from the top
/// to the lowest word that changed. Painted words the code did not touch
/// count as unused (a frame that allocated but never wrote a word is not
/// seen, which is the usual stack-painting blind spot).
///
/// # Safety
/// `painted` must come from [`paint`] on this stack, with the region still
/// reserved for the stack.
#[inline(never)]
pub unsafe fn peak(painted: Painted) -> usize {
    // SAFETY: forwarded contract.
    painted.top - unsafe { deepest(painted) }
}

/// The lowest address written since [`paint`] (the painted top when none).
///
/// # Safety
/// As for [`peak`].
#[inline(never)]
pub unsafe fn deepest(painted: Painted) -> usize {
    let mut p = painted.bottom;
    let end = painted.top.saturating_sub(MARGIN) & !3;
    while p < end {
        // SAFETY: the region was painted by `paint` and is stack memory.
        if unsafe { core::ptr::read_volatile(p as *const u32) } != PATTERN {
            break;
        }
        p += 4;
    }
    p
}
