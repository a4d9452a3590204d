//! The operating system's RNG for core's state machines.

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// The OS generator (`getrandom`). Aborts the process if the OS has no entropy:
/// an authentication library must never continue on a broken RNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRng;

impl TryRng for OsRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if let Err(e) = getrandom::fill(dst) {
            eprintln!("authcore: OS random number generator failed: {e}");
            std::process::abort();
        }
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}
