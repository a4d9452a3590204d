//! GSS-API pieces of the Kerberos mechanism: RFC 2743 framing ([`token`]),
//! RFC 4121 per-message tokens for the RFC 3961 etypes ([`cfx`]) and RFC 4757
//! tokens for rc4-hmac ([`rc4`]).

pub mod cfx;
pub mod rc4;
pub mod token;
