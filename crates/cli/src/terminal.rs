//! Text for people: what the store holds (titles, names, quotes, sources) came from the input,
//! and a title carrying `ESC ] 0 ; … BEL` would retitle the terminal, `ESC [ 2 J` clear it, and
//! bidi controls reorder a table. Every human-readable printing of store text goes through
//! [`Clean`]; JSON output does not (serde escapes controls, and it must stay byte-exact).

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` can act on a terminal or reorder what is shown: C0 controls but newline and tab,
/// DEL, C1 controls, and the bidi embeddings, overrides and isolates (U+202A–202E,
/// U+2066–2069).
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every control that can act on a terminal written as a visible `\u{…}` escape.
pub fn sanitise(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut clean = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            clean.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            clean.push(c);
        }
    }
    Cow::Owned(clean)
}

/// A writer that passes text through [`sanitise`]. Bytes of a character split across writes
/// are held until the rest arrives; bytes that are not UTF-8 are shown as U+FFFD.
pub struct Clean<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Clean<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Clean {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        let text = String::from_utf8_lossy(bytes);
        self.inner.write_all(sanitise(&text).as_bytes())
    }
}

impl<W: Write> Write for Clean<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let pending = std::mem::take(&mut self.pending);
        // A UTF-8 character is at most 4 bytes: an incomplete one at the end waits.
        let keep = match std::str::from_utf8(&pending) {
            Ok(_) => 0,
            Err(e) if e.error_len().is_none() => pending.len() - e.valid_up_to(),
            Err(_) => 0,
        };
        let (ready, tail) = pending.split_at(pending.len() - keep);
        self.emit(ready)?;
        self.pending = tail.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.emit(&pending)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Clean<W> {
    fn drop(&mut self) {
        // Errors cannot be reported from drop; an explicit flush reports them.
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_and_bidi_controls_are_escaped() {
        let title = "Talks \u{1b}]0;pwned\u{7}end \u{1b}[2J \u{202e}txet\u{2066}x\u{2069} \u{9b}";
        assert_eq!(
            sanitise(title),
            "Talks \\u{1b}]0;pwned\\u{7}end \\u{1b}[2J \\u{202e}txet\\u{2066}x\\u{2069} \\u{9b}"
        );
        assert_eq!(
            sanitise("محادثات في القاهرة\n\tok"),
            "محادثات في القاهرة\n\tok"
        );
    }

    #[test]
    fn a_character_split_across_writes_is_kept_whole() {
        let mut out = Vec::new();
        {
            let mut clean = Clean::new(&mut out);
            let bytes = "قمة\u{202e}".as_bytes();
            for b in bytes {
                clean.write_all(std::slice::from_ref(b)).unwrap();
            }
            clean.flush().unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "قمة\\u{202e}");
    }
}
