//! The conformance firmware: every case this build has; exits 0 only when all pass.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_lm3s6965evb::Lm3s6965evb,
    authcore_board_support::firmware::conformance
);
