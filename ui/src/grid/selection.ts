// Grid positions: data rows are 0.. (absolute index); rows being added are
// pinned above them at negative positions (-n .. -1, top to bottom).
export interface Cell {
  pos: number;
  col: number;
}

export interface Range {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export function rangeOf(a: Cell, b: Cell): Range {
  return {
    top: Math.min(a.pos, b.pos),
    bottom: Math.max(a.pos, b.pos),
    left: Math.min(a.col, b.col),
    right: Math.max(a.col, b.col),
  };
}

export const inRange = (r: Range | null, pos: number, col: number) =>
  r !== null && pos >= r.top && pos <= r.bottom && col >= r.left && col <= r.right;

/** Position of new row `i` of `n` (top to bottom). */
export const newRowPos = (i: number, n: number) => i - n;
/** Index into the new rows of a negative position. */
export const newRowIndex = (pos: number, n: number) => pos + n;

/** Tab-separated text of a matrix (spreadsheet clipboard format). */
export function toTsv(matrix: string[][]): string {
  return matrix.map((row) => row.map((v) => (/[\t\n\r"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join("\t")).join("\n");
}

/** Parses TSV as spreadsheets write it (quoted fields may hold tabs/newlines). */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  const src = text.replace(/\r\n?/g, "\n").replace(/\n$/, "");
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === "\t") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
    i++;
  }
  row.push(field);
  rows.push(row);
  return rows;
}
