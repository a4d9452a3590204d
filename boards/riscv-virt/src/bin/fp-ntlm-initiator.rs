//! Footprint: the NTLM initiator alone (MS-NLMP 4.2.4's messages as its peer), and sealing.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    riscv_rt::entry,
    authcore_board_riscv_virt::RiscvVirt,
    authcore_board_support::firmware::ntlm_initiator
);
