//! Footprint baseline: the board support and the footprint harness (entropy,
//! clock, logging, stack painting, marks) around a workload that does nothing,
//! so that the other `fp-*` firmwares' increment over this one is protocol code.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_lm3s6965evb::Lm3s6965evb,
    authcore_board_support::firmware::empty
);
