//! Where an acceptor finds its long-term keys.

use crate::crypto::{Etype, Key};
use crate::kerberos::wire::PrincipalName;
use crate::{Error, Result};

/// A source of service keys (an MIT keytab file in the std adapter, a table
/// in flash on a board).
///
/// The acceptor asks for the key of the principal the *ticket* names
/// (`service`, `realm`, from the ticket's `sname` and `realm`). When the
/// acceptor has no configured service name, that may be any principal: like
/// MIT, a ticket for any principal the table holds is accepted. Name types are
/// hints (RFC 4120 section 5.2.2) and are not compared.
pub trait KeyTable {
    /// The key of `service@realm` with version `kvno` (`None`: the ticket
    /// carried no kvno; return the newest) and encryption type `etype`.
    ///
    /// Errors: [`Error::UnknownPrincipal`] when the table has no entry for the
    /// principal, [`Error::BadKeyVersion`] when it has the principal but not
    /// that kvno, [`Error::NoKey`] when it has the kvno but not that etype.
    fn key(
        &self,
        service: &PrincipalName<'_>,
        realm: &[u8],
        kvno: Option<u32>,
        etype: Etype,
    ) -> Result<Key>;
}

impl<T: KeyTable + ?Sized> KeyTable for &T {
    fn key(
        &self,
        service: &PrincipalName<'_>,
        realm: &[u8],
        kvno: Option<u32>,
        etype: Etype,
    ) -> Result<Key> {
        (**self).key(service, realm, kvno, etype)
    }
}

/// One key of an in-memory key table (`[KeyEntry]` implements [`KeyTable`]).
#[derive(Debug, Clone)]
pub struct KeyEntry<'a> {
    /// The principal's components (`["host", "server.example.com"]`).
    pub principal: &'a [&'a [u8]],
    /// The principal's realm.
    pub realm: &'a [u8],
    /// Key version number.
    pub kvno: u32,
    /// The key (its etype is the entry's etype).
    pub key: Key,
}

impl KeyTable for [KeyEntry<'_>] {
    fn key(
        &self,
        service: &PrincipalName<'_>,
        realm: &[u8],
        kvno: Option<u32>,
        etype: Etype,
    ) -> Result<Key> {
        let mut known_principal = false;
        let mut known_kvno = false;
        let mut newest: Option<&KeyEntry<'_>> = None;
        for entry in self {
            if entry.realm != realm || !service.same_components(entry.principal.iter().copied()) {
                continue;
            }
            known_principal = true;
            if kvno.is_some_and(|k| k != entry.kvno) {
                continue;
            }
            known_kvno = true;
            if entry.key.etype() != etype {
                continue;
            }
            if kvno.is_some() {
                return Ok(entry.key.clone());
            }
            if newest.is_none_or(|n| entry.kvno > n.kvno) {
                newest = Some(entry);
            }
        }
        match newest {
            Some(entry) => Ok(entry.key.clone()),
            None if !known_principal => Err(Error::UnknownPrincipal),
            None if !known_kvno => Err(Error::BadKeyVersion),
            None => Err(Error::NoKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kerberos::wire::KerberosString;

    #[test]
    fn lookup_errors_and_newest() {
        let host: &[&[u8]] = &[b"host", b"h.example"];
        let entries = [
            KeyEntry {
                principal: host,
                realm: b"EXAMPLE",
                kvno: 2,
                key: Key::from_bytes(Etype::Aes128CtsHmacSha196, &[2; 16]).unwrap(),
            },
            KeyEntry {
                principal: host,
                realm: b"EXAMPLE",
                kvno: 3,
                key: Key::from_bytes(Etype::Aes128CtsHmacSha196, &[3; 16]).unwrap(),
            },
            KeyEntry {
                principal: host,
                realm: b"EXAMPLE",
                kvno: 3,
                key: Key::from_bytes(Etype::Rc4Hmac, &[4; 16]).unwrap(),
            },
        ];
        let table: &[KeyEntry<'_>] = &entries;
        let parts = [KerberosString(b"host"), KerberosString(b"h.example")];
        let name = PrincipalName::new(3, &parts);
        let aes = Etype::Aes128CtsHmacSha196;
        assert_eq!(
            table
                .key(&name, b"EXAMPLE", Some(2), aes)
                .unwrap()
                .as_bytes(),
            &[2; 16]
        );
        assert_eq!(
            table.key(&name, b"EXAMPLE", None, aes).unwrap().as_bytes(),
            &[3; 16]
        );
        assert_eq!(
            table.key(&name, b"OTHER", Some(2), aes).unwrap_err(),
            Error::UnknownPrincipal
        );
        let other = [KerberosString(b"host")];
        assert_eq!(
            table
                .key(&PrincipalName::new(1, &other), b"EXAMPLE", None, aes)
                .unwrap_err(),
            Error::UnknownPrincipal
        );
        assert_eq!(
            table.key(&name, b"EXAMPLE", Some(9), aes).unwrap_err(),
            Error::BadKeyVersion
        );
        assert_eq!(
            table
                .key(&name, b"EXAMPLE", Some(2), Etype::Rc4Hmac)
                .unwrap_err(),
            Error::NoKey
        );
        assert_eq!(
            table
                .key(&name, b"EXAMPLE", None, Etype::Aes256CtsHmacSha196)
                .unwrap_err(),
            Error::NoKey
        );
    }
}
