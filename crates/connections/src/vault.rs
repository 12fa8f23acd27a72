//! The credential vault: AES-256-GCM under versioned keys.
//!
//! Every ciphertext is stored as `v1.{key id}.{base64url(nonce ‖ ciphertext ‖ tag)}`
//! with a fresh random 96-bit nonce, and is bound to what it belongs to (a
//! connection id) as associated data, so a ciphertext copied onto another
//! row does not decrypt. The newest key encrypts; every key in the keyring
//! decrypts, until an operator retires it.
//!
//! The keyring is a file of `{id} {base64 key}` lines (0600). Rotation
//! appends a key; running processes notice the file changed and reload it.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// A key's number in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub u32);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("could not read or write the keyring {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the keyring {path} is malformed at line {line}: {reason}")]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: &'static str,
    },
    #[error("the keyring is empty")]
    Empty,
    #[error("no key {0} in the keyring (was it retired while credentials still used it?)")]
    UnknownKey(KeyId),
    #[error("a stored credential is malformed")]
    MalformedCiphertext,
    #[error("a stored credential does not decrypt (wrong key or tampered)")]
    Tampered,
    #[error("key {0} cannot be retired: it is the newest key")]
    RetireActive(KeyId),
}

struct Keys {
    keys: BTreeMap<KeyId, Aes256Gcm>,
    modified: Option<SystemTime>,
}

impl Keys {
    fn active(&self) -> Option<(KeyId, &Aes256Gcm)> {
        self.keys.iter().next_back().map(|(id, k)| (*id, k))
    }
}

/// Encrypts and decrypts credentials; shared by every request and job.
pub struct Vault {
    path: Option<PathBuf>,
    keys: RwLock<Keys>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("active", &self.active_key())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Opens the keyring at `path`, creating it with one fresh key when it
    /// does not exist yet.
    pub fn open_or_create(path: &Path) -> Result<Vault, VaultError> {
        if !path.exists() {
            write_keyring(path, &[(KeyId(1), random_key())])?;
            tracing::warn!(path = %path.display(), "generated a credential encryption key; back it up with the database");
        }
        let keys = read_keyring(path)?;
        Ok(Vault {
            path: Some(path.to_owned()),
            keys: RwLock::new(keys),
        })
    }

    /// A vault with keys held only in memory (tests).
    pub fn in_memory(keys: &[(KeyId, [u8; 32])]) -> Vault {
        Vault {
            path: None,
            keys: RwLock::new(Keys {
                keys: keys
                    .iter()
                    .map(|(id, k)| (*id, Aes256Gcm::new(k.into())))
                    .collect(),
                modified: None,
            }),
        }
    }

    /// The key new ciphertexts use.
    pub fn active_key(&self) -> Option<KeyId> {
        self.read().active().map(|(id, _)| id)
    }

    /// Every key id in the keyring.
    pub fn key_ids(&self) -> Vec<KeyId> {
        self.read().keys.keys().copied().collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Re-reads the keyring file if it changed since it was loaded.
    pub fn reload_if_changed(&self) -> Result<bool, VaultError> {
        let Some(path) = &self.path else {
            return Ok(false);
        };
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .map_err(|source| VaultError::Io {
                path: path.clone(),
                source,
            })?;
        if self.read().modified == Some(modified) {
            return Ok(false);
        }
        let fresh = read_keyring(path)?;
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        tracing::info!(path = %path.display(), "credential keyring reloaded");
        Ok(true)
    }

    /// Encrypts `plaintext` for `bound_to` under the newest key.
    pub fn seal(&self, plaintext: &[u8], bound_to: &str) -> Result<(KeyId, String), VaultError> {
        // A rotation by another process shows up here without a restart.
        if let Err(e) = self.reload_if_changed() {
            tracing::error!(error = %e, "could not check the keyring for new keys");
        }
        let keys = self.read();
        let (id, cipher) = keys.active().ok_or(VaultError::Empty)?;
        let nonce_bytes: [u8; 12] = rand::random();
        let ciphertext = cipher
            .encrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: plaintext,
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Tampered)?;
        let mut blob = nonce_bytes.to_vec();
        blob.extend_from_slice(&ciphertext);
        Ok((id, format!("v1.{}.{}", id.0, URL_SAFE_NO_PAD.encode(blob))))
    }

    /// Decrypts a value [`Vault::seal`] produced for `bound_to`.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Result<Vec<u8>, VaultError> {
        let (id, blob) = parse_sealed(sealed)?;
        if !self.read().keys.contains_key(&id) {
            let _ = self.reload_if_changed();
        }
        let keys = self.read();
        let cipher = keys.keys.get(&id).ok_or(VaultError::UnknownKey(id))?;
        if blob.len() < 12 + 16 {
            return Err(VaultError::MalformedCiphertext);
        }
        let (nonce, ciphertext) = blob.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| VaultError::MalformedCiphertext)?;
        cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Tampered)
    }

    /// Appends a fresh key to the keyring file; it encrypts from now on.
    pub fn rotate(&self) -> Result<KeyId, VaultError> {
        let path = self.path.as_ref().ok_or(VaultError::Empty)?;
        let mut current = read_keyring_raw(path)?;
        let next = KeyId(current.last().map_or(1, |(id, _)| id.0 + 1));
        current.push((next, random_key()));
        write_keyring(path, &current)?;
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = read_keyring(path)?;
        Ok(next)
    }

    /// Removes `id` from the keyring file. The caller checks first that no
    /// ciphertext uses it any more.
    pub fn retire(&self, id: KeyId) -> Result<(), VaultError> {
        let path = self.path.as_ref().ok_or(VaultError::Empty)?;
        let current = read_keyring_raw(path)?;
        if current.last().map(|(k, _)| *k) == Some(id) {
            return Err(VaultError::RetireActive(id));
        }
        if !current.iter().any(|(k, _)| *k == id) {
            return Err(VaultError::UnknownKey(id));
        }
        let kept: Vec<_> = current.into_iter().filter(|(k, _)| *k != id).collect();
        write_keyring(path, &kept)?;
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = read_keyring(path)?;
        Ok(())
    }
}

/// The key id a sealed value was encrypted with.
pub fn key_of(sealed: &str) -> Option<KeyId> {
    parse_sealed(sealed).ok().map(|(id, _)| id)
}

fn parse_sealed(sealed: &str) -> Result<(KeyId, Vec<u8>), VaultError> {
    let mut parts = sealed.splitn(3, '.');
    let (Some("v1"), Some(id), Some(blob)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(VaultError::MalformedCiphertext);
    };
    let id = id.parse().map_err(|_| VaultError::MalformedCiphertext)?;
    let blob = URL_SAFE_NO_PAD
        .decode(blob)
        .map_err(|_| VaultError::MalformedCiphertext)?;
    Ok((KeyId(id), blob))
}

fn random_key() -> [u8; 32] {
    rand::random()
}

fn read_keyring_raw(path: &Path) -> Result<Vec<(KeyId, [u8; 32])>, VaultError> {
    let text = std::fs::read_to_string(path).map_err(|source| VaultError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let malformed = |reason| VaultError::Malformed {
            path: path.to_owned(),
            line: i + 1,
            reason,
        };
        let (id, key) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| malformed("expected `<id> <base64 key>`"))?;
        let id: u32 = id
            .parse()
            .map_err(|_| malformed("the id is not a number"))?;
        let key: [u8; 32] = STANDARD
            .decode(key.trim())
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| malformed("the key is not 32 bytes of base64"))?;
        if keys.last().is_some_and(|(last, _)| *last >= KeyId(id)) {
            return Err(malformed("ids must increase line by line"));
        }
        keys.push((KeyId(id), key));
    }
    if keys.is_empty() {
        return Err(VaultError::Empty);
    }
    Ok(keys)
}

fn read_keyring(path: &Path) -> Result<Keys, VaultError> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let keys = read_keyring_raw(path)?;
    Ok(Keys {
        keys: keys
            .iter()
            .map(|(id, k)| (*id, Aes256Gcm::new(k.into())))
            .collect(),
        modified,
    })
}

/// Writes the keyring through a temporary file and a rename, 0600.
fn write_keyring(path: &Path, keys: &[(KeyId, [u8; 32])]) -> Result<(), VaultError> {
    let io = |source| VaultError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io)?;
    let mut text = String::from(
        "# Herald credential encryption keys: `<id> <base64 key>`, newest last.\n\
         # The newest key encrypts; every key listed decrypts. Keep this file\n\
         # with your database backups: without it stored tokens are unreadable.\n",
    );
    for (id, key) in keys {
        text.push_str(&format!("{} {}\n", id.0, STANDARD.encode(key)));
    }
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_round_trip_and_are_bound_to_their_owner() {
        let vault = Vault::in_memory(&[(KeyId(1), [7; 32])]);
        let (id, sealed) = vault.seal(b"EAAsecret", "conn-1").unwrap();
        assert_eq!(id, KeyId(1));
        assert!(sealed.starts_with("v1.1."));
        assert!(!sealed.contains("EAAsecret"));
        assert_eq!(vault.open(&sealed, "conn-1").unwrap(), b"EAAsecret");
        assert!(matches!(
            vault.open(&sealed, "conn-2"),
            Err(VaultError::Tampered)
        ));
        // A fresh nonce each time: the same secret never seals the same way.
        assert_ne!(vault.seal(b"EAAsecret", "conn-1").unwrap().1, sealed);
    }

    #[test]
    fn tampering_is_detected() {
        let vault = Vault::in_memory(&[(KeyId(1), [7; 32])]);
        let (_, sealed) = vault.seal(b"token", "c").unwrap();
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(vault.open(&tampered, "c").is_err());
        assert!(matches!(
            vault.open("v2.1.xx", "c"),
            Err(VaultError::MalformedCiphertext)
        ));
    }

    #[test]
    fn rotation_adds_a_key_old_ones_still_decrypt_and_retiring_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let vault = Vault::open_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (old, sealed) = vault.seal(b"token", "c").unwrap();
        assert_eq!(old, KeyId(1));
        assert_eq!(vault.rotate().unwrap(), KeyId(2));
        assert_eq!(vault.seal(b"token", "c").unwrap().0, KeyId(2));
        assert_eq!(vault.open(&sealed, "c").unwrap(), b"token");
        assert!(matches!(
            vault.retire(KeyId(2)),
            Err(VaultError::RetireActive(_))
        ));
        vault.retire(KeyId(1)).unwrap();
        assert!(matches!(
            vault.open(&sealed, "c"),
            Err(VaultError::UnknownKey(KeyId(1)))
        ));
    }

    #[test]
    fn another_process_rotating_is_picked_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let server = Vault::open_or_create(&path).unwrap();
        let operator = Vault::open_or_create(&path).unwrap();
        // Make sure the file's modification time moves on coarse clocks.
        std::thread::sleep(std::time::Duration::from_millis(20));
        operator.rotate().unwrap();
        let (id, sealed) = server.seal(b"token", "c").unwrap();
        assert_eq!(id, KeyId(2));
        assert_eq!(operator.open(&sealed, "c").unwrap(), b"token");
    }

    #[test]
    fn malformed_keyrings_are_refused_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, "1 not-base64\n").unwrap();
        let err = Vault::open_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }
}
