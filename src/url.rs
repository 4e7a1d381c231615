//! URL text: the one percent-decoder, for links written in lessons and for
//! the paths of requests to `serve`, and the encoder of file paths that
//! links to page assets are made from.

/// Percent-encodes a relative file path (`/`-separated) for a link: every
/// byte but ASCII letters, digits, `/` and `-._~` is escaped.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes. `None` when an escape is malformed (not exactly
/// two hex digits: `from_str_radix` alone would also take a sign, as in
/// `%+f`) or the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let value = std::str::from_utf8(hex)
                .ok()
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())?;
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_and_decode_back() {
        let path = "Week 1/plot (final)/ü.png";
        let encoded = encode_path(path);
        assert_eq!(encoded, "Week%201/plot%20%28final%29/%C3%BC.png");
        assert_eq!(percent_decode(&encoded).as_deref(), Some(path));
    }

    #[test]
    fn escapes_decode_and_malformed_ones_are_refused() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%C3%A9t%C3%A9").as_deref(), Some("été"));
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        for bad in ["%", "%2", "%zz", "%+f", "%ff"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }
}
