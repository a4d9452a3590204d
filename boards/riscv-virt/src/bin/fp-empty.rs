//! Footprint baseline: the board support and the footprint harness (entropy,
//! clock, logging, stack painting, marks) around a workload that does nothing,
//! so that the other `fp-*` firmwares' increment over this one is protocol code.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    riscv_rt::entry,
    authcore_board_riscv_virt::RiscvVirt,
    authcore_board_support::firmware::empty
);
