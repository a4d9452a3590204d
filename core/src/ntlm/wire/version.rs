//! VERSION (MS-NLMP 2.2.2.10): the sender's OS version, for debugging only.

use super::field::Sink;
use crate::Result;

/// Bytes of a VERSION structure.
pub const VERSION_LEN: usize = 8;

/// The VERSION structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Version {
    /// ProductMajorVersion.
    pub major: u8,
    /// ProductMinorVersion.
    pub minor: u8,
    /// ProductBuild.
    pub build: u16,
    /// NTLMRevisionCurrent (15 = NTLMSSP_REVISION_W2K3, the current one).
    pub revision: u8,
}

impl Version {
    /// What authcore sends: 10.0, build 0, NTLM revision 15.
    pub const AUTHCORE: Version = Version {
        major: 10,
        minor: 0,
        build: 0,
        revision: 15,
    };

    /// Reads the 8 bytes (the 3 reserved bytes are ignored).
    pub fn parse(b: &[u8; VERSION_LEN]) -> Version {
        let [major, minor, b0, b1, _, _, _, revision] = *b;
        Version {
            major,
            minor,
            build: u16::from_le_bytes([b0, b1]),
            revision,
        }
    }

    /// The 8 wire bytes.
    pub const fn to_bytes(&self) -> [u8; VERSION_LEN] {
        let [b0, b1] = self.build.to_le_bytes();
        [self.major, self.minor, b0, b1, 0, 0, 0, self.revision]
    }

    pub(crate) fn emit(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.put(&self.to_bytes())
    }
}
