//! Footprint: the NTLM initiator alone (MS-NLMP 4.2.4's messages as its peer), and sealing.
#![no_std]
#![no_main]

use authcore_board_lm3s6965evb::Lm3s6965evb;
use authcore_board_support::{firmware, TEST_EPOCH, TEST_SEED};
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    // The public test seed and a constant boot nonce: fine for conformance
    // runs, never for a deployed device (see authcore_board_support::drbg).
    let Some(mut board) = Lm3s6965evb::take(&TEST_SEED, 1, TEST_EPOCH) else {
        firmware::exit(2)
    };
    firmware::footprint(
        &mut board,
        "ntlm-initiator",
        &mut [("NTLM initiator", &mut |rng, now, mark| {
            authcore_conformance::footprint::ntlm_initiator_alone(rng, now, mark)
        })],
    )
}
