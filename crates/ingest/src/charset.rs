//! The encoding of a text or page that does not declare one.
//!
//! A byte-order mark or a declared charset is believed; valid UTF-8 stays UTF-8. Anything else
//! is guessed with `chardetng` (Firefox's detector for undeclared legacy encodings), and the
//! guess is used only when it can be trusted: chardetng rates it above another candidate, the
//! bytes decode without a single error, and the result has no control characters. Otherwise the
//! input is rejected ("cannot tell the text's encoding") rather than stored as mojibake.

use encoding_rs::Encoding;

/// What a rejected guess is reported as (the start of the reason).
pub const UNKNOWN_ENCODING: &str = "cannot tell the text's encoding";

/// Decodes bytes that are not UTF-8 and declare no encoding, by a trusted guess. `tld` is the
/// top-level domain the text came from (`eg`, `fr`), when known: chardetng weighs it.
/// Returns the text and the encoding guessed.
pub fn decode_undeclared(
    bytes: &[u8],
    tld: Option<&str>,
) -> Result<(String, &'static Encoding), String> {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let tld = tld
        .map(str::to_ascii_lowercase)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let (encoding, trusted) = detector.guess_assess(tld.as_deref().map(str::as_bytes), false);
    if !trusted {
        return Err(format!(
            "{UNKNOWN_ENCODING}: it is not UTF-8, declares no charset, and no legacy encoding fits it better than another (best guess {})",
            encoding.name()
        ));
    }
    let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) else {
        return Err(format!(
            "{UNKNOWN_ENCODING}: it is not UTF-8, declares no charset, and does not decode as {}, the likeliest guess",
            encoding.name()
        ));
    };
    if let Some(c) = text.chars().find(|&c| is_control(c)) {
        return Err(format!(
            "{UNKNOWN_ENCODING}: read as {} (the likeliest guess) it has the control character U+{:04X}, so the guess is wrong",
            encoding.name(),
            c as u32
        ));
    }
    Ok((text.into_owned(), encoding))
}

/// A control character no text carries: C0 except tab, line feed, form feed and carriage
/// return, DEL, and C1 (a C1 character is a byte of 0x80–0x9F read in the wrong encoding).
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0c}')
}

/// Random high bytes and spaces (so no "binary file" check catches them first), for tests.
#[cfg(test)]
pub(crate) fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state = khabar_core::splitmix64(state);
            let b = (state >> 56) as u8;
            if b < 0x30 {
                b' '
            } else {
                0x80 | b
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARABIC: &str = "قال وزير الخارجية الكويتي إن المحادثات مع نظيره الروسي في موسكو تناولت \
                          العلاقات الثنائية والأوضاع في المنطقة، وأكد أن البلدين يتفقان على ضرورة الحل السلمي.";
    const FRENCH: &str = "Le ministre des Affaires étrangères a rencontré son homologue à Moscou vendredi. \
                          Les deux hommes ont évoqué la sécurité régionale, l'énergie et la coopération économique.";

    #[test]
    fn arabic_windows_1256_is_recognised() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(ARABIC);
        let (text, encoding) = decode_undeclared(&bytes, None).unwrap();
        assert_eq!(encoding, encoding_rs::WINDOWS_1256);
        assert_eq!(text, ARABIC);
    }

    #[test]
    fn french_latin_1_is_recognised() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(FRENCH);
        let (text, encoding) = decode_undeclared(&bytes, None).unwrap();
        assert_eq!(encoding, encoding_rs::WINDOWS_1252);
        assert_eq!(text, FRENCH);
    }

    #[test]
    fn random_bytes_are_rejected() {
        let err = decode_undeclared(&noise(4000), None).unwrap_err();
        assert!(err.starts_with(UNKNOWN_ENCODING), "{err}");
    }
}
