//! Where khabar keeps its files, by the XDG Base Directory specification: the store in the user
//! data directory, the model and gazetteer (rebuildable downloads) in the user cache directory.
//! One place, so the binary, the stages and their examples agree.

use std::ffi::OsString;
use std::path::PathBuf;

/// The store's default directory: `$XDG_DATA_HOME/khabar`, else `~/.local/share/khabar`; with
/// neither, `khabar-data` in the current directory.
pub fn data_dir() -> PathBuf {
    data_dir_from(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
}

/// khabar's cache directory: `$XDG_CACHE_HOME/khabar`, else `~/.cache/khabar`; with neither,
/// `khabar-cache` in the system's temporary directory.
pub fn cache_dir() -> PathBuf {
    cache_dir_from(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
}

/// An XDG variable's directory: the specification says a relative (or empty) one is ignored.
fn xdg(value: Option<OsString>) -> Option<PathBuf> {
    value.map(PathBuf::from).filter(|p| p.is_absolute())
}

fn home(value: Option<OsString>) -> Option<PathBuf> {
    value.filter(|h| !h.is_empty()).map(PathBuf::from)
}

fn data_dir_from(xdg_data_home: Option<OsString>, home_dir: Option<OsString>) -> PathBuf {
    xdg(xdg_data_home)
        .or_else(|| home(home_dir).map(|h| h.join(".local").join("share")))
        .map_or_else(|| PathBuf::from("khabar-data"), |d| d.join("khabar"))
}

fn cache_dir_from(xdg_cache_home: Option<OsString>, home_dir: Option<OsString>) -> PathBuf {
    xdg(xdg_cache_home)
        .or_else(|| home(home_dir).map(|h| h.join(".cache")))
        .map_or_else(
            || std::env::temp_dir().join("khabar-cache"),
            |d| d.join("khabar"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<OsString> {
        Some(s.into())
    }

    #[test]
    fn the_xdg_variables_win_when_absolute() {
        assert_eq!(
            data_dir_from(os("/x/data"), os("/h/u")),
            PathBuf::from("/x/data/khabar")
        );
        assert_eq!(
            cache_dir_from(os("/x/cache"), os("/h/u")),
            PathBuf::from("/x/cache/khabar")
        );
    }

    #[test]
    fn relative_or_empty_xdg_variables_fall_back_to_home() {
        for bad in ["", "relative/dir"] {
            assert_eq!(
                data_dir_from(os(bad), os("/h/u")),
                PathBuf::from("/h/u/.local/share/khabar")
            );
            assert_eq!(
                cache_dir_from(os(bad), os("/h/u")),
                PathBuf::from("/h/u/.cache/khabar")
            );
        }
    }

    #[test]
    fn without_home_the_old_places_are_used() {
        assert_eq!(data_dir_from(None, None), PathBuf::from("khabar-data"));
        assert!(cache_dir_from(None, os("")).ends_with("khabar-cache"));
    }
}
