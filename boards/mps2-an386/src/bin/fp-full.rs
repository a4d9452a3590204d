//! Footprint of everything: NTLM both sides, Kerberos initiator and acceptor (AP exchange), sealed messages.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_mps2_an386::Mps2An386,
    authcore_board_support::firmware::full
);
