//! The security packages this build carries and their limits — the
//! `EnumerateSecurityPackages` / `QuerySecurityPackageInfo` analog.
//!
//! Limits are `const`s so firmware can size its buffers statically.

/// A security package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Package {
    /// NTLM (MS-NLMP), NTLMv2 with extended session security.
    #[cfg(feature = "ntlm")]
    Ntlm,
    /// Kerberos V5 as the GSS-API krb5 mechanism (RFC 4121, RFC 4757 tokens).
    #[cfg(feature = "kerberos")]
    Kerberos,
    /// SPNEGO (RFC 4178) choosing Kerberos, or NTLM when Kerberos cannot be used.
    #[cfg(feature = "spnego")]
    Negotiate,
}

/// What a caller needs to know about a package before using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PackageInfo {
    /// Which package.
    pub package: Package,
    /// SSPI name (`"NTLM"`, `"Kerberos"`, `"Negotiate"`).
    pub name: &'static str,
    /// One-line description.
    pub comment: &'static str,
    /// Largest handshake token the package emits or accepts.
    pub max_token: usize,
    /// Bytes of a signature (MIC) token.
    pub max_signature: usize,
    /// Bytes a sealed message carries before its data (at most).
    pub seal_header: usize,
    /// Bytes a sealed message carries after its data (at most).
    pub seal_trailer: usize,
}

/// Every package compiled into this build, in preference order.
pub const PACKAGES: &[PackageInfo] = &[
    #[cfg(feature = "ntlm")]
    PackageInfo {
        package: Package::Ntlm,
        name: "NTLM",
        comment: "NTLMv2 (MS-NLMP) with MIC, channel bindings, sign and seal",
        max_token: crate::ntlm::MAX_TOKEN_LEN,
        max_signature: crate::ntlm::SIGNATURE_LEN,
        seal_header: crate::ntlm::SIGNATURE_LEN,
        seal_trailer: 0,
    },
    #[cfg(feature = "kerberos")]
    KERBEROS,
    #[cfg(feature = "spnego")]
    PackageInfo {
        package: Package::Negotiate,
        name: "Negotiate",
        comment: "SPNEGO (RFC 4178): Kerberos preferred, NTLM fallback, mechListMIC",
        max_token: crate::spnego::MAX_TOKEN_LEN,
        max_signature: crate::spnego::SIZES.max_signature,
        seal_header: crate::spnego::SIZES.seal_header,
        seal_trailer: crate::spnego::SIZES.seal_trailer,
    },
];

/// The Kerberos package's entry.
#[cfg(feature = "kerberos")]
pub(crate) const KERBEROS: PackageInfo = PackageInfo {
    package: Package::Kerberos,
    name: "Kerberos",
    comment: "Kerberos V5 AP exchange (GSS krb5), etypes 17/18/19/20/23",
    max_token: crate::kerberos::MAX_TOKEN_LEN,
    max_signature: max(crate::gss::cfx::MAX_MIC_LEN, crate::gss::rc4::MIC_LEN),
    seal_header: max(
        crate::gss::cfx::HEADER_LEN + crate::crypto::MAX_CONFOUNDER_LEN,
        crate::gss::rc4::WRAP_HEADER_LEN,
    ),
    seal_trailer: max(
        crate::gss::cfx::HEADER_LEN + crate::crypto::MAX_CHECKSUM_LEN,
        crate::gss::rc4::WRAP_TRAILER_LEN,
    ),
};

#[cfg(feature = "kerberos")]
const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// The packages of this build.
pub fn enumerate() -> &'static [PackageInfo] {
    PACKAGES
}

/// Finds a package by its SSPI name, case-insensitively.
pub fn find(name: &str) -> Option<&'static PackageInfo> {
    PACKAGES.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}
