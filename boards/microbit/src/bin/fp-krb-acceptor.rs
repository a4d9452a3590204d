//! Footprint: the Kerberos acceptor on MIT krb5's recorded AP-REQ, and a sealed reply.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_microbit::Microbit,
    authcore_board_support::firmware::krb_acceptor
);
