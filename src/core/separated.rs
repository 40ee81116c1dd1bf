//! Text split at an ASCII separator, byte by byte. `str::split` and `split_once` with a `char`
//! bring `core`'s pattern searcher, `memchr` and slice-index panics (with their messages) into
//! the .wasm; the widget's formats and checks (the cookie and `document.cookie`, the config
//! tokens, the start-up hints, intents, placeholders, hosts and addresses) only ever split at
//! ASCII. The banner build then links none of that machinery; the others, with fewer such calls,
//! link less of it.

/// The text before and after the first `separator`; `None` without one.
pub fn split_once(text: &str, separator: u8) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    // An index loop, not `position`: the iterator's state stays in memory in the optimized wasm.
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == separator {
            // Checked, not indexed: an ASCII byte is a char boundary, and no panic path is linked.
            let (before, from_separator) = text.split_at_checked(at)?;
            return Some((before, from_separator.get(1..)?));
        }
        at += 1;
    }
    None
}

/// The parts of `text` between `separator`s, as `str::split` yields them (an empty text is one
/// empty part).
pub fn split(text: &str, separator: u8) -> Split<'_> {
    Split { rest: Some(text), separator }
}

/// The iterator of [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    /// What is left to split; `None` once the last part is out.
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once(rest, self.separator) {
            Some((part, after)) => {
                self.rest = Some(after);
                Some(part)
            }
            None => self.rest.take(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn splits_as_str_split_does() {
        for text in ["", "a", "|", "a|b", "|a||b|", "æ|ø|å", "1|2026-11-01|x"] {
            let ours: Vec<&str> = split(text, b'|').collect();
            let std: Vec<&str> = text.split('|').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn split_once_finds_the_first_separator_only() {
        assert_eq!(split_once("a=b=c", b'='), Some(("a", "b=c")));
        assert_eq!(split_once("=", b'='), Some(("", "")));
        assert_eq!(split_once("blå", b'='), None);
        assert_eq!(split_once("ø=å", b'='), Some(("ø", "å")));
    }
}
