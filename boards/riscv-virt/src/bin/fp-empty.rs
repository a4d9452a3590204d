//! Footprint baseline: the board support and the footprint harness (entropy,
//! clock, logging, stack painting, marks) around a workload that does nothing,
//! so that the other `fp-*` firmwares' increment over this one is protocol code.
#![no_std]
#![no_main]

use authcore_board_riscv_virt::RiscvVirt;
use authcore_board_support::{firmware, TEST_EPOCH, TEST_SEED};
use riscv_rt::entry;

#[entry]
fn main() -> ! {
    // The public test seed and a constant boot nonce: fine for conformance
    // runs, never for a deployed device (see authcore_board_support::drbg).
    let Some(mut board) = RiscvVirt::take(&TEST_SEED, 1, TEST_EPOCH) else {
        firmware::exit(2)
    };
    firmware::empty(&mut board)
}
