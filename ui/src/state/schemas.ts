// Table schemas read so far, per open database: views that name rows by
// their key (pending lists, the push dialog) use them without asking again.
import type { TableSchema } from "../bindings/TableSchema";

const cache = new Map<string, TableSchema>();
const id = (handle: number, table: string) => `${handle}\u0000${table}`;

export const cachedSchema = (handle: number, table: string): TableSchema | undefined => cache.get(id(handle, table));
export const rememberSchema = (handle: number, schema: TableSchema) => cache.set(id(handle, schema.name), schema);

/** Views showing a table's schema, told when a command answered with a new one (set_display_kind). */
const listeners = new Set<(handle: number, schema: TableSchema) => void>();
export function onSchema(l: (handle: number, schema: TableSchema) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
export function publishSchema(handle: number, schema: TableSchema): void {
  rememberSchema(handle, schema);
  for (const l of [...listeners]) l(handle, schema);
}

/** After a fresh pull the schema may differ. */
export function forgetSchemas(handle: number): void {
  for (const k of [...cache.keys()]) if (k.startsWith(`${handle}\u0000`)) cache.delete(k);
}
