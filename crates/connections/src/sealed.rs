//! Everything sealed with the [`Vault`], wherever it is stored. Platform
//! tokens and connect attempts live here; other crates seal their own
//! secrets (outbound webhook endpoint secrets in `herald-webhooks`) in
//! tables they own. Each such set implements [`SealedValues`], and the
//! [`Keyring`] lists them all: a key rotation re-encrypts every set, and a
//! key is retired only when no set uses it. A set that is not listed would
//! be locked out by the retirement, so the binary lists every set once.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use herald_db::{Db, DbError};

use crate::store::{self, Sealed};
use crate::vault::{KeyId, Vault, VaultError};

/// Why re-encrypting failed.
#[derive(Debug, thiserror::Error)]
pub enum ResealError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// A set of values sealed with the vault, in tables its crate owns.
#[async_trait]
pub trait SealedValues: Send + Sync {
    /// What the values are, for `herald keys list`.
    fn name(&self) -> &'static str;

    /// How many values each key id protects.
    async fn key_usage(&self, db: &Db) -> Result<Vec<(i64, i64)>, DbError>;

    /// Re-seals every value not under `active`; returns how many changed.
    /// Safe while Herald runs: a value changed meanwhile is left as it is.
    async fn reencrypt(&self, db: &Db, vault: &Vault, active: KeyId) -> Result<u64, ResealError>;
}

/// Per key id: how many values it protects, and each set's share.
pub type KeyUsage = BTreeMap<i64, (i64, Vec<(&'static str, i64)>)>;

/// Every set of sealed values this build knows.
#[derive(Clone)]
pub struct Keyring {
    sets: Vec<Arc<dyn SealedValues>>,
}

impl Keyring {
    pub fn new(sets: Vec<Arc<dyn SealedValues>>) -> Keyring {
        Keyring { sets }
    }

    /// How many values each key id protects, over every set, with each
    /// set's share: `key → (total, [(set, count)])`.
    pub async fn usage(&self, db: &Db) -> Result<KeyUsage, DbError> {
        let mut out = KeyUsage::new();
        for set in &self.sets {
            for (key, n) in set.key_usage(db).await? {
                let entry = out.entry(key).or_default();
                entry.0 += n;
                entry.1.push((set.name(), n));
            }
        }
        Ok(out)
    }

    /// How many values key `id` still protects, over every set.
    pub async fn uses(&self, db: &Db, id: KeyId) -> Result<i64, DbError> {
        Ok(self
            .usage(db)
            .await?
            .get(&i64::from(id.0))
            .map_or(0, |(n, _)| *n))
    }

    /// Re-encrypts every set under the vault's newest key; returns how many
    /// values changed.
    pub async fn reencrypt_all(&self, db: &Db, vault: &Vault) -> Result<u64, ResealError> {
        vault.reload_if_changed()?;
        let active = vault.active_key().ok_or(VaultError::Empty)?;
        let mut done = 0;
        for set in &self.sets {
            done += set.reencrypt(db, vault, active).await?;
        }
        Ok(done)
    }
}

/// Platform tokens (`connections.secrets`) and connect attempts in flight
/// (`oauth_attempts.sealed`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectionSecrets;

#[async_trait]
impl SealedValues for ConnectionSecrets {
    fn name(&self) -> &'static str {
        "platform tokens and connect attempts"
    }

    async fn key_usage(&self, db: &Db) -> Result<Vec<(i64, i64)>, DbError> {
        store::key_usage(db).await
    }

    async fn reencrypt(&self, db: &Db, vault: &Vault, active: KeyId) -> Result<u64, ResealError> {
        let active = i64::from(active.0);
        let mut done = 0;
        for table in [Sealed::Connections, Sealed::Attempts] {
            loop {
                let batch = store::sealed_under_other_keys(db, table, active, 100).await?;
                if batch.is_empty() {
                    break;
                }
                for (id, sealed) in batch {
                    let plain = vault.open(&sealed, &id)?;
                    let (key, fresh) = vault.seal(&plain, &id)?;
                    if i64::from(key.0) != active {
                        // Another rotation happened meanwhile; the job it
                        // queued finishes the work.
                        return Ok(done);
                    }
                    if store::reseal(db, table, &id, &sealed, active, &fresh).await? {
                        done += 1;
                    }
                }
            }
        }
        Ok(done)
    }
}
