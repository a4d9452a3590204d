//! Footprint of everything: NTLM both sides, Kerberos initiator and acceptor (AP exchange), sealed messages.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_microbit::Microbit,
    authcore_board_support::firmware::full
);
