//! Shell pattern matching (`fnmatch`) for globs and `find -name`.
//!
//! Patterns use `*`, `?`, `[...]` (with `!`/`^` negation and ranges) and `\`
//! to escape; quoted text from the shell reaches us backslash-escaped.

/// Does `pattern` contain an unescaped wildcard?
pub fn has_magic(pattern: &str) -> bool {
    let mut escaped = false;
    for c in pattern.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// Removes pattern escapes, giving the literal text.
pub fn unescape(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut escaped = false;
    for c in pattern.chars() {
        if !escaped && c == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// Escapes text so that it matches only itself.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Matches a whole name against a pattern. A leading `.` in `name` must be
/// matched explicitly (as in sh globbing and `find -name`).
pub fn fnmatch(pattern: &str, name: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let p = fold(pattern);
    let n = fold(name);
    let explicit_dot = p.first() == Some(&'.') || p.starts_with(&['\\', '.']);
    if n.first() == Some(&'.') && !explicit_dot {
        return false;
    }
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    // Iterative matcher with single-star backtracking.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class(p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        // Unterminated class: a literal '['.
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == n[ni] {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c => {
                    if c == n[ni] {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Evaluates a `[...]` class at `p[start]`: `(matched, index after ])`, or
/// `None` when the class is unterminated.
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            ch
        };
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|h| *h != ']') {
            let hi = *p.get(i + 2)?;
            if lo <= c && c <= hi {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert!(fnmatch("*.db", "notes.db", false));
        assert!(!fnmatch("*.db", "notes.db-wal", false));
        assert!(fnmatch("*.db*", "notes.db-wal", false));
        assert!(fnmatch("n?tes.db", "notes.db", false));
        assert!(fnmatch("[a-n]otes.db", "notes.db", false));
        assert!(!fnmatch("[!n]otes.db", "notes.db", false));
        assert!(fnmatch("*", "x", false));
        assert!(!fnmatch("*", ".hidden", false));
        assert!(fnmatch(".*", ".hidden", false));
        assert!(fnmatch("*.DB", "a.db", true));
        assert!(!fnmatch("*.DB", "a.db", false));
        assert!(fnmatch("a*b*c", "axxbyyc", false));
        assert!(!fnmatch("a*b*c", "axxbyy", false));
    }

    #[test]
    fn escapes() {
        assert!(has_magic("a*"));
        assert!(!has_magic(r"a\*"));
        assert!(fnmatch(r"a\*", "a*", false));
        assert!(!fnmatch(r"a\*", "ab", false));
        assert_eq!(unescape(r"a\*b\\"), r"a*b\");
        let lit = "x[1]*?.db";
        assert!(fnmatch(&escape(lit), lit, false));
        assert!(!has_magic(&escape(lit)));
        assert_eq!(unescape(&escape(lit)), lit);
    }
}
