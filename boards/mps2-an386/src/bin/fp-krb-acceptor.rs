//! Footprint: the Kerberos acceptor on MIT krb5's recorded AP-REQ, and a sealed reply.
#![no_std]
#![no_main]

authcore_board_support::firmware_main!(
    cortex_m_rt::entry,
    authcore_board_mps2_an386::Mps2An386,
    authcore_board_support::firmware::krb_acceptor
);
