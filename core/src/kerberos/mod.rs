//! Kerberos V5 (RFC 4120).

pub mod wire;
