//! authcore board support for the BBC micro:bit v1 (nRF51822, Cortex-M0),
//! as QEMU's `microbit` machine emulates it: 16 KiB of RAM for the static
//! data and the stack together.
//!
//! - Entropy: the nRF51822's hardware RNG (a thermal-noise TRNG; QEMU's
//!   `nrf51_rng` model feeds it from the host's random source), read with
//!   its bias correction on: [`trng`] draws 64 bytes (512 bits, twice the
//!   256-bit strength) at boot as the entropy input of an [`HmacDrbg`]
//!   (SP 800-90A: the TRNG seeds, the DRBG generates). The provisioned seed
//!   is mixed in as the personalization string, so a failed TRNG alone does
//!   not make the output predictable to whoever lacks the seed.
//! - Clock: a provisioned epoch plus SysTick on the core clock
//!   ([`CORE_HZ`]), wraps counted in the SysTick exception.
//! - Logging: defmt over semihosting, decoded on the host by `defmt-print`
//!   (see `authcore_board_support::firmware`).
//! - Memory: `memory.x` (256 KiB flash at 0x0, 16 KiB RAM at 0x20000000).
#![no_std]

use authcore::Time;
use authcore_board_support::cortexm::{self, SysTickClock};
use authcore_board_support::firmware::Board;
use authcore_board_support::{HmacDrbg, ProvisionedSeed};

/// The core clock SysTick counts (the nRF51's 16 MHz HFCLK).
pub const CORE_HZ: u32 = 16_000_000;

/// The nRF51822 RNG peripheral (nRF51 Series Reference Manual, "RNG").
pub mod trng {
    const BASE: usize = 0x4000_D000;
    const TASKS_START: *mut u32 = BASE as *mut u32;
    const TASKS_STOP: *mut u32 = (BASE + 0x004) as *mut u32;
    const EVENTS_VALRDY: *mut u32 = (BASE + 0x100) as *mut u32;
    const CONFIG: *mut u32 = (BASE + 0x504) as *mut u32;
    const VALUE: *const u32 = (BASE + 0x508) as *const u32;

    /// Polls before a byte counts as never coming.
    const PATIENCE: u32 = 1_000_000;

    /// Fills `out` with TRNG bytes (bias correction on); `None` if the
    /// peripheral stops answering.
    pub fn fill(out: &mut [u8]) -> Option<()> {
        // SAFETY: the RNG registers of the nRF51822 memory map; this board
        // crate is their only user.
        unsafe {
            CONFIG.write_volatile(1); // DERCEN: bias correction
            EVENTS_VALRDY.write_volatile(0);
            TASKS_START.write_volatile(1);
            let mut ok = true;
            for b in out.iter_mut() {
                let mut waited = 0;
                while EVENTS_VALRDY.read_volatile() == 0 {
                    waited += 1;
                    if waited == PATIENCE {
                        ok = false;
                        break;
                    }
                }
                EVENTS_VALRDY.write_volatile(0);
                *b = VALUE.read_volatile() as u8;
            }
            TASKS_STOP.write_volatile(1);
            ok.then_some(())
        }
    }
}

/// The board: its entropy source and clock.
pub struct Microbit {
    rng: HmacDrbg,
    clock: SysTickClock,
}

impl Microbit {
    /// Takes the board's peripherals (once): starts the clock at `epoch`,
    /// and seeds the DRBG from the TRNG, with `boot_nonce` as its nonce and the
    /// provisioned `seed` as personalization. `None` when the peripherals
    /// were taken already or the TRNG gives no output.
    pub fn take(seed: &ProvisionedSeed, boot_nonce: u64, epoch: Time) -> Option<Microbit> {
        let clock = SysTickClock::take(epoch, CORE_HZ)?;
        let mut entropy = [0u8; 64];
        trng::fill(&mut entropy)?;
        let mut personalization = [0u8; 17 + authcore_board_support::SEED_LEN];
        personalization[..17].copy_from_slice(b"authcore microbit");
        personalization[17..].copy_from_slice(seed.expose());
        let rng = HmacDrbg::new(&entropy, &boot_nonce.to_be_bytes(), &personalization);
        entropy.fill(0);
        personalization.fill(0);
        Some(Microbit { rng, clock })
    }
}

impl Board for Microbit {
    const NAME: &'static str = "microbit (nRF51822 Cortex-M0, thumbv6m-none-eabi)";
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
