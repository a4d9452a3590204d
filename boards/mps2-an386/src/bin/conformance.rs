//! The conformance firmware: every case this build has; exits 0 only when all pass.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_mps2_an386::Mps2An386,
    authcore_board_support::firmware::conformance
);
