//! The NTLM acceptor's accounts from a users file.

use authcore::ntlm::{CredentialStore, NtHash};

use crate::users::UsersFile;

impl CredentialStore for UsersFile {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        self.find(user, domain)
            .map(|u| NtHash::from_password(&u.password))
    }
}
