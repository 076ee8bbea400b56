//! A small, total parser for OpenStep ("old-style", NeXTSTEP) property lists,
//! the format `xcrun simctl listapps` prints (it is `-[NSDictionary
//! description]`, not JSON and not XML).
//!
//! Grammar (Apple, "Old-Style ASCII Property Lists", Property List
//! Programming Guide):
//! - dictionary `{ key = value; ... }` (keys are strings);
//! - array `( value, value, ... )` (a trailing comma is accepted);
//! - string: `"quoted"` with backslash escapes (`\"`, `\\`, `\n`, `\t`,
//!   `\r`, `\a`, `\b`, `\f`, `\v`, octal `\101`, `\U00e9` UTF-16 units), or a
//!   bare word of letters, digits and `_ $ + / : . -`;
//! - data `<0fbd 7712>` (hex digits, spaces ignored);
//! - comments `// ...` and `/* ... */`.
//!
//! Total: any input yields a value or an error with its byte offset, never
//! a panic; nesting is bounded so hostile input cannot overflow the stack.

use std::fmt;

/// Deeper nesting than this is refused (simctl output nests 3-4 levels).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plist {
    String(String),
    Data(Vec<u8>),
    Array(Vec<Plist>),
    /// Entries in document order (keys may repeat; [`Plist::get`] takes the first).
    Dict(Vec<(String, Plist)>),
}

impl Plist {
    /// The value of `key` when this is a dictionary.
    pub fn get(&self, key: &str) -> Option<&Plist> {
        self.as_dict()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Plist::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_dict(&self) -> Option<&[(String, Plist)]> {
        match self {
            Plist::Dict(entries) => Some(entries),
            _ => None,
        }
    }

    /// The string value of `key` when this is a dictionary.
    pub fn str_of(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }
}

/// Why parsing stopped, and where (byte offset into the input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlistError {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for PlistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

/// Parses one OpenStep property list (surrounding whitespace and comments
/// allowed, anything else after the value is an error).
pub fn parse(text: &str) -> Result<Plist, PlistError> {
    let mut p = Parser { text, pos: 0 };
    p.skip_blank()?;
    let value = p.value(0)?;
    p.skip_blank()?;
    if p.pos < text.len() {
        return Err(p.error("unexpected text after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    /// Always on a char boundary.
    pos: usize,
}

fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '+' | '/' | ':' | '.' | '-')
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> PlistError {
        PlistError { offset: self.pos, reason }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn expect(&mut self, want: char, reason: &'static str) -> Result<(), PlistError> {
        if self.peek() == Some(want) {
            self.pos += want.len_utf8();
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    /// Skips whitespace and comments.
    fn skip_blank(&mut self) -> Result<(), PlistError> {
        loop {
            let rest = self.rest();
            if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if let Some(body) = rest.strip_prefix("/*") {
                let end = body.find("*/").ok_or_else(|| self.error("unterminated comment"))?;
                self.pos += 2 + end + 2;
            } else {
                match self.peek() {
                    Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                    _ => return Ok(()),
                }
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Plist, PlistError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            Some('{') => self.dict(depth),
            Some('(') => self.array(depth),
            Some('<') => self.data(),
            Some('"') => self.quoted().map(Plist::String),
            Some(c) if is_bare(c) => Ok(Plist::String(self.bare())),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn dict(&mut self, depth: usize) -> Result<Plist, PlistError> {
        self.expect('{', "expected '{'")?;
        let mut entries = Vec::new();
        loop {
            self.skip_blank()?;
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(Plist::Dict(entries));
                }
                Some('"') => {}
                Some(c) if is_bare(c) => {}
                Some(_) => return Err(self.error("expected a key or '}'")),
                None => return Err(self.error("unterminated dictionary")),
            }
            let key = match self.peek() {
                Some('"') => self.quoted()?,
                _ => self.bare(),
            };
            self.skip_blank()?;
            self.expect('=', "expected '=' after a key")?;
            self.skip_blank()?;
            let value = self.value(depth + 1)?;
            entries.push((key, value));
            self.skip_blank()?;
            match self.peek() {
                Some(';') => self.pos += 1,
                // Lenient: the last `;` before `}` may be missing.
                Some('}') => {}
                _ => return Err(self.error("expected ';' after a value")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Plist, PlistError> {
        self.expect('(', "expected '('")?;
        let mut items = Vec::new();
        loop {
            self.skip_blank()?;
            if self.peek() == Some(')') {
                self.pos += 1;
                return Ok(Plist::Array(items));
            }
            items.push(self.value(depth + 1)?);
            self.skip_blank()?;
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(Plist::Array(items));
                }
                Some(_) => return Err(self.error("expected ',' or ')'")),
                None => return Err(self.error("unterminated array")),
            }
        }
    }

    fn data(&mut self) -> Result<Plist, PlistError> {
        self.expect('<', "expected '<'")?;
        let mut bytes = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let c = self.bump().ok_or_else(|| self.error("unterminated data"))?;
            if c == '>' {
                return match high {
                    None => Ok(Plist::Data(bytes)),
                    Some(_) => Err(self.error("odd number of hex digits in data")),
                };
            }
            if c.is_whitespace() {
                continue;
            }
            let digit = c.to_digit(16).ok_or_else(|| self.error("bad hex digit in data"))? as u8;
            match high.take() {
                None => high = Some(digit),
                Some(h) => bytes.push(h << 4 | digit),
            }
        }
    }

    fn bare(&mut self) -> String {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !is_bare(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.text.get(start..self.pos).unwrap_or("").to_owned()
    }

    fn quoted(&mut self) -> Result<String, PlistError> {
        self.expect('"', "expected '\"'")?;
        let mut out = String::new();
        // A high surrogate waiting for its low half (`\UD83D\UDE00`).
        let mut pending: Option<u32> = None;
        loop {
            let c = self.bump().ok_or_else(|| self.error("unterminated string"))?;
            let unit = match c {
                '"' => {
                    if pending.is_some() {
                        out.push(char::REPLACEMENT_CHARACTER);
                    }
                    return Ok(out);
                }
                '\\' => self.escape()?,
                other => Escaped::Char(other),
            };
            match unit {
                Escaped::Unit(u) if (0xD800..0xDC00).contains(&u) => {
                    if pending.replace(u).is_some() {
                        out.push(char::REPLACEMENT_CHARACTER);
                    }
                }
                Escaped::Unit(u) if (0xDC00..0xE000).contains(&u) => match pending.take() {
                    Some(h) => {
                        let cp = 0x10000 + ((h - 0xD800) << 10) + (u - 0xDC00);
                        out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    None => out.push(char::REPLACEMENT_CHARACTER),
                },
                other => {
                    if pending.take().is_some() {
                        out.push(char::REPLACEMENT_CHARACTER);
                    }
                    match other {
                        Escaped::Char(c) => out.push(c),
                        Escaped::Unit(u) => {
                            out.push(char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                        }
                    }
                }
            }
        }
    }

    /// After a backslash.
    fn escape(&mut self) -> Result<Escaped, PlistError> {
        let c = self.bump().ok_or_else(|| self.error("unterminated escape"))?;
        Ok(match c {
            'n' => Escaped::Char('\n'),
            't' => Escaped::Char('\t'),
            'r' => Escaped::Char('\r'),
            'a' => Escaped::Char('\u{7}'),
            'b' => Escaped::Char('\u{8}'),
            'f' => Escaped::Char('\u{c}'),
            'v' => Escaped::Char('\u{b}'),
            'U' | 'u' => {
                let mut value = 0u32;
                let mut digits = 0;
                while digits < 4 {
                    match self.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            self.pos += 1;
                            digits += 1;
                        }
                        None => break,
                    }
                }
                if digits == 0 {
                    return Err(self.error("\\U needs hex digits"));
                }
                Escaped::Unit(value)
            }
            '0'..='7' => {
                let mut value = c as u32 - '0' as u32;
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                Escaped::Unit(value)
            }
            // `\"`, `\\`, `\'` and any other character stand for themselves.
            other => Escaped::Char(other),
        })
    }
}

enum Escaped {
    Char(char),
    /// A UTF-16 code unit or octal byte value.
    Unit(u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shape of real `xcrun simctl listapps` output (Xcode 15): aligned `=`,
    /// nested dictionaries and an empty array.
    const LISTAPPS: &str = r#"{
    "com.apple.mobilesafari" =     {
        ApplicationType = System;
        CFBundleDisplayName = Safari;
        CFBundleIdentifier = "com.apple.mobilesafari";
        GroupContainers =         {
        };
        SBAppTags =         (
        );
    };
    "com.example.notes" =     {
        ApplicationType = User;
        Bundle = "file:///Users/me/Library/Developer/CoreSimulator/Devices/UDID/data/Containers/Bundle/Application/X/Notes.app/";
        CFBundleDisplayName = "Caf\U00e9 Notes";
        CFBundleIdentifier = "com.example.notes";
        CFBundleShortVersionString = "1.2";
        DataContainer = "file:///Users/me/data/Containers/Data/Application/Y/";
        GroupContainers =         {
            "group.com.example.shared" = "file:///Users/me/Shared/AppGroup/Z/";
        };
        SBAppTags =         (
            "watch-companion",
            hidden
        );
    };
}"#;

    #[test]
    fn parses_simctl_listapps() {
        let p = parse(LISTAPPS).expect("parse");
        let notes = p.get("com.example.notes").expect("notes");
        assert_eq!(notes.str_of("ApplicationType"), Some("User"));
        assert_eq!(notes.str_of("CFBundleDisplayName"), Some("Café Notes"));
        assert_eq!(notes.str_of("CFBundleShortVersionString"), Some("1.2"));
        let groups = notes.get("GroupContainers").expect("groups");
        assert_eq!(groups.str_of("group.com.example.shared"), Some("file:///Users/me/Shared/AppGroup/Z/"));
        assert_eq!(
            notes.get("SBAppTags"),
            Some(&Plist::Array(vec![
                Plist::String("watch-companion".into()),
                Plist::String("hidden".into())
            ]))
        );
        let safari = p.get("com.apple.mobilesafari").expect("safari");
        assert_eq!(safari.get("GroupContainers"), Some(&Plist::Dict(vec![])));
        assert_eq!(safari.get("SBAppTags"), Some(&Plist::Array(vec![])));
    }

    #[test]
    fn strings_data_comments() {
        let p = parse(
            "/* head */ { a = \"q\\\"uo\\\\te\\n\\t\\101\"; // line\n b = <0fBD 77>; c = (x, \"y\",); \"k e y\" = -1.5e3 }",
        )
        .expect("parse");
        assert_eq!(p.str_of("a"), Some("q\"uo\\te\n\tA"));
        assert_eq!(p.get("b"), Some(&Plist::Data(vec![0x0f, 0xbd, 0x77])));
        assert_eq!(
            p.get("c"),
            Some(&Plist::Array(vec![Plist::String("x".into()), Plist::String("y".into())]))
        );
        assert_eq!(p.str_of("k e y"), Some("-1.5e3"));
        assert_eq!(parse("\"\\UD83D\\UDE00 \\UD83D\"").expect("emoji"), Plist::String("😀 \u{FFFD}".into()));
        assert_eq!(parse("bare/path:x.y$_+-").expect("bare"), Plist::String("bare/path:x.y$_+-".into()));
    }

    #[test]
    fn errors_carry_offsets() {
        for (bad, offset) in
            [("", 0), ("{ a = b", 7), ("{ a b; }", 4), ("(a b)", 3), ("<abc>", 5), ("\"open", 5), ("{} x", 3)]
        {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.offset, offset, "{bad}: {e}");
        }
        assert!(parse("/* never closed").is_err());
        assert!(parse("{ a = ; }").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "(".repeat(100_000);
        assert_eq!(parse(&deep).expect_err("deep").reason, "nesting too deep");
        let deep_dicts = "{a=".repeat(10_000);
        assert!(parse(&deep_dicts).is_err());
    }

    /// Fuzz-ish: random garbage, and every prefix and single-character
    /// mutation of a real sample, must never panic.
    #[test]
    fn never_panics_on_garbage() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet: Vec<char> = "{}()<>=;,\"\\/*ab0Uu7 \n\t.-é表😀\u{0}".chars().collect();
        for _ in 0..20_000 {
            let len = (next() % 64) as usize;
            let s: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let _ = parse(&s);
        }
        let chars: Vec<char> = LISTAPPS.chars().collect();
        for cut in 0..chars.len() {
            let prefix: String = chars[..cut].iter().collect();
            assert!(parse(&prefix).is_err() || cut == chars.len());
            let mut mutated = chars.clone();
            mutated[cut] = alphabet[(next() % alphabet.len() as u64) as usize];
            let _ = parse(&mutated.iter().collect::<String>());
        }
    }
}
