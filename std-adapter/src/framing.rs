//! The CLI's TCP framing: every frame is a 4-byte big-endian length and that many bytes.

use std::io::{self, Read, Write};

/// Largest frame the CLI accepts: well above any token or echoed message it handles,
/// far below what a hostile length prefix (up to 4 GiB) would make it allocate.
pub const MAX_FRAME_LEN: usize = 1 << 20;

/// Writes one frame.
pub fn write_frame<W: Write>(w: &mut W, data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame longer than 4 GiB"))?;
    let mut header = [0u8; 4];
    header.copy_from_slice(&len.to_be_bytes());
    w.write_all(&header)?;
    w.write_all(data)?;
    w.flush()
}

/// Reads one frame into `buf` (replacing its contents); refuses frames over `max`
/// before reading their body.
pub fn read_frame<R: Read>(r: &mut R, buf: &mut Vec<u8>, max: usize) -> io::Result<()> {
    let mut header = [0u8; 4];
    r.read_exact(&mut header)?;
    let len = u32::from_be_bytes(header) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the limit of {max}"),
        ));
    }
    buf.clear();
    buf.resize(len, 0);
    r.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut wire = Vec::new();
        write_frame(&mut wire, b"hello").unwrap();
        write_frame(&mut wire, b"").unwrap();
        assert_eq!(&wire[..4], &[0, 0, 0, 5]);
        let mut r = &wire[..];
        let mut buf = Vec::new();
        read_frame(&mut r, &mut buf, 16).unwrap();
        assert_eq!(buf, b"hello");
        read_frame(&mut r, &mut buf, 16).unwrap();
        assert!(buf.is_empty());
        assert_eq!(
            read_frame(&mut r, &mut buf, 16).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }

    #[test]
    fn hostile_length_refused_before_allocation() {
        let wire = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        let mut buf = Vec::new();
        let err = read_frame(&mut &wire[..], &mut buf, MAX_FRAME_LEN).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(buf.capacity() < 1024);
    }
}
