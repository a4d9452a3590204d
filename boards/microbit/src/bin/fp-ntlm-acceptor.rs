//! Footprint: the NTLM acceptor alone (MS-NLMP 4.2.4's messages as its peer), and sealing.
#![no_std]
#![no_main]

use authcore_board_microbit::Microbit;
use authcore_board_support::{firmware, TEST_EPOCH, TEST_SEED};
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    // The public test seed and a constant boot nonce: fine for conformance
    // runs, never for a deployed device (see authcore_board_support::drbg).
    let Some(mut board) = Microbit::take(&TEST_SEED, 1, TEST_EPOCH) else {
        firmware::exit(2)
    };
    firmware::footprint(
        &mut board,
        "ntlm-acceptor",
        &mut [("NTLM acceptor", &mut |rng, now, mark| {
            authcore_conformance::footprint::ntlm_acceptor_alone(rng, now, mark)
        })],
    )
}
