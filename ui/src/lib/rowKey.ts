// Row keys as people read them. A rowid key is the integer as text; a
// WITHOUT ROWID table's key is `pk:` + base64url of its primary key values
// as JSON (see sonde-db's rowkey.rs). Rows are named by key, never by the
// position they happened to have in a sorted, filtered grid.
import type { TableSchema } from "../bindings/TableSchema";
import type { Value } from "../bindings/Value";
import { inlineText } from "../values";

function decodePk(key: string): Value[] | null {
  try {
    const b64 = key.slice(3).replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")), (c) => c.charCodeAt(0)));
    const values = JSON.parse(json) as unknown;
    return Array.isArray(values) ? (values as Value[]) : null;
  } catch {
    return null;
  }
}

const quoted = (v: Value) => (typeof v === "string" ? `'${v}'` : inlineText(v));

/** "rowid 5", "id 5", "code = 'abc', n = 2" (names from the schema when known). */
export function describeKey(key: string, schema?: TableSchema | null): string {
  if (/^-?\d+$/.test(key)) return `${schema?.key.kind === "rowid" ? schema.key.alias : "rowid"} ${key}`;
  if (key.startsWith("pk:")) {
    const values = decodePk(key);
    if (!values) return `key ${key}`;
    const names = schema?.key.kind === "primary_key" ? schema.key.columns.map((i) => schema.columns[i]?.name) : [];
    if (names.length === values.length && names.every(Boolean)) return values.map((v, i) => `${names[i]} = ${quoted(v)}`).join(", ");
    return `key (${values.map(quoted).join(", ")})`;
  }
  return `key ${key}`;
}
