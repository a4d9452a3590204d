//! Board support shared by the authcore board crates: no protocol code, only
//! what a board hands to the protocol code.
//!
//! - [`HmacDrbg`]: the entropy source of boards without a usable hardware
//!   TRNG (NIST SP 800-90A HMAC_DRBG over HMAC-SHA-256), seeded from a
//!   caller-provisioned seed. Read its warning.
//! - [`Clock`]: Kerberos/NTLM time from a provisioned epoch plus a tick count.
//! - [`stack`]: stack painting, to measure the peak stack of a piece of code.
//! - with the `firmware` feature: the conformance and footprint firmware
//!   runners and defmt's global logger (semihosting, decoded on the host).
#![no_std]

#[cfg(test)]
extern crate std;

#[cfg(feature = "cortex-m")]
pub mod cortexm;
pub mod drbg;
#[cfg(feature = "firmware")]
pub mod firmware;
#[cfg(feature = "firmware")]
mod logger;
pub mod stack;

/// The epoch the conformance and footprint firmware provision (2026-11-18):
/// a real board sets its clock from an RTC or a network time source.
pub const TEST_EPOCH: Time = Time::from_unix_secs(1_795_000_000);

/// The seed the conformance and footprint firmware provision: public, so
/// their "random" numbers are predictable. For tests only (see [`drbg`]).
pub const TEST_SEED: ProvisionedSeed = ProvisionedSeed::new(*b"authcore test seed: NOT A SECRET");

pub use drbg::{HmacDrbg, ProvisionedSeed, SEED_LEN};

use authcore::Time;

/// Wall-clock time from an epoch provisioned at boot (from an RTC, a
/// network time source, or the build) plus a free-running tick count.
///
/// Kerberos refuses authenticators outside its skew (5 minutes by default) and
/// NTLMv2 checks timestamps the same way, so the epoch must be set to the real
/// time before the first handshake: a board that boots without it knows no
/// time at all.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    epoch: Time,
    ticks_per_sec: u64,
}

impl Clock {
    /// A clock that reads `epoch` at tick 0 of a counter running at `ticks_per_sec`.
    pub const fn new(epoch: Time, ticks_per_sec: u64) -> Clock {
        Clock {
            epoch,
            ticks_per_sec,
        }
    }

    /// The tick rate.
    pub const fn ticks_per_sec(&self) -> u64 {
        self.ticks_per_sec
    }

    /// The time after `ticks` ticks (saturating; a zero rate reads the epoch).
    pub fn at(&self, ticks: u64) -> Time {
        let micros = match (
            ticks.checked_div(self.ticks_per_sec),
            ticks.checked_rem(self.ticks_per_sec),
        ) {
            (Some(whole), Some(frac)) => whole
                .saturating_mul(1_000_000)
                .saturating_add(frac.saturating_mul(1_000_000) / self.ticks_per_sec),
            _ => 0,
        };
        let micros = i64::try_from(micros).unwrap_or(i64::MAX);
        Time::from_unix_micros(self.epoch.unix_micros().saturating_add(micros))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_counts_from_the_epoch() {
        let c = Clock::new(Time::from_unix_secs(1_800_000_000), 10_000_000);
        assert_eq!(c.at(0), Time::from_unix_secs(1_800_000_000));
        assert_eq!(
            c.at(25_000_005),
            Time::from_unix_micros(1_800_000_002_500_000)
        );
        assert_eq!(
            Clock::new(Time::from_unix_secs(5), 0).at(99),
            Time::from_unix_secs(5)
        );
        // u64::MAX ticks = 1_844_674_407_370 s and 9_551_615 ticks (955_161 µs).
        assert_eq!(
            c.at(u64::MAX).unix_micros(),
            1_800_000_000_000_000 + 1_844_674_407_370_955_161
        );
        assert_eq!(
            Clock::new(Time::from_unix_secs(0), 1).at(u64::MAX),
            Time::from_unix_micros(i64::MAX)
        );
    }
}
