//! Footprint of everything: NTLM both sides, Kerberos initiator and acceptor (AP exchange), sealed messages.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_lm3s6965evb::Lm3s6965evb,
    authcore_board_support::firmware::full
);
