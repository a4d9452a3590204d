//! GSS-API framing for the Kerberos mechanism.

pub mod token;
