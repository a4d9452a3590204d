//! Footprint: the NTLM acceptor alone (MS-NLMP 4.2.4's messages as its peer), and sealing.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_lm3s6965evb::Lm3s6965evb,
    authcore_board_support::firmware::ntlm_acceptor
);
