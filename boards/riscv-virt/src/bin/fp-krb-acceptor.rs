//! Footprint: the Kerberos acceptor on MIT krb5's recorded AP-REQ, and a sealed reply.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    riscv_rt::entry,
    authcore_board_riscv_virt::RiscvVirt,
    authcore_board_support::firmware::krb_acceptor
);
