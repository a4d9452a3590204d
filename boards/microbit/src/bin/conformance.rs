//! The conformance firmware: every case this build has; exits 0 only when all pass.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_microbit::Microbit,
    authcore_board_support::firmware::conformance
);
