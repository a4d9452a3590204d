//! Footprint: one NTLM handshake (initiator and acceptor) and a sealed message each way.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    riscv_rt::entry,
    authcore_board_riscv_virt::RiscvVirt,
    authcore_board_support::firmware::ntlm
);
