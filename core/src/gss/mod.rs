//! GSS-API mechanism pieces shared by the krb5 contexts.

pub mod cfx;
pub mod rc4;
