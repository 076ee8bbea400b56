// A small SQL statement splitter for the fake backend: splits on `;`
// outside quotes ('', "", ``, []) and comments (--, /* */), and reports each
// statement's [start, end) in the text (UTF-16 indexes, like JS strings).
// The real backend uses SQLite's own tokenizer; this is enough for tests.

export interface Span {
  sql: string;
  start: number;
  end: number;
}

export function splitStatements(text: string): Span[] {
  const out: Span[] = [];
  let segStart = 0;
  let i = 0;
  const flush = (end: number) => {
    const seg = text.slice(segStart, end);
    // Trim whitespace and whole-line comments at both ends.
    const lead = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(seg)?.[0].length ?? 0;
    const body = seg.slice(lead).replace(/\s+$/, "");
    if (body) out.push({ sql: body, start: segStart + lead, end: segStart + lead + body.length });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const closer = c === "[" ? "]" : c;
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === closer) {
          if (closer !== "]" && text[j + 1] === closer) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
    } else if (c === ";") {
      flush(i);
      segStart = i + 1;
      i++;
    } else i++;
  }
  flush(text.length);
  return out;
}

/** The statement the cursor is in; between statements, the one before it. */
export function statementAt(spans: Span[], offset: number): Span | undefined {
  let best: Span | undefined;
  for (const s of spans) {
    if (s.start <= offset) best = s;
    else break;
  }
  return best ?? spans[0];
}
