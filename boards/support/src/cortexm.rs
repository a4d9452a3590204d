//! Cortex-M pieces every Cortex-M board uses: the SysTick clock and the
//! stack bounds cortex-m-rt's linker script defines.

use core::sync::atomic::{AtomicU32, Ordering};

use authcore::Time;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;

use crate::firmware::Now;
use crate::Clock;

/// SysTick's counter is 24 bits wide.
const RELOAD: u32 = 0x00FF_FFFF;

/// SysTick wraps so far. Written only by the SysTick exception (a load and
/// a store: thumbv6m has no atomic read-modify-write), read by the clock.
static WRAPS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    WRAPS.store(
        WRAPS.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
}

/// Wall-clock time: a provisioned epoch plus SysTick counting the core
/// clock, its 24-bit wraps counted in the SysTick exception (one every
/// 2^24 cycles: 0.67 s at 25 MHz). Under QEMU the core clock is virtual, so
/// this time runs at the emulator's pace, not the host's.
pub struct SysTickClock {
    _syst: cortex_m::peripheral::SYST,
    clock: Clock,
}

impl SysTickClock {
    /// Takes SysTick (`None` if the core peripherals were taken already) and
    /// starts it; the clock reads `epoch` now.
    pub fn take(epoch: Time, core_hz: u32) -> Option<SysTickClock> {
        let mut syst = cortex_m::Peripherals::take()?.SYST;
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        Some(SysTickClock {
            _syst: syst,
            clock: Clock::new(epoch, u64::from(core_hz)),
        })
    }

    /// Core clock cycles since [`SysTickClock::take`].
    pub fn ticks(&self) -> u64 {
        loop {
            let wraps = WRAPS.load(Ordering::Relaxed);
            let current = cortex_m::peripheral::SYST::get_current();
            if WRAPS.load(Ordering::Relaxed) != wraps {
                continue; // the exception ran between the reads
            }
            // Wrapped but not counted yet (exception pending, e.g. with
            // interrupts masked): the counter restarted near RELOAD.
            let pending = cortex_m::peripheral::SCB::is_pendst_pending() && current > RELOAD / 2;
            let wraps = u64::from(wraps) + u64::from(pending);
            return wraps * u64::from(RELOAD + 1) + u64::from(RELOAD - current);
        }
    }
}

impl Now for SysTickClock {
    fn now(&mut self) -> Time {
        self.clock.at(SysTickClock::ticks(self))
    }
    fn ticks(&mut self) -> u64 {
        SysTickClock::ticks(self)
    }
    fn ticks_per_sec(&self) -> u64 {
        self.clock.ticks_per_sec()
    }
}

/// The lowest address the stack may reach: the end of .bss/.uninit
/// (cortex-m-rt's `_stack_end`; no heap).
pub fn stack_bottom() -> usize {
    extern "C" {
        static _stack_end: u32;
    }
    // Only the symbol's address is taken (no unsafe needed for addr_of of an extern static).
    core::ptr::addr_of!(_stack_end) as usize
}

/// The top of the stack (cortex-m-rt's `_stack_start`).
pub fn stack_top() -> usize {
    extern "C" {
        static _stack_start: u32;
    }
    core::ptr::addr_of!(_stack_start) as usize
}
