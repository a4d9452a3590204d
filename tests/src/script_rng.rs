//! A generator that replays scripted bytes: how vector tests inject the "random"
//! values a specification's example fixed (client challenge, session key, …).
//! NOT secure.

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// Yields the bytes of its script in order; panics when they run out, so a test
/// notices when a state machine draws more randomness than the script foresaw.
#[derive(Debug, Clone)]
pub struct ScriptRng {
    script: Vec<u8>,
    at: usize,
}

impl ScriptRng {
    /// A generator replaying the concatenation of `parts`.
    pub fn new(parts: &[&[u8]]) -> ScriptRng {
        ScriptRng {
            script: parts.concat(),
            at: 0,
        }
    }

    /// True when every scripted byte was drawn.
    pub fn exhausted(&self) -> bool {
        self.at == self.script.len()
    }
}

impl TryRng for ScriptRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.at + dst.len();
        assert!(end <= self.script.len(), "ScriptRng: script exhausted");
        dst.copy_from_slice(&self.script[self.at..end]);
        self.at = end;
        Ok(())
    }
}

impl TryCryptoRng for ScriptRng {}
