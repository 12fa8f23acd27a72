//! Development-mode secrets: generated once into the data folder (readable
//! by the owner only) and reused on every start, so sessions survive
//! restarts without anyone configuring anything.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use secrecy::SecretString;

#[derive(Debug, thiserror::Error)]
#[error("{action} {path}")]
pub struct SecretFileError {
    action: &'static str,
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

fn err(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SecretFileError {
    let path = path.to_owned();
    move |source| SecretFileError {
        action,
        path,
        source,
    }
}

/// Reads the secret at `path`, or generates 256 random bits there (hex).
/// Returns the secret and whether it was generated now.
pub fn load_or_generate(dir: &Path, path: &Path) -> Result<(SecretString, bool), SecretFileError> {
    match fs::read_to_string(path) {
        Ok(text) => {
            let text = text.trim().to_owned();
            if text.len() < 32 {
                return Err(SecretFileError {
                    action: "the stored secret is too short; delete it to generate a new one:",
                    path: path.to_owned(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "fewer than 32 characters",
                    ),
                });
            }
            let mode = fs::metadata(path)
                .map_err(err("could not inspect", path))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "the generated secret is readable by others; tightening to 0600");
                fs::set_permissions(path, fs::Permissions::from_mode(0o600))
                    .map_err(err("could not restrict the permissions of", path))?;
            }
            Ok((SecretString::from(text), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(err("could not create the folder", dir))?;
            let bytes: [u8; 32] = rand::random();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(err("could not create", path))?;
            file.write_all(hex.as_bytes())
                .and_then(|()| file.write_all(b"\n"))
                .and_then(|()| file.sync_all())
                .map_err(|e| {
                    let _ = fs::remove_file(path);
                    err("could not write the generated secret to", path)(e)
                })?;
            Ok((SecretString::from(hex), true))
        }
        Err(e) => Err(err("could not read", path)(e)),
    }
}
