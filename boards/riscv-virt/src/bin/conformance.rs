//! The conformance firmware: every case this build has; exits 0 only when all pass.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    riscv_rt::entry,
    authcore_board_riscv_virt::RiscvVirt,
    authcore_board_support::firmware::conformance
);
