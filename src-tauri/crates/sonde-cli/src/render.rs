//! Human-readable output (the `--json` forms are the serde forms).

use sonde_db::value::format_real;
use sonde_db::Value;

/// A value as shown in a terminal: one line, long text shortened, binary
/// described rather than dumped.
pub fn display(value: &Value) -> String {
    const MAX: usize = 60;
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => format_real(*f),
        Value::Text(t) => {
            let one_line: String = t.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            if one_line.chars().count() > MAX {
                let cut: String = one_line.chars().take(MAX - 1).collect();
                format!("{cut}…")
            } else {
                one_line
            }
        }
        Value::TextBytes(b) => format!("<text, {} bytes, not UTF-8>", b.len()),
        Value::Blob(b) => {
            let head: String = b.iter().take(8).map(|x| format!("{x:02x}")).collect();
            let more = if b.len() > 8 { "…" } else { "" };
            format!("x'{head}{more}' ({} bytes)", b.len())
        }
    }
}

/// Renders rows as an aligned table with a header and a separator line.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&mut out, header);
    let sep: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut out, &sep);
    for row in rows {
        line(&mut out, row);
    }
    out
}
