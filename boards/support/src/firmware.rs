//! The two kinds of firmware every bare-metal board builds, written once:
//! the conformance firmware ([`conformance`]) and the footprint firmwares
//! ([`footprint`]). A board crate's binaries are a few lines: set up the
//! board, call one of these.
//!
//! Logging: plain semihosting text (`semihosting::println!`), read on the
//! host straight from QEMU's standard output. defmt would make the firmware
//! smaller (format strings stay on the host) but needs `defmt-print` on the
//! host, a 4-minute `cargo install` that CI would pay on every fresh
//! machine; see boards/README.md.
//!
//! Exit status: QEMU exits with the code passed to semihosting's
//! `SYS_EXIT_EXTENDED`: 0 when every case passed, 1 otherwise; a panic exits
//! 101 (semihosting's panic handler).

use authcore::Time;
use authcore_conformance::footprint::Mark;
use authcore_conformance::{Env, Outcome};
use rand_core::{CryptoRng, Rng};
use semihosting::println;

use crate::stack;

pub use semihosting::process::exit;

/// A board's clock.
pub trait Now {
    /// The current time.
    fn now(&mut self) -> Time;
}

/// What a board hands to the runners.
pub trait Board {
    /// The board's name, as printed.
    const NAME: &'static str;
    /// Its entropy source.
    type Rng: CryptoRng;
    /// Its clock.
    type Clock: Now;
    /// The entropy source and the clock.
    fn parts(&mut self) -> (&mut Self::Rng, &mut Self::Clock);
    /// The lowest address the stack may grow to (end of static RAM).
    fn stack_bottom(&self) -> usize;
}

/// Runs every conformance case, prints one line per case, the context sizes
/// and the peak stack, and exits QEMU with 0 only when every case passed.
pub fn conformance<B: Board>(board: &mut B) -> ! {
    println!("authcore conformance on {}", B::NAME);
    authcore_conformance::context_sizes(|name, size| println!("size_of {name} = {size}"));
    let bottom = board.stack_bottom();
    let (rng, clock) = board.parts();
    let start = clock.now();
    // SAFETY: `stack_bottom` is the end of static RAM; nothing lives between
    // it and the stack pointer (no heap).
    let painted = unsafe { stack::paint(bottom) };
    let tally = run(rng, clock);
    // SAFETY: as above, the painted region is still the stack's.
    let peak = unsafe { stack::peak(painted) };
    let end = clock.now();
    println!("peak stack of all cases: {peak} bytes");
    println!(
        "board clock: {} s elapsed, now {} (Unix)",
        end.unix_secs() - start.unix_secs(),
        end.unix_secs()
    );
    println!("{} passed, {} failed", tally.passed, tally.failed);
    exit(if tally.all_passed() { 0 } else { 1 })
}

#[inline(never)]
fn run<R: CryptoRng, C: Now>(rng: &mut R, clock: &mut C) -> authcore_conformance::Tally {
    let mut now = || clock.now();
    let mut env = Env { rng, now: &mut now };
    authcore_conformance::run_all(&mut env, &mut |name, outcome| match outcome {
        Ok(()) => println!("ok   {name}"),
        Err(why) => println!("FAIL {name}: {why}"),
    })
}

/// A footprint workload: runs with the board's RNG and time, calling `mark`
/// around its handshake.
pub type Workload<'a, R> = (&'a str, &'a mut dyn FnMut(&mut R, Time, &mut dyn FnMut(Mark)) -> Outcome);

/// The instruction-count markers: the measuring script finds these symbols
/// in the ELF and counts the instructions QEMU executes between a call to the
/// first and the next call to the second.
#[no_mangle]
#[inline(never)]
pub extern "C" fn authcore_mark_begin() {
    // Distinct bodies, so the linker cannot fold the two markers into one.
    // SAFETY: a volatile write to a static this module alone uses.
    unsafe { core::ptr::write_volatile(core::ptr::addr_of_mut!(MARKS), 1) };
}

/// See [`authcore_mark_begin`].
#[no_mangle]
#[inline(never)]
pub extern "C" fn authcore_mark_end() {
    // SAFETY: as in `authcore_mark_begin`.
    unsafe { core::ptr::write_volatile(core::ptr::addr_of_mut!(MARKS), 2) };
}

static mut MARKS: u32 = 0;

/// A footprint firmware: runs each workload once, printing its outcome and
/// its peak stack (painted right before it runs, so the contexts and token
/// buffers in its frame count); an empty list is the board's empty firmware,
/// which still draws from the RNG and reads the clock so that the board
/// support is in the baseline. Exits 0 only when every workload passed.
pub fn footprint<B: Board>(board: &mut B, name: &str, workloads: &mut [Workload<'_, B::Rng>]) -> ! {
    println!("authcore footprint firmware {name} on {}", B::NAME);
    let bottom = board.stack_bottom();
    let (rng, clock) = board.parts();
    let mut failed = 0u32;
    let mut seed = [0u8; 8];
    rng.fill_bytes(&mut seed);
    println!("rng {:02x}{:02x}, time {}", seed[0], seed[1], clock.now().unix_secs());
    for (label, workload) in workloads.iter_mut() {
        let now = clock.now();
        // SAFETY: as in `conformance`.
        let painted = unsafe { stack::paint(bottom) };
        let outcome = workload(rng, now, &mut |m| match m {
            Mark::Begin => authcore_mark_begin(),
            Mark::End => authcore_mark_end(),
        });
        // SAFETY: as in `conformance`.
        let peak = unsafe { stack::peak(painted) };
        match outcome {
            Ok(()) => println!("ok   {label}: peak stack {peak} bytes"),
            Err(why) => {
                failed += 1;
                println!("FAIL {label}: {why}");
            }
        }
    }
    exit(if failed == 0 { 0 } else { 1 })
}
