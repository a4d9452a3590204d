//! MIT keytab (placeholder)
