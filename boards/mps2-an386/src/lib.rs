//! authcore board support for the Arm MPS2 AN386 (Cortex-M4F), as QEMU's
//! `mps2-an386` machine emulates it.
//!
//! - Entropy: the AN386 FPGA image has no TRNG (and QEMU models none), so
//!   the entropy source is the [`HmacDrbg`] fallback seeded from a
//!   caller-provisioned seed. **It is only as good as that seed and the
//!   boot nonce**: read the warning in `authcore_board_support::drbg`.
//! - Clock: a provisioned epoch plus SysTick on the 25 MHz core clock,
//!   wraps counted in the SysTick exception ([`cortexm`]).
//! - Logging: defmt over semihosting, decoded on the host by `defmt-print`
//!   (see `authcore_board_support::firmware`).
//! - Memory: `memory.x` (4 MiB code at 0x0, 4 MiB data at 0x20000000).
#![no_std]

use authcore::Time;
use authcore_board_support::cortexm;
use authcore_board_support::firmware::Board;
use authcore_board_support::{HmacDrbg, ProvisionedSeed};

/// The core clock SysTick counts (QEMU's mps2 SYSCLK).
pub const CORE_HZ: u32 = 25_000_000;

/// The board: its entropy source and clock.
pub struct Mps2An386 {
    rng: HmacDrbg,
    clock: cortexm::SysTickClock,
}

impl Mps2An386 {
    /// Takes the board's peripherals (once): starts the clock at `epoch` and
    /// instantiates the DRBG from the provisioned `seed` and this boot's
    /// never-repeating `boot_nonce`.
    pub fn take(seed: &ProvisionedSeed, boot_nonce: u64, epoch: Time) -> Option<Mps2An386> {
        let clock = cortexm::SysTickClock::take(epoch, CORE_HZ)?;
        Some(Mps2An386 {
            rng: HmacDrbg::from_provisioned(seed, boot_nonce, b"authcore mps2-an386"),
            clock,
        })
    }
}

impl Board for Mps2An386 {
    const NAME: &'static str = "mps2-an386 (Cortex-M4F, thumbv7em-none-eabihf)";
    type Rng = HmacDrbg;
    type Clock = cortexm::SysTickClock;

    fn parts(&mut self) -> (&mut HmacDrbg, &mut cortexm::SysTickClock) {
        (&mut self.rng, &mut self.clock)
    }

    fn stack_bottom(&self) -> usize {
        cortexm::stack_bottom()
    }

    fn stack_top(&self) -> usize {
        cortexm::stack_top()
    }
}
