//! Footprint: one NTLM handshake (initiator and acceptor) and a sealed message each way.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_microbit::Microbit,
    authcore_board_support::firmware::ntlm
);
