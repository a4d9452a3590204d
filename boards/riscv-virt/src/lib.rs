//! authcore board support for QEMU's RISC-V `virt` machine (rv32imac,
//! machine mode, `-bios none`).
//!
//! - Entropy: the Zkr entropy source (the `seed` CSR of the RISC-V scalar
//!   cryptography extension; QEMU implements it with `-cpu rv32,zkr=true`
//!   and feeds it from the host's random source). [`zkr`] polls 32 ES16
//!   samples (512 bits, twice the 256-bit strength) at boot as the entropy
//!   input of an [`HmacDrbg`] (SP 800-90A: the entropy source seeds, the DRBG
//!   generates); the provisioned seed is mixed in as the personalization
//!   string. A core without Zkr traps on the first poll, and the firmware
//!   exits with status 3.
//! - Clock: a provisioned epoch plus the CLINT's `mtime` (10 MHz on virt).
//! - Logging: defmt over semihosting, decoded on the host by `defmt-print`
//!   (see `authcore_board_support::firmware`).
//! - Memory: `memory.x` (everything in DRAM at 0x80000000).
#![no_std]

use authcore::Time;
use authcore_board_support::firmware::{Board, Now};
use authcore_board_support::{Clock, HmacDrbg, ProvisionedSeed, SEED_LEN};

/// `mtime`'s rate on QEMU's virt machine.
pub const MTIME_HZ: u64 = 10_000_000;

/// The CLINT's `mtime` register (virt: CLINT at 0x0200_0000).
const MTIME: usize = 0x0200_BFF8;

/// The Zkr entropy source (RISC-V scalar cryptography, "Entropy Source").
pub mod zkr {
    /// OPST of a sample carrying 16 bits of entropy.
    const ES16: u32 = 0b10;
    /// OPST of a source that failed for good.
    const DEAD: u32 = 0b11;
    /// Polls before the source counts as never answering.
    const PATIENCE: u32 = 1_000_000;

    fn poll() -> u32 {
        let v: u32;
        // SAFETY: reads (and, as the spec requires, writes x0 to) the seed
        // CSR 0x015; no memory is touched.
        unsafe { core::arch::asm!("csrrw {0}, 0x015, zero", out(reg) v) };
        v
    }

    /// Fills `out` with entropy-source samples (16 bits each); `None` if the
    /// source is dead or stops answering.
    pub fn fill(out: &mut [u8]) -> Option<()> {
        for pair in out.chunks_mut(2) {
            let mut waited = 0;
            let sample = loop {
                let v = poll();
                match v >> 30 {
                    ES16 => break v as u16,
                    DEAD => return None,
                    _ => {} // BIST or WAIT: poll again
                }
                waited += 1;
                if waited == PATIENCE {
                    return None;
                }
            };
            let bytes = sample.to_le_bytes();
            pair.copy_from_slice(&bytes[..pair.len()]);
        }
        Some(())
    }
}

/// Time from `mtime`.
pub struct MtimeClock {
    clock: Clock,
    start: u64,
}

fn mtime() -> u64 {
    let lo = MTIME as *const u32;
    let hi = (MTIME + 4) as *const u32;
    loop {
        // SAFETY: the CLINT's mtime registers on the virt machine.
        let (h1, l, h2) = unsafe { (hi.read_volatile(), lo.read_volatile(), hi.read_volatile()) };
        if h1 == h2 {
            return (u64::from(h1) << 32) | u64::from(l);
        }
    }
}

impl Now for MtimeClock {
    fn now(&mut self) -> Time {
        let t = self.ticks();
        self.clock.at(t)
    }
    fn ticks(&mut self) -> u64 {
        mtime().wrapping_sub(self.start)
    }
    fn ticks_per_sec(&self) -> u64 {
        self.clock.ticks_per_sec()
    }
}

/// The board: its entropy source and clock.
pub struct RiscvVirt {
    rng: HmacDrbg,
    clock: MtimeClock,
}

impl RiscvVirt {
    /// Starts the clock at `epoch` and seeds the DRBG from Zkr, with
    /// `boot_nonce` as its nonce and the provisioned `seed` as
    /// personalization; `None` when the entropy source gives no output.
    pub fn take(seed: &ProvisionedSeed, boot_nonce: u64, epoch: Time) -> Option<RiscvVirt> {
        let mut entropy = [0u8; 64];
        zkr::fill(&mut entropy)?;
        let mut personalization = [0u8; 19 + SEED_LEN];
        personalization[..19].copy_from_slice(b"authcore riscv-virt");
        personalization[19..].copy_from_slice(seed.expose());
        let rng = HmacDrbg::new(&entropy, &boot_nonce.to_be_bytes(), &personalization);
        entropy.fill(0);
        personalization.fill(0);
        Some(RiscvVirt {
            rng,
            clock: MtimeClock {
                clock: Clock::new(epoch, MTIME_HZ),
                start: mtime(),
            },
        })
    }
}

impl Board for RiscvVirt {
    const NAME: &'static str = "riscv virt (rv32imac, riscv32imac-unknown-none-elf)";
    type Rng = HmacDrbg;
    type Clock = MtimeClock;

    fn parts(&mut self) -> (&mut HmacDrbg, &mut MtimeClock) {
        (&mut self.rng, &mut self.clock)
    }

    fn stack_bottom(&self) -> usize {
        extern "C" {
            static __estack: u32;
        }
        core::ptr::addr_of!(__estack) as usize
    }

    fn stack_top(&self) -> usize {
        extern "C" {
            static _stack_start: u32;
        }
        core::ptr::addr_of!(_stack_start) as usize
    }
}

/// riscv-rt sends every exception (and an unhandled interrupt) here: exit
/// QEMU with status 3 instead of spinning forever.
#[export_name = "abort"]
pub extern "C" fn abort() -> ! {
    authcore_board_support::firmware::exit(3)
}
