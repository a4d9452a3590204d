//! authcore board support for the TI Stellaris LM3S6965 evaluation board
//! (Cortex-M3), as QEMU's `lm3s6965evb` machine emulates it.
//!
//! - Entropy: the LM3S6965 has no TRNG, so the entropy source is the
//!   [`HmacDrbg`] fallback seeded from a caller-provisioned seed. **It is
//!   only as good as that seed and the boot nonce**: read the warning in
//!   `authcore_board_support::drbg`.
//! - Clock: a provisioned epoch plus SysTick on the core clock
//!   ([`CORE_HZ`]), wraps counted in the SysTick exception.
//! - Logging: defmt over semihosting, decoded on the host by `defmt-print`
//!   (see `authcore_board_support::firmware`).
//! - Memory: `memory.x` (256 KiB flash at 0x0, 64 KiB SRAM at 0x20000000).
#![no_std]

use authcore::Time;
use authcore_board_support::cortexm::{self, SysTickClock};
use authcore_board_support::firmware::Board;
use authcore_board_support::{HmacDrbg, ProvisionedSeed};

/// The core clock SysTick counts: the 12 MHz the chip runs at out of reset
/// (main oscillator, PLL bypassed), which is what QEMU's model reports.
pub const CORE_HZ: u32 = 12_000_000;

/// The board: its entropy source and clock.
pub struct Lm3s6965evb {
    rng: HmacDrbg,
    clock: SysTickClock,
}

impl Lm3s6965evb {
    /// Takes the board's peripherals (once): starts the clock at `epoch` and
    /// instantiates the DRBG from the provisioned `seed` and this boot's
    /// never-repeating `boot_nonce`.
    pub fn take(seed: &ProvisionedSeed, boot_nonce: u64, epoch: Time) -> Option<Lm3s6965evb> {
        let clock = SysTickClock::take(epoch, CORE_HZ)?;
        Some(Lm3s6965evb {
            rng: HmacDrbg::from_provisioned(seed, boot_nonce, b"authcore lm3s6965evb"),
            clock,
        })
    }
}

impl Board for Lm3s6965evb {
    const NAME: &'static str = "lm3s6965evb (Cortex-M3, thumbv7m-none-eabi)";
    type Rng = HmacDrbg;
    type Clock = SysTickClock;

    fn parts(&mut self) -> (&mut HmacDrbg, &mut SysTickClock) {
        (&mut self.rng, &mut self.clock)
    }

    fn stack_bottom(&self) -> usize {
        cortexm::stack_bottom()
    }

    fn stack_top(&self) -> usize {
        cortexm::stack_top()
    }
}
