//! A small POSIX `sh` parser: the subset adb clients send.
//!
//! Supported: simple commands, `;`/newline, `&&`, `||`, `|`, `!`, `&` (run
//! synchronously), redirections `>`, `>>`, `>|`, `<`, `N>`, `N>&M`, `N>&-`,
//! single quotes (fully literal), double quotes (backslash escapes `$`, `` ` ``,
//! `"`, `\` and newline; `$` expands), backslash escapes, `$?`, `$$`, `$#`,
//! `$0`-`$9`, `$NAME`, `${NAME}`, `NAME=value` assignments, comments, and
//! unquoted glob characters (expanded by the interpreter).
//!
//! Not supported (a syntax error, never a guess): command substitution,
//! subshells, here-documents, `if`/`for`/`while`/`case`, functions.
//! Quoted text is never re-interpreted: `'x.db; rm -rf /sdcard'` is one word.

use thiserror::Error;

/// A piece of a word, remembering whether it was quoted (quoted text is
/// exempt from globbing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit { text: String, quoted: bool },
    Var { name: String, quoted: bool },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<Part>,
}

impl Word {
    fn push_lit(&mut self, c: char, quoted: bool) {
        if let Some(Part::Lit { text, quoted: q }) = self.parts.last_mut() {
            if *q == quoted {
                text.push(c);
                return;
            }
        }
        self.parts.push(Part::Lit { text: c.to_string(), quoted });
    }

    /// The word's text if it is a single unquoted literal (for keywords).
    pub fn plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Lit { text, quoted: false }] => Some(text),
            _ => None,
        }
    }

    /// Builds a literal word (used by tests and by `run-as` re-dispatch).
    pub fn literal(text: &str) -> Self {
        Self { parts: vec![Part::Lit { text: text.to_string(), quoted: true }] }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirKind {
    /// `>` / `>|`
    Out,
    /// `>>`
    Append,
    /// `<`
    In,
    /// `>&`
    DupOut,
    /// `<&`
    DupIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub fd: u32,
    pub kind: RedirKind,
    pub target: Word,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub negate: bool,
    pub commands: Vec<SimpleCommand>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub items: Vec<AndOr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("unterminated {0} quote")]
    Unterminated(&'static str),
    #[error("unexpected '{0}'")]
    Unexpected(String),
    #[error("{0} not supported")]
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word),
    Redir(u32, RedirKind),
    AndIf,
    OrIf,
    Pipe,
    Semi,
    Amp,
    Newline,
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Word(_) => "word".into(),
        Tok::Redir(..) => "redirection".into(),
        Tok::AndIf => "&&".into(),
        Tok::OrIf => "||".into(),
        Tok::Pipe => "|".into(),
        Tok::Semi => ";".into(),
        Tok::Amp => "&".into(),
        Tok::Newline => "newline".into(),
    }
}

fn is_meta(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')')
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, off: usize) -> Option<char> {
        self.chars.get(self.pos + off).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn tokens(mut self) -> Result<Vec<Tok>, ParseError> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.pos += 1;
                }
                '\n' => {
                    self.pos += 1;
                    out.push(Tok::Newline);
                }
                '#' => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                ';' => {
                    self.pos += 1;
                    if self.peek() == Some(';') {
                        return Err(ParseError::Unexpected(";;".into()));
                    }
                    out.push(Tok::Semi);
                }
                '&' => {
                    self.pos += 1;
                    if self.peek() == Some('&') {
                        self.pos += 1;
                        out.push(Tok::AndIf);
                    } else {
                        out.push(Tok::Amp);
                    }
                }
                '|' => {
                    self.pos += 1;
                    if self.peek() == Some('|') {
                        self.pos += 1;
                        out.push(Tok::OrIf);
                    } else {
                        out.push(Tok::Pipe);
                    }
                }
                '(' | ')' => return Err(ParseError::Unsupported("subshell".into())),
                '<' | '>' => {
                    let default_fd = if c == '<' { 0 } else { 1 };
                    out.push(self.redirect(default_fd)?);
                }
                _ => {
                    // `2>file`: a digit run directly followed by < or >.
                    let mut n = 0;
                    while self.peek_at(n).is_some_and(|d| d.is_ascii_digit()) {
                        n += 1;
                    }
                    if n > 0 && matches!(self.peek_at(n), Some('<' | '>')) {
                        let digits: String = self.chars[self.pos..self.pos + n].iter().collect();
                        self.pos += n;
                        let fd = digits.parse::<u32>().unwrap_or(u32::MAX);
                        out.push(self.redirect(fd)?);
                    } else {
                        out.push(Tok::Word(self.word()?));
                    }
                }
            }
        }
        Ok(out)
    }

    fn redirect(&mut self, fd: u32) -> Result<Tok, ParseError> {
        let kind = match (self.bump(), self.peek()) {
            (Some('>'), Some('>')) => {
                self.pos += 1;
                RedirKind::Append
            }
            (Some('>'), Some('&')) => {
                self.pos += 1;
                RedirKind::DupOut
            }
            (Some('>'), Some('|')) => {
                self.pos += 1;
                RedirKind::Out
            }
            (Some('>'), _) => RedirKind::Out,
            (Some('<'), Some('&')) => {
                self.pos += 1;
                RedirKind::DupIn
            }
            (Some('<'), Some('<')) => return Err(ParseError::Unsupported("here-document".into())),
            (Some('<'), Some('>')) => return Err(ParseError::Unsupported("<>".into())),
            (Some('<'), _) => RedirKind::In,
            _ => return Err(ParseError::Unexpected("redirection".into())),
        };
        Ok(Tok::Redir(fd, kind))
    }

    fn word(&mut self) -> Result<Word, ParseError> {
        let mut w = Word::default();
        while let Some(c) = self.peek() {
            if is_meta(c) {
                break;
            }
            self.pos += 1;
            match c {
                '\'' => {
                    let mut closed = false;
                    while let Some(q) = self.bump() {
                        if q == '\'' {
                            closed = true;
                            break;
                        }
                        w.push_lit(q, true);
                    }
                    if !closed {
                        return Err(ParseError::Unterminated("single"));
                    }
                    // '' must still produce an (empty) word.
                    w.parts.push(Part::Lit { text: String::new(), quoted: true });
                }
                '"' => {
                    self.double_quoted(&mut w)?;
                    w.parts.push(Part::Lit { text: String::new(), quoted: true });
                }
                '\\' => match self.bump() {
                    Some('\n') => {}
                    Some(e) => w.push_lit(e, true),
                    None => w.push_lit('\\', false),
                },
                '$' => self.dollar(&mut w, false)?,
                '`' => return Err(ParseError::Unsupported("command substitution".into())),
                _ => w.push_lit(c, false),
            }
        }
        Ok(w)
    }

    fn double_quoted(&mut self, w: &mut Word) -> Result<(), ParseError> {
        loop {
            match self.bump() {
                None => return Err(ParseError::Unterminated("double")),
                Some('"') => return Ok(()),
                Some('\\') => match self.peek() {
                    Some('$' | '`' | '"' | '\\') => {
                        if let Some(e) = self.bump() {
                            w.push_lit(e, true);
                        }
                    }
                    Some('\n') => {
                        self.pos += 1;
                    }
                    _ => w.push_lit('\\', true),
                },
                Some('$') => self.dollar(w, true)?,
                Some('`') => return Err(ParseError::Unsupported("command substitution".into())),
                Some(c) => w.push_lit(c, true),
            }
        }
    }

    /// After a `$`: a parameter expansion, or a literal dollar sign.
    fn dollar(&mut self, w: &mut Word, quoted: bool) -> Result<(), ParseError> {
        match self.peek() {
            Some(c @ ('?' | '$' | '#' | '!' | '0'..='9')) => {
                self.pos += 1;
                w.parts.push(Part::Var { name: c.to_string(), quoted });
            }
            Some('{') => {
                self.pos += 1;
                let mut name = String::new();
                loop {
                    match self.bump() {
                        None => return Err(ParseError::Unterminated("${")),
                        Some('}') => break,
                        Some(c) => name.push(c),
                    }
                }
                let valid = name.len() == 1 && matches!(name.as_bytes()[0], b'?' | b'$' | b'#')
                    || name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty()
                    || name.chars().next().is_some_and(is_name_start) && name.chars().all(is_name_char);
                if !valid {
                    return Err(ParseError::Unsupported(format!("${{{name}}}")));
                }
                w.parts.push(Part::Var { name, quoted });
            }
            Some('(') => return Err(ParseError::Unsupported("command substitution".into())),
            Some(c) if is_name_start(c) => {
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if !is_name_char(c) {
                        break;
                    }
                    name.push(c);
                    self.pos += 1;
                }
                w.parts.push(Part::Var { name, quoted });
            }
            _ => w.push_lit('$', quoted),
        }
        Ok(())
    }
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function",
    "{", "}", "[[",
];

/// Parses a script.
pub fn parse(src: &str) -> Result<Script, ParseError> {
    let toks = Lexer { chars: src.chars().collect(), pos: 0 }.tokens()?;
    let mut p = Parser { toks, pos: 0 };
    p.script()
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.pos += 1;
        }
    }

    fn script(&mut self) -> Result<Script, ParseError> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            let Some(tok) = self.peek() else { break };
            if !matches!(tok, Tok::Word(_) | Tok::Redir(..)) {
                return Err(ParseError::Unexpected(tok_text(tok)));
            }
            items.push(self.and_or()?);
            match self.peek() {
                None => break,
                Some(Tok::Semi | Tok::Amp | Tok::Newline) => self.pos += 1,
                Some(t) => return Err(ParseError::Unexpected(tok_text(t))),
            }
        }
        Ok(Script { items })
    }

    fn and_or(&mut self) -> Result<AndOr, ParseError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let conn = match self.peek() {
                Some(Tok::AndIf) => Connector::And,
                Some(Tok::OrIf) => Connector::Or,
                _ => break,
            };
            self.pos += 1;
            self.skip_newlines();
            rest.push((conn, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let mut negate = false;
        if let Some(Tok::Word(w)) = self.peek() {
            if w.plain() == Some("!") {
                negate = true;
                self.pos += 1;
            }
        }
        let mut commands = vec![self.command()?];
        while self.peek() == Some(&Tok::Pipe) {
            self.pos += 1;
            self.skip_newlines();
            commands.push(self.command()?);
        }
        Ok(Pipeline { negate, commands })
    }

    fn command(&mut self) -> Result<SimpleCommand, ParseError> {
        let mut cmd = SimpleCommand::default();
        loop {
            match self.peek().cloned() {
                Some(Tok::Word(w)) => {
                    self.pos += 1;
                    if cmd.words.is_empty() {
                        if let Some((name, value)) = split_assignment(&w) {
                            cmd.assigns.push((name, value));
                            continue;
                        }
                        if let Some(kw) = w.plain().filter(|t| KEYWORDS.contains(t)) {
                            return Err(ParseError::Unsupported(format!("'{kw}'")));
                        }
                    }
                    cmd.words.push(w);
                }
                Some(Tok::Redir(fd, kind)) => {
                    self.pos += 1;
                    match self.peek().cloned() {
                        Some(Tok::Word(target)) => {
                            self.pos += 1;
                            cmd.redirects.push(Redirect { fd, kind, target });
                        }
                        Some(t) => return Err(ParseError::Unexpected(tok_text(&t))),
                        None => return Err(ParseError::Unexpected("end of input".into())),
                    }
                }
                _ => break,
            }
        }
        if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirects.is_empty() {
            return Err(match self.peek() {
                Some(t) => ParseError::Unexpected(tok_text(t)),
                None => ParseError::Unexpected("end of input".into()),
            });
        }
        Ok(cmd)
    }
}

/// `NAME=value` at the start of a command (NAME must be unquoted).
fn split_assignment(w: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit { text, quoted: false }) = w.parts.first() else {
        return None;
    };
    let eq = text.find('=')?;
    let name = &text[..eq];
    if !name.chars().next().is_some_and(is_name_start) || !name.chars().all(is_name_char) {
        return None;
    }
    let mut value = Word::default();
    let rest = &text[eq + 1..];
    if !rest.is_empty() {
        value.parts.push(Part::Lit { text: rest.to_string(), quoted: false });
    }
    value.parts.extend(w.parts.iter().skip(1).cloned());
    Some((name.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flattens a word's literal text (variables shown as `${name}`).
    fn text(w: &Word) -> String {
        w.parts
            .iter()
            .map(|p| match p {
                Part::Lit { text, .. } => text.clone(),
                Part::Var { name, .. } => format!("${{{name}}}"),
            })
            .collect()
    }

    fn words(src: &str) -> Vec<String> {
        let s = parse(src).expect("parse");
        assert_eq!(s.items.len(), 1, "{src}");
        s.items[0].first.commands[0].words.iter().map(text).collect()
    }

    #[test]
    fn quoting_is_literal() {
        assert_eq!(words("cat 'x.db; rm -rf /sdcard'"), vec!["cat", "x.db; rm -rf /sdcard"]);
        assert_eq!(words(r#"echo "a 'b' \"c\" \$d""#), vec!["echo", r#"a 'b' "c" $d"#]);
        assert_eq!(words(r"echo a\ b \; \'"), vec!["echo", "a b", ";", "'"]);
        assert_eq!(words("echo 'it'\\''s'"), vec!["echo", "it's"]);
        assert_eq!(words("echo '' \"\""), vec!["echo", "", ""]);
        assert_eq!(words("echo 'line\nbreak'"), vec!["echo", "line\nbreak"]);
        assert_eq!(words(r#"echo "back\slash""#), vec!["echo", r"back\slash"]);
    }

    #[test]
    fn variables() {
        assert_eq!(words("echo $? ${HOME}x $1 $"), vec!["echo", "${?}", "${HOME}x", "${1}", "$"]);
        let s = parse("echo '$?'").expect("parse");
        let w = &s.items[0].first.commands[0].words[1];
        assert!(matches!(&w.parts[0], Part::Lit { text, quoted: true } if text == "$?"));
    }

    #[test]
    fn operators_and_lists() {
        let s = parse("a; b && c || d\ne | f &").expect("parse");
        assert_eq!(s.items.len(), 3);
        assert_eq!(s.items[1].rest.len(), 2);
        assert_eq!(s.items[1].rest[0].0, Connector::And);
        assert_eq!(s.items[1].rest[1].0, Connector::Or);
        assert_eq!(s.items[2].first.commands.len(), 2);
        let s = parse("! false").expect("parse");
        assert!(s.items[0].first.negate);
    }

    #[test]
    fn redirects() {
        let s = parse("cmd >out 2>/dev/null 2>&1 >>log <in 2> err").expect("parse");
        let r = &s.items[0].first.commands[0].redirects;
        let got: Vec<(u32, RedirKind, String)> = r.iter().map(|r| (r.fd, r.kind, text(&r.target))).collect();
        assert_eq!(
            got,
            vec![
                (1, RedirKind::Out, "out".into()),
                (2, RedirKind::Out, "/dev/null".into()),
                (2, RedirKind::DupOut, "1".into()),
                (1, RedirKind::Append, "log".into()),
                (0, RedirKind::In, "in".into()),
                (2, RedirKind::Out, "err".into()),
            ]
        );
        // A quoted digit is a word, not an fd.
        assert_eq!(words("echo '2'>x"), vec!["echo", "2"]);
    }

    #[test]
    fn assignments() {
        let s = parse("A=1 B='x y'").expect("parse");
        let c = &s.items[0].first.commands[0];
        assert_eq!(c.assigns.len(), 2);
        assert_eq!(text(&c.assigns[1].1), "x y");
        // Not at the start: an ordinary argument.
        assert_eq!(words("echo A=1"), vec!["echo", "A=1"]);
    }

    #[test]
    fn errors() {
        assert_eq!(parse("echo 'abc"), Err(ParseError::Unterminated("single")));
        assert_eq!(parse("echo \"abc"), Err(ParseError::Unterminated("double")));
        assert!(matches!(parse("echo $(id)"), Err(ParseError::Unsupported(_))));
        assert!(matches!(parse("echo `id`"), Err(ParseError::Unsupported(_))));
        assert!(matches!(parse("if true; then x; fi"), Err(ParseError::Unsupported(_))));
        assert!(matches!(parse("&& a"), Err(ParseError::Unexpected(_))));
        assert!(matches!(parse("a &&"), Err(ParseError::Unexpected(_))));
        assert!(matches!(parse("a >"), Err(ParseError::Unexpected(_))));
        assert!(matches!(parse("(a)"), Err(ParseError::Unsupported(_))));
        assert_eq!(parse("").expect("empty").items.len(), 0);
        assert_eq!(parse("  # comment\n").expect("comment").items.len(), 0);
    }

    #[test]
    fn comments_and_hash_in_words() {
        assert_eq!(words("echo a#b # trailing"), vec!["echo", "a#b"]);
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(src in "[ -~\n]{0,64}") {
            let _ = parse(&src);
        }

        #[test]
        fn single_quoting_roundtrips(text in "[ -~\n]{0,32}") {
            // adb's own escaping: wrap in '...' and turn ' into '\''.
            let quoted = format!("'{}'", text.replace('\'', "'\\''"));
            let s = parse(&format!("cat {quoted}")).expect("parse");
            let w = &s.items[0].first.commands[0].words[1];
            proptest::prop_assert_eq!(super::tests::text(w), text);
        }
    }
}
