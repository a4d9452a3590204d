//! The conformance cases on a 32-bit ARM Linux device: the same cases as the
//! bare-metal boards, with the OS as entropy source (`getrandom`) and the
//! system clock. `cargo run --release` here runs it under qemu-arm; the CLI's
//! serve/connect against a host-side peer are in `interop.sh`.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use authcore::Time;
use authcore_conformance::{run_all, Env};
use rand_core::{TryCryptoRng, TryRng};

/// The kernel's CSPRNG.
struct OsRng;

impl TryRng for OsRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        // A device whose kernel cannot give randomness cannot authenticate.
        getrandom::fill(dst).expect("the OS random source failed");
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}

fn now() -> Time {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Time::from_unix_micros(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn main() {
    println!("authcore conformance on armv7-unknown-linux-gnueabihf");
    authcore_conformance::context_sizes(|name, size| println!("size_of {name} = {size}"));
    let mut rng = OsRng;
    let mut clock = now;
    let mut env = Env {
        rng: &mut rng,
        now: &mut clock,
    };
    let tally = run_all(&mut env, &mut |name, outcome| match outcome {
        Ok(()) => println!("ok   {name}"),
        Err(why) => println!("FAIL {name}: {why}"),
    });
    println!("{} passed, {} failed", tally.passed, tally.failed);
    std::process::exit(if tally.all_passed() { 0 } else { 1 });
}
