//! Human-readable output (the `--json` forms are the serde forms).

use sonde_db::value::format_real;
use sonde_db::Value;
use std::borrow::Cow;
use std::io::Write;

/// Text that comes from a database or a device (table, column, index and
/// trigger names, schema SQL, URIs, error details), made safe for a
/// terminal: control characters are shown escaped (`\u{1b}`) instead of
/// being interpreted, so a name cannot retitle or clear the terminal or
/// write to the clipboard. `keep_newlines` keeps `\n` and `\t` (schema SQL).
pub fn escape_controls(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(keep_newlines && (c == '\n' || c == '\t'));
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if unsafe_char(c) { c.escape_default().to_string() } else { c.to_string() })
            .collect(),
    )
}

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

/// A value shown as its display kind (`rows --display`), else as [`display`].
pub fn shown(value: &Value, kind: Option<sonde_core::DisplayKind>) -> String {
    match kind {
        Some(kind) if !matches!(value, Value::Null) => {
            let text = sonde_db::display::render_text(kind, sonde_db::display::raw_of(value));
            escape_controls(&text, false).into_owned()
        }
        _ => display(value),
    }
}

/// Renders rows as an aligned table with a header and a separator line.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let clean = |cells: &[String]| -> Vec<String> {
        cells.iter().map(|c| escape_controls(c, false).into_owned()).collect()
    };
    let header = clean(header);
    let rows: Vec<Vec<String>> = rows.iter().map(|r| clean(r)).collect();
    let (header, rows) = (&header[..], &rows[..]);
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

/// The stages of a push on one stderr line, rewritten as they happen — only
/// when stderr is a terminal (scripts and logs get nothing). Written here
/// rather than with a progress-bar crate: a push has eight named stages and
/// one byte count, which a line of text shows fully.
pub struct PushMeter {
    live: bool,
}

impl PushMeter {
    pub fn on_stderr() -> PushMeter {
        use std::io::IsTerminal;
        PushMeter { live: std::io::stderr().is_terminal() }
    }

    pub fn show(&self, stage: sonde_core::device::model::PushProgress) {
        use sonde_core::device::model::PushProgress as P;
        if !self.live {
            return;
        }
        let text = match stage {
            P::Checkpoint => "checkpointing the snapshot".to_owned(),
            P::LocalCheck => "checking the snapshot".to_owned(),
            P::ConflictCheck => "checking the device still has the pulled version".to_owned(),
            P::StopApp => "stopping the app".to_owned(),
            P::Upload { sent, total } => {
                let pct = sent.saturating_mul(100).checked_div(total).unwrap_or(100);
                let bar: String = (0..20).map(|i| if i * 5 < pct { '█' } else { '░' }).collect();
                format!("uploading {bar} {pct:>3}% of {total} bytes")
            }
            P::VerifyStaged => "verifying the uploaded copy".to_owned(),
            P::Swap => "swapping it in".to_owned(),
            P::Verify => "verifying the device's database".to_owned(),
            P::Done => "done".to_owned(),
        };
        let _ = write!(std::io::stderr(), "\r\x1b[2Kpush: {text}");
    }

    pub fn finish(&self) {
        if self.live {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// What a table is to the framework that owns it, for `tables`' text
/// output: `coredata entity Task (Task, UrgentTask)`, `coredata internal`.
pub fn table_role(t: &sonde_core::TableListing) -> String {
    let Some(framework) = t.framework else { return String::new() };
    let name =
        serde_json::to_value(framework).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let what = if t.internal {
        "internal".to_owned()
    } else if let Some(rel) = &t.relationship {
        format!("relationship {rel}")
    } else if let Some(entity) = &t.entity {
        match &t.entities {
            Some(all) => format!("entity {entity} ({})", all.join(", ")),
            None => format!("entity {entity}"),
        }
    } else {
        String::new()
    };
    escape_controls(format!("{name} {what}").trim_end(), false).into_owned()
}
