//! Footprint: one NTLM handshake (initiator and acceptor) and a sealed message each way.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_lm3s6965evb::Lm3s6965evb,
    authcore_board_support::firmware::ntlm
);
