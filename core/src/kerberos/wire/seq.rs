//! `SEQUENCE OF` without allocation.

use core::fmt;

use crate::der::{Decode, Encode, Reader, Writer};
use crate::{Error, Result};

/// A `SEQUENCE OF T`: either parsed (validated DER bytes, decoded lazily on
/// iteration) or built from a caller's slice for sending.
pub struct SeqOf<'a, T> {
    repr: Repr<'a, T>,
}

enum Repr<'a, T> {
    Encoded {
        content: &'a [u8],
        depth: u8,
        count: usize,
    },
    Items(&'a [T]),
}

impl<T> Clone for Repr<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Repr<'_, T> {}

impl<T> Clone for SeqOf<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SeqOf<'_, T> {}

impl<'a, T> SeqOf<'a, T> {
    /// A list to send.
    pub const fn from_slice(items: &'a [T]) -> SeqOf<'a, T> {
        SeqOf {
            repr: Repr::Items(items),
        }
    }

    /// Number of elements.
    pub const fn len(&self) -> usize {
        match self.repr {
            Repr::Encoded { count, .. } => count,
            Repr::Items(items) => items.len(),
        }
    }

    /// True for an empty list (RFC 4120 section 5.1.3: equivalent to absent).
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Nesting depth of a parsed list's content (0 for a list to send), so
    /// DER nested inside its elements continues the same depth budget.
    pub(crate) const fn depth_hint(&self) -> u8 {
        match self.repr {
            Repr::Encoded { depth, .. } => depth,
            Repr::Items(_) => 0,
        }
    }

    /// The content octets of a parsed list (its elements' DER, back to back).
    pub const fn encoded_content(&self) -> Option<&'a [u8]> {
        match self.repr {
            Repr::Encoded { content, .. } => Some(content),
            Repr::Items(_) => None,
        }
    }
}

impl<'a, T: Decode<'a> + Clone> SeqOf<'a, T> {
    /// The elements in order.
    pub fn iter(&self) -> SeqIter<'a, T> {
        SeqIter {
            inner: match self.repr {
                Repr::Encoded { content, depth, .. } => {
                    IterRepr::Encoded(Reader::resume(content, depth))
                }
                Repr::Items(items) => IterRepr::Items(items.iter()),
            },
        }
    }

    /// Parses exactly one encoded `SEQUENCE OF T` filling `bytes` (for example
    /// an AD-IF-RELEVANT's `ad-data`, or METHOD-DATA in a KRB-ERROR's `e-data`).
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        crate::der::parse(bytes, what!("SEQUENCE OF"))
    }

    /// Reads a `SEQUENCE OF` holding at most `max` elements, validating each.
    pub(crate) fn decode_bounded(
        r: &mut Reader<'a>,
        what: crate::What,
        max: usize,
        max_what: crate::What,
    ) -> Result<Self> {
        let seq = r.sequence(what)?;
        let content = seq.remaining();
        let depth = seq.depth();
        let mut check = seq;
        let mut count = 0usize;
        while !check.is_empty() {
            T::decode(&mut check, what)?;
            count = count.saturating_add(1);
            if count > max {
                return Err(Error::CapacityExceeded { what: max_what });
            }
        }
        Ok(SeqOf {
            repr: Repr::Encoded {
                content,
                depth,
                count,
            },
        })
    }
}

impl<'a, T: Decode<'a> + Clone> Decode<'a> for SeqOf<'a, T> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        Self::decode_bounded(r, what, usize::MAX, what)
    }
}

impl<T: Encode> SeqOf<'_, T> {
    /// Length of the DER encoding.
    pub fn encoded_len(&self) -> usize {
        crate::der::encoded_len(self)
    }

    /// Writes the DER encoding at the start of `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize> {
        crate::der::emit(self, out)
    }
}

impl<T: Encode> Encode for SeqOf<'_, T> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        match self.repr {
            // Already DER, validated when parsed: re-emitted byte for byte.
            Repr::Encoded { content, .. } => w.sequence(|w| {
                w.bytes(content);
                Ok(())
            }),
            Repr::Items(items) => {
                w.sequence(|w| items.iter().rev().try_for_each(|item| item.encode(w)))
            }
        }
    }
}

impl<'a, T: Decode<'a> + Clone + PartialEq> PartialEq for SeqOf<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Decode<'a> + Clone + Eq> Eq for SeqOf<'a, T> {}

impl<'a, T: Decode<'a> + Clone + fmt::Debug> fmt::Debug for SeqOf<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Decode<'a> + Clone> IntoIterator for &SeqOf<'a, T> {
    type Item = T;
    type IntoIter = SeqIter<'a, T>;
    fn into_iter(self) -> SeqIter<'a, T> {
        self.iter()
    }
}

/// Iterator over a [`SeqOf`].
pub struct SeqIter<'a, T> {
    inner: IterRepr<'a, T>,
}

enum IterRepr<'a, T> {
    Encoded(Reader<'a>),
    Items(core::slice::Iter<'a, T>),
}

impl<'a, T: Decode<'a> + Clone> Iterator for SeqIter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.inner {
            IterRepr::Encoded(r) => {
                if r.is_empty() {
                    return None;
                }
                // Every element was decoded once when the list was parsed, so
                // this cannot fail; if it somehow did, end the iteration.
                match T::decode(r, what!("SEQUENCE OF element")) {
                    Ok(item) => Some(item),
                    Err(_) => {
                        *r = Reader::new(&[]);
                        None
                    }
                }
            }
            IterRepr::Items(it) => it.next().cloned(),
        }
    }
}
