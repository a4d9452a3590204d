//! NTLM primitives
