// SQLite's type affinity from a declared column type (the rules of
// https://sqlite.org/datatype3.html §3.1), used to pick editors and to type
// values the user typed.
export type Affinity = "integer" | "text" | "blob" | "real" | "numeric";

export function affinityOf(declType: string): Affinity {
  const t = declType.toUpperCase();
  if (t.includes("INT")) return "integer";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "text";
  if (t.includes("BLOB") || t === "") return "blob";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "real";
  return "numeric";
}
