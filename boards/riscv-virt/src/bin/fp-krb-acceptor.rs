//! Footprint: the Kerberos acceptor on MIT krb5's recorded AP-REQ, and a sealed reply.
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
    firmware::footprint(
        &mut board,
        "krb-acceptor",
        &mut [(
            "Kerberos acceptor on the recorded AP-REQ",
            &mut |rng, _, mark| authcore_conformance::footprint::krb_accept_recorded(rng, mark),
        )],
    )
}
