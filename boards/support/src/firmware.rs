//! The two kinds of firmware every bare-metal board builds, written once:
//! the conformance firmware ([`conformance`]) and the footprint firmwares
//! ([`footprint`], with [`empty`] and one function per `fp-*` firmware). A
//! board crate's binaries are one [`firmware_main!`] each: set up the board,
//! call one of these.
//!
//! Logging: defmt ([`crate::logger`]): the firmware sends each line as an
//! encoded frame (an index into the format strings, which stay in the ELF,
//! and the arguments) over semihosting, and the host decodes it with
//! `defmt-print -e <elf>` (boards/qemu-run.sh, the boards' `cargo run`
//! runner). Failures print authcore's typed error (its `defmt` feature).
//!
//! Exit status: QEMU exits with the code passed to semihosting's
//! `SYS_EXIT_EXTENDED`: 0 when every case passed, 1 otherwise; a panic exits
//! 101 (the panic handler below; it prints the message with the
//! `panic-message` feature).

use authcore::Time;
#[cfg(any(feature = "ntlm", feature = "kerberos"))]
use authcore_conformance::footprint as workloads;
use authcore_conformance::footprint::Mark;
use authcore_conformance::{Env, Outcome};
use defmt::println;
use rand_core::{CryptoRng, Rng};

use crate::stack;

pub use semihosting::process::exit;

/// A board's clock.
pub trait Now {
    /// The current time.
    fn now(&mut self) -> Time;
    /// The raw tick count behind it (for instruction counts under QEMU's
    /// `-icount shift=0`, where one instruction takes 1 ns of virtual time).
    fn ticks(&mut self) -> u64;
    /// Ticks per second.
    fn ticks_per_sec(&self) -> u64;
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
    /// The stack's top (its first push lands just below).
    fn stack_top(&self) -> usize;
}

/// Runs every conformance case, prints one line per case, the context sizes
/// and the peak stack, and exits QEMU with 0 only when every case passed.
pub fn conformance<B: Board>(board: &mut B) -> ! {
    println!("authcore conformance on {=str}", B::NAME);
    authcore_conformance::context_sizes(|name, size| {
        println!("size_of {=str} = {=usize}", name, size)
    });
    let (bottom, top) = (board.stack_bottom(), board.stack_top());
    println!(
        "stack: {=usize} bytes between the static data and the top",
        top - bottom
    );
    let (rng, clock) = board.parts();
    let start = clock.now();
    let tally = run(rng, clock, bottom, top);
    let end = clock.now();
    println!(
        "board clock: {=i64} s elapsed, now {=i64} (Unix)",
        end.unix_secs() - start.unix_secs(),
        end.unix_secs()
    );
    println!("{=u32} passed, {=u32} failed", tally.passed, tally.failed);
    exit(if tally.all_passed() { 0 } else { 1 })
}

/// Runs the cases; each report line carries the case's peak stack, counted
/// from the top of the stack (painted again after each case).
#[inline(never)]
fn run<R: CryptoRng, C: Now>(
    rng: &mut R,
    clock: &mut C,
    bottom: usize,
    top: usize,
) -> authcore_conformance::Tally {
    let mut now = || clock.now();
    let mut env = Env { rng, now: &mut now };
    let mut max = 0usize;
    // SAFETY: `bottom` is the end of static RAM; nothing lives between it and
    // the stack pointer (no heap).
    let mut painted = unsafe { stack::paint(bottom) };
    let tally = authcore_conformance::run_all(&mut env, &mut |name, outcome| {
        // SAFETY: painted by `paint` above or at the previous report, from a
        // frame no deeper than the cases'.
        let used = top - unsafe { stack::deepest(painted) };
        max = max.max(used);
        match outcome {
            Ok(()) => println!("ok   {=str} [stack {=usize}]", name, used),
            Err(why) => println!("FAIL {=str}: {} [stack {=usize}]", name, why, used),
        }
        // SAFETY: as above.
        painted = unsafe { stack::paint(bottom) };
    });
    println!("peak stack of all cases: {=usize} bytes", max);
    tally
}

/// A footprint workload: runs with the board's RNG and time, calling `mark`
/// around its handshake.
pub type Workload<'a, R> = (
    &'a str,
    &'a mut dyn FnMut(&mut R, Time, &mut dyn FnMut(Mark)) -> Outcome,
);

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

/// The board's empty footprint firmware: the harness of [`footprint`] around
/// one workload that only marks its (empty) handshake, so the baseline holds
/// everything but protocol code: the RNG drawn, the clock read, the stack
/// painted and measured, the report lines formatted.
pub fn empty<B: Board>(board: &mut B) -> ! {
    footprint(
        board,
        "empty",
        &mut [("nothing", &mut |_rng, now: Time, mark| {
            mark(Mark::Begin);
            // Opaque to the optimiser, as a workload's use of `now` is.
            core::hint::black_box(now);
            mark(Mark::End);
            Ok(())
        })],
    )
}

/// The NTLM footprint firmware (`fp-ntlm`): one handshake, initiator and
/// acceptor, and a sealed message each way.
#[cfg(feature = "ntlm")]
// Inlined into `main`, as `empty` is: the increment over `fp-empty` stays
// protocol code, not one more frame of harness.
#[inline(always)]
pub fn ntlm<B: Board>(board: &mut B) -> ! {
    footprint(
        board,
        "ntlm",
        &mut [("NTLM handshake", &mut |rng, now, mark| {
            workloads::ntlm_handshake(rng, now, mark)
        })],
    )
}

/// The NTLM initiator alone (`fp-ntlm-initiator`, a client device), against
/// MS-NLMP 4.2.4's CHALLENGE, and sealing.
#[cfg(feature = "ntlm")]
// Inlined into `main`, as `empty` is: the increment over `fp-empty` stays
// protocol code, not one more frame of harness.
#[inline(always)]
pub fn ntlm_initiator<B: Board>(board: &mut B) -> ! {
    footprint(
        board,
        "ntlm-initiator",
        &mut [("NTLM initiator", &mut |rng, now, mark| {
            workloads::ntlm_initiator_alone(rng, now, mark)
        })],
    )
}

/// The NTLM acceptor alone (`fp-ntlm-acceptor`, a server device), on
/// MS-NLMP 4.2.4's AUTHENTICATE, and sealing.
#[cfg(feature = "ntlm")]
// Inlined into `main`, as `empty` is: the increment over `fp-empty` stays
// protocol code, not one more frame of harness.
#[inline(always)]
pub fn ntlm_acceptor<B: Board>(board: &mut B) -> ! {
    footprint(
        board,
        "ntlm-acceptor",
        &mut [("NTLM acceptor", &mut |rng, now, mark| {
            workloads::ntlm_acceptor_alone(rng, now, mark)
        })],
    )
}

/// The Kerberos acceptor alone (`fp-krb-acceptor`) on MIT krb5's recorded
/// AP-REQ, and a sealed reply.
#[cfg(feature = "kerberos")]
// Inlined into `main`, as `empty` is: the increment over `fp-empty` stays
// protocol code, not one more frame of harness.
#[inline(always)]
pub fn krb_acceptor<B: Board>(board: &mut B) -> ! {
    footprint(
        board,
        "krb-acceptor",
        &mut [(
            "Kerberos acceptor on the recorded AP-REQ",
            &mut |rng, _, mark| workloads::krb_accept_recorded(rng, mark),
        )],
    )
}

/// Everything (`fp-full`): both sides of NTLM and of the Kerberos AP
/// exchange, and sealed messages; with `spnego` (not in the budgeted
/// build: see boards/README.md) also both sides of Negotiate.
#[cfg(all(feature = "ntlm", feature = "kerberos"))]
// Inlined into `main`, as `empty` is: the increment over `fp-empty` stays
// protocol code, not one more frame of harness.
#[inline(always)]
pub fn full<B: Board>(board: &mut B) -> ! {
    footprint(
        board,
        "full",
        &mut [
            ("NTLM handshake", &mut |rng, now, mark| {
                workloads::ntlm_handshake(rng, now, mark)
            }),
            ("Kerberos AP exchange", &mut |rng, _, mark| {
                workloads::krb_exchange_recorded(rng, mark)
            }),
            #[cfg(feature = "spnego")]
            ("Negotiate, NTLM fallback", &mut |rng, _, mark| {
                workloads::negotiate_fallback(rng, mark)
            }),
        ],
    )
}

/// A board binary's `main`: takes the board `$board` (its `take(seed,
/// boot_nonce, epoch)`) with the public test seed and runs `$run`, one of
/// this module's firmwares, under the runtime's entry attribute `$entry`.
///
/// ```ignore
/// authcore_board_support::firmware_main!(
///     cortex_m_rt::entry,
///     authcore_board_mps2_an386::Mps2An386,
///     authcore_board_support::firmware::ntlm
/// );
/// ```
#[macro_export]
macro_rules! firmware_main {
    ($entry:meta, $board:ty, $run:path) => {
        #[$entry]
        fn main() -> ! {
            // The public test seed and a constant boot nonce: fine for conformance
            // runs, never for a deployed device (see authcore_board_support::drbg).
            let Some(mut board) = <$board>::take(&$crate::TEST_SEED, 1, $crate::TEST_EPOCH) else {
                $crate::firmware::exit(2)
            };
            $run(&mut board)
        }
    };
}

/// A footprint firmware: runs each workload once, printing its outcome and
/// its peak stack (painted right before it runs, so the contexts and token
/// buffers in its frame count). Exits 0 only when every workload passed.
pub fn footprint<B: Board>(board: &mut B, name: &str, workloads: &mut [Workload<'_, B::Rng>]) -> ! {
    println!(
        "authcore footprint firmware {=str} on {=str}",
        name,
        B::NAME
    );
    let bottom = board.stack_bottom();
    let (rng, clock) = board.parts();
    let mut failed = 0u32;
    let mut seed = [0u8; 8];
    rng.fill_bytes(&mut seed);
    println!(
        "rng {=u8:02x}{=u8:02x}, time {=i64}",
        seed[0],
        seed[1],
        clock.now().unix_secs()
    );
    let hz = clock.ticks_per_sec();
    for (label, workload) in workloads.iter_mut() {
        let now = clock.now();
        // Two measurements: the whole workload (painted here, so the
        // contexts and token buffers in the workload's frame count), and the
        // handshake's calls alone (painted at Mark::Begin, below the
        // workload's frame, read at Mark::End).
        // SAFETY: as in `conformance`.
        let painted = unsafe { stack::paint(bottom) };
        let mut handshake = 0usize;
        let mut before = 0usize;
        let mut ticks = 0u64;
        let mut inner: Option<stack::Painted> = None;
        let outcome = workload(rng, now, &mut |m| match m {
            Mark::Begin => {
                // What the workload used before its handshake: repainting
                // below would hide it from the final reading.
                // SAFETY: as in `conformance`.
                before = unsafe { stack::peak(painted) };
                // SAFETY: as in `conformance`; the workload's frame is above.
                inner = Some(unsafe { stack::paint(bottom) });
                ticks = clock.ticks();
                authcore_mark_begin();
            }
            Mark::End => {
                authcore_mark_end();
                ticks = clock.ticks().wrapping_sub(ticks);
                if let Some(p) = inner.take() {
                    // SAFETY: painted at Mark::Begin, from the same frame depth.
                    handshake = unsafe { stack::peak(p) };
                }
            }
        });
        // SAFETY: as in `conformance`.
        let peak = unsafe { stack::peak(painted) }.max(before);
        match outcome {
            Ok(()) => println!(
                "ok   {=str}: handshake stack {=usize} bytes, workload stack {=usize} bytes, handshake ticks {=u64} at {=u64} Hz",
                label,
                handshake,
                peak,
                ticks,
                hz
            ),
            Err(why) => {
                failed += 1;
                // Not `why` itself: its defmt encoding would link the
                // encoder of every authcore error into the footprint (the
                // conformance firmware, which runs the same workloads,
                // prints them).
                let kind = match why {
                    authcore_conformance::Failure::Error(_) => "authcore error",
                    authcore_conformance::Failure::Mismatch(what) => what,
                    authcore_conformance::Failure::NotRefused(what) => what,
                };
                println!("FAIL {=str}: {=str}", label, kind);
            }
        }
    }
    exit(if failed == 0 { 0 } else { 1 })
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    // core::fmt runs on the device here (a panic message is not a defmt
    // format string), hence the feature.
    #[cfg(feature = "panic-message")]
    println!("panic: {}", defmt::Display2Format(info));
    let _ = info;
    exit(101)
}
