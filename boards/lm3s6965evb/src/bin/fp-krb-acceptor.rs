//! Footprint: the Kerberos acceptor on MIT krb5's recorded AP-REQ, and a sealed reply.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_lm3s6965evb::Lm3s6965evb,
    authcore_board_support::firmware::krb_acceptor
);
