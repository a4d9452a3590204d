//! defmt's global logger for every bare-metal board: the encoded frames go
//! to the semihosting standard output (`:tt`), which QEMU passes to its own
//! standard output, where `defmt-print -e <elf>` decodes them with the format
//! strings kept in the ELF's `.defmt` section (boards/qemu-run.sh does this
//! for `cargo run`).
//!
//! Semihosting rather than RTT: QEMU has no debug probe to read an RTT
//! buffer, and the same semihosting calls already carry the exit status on
//! both Arm and RISC-V (`defmt-semihosting` is Cortex-M only).
//!
//! A frame is collected in a small buffer and written when the buffer fills
//! and when the frame ends: one semihosting write per line instead of one
//! per encoded field (each is a trap into QEMU).

use core::cell::UnsafeCell;

use semihosting::io::Write as _;

/// Bytes collected before a semihosting write: a conformance report line
/// (its case name and a few numbers) fits.
const BUF_LEN: usize = 128;

struct State {
    /// A frame is being written (re-entry would interleave two frames).
    taken: bool,
    /// The interrupt state to restore when the frame ends.
    restore: Option<critical_section::RestoreState>,
    encoder: defmt::Encoder,
    out: Out,
}

/// Encoded bytes not written yet.
struct Out {
    buf: [u8; BUF_LEN],
    len: usize,
}

impl Out {
    fn put(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = BUF_LEN - self.len;
            let n = room.min(bytes.len());
            self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
            if self.len == BUF_LEN {
                self.drain();
            }
        }
    }

    fn drain(&mut self) {
        if self.len > 0 {
            // Nothing to report a failed write to: the log is the only channel.
            if let Ok(mut out) = semihosting::io::stdout() {
                let _ = out.write_all(&self.buf[..self.len]);
            }
            self.len = 0;
        }
    }
}

struct Shared(UnsafeCell<State>);

// SAFETY: `State` is only touched between `acquire` and `release`, inside a
// critical section (interrupts off, single core), and `taken` refuses
// re-entry from the same context.
unsafe impl Sync for Shared {}

static STATE: Shared = Shared(UnsafeCell::new(State {
    taken: false,
    restore: None,
    encoder: defmt::Encoder::new(),
    out: Out {
        buf: [0; BUF_LEN],
        len: 0,
    },
}));

#[defmt::global_logger]
struct Logger;

// SAFETY: `acquire` enters a critical section and refuses re-entry, so only
// one frame is open at a time and `release` ends it.
unsafe impl defmt::Logger for Logger {
    fn acquire() {
        // SAFETY: released in `release`, which defmt calls once per acquire.
        let restore = unsafe { critical_section::acquire() };
        // SAFETY: interrupts are off; the flag below keeps re-entry out.
        let state = unsafe { &mut *STATE.0.get() };
        if state.taken {
            // A frame started inside another: a panic while logging, the
            // only way this firmware re-enters. Nothing can be logged; exit
            // as a panic does.
            crate::firmware::exit(101);
        }
        state.taken = true;
        state.restore = Some(restore);
        let State { encoder, out, .. } = state;
        encoder.start_frame(|b| out.put(b));
    }

    unsafe fn flush() {
        // SAFETY: called between acquire and release (defmt's contract).
        let state = unsafe { &mut *STATE.0.get() };
        state.out.drain();
    }

    unsafe fn release() {
        // SAFETY: as in `flush`.
        let state = unsafe { &mut *STATE.0.get() };
        let State { encoder, out, .. } = state;
        encoder.end_frame(|b| out.put(b));
        out.drain();
        state.taken = false;
        if let Some(restore) = state.restore.take() {
            // SAFETY: the state `acquire` saved, restored once.
            unsafe { critical_section::release(restore) };
        }
    }

    unsafe fn write(bytes: &[u8]) {
        // SAFETY: as in `flush`.
        let state = unsafe { &mut *STATE.0.get() };
        let State { encoder, out, .. } = state;
        encoder.write(bytes, |b| out.put(b));
    }
}
